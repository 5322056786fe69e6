"""Every name a bench script imports from the project exists — including imports inside functions, which run
only when a long benchmark reaches them (bench.answerability once imported a name moved to another module)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def project_imports(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and node.module and node.module.split(".")[0] in ("rag", "bench") for alias in node.names]


def exists(module: str, name: str) -> bool:
    """``name`` is an attribute of ``module`` or a submodule of it (``from bench import common``)."""
    if hasattr(importlib.import_module(module), name):
        return True
    try:
        importlib.import_module(f"{module}.{name}")
        return True
    except ModuleNotFoundError:
        return False


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_names_imported_from_the_project_exist(path: Path) -> None:
    missing = [f"{module}.{name}" for module, name in project_imports(path) if not exists(module, name)]
    assert not missing, f"{path.name} imports names that do not exist: {missing}"


def test_a_missing_name_is_found(tmp_path: Path) -> None:  # the negative beside it
    script = tmp_path / "script.py"
    script.write_text("def run():\n    from rag.retrieval.retriever import clean_question\n", encoding="utf-8")
    assert not exists(*project_imports(script)[0])
