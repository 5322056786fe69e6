"""A damaged index through the CLI and the web app's start (issue 19, item 5): one clear message naming
the file and ``rag ingest --rebuild``, a non-zero exit, no traceback. Fake embedder, no model.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path

import pytest
from helpers.corpus import write_corpus
from helpers.fakes import FakeEmbedder

from rag.app.cli import main
from rag.ingest.index import Index
from rag.settings import Settings, get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def index_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A 2-document index built with the fake embedder; RAG_* variables point at it; the CLI and the app
    get the fake embedder too."""
    write_corpus(settings.corpus_dir, 2, sentences=8)
    with Index.open(settings, FakeEmbedder()) as index:
        index.ingest([settings.corpus_dir])
    monkeypatch.setenv("RAG_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setattr("rag.ingest.index.get_embedder", lambda _settings: FakeEmbedder())
    get_settings.cache_clear()
    return settings


def damage_manifest(settings: Settings) -> Path:
    path = settings.index_dir / "manifest.json"
    os.truncate(path, path.stat().st_size // 2)
    return path


def damage_store(settings: Settings) -> Path:
    [segment] = [p for p in (settings.index_dir / "edge" / "segments").iterdir() if p.is_dir()]
    path = segment / "payload_storage" / "page_0.dat"
    os.truncate(path, 100)
    return settings.index_dir / "edge"


def test_the_cli_works_on_a_sound_index(index_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("damage", [damage_manifest, damage_store], ids=["truncated-manifest", "damaged-store"])
@pytest.mark.parametrize("command", [["docs"], ["search", "人工智能"], ["remove", "doc_000.txt"],
                                     ["ingest", "CORPUS"]], ids=["docs", "search", "remove", "ingest"])
def test_the_cli_says_what_is_damaged_and_how_to_fix_it(index_env: Settings, capsys: pytest.CaptureFixture[str],
                                                        damage, command: list[str]) -> None:
    named = damage(index_env)
    argv = [str(index_env.corpus_dir) if arg == "CORPUS" else arg for arg in command]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert lines[0].startswith(f"rag: The index is damaged: {named}")
    assert f"rag ingest --rebuild {index_env.corpus_dir}" in lines[0]


def test_the_fix_works(index_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    damage_store(index_env)
    damage_manifest(index_env)
    assert main(["ingest", "--rebuild", str(index_env.corpus_dir), "--json"]) == 0
    assert main(["docs"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("damage", [damage_manifest, damage_store], ids=["truncated-manifest", "damaged-store"])
def test_the_app_logs_one_error_and_exits(index_env: Settings, caplog: pytest.LogCaptureFixture, damage) -> None:
    named = damage(index_env)
    spec = importlib.util.spec_from_file_location("policyqa_app", PROJECT_ROOT / "app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    with caplog.at_level(logging.INFO):
        assert app.main() == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is None
    assert errors[0].getMessage().startswith(f"The index is damaged: {named}")
    assert "rag ingest --rebuild" in errors[0].getMessage()
