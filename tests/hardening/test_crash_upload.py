"""kill -9 during an upload's ingest, then restart: the index must come back consistent.

The subprocess (upload_worker.py) saves the upload into the corpus folder with rag.app.corpus_folder.save_upload and
ingests it, slowed down after each batch of points it writes; it is killed after the first batch, i.e.
with part of the document's points in the store and the document not yet published. A restart (Index.open + ingest of
the corpus folder, as the app does on start) must leave every manifest document with exactly its
chunk count in the store and no orphan points.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hardening_helpers import HARDENING_DIR, consistency_problems
from helpers.corpus import policy_text, write_corpus
from helpers.fakes import FakeEmbedder
from helpers.proc import subprocess_env

from rag.ingest.bookkeeping import content_hash
from rag.ingest.index import UPSERT_BATCH, Index
from rag.ingest.manifest import load_manifest
from rag.settings import Settings


def small_chunks(settings: Settings) -> Settings:
    return settings.model_copy(update={"chunk_max_tokens": 40, "chunk_overlap_tokens": 8})


def start_upload(settings: Settings, source: Path, name: str, delay: float) -> subprocess.Popen:
    config = {"index_dir": str(settings.index_dir), "corpus_dir": str(settings.corpus_dir),
              "chunk_max_tokens": settings.chunk_max_tokens, "chunk_overlap_tokens": settings.chunk_overlap_tokens,
              "source": str(source), "name": name, "delay": delay}
    env = subprocess_env()
    env["PYTHONPATH"] += os.pathsep + str(HARDENING_DIR)
    return subprocess.Popen([sys.executable, str(HARDENING_DIR / "upload_worker.py"), json.dumps(config)],
                            env=env, cwd=settings.corpus_dir.parent, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_line(process: subprocess.Popen, wanted: str, timeout: float) -> list[str]:
    """Read stdout lines until one equals ``wanted``; returns the lines seen (fails on timeout / exit)."""
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.strip())
            if line.strip() == wanted:
                found.set()
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not found.wait(timeout):
        process.kill()
        _, err = process.communicate()
        pytest.fail(f"worker never printed {wanted!r}; stdout {lines}, stderr {err[-2000:]}")
    return lines


@pytest.mark.parametrize("kind", ["new document", "new version of an indexed file"])
def test_kill_during_upload_then_restart_is_consistent(settings: Settings, tmp_path: Path, kind: str) -> None:
    cfg = small_chunks(settings)
    existing = write_corpus(cfg.corpus_dir, 3)
    with Index.open(cfg, FakeEmbedder()) as index:
        index.ingest([cfg.corpus_dir])
    before = load_manifest(cfg.index_dir / "manifest.json")
    name = existing[1].name if kind.startswith("new version") else "上传的政策.txt"
    old_hash = content_hash(existing[1].read_bytes())
    source = tmp_path / "upload_source.txt"
    source.write_text(policy_text(900, sentences=120, english=True), encoding="utf-8")
    new_hash = content_hash(source.read_bytes())
    # an earlier upload killed while copying leaves its hidden temp file behind
    (cfg.corpus_dir / ".upload-0123456789abcdef.txt").write_text(policy_text(901)[:50], encoding="utf-8")

    worker = start_upload(cfg, source, name, delay=0.02)
    try:
        wait_for_line(worker, "upserted 1", timeout=120)  # batch 1 is in the store, batch 2 not yet
        assert worker.poll() is None
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate(timeout=60)
    assert worker.returncode == -signal.SIGKILL
    assert (cfg.corpus_dir / name).read_bytes() == source.read_bytes()  # the upload was saved (atomically)

    # right after the crash: the published state is the one before the upload, the new content is not
    # visible (its points that reached the store are orphans), the old version is still whole
    with Index.open(cfg, FakeEmbedder()) as index:
        manifest = load_manifest(index.manifest_path)
        assert manifest.to_json()["documents"] == before.to_json()["documents"]
        assert new_hash not in index.visible_hashes()
        counts = index.store.doc_chunk_counts()
        for doc_hash, record in manifest.documents.items():
            assert counts.get(doc_hash) == record.chunks, record.names
        orphans = {h: n for h, n in counts.items() if h not in manifest.documents}
        # the first batch written before the kill is still on disk (Qdrant Edge's WAL survives kill -9)
        assert set(orphans) == {new_hash} and orphans[new_hash] >= UPSERT_BATCH, orphans

    # restart: open + ingest the corpus folder, as the app does when it starts
    embedder = FakeEmbedder()
    with Index.open(cfg, embedder) as index:
        report = index.ingest([cfg.corpus_dir])
        assert report.ok, report.to_json()
        assert consistency_problems(index) == []
        record = index.record(new_hash)
        assert record is not None and record.names == [name]
        assert embedder.embedded == record.chunks  # only the interrupted upload is embedded again
        if kind.startswith("new version"):
            assert report.updated == [name] and index.record(old_hash) is None
            assert old_hash not in index.store.doc_chunk_counts()
        else:
            assert report.added == [name]
        assert len(index.documents()) == 3 + (0 if kind.startswith("new version") else 1)
        assert all(not n.startswith(".upload-") for r in index.documents() for n in r.names)
