"""The CLI against an index that another process holds open: a short message and exit status 2 — and the
holder's index must survive the attempt.

The holder is an ``Index`` (the real embedding model, as the app uses) in this pytest process; the CLI
runs in a subprocess with RAG_INDEX_DIR pointing at the same folder. (Not the shared app: a refused CLI
open damages the holder's store, see test_holder_can_still_write_after_a_refused_cli_call.)
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hardening_helpers import consistency_problems
from helpers.corpus import write_corpus
from helpers.fakes import FakeEmbedder
from helpers.proc import subprocess_env

from rag.ingest.index import Index
from rag.ingest.manifest import load_manifest
from rag.settings import Settings
from rag.store.embedding import get_embedder

pytestmark = pytest.mark.slow

LOCKED = "in use by another PolicyQA process"


def run_cli(args: list[str], index_dir: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = subprocess_env()
    env["RAG_INDEX_DIR"] = str(index_dir)
    return subprocess.run([sys.executable, "-m", "rag", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def assert_one_line_locked(done: subprocess.CompletedProcess, index_dir: Path) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout[-1000:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 300, done.stderr
    assert lines[0].startswith("rag: ") and LOCKED in lines[0] and str(index_dir) in lines[0], lines[0]
    assert done.stdout == ""


@pytest.fixture
def held_index(settings: Settings) -> Iterator[Index]:
    """An index built with the real model and held open by this process (as the app holds it)."""
    write_corpus(settings.corpus_dir, 1)
    index = Index.open(settings, get_embedder(settings))
    try:
        index.ingest([settings.corpus_dir])
        yield index
    finally:
        with contextlib.suppress(Exception):  # a damaged store may fail to flush on close
            index.close()


@pytest.mark.parametrize("args", [["search", "x"], ["ingest", "CORPUS"], ["remove", "doc_000.txt"]],
                         ids=["search", "ingest", "remove"])
def test_cli_refuses_a_held_index(held_index: Index, tmp_path: Path, args: list[str]) -> None:
    settings = held_index.settings
    args = [str(settings.corpus_dir) if a == "CORPUS" else a for a in args]
    documents = load_manifest(held_index.manifest_path).to_json()["documents"]
    done = run_cli(args, settings.index_dir, tmp_path)
    assert_one_line_locked(done, settings.index_dir)
    assert load_manifest(held_index.manifest_path).to_json()["documents"] == documents
    assert [r.names for r in held_index.documents()] == [["doc_000.txt"]]


def test_holder_can_still_write_after_a_refused_cli_call(held_index: Index, tmp_path: Path) -> None:
    settings = held_index.settings
    done = run_cli(["search", "x"], settings.index_dir, tmp_path)
    assert_one_line_locked(done, settings.index_dir)
    write_corpus(settings.corpus_dir, 1, start=1)
    report = held_index.ingest([settings.corpus_dir])  # e.g. the app indexing an upload
    assert report.added == ["doc_001.txt"]
    assert consistency_problems(held_index) == []


def test_rebuild_refuses_an_index_another_process_holds(settings: Settings, tmp_path: Path) -> None:
    write_corpus(settings.corpus_dir, 2)
    empty = tmp_path / "nothing_to_ingest"
    empty.mkdir()
    index = Index.open(settings, FakeEmbedder())  # this process holds the index
    try:
        index.ingest([settings.corpus_dir])
        held = load_manifest(index.manifest_path).to_json()["documents"]
        done = run_cli(["ingest", "--rebuild", str(empty)], settings.index_dir, tmp_path)
        assert load_manifest(index.manifest_path).to_json()["documents"] == held, "the held index was wiped"
        assert_one_line_locked(done, settings.index_dir)
    finally:
        with contextlib.suppress(Exception):  # its files may have been deleted under it
            index.close()
