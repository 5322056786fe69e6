"""The shape of the code: stage packages, no import cycle, small modules.

The folder list reads as the pipeline — text → store → ingest → retrieval → answer → app — and a stage
imports only from the stages before it (plus ``rag.types`` and ``rag.settings``, which every stage
shares). Lazy imports inside functions count: a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RAG = Path(__file__).resolve().parents[2] / "rag"
STAGES = ["text", "encoder", "store", "ingest", "retrieval", "answer", "app"]
SHARED = {"rag.types", "rag.settings", "rag"}
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(RAG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def rag_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(RAG.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The rag modules ``path`` imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found.update(name for name in names if name in known)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = rag_modules()
    known = set(modules)
    return {name: imports_of(path, known) - {name} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def stage_of(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def test_no_import_cycle() -> None:
    assert find_cycle(import_graph()) is None


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_stages_import_only_earlier_stages() -> None:
    backwards = []
    for module, targets in import_graph().items():
        own = stage_of(module)
        for target in targets:
            other = stage_of(target)
            if own is not None and other is not None and other > own:
                backwards.append(f"{module} → {target}")
            if own is None and module not in SHARED | {"rag.__main__"} and other is not None:
                backwards.append(f"{module} (outside the stages) → {target}")
    assert backwards == []


def test_every_module_belongs_to_a_stage() -> None:
    loose = [m for m in rag_modules() if stage_of(m) is None and m not in SHARED | {"rag.__main__"}]
    assert loose == []


@pytest.mark.parametrize("module", sorted(rag_modules()))
def test_module_is_small(module: str) -> None:
    lines = rag_modules()[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines (at most {MAX_LINES})"
