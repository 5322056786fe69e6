"""rag.ingest.integrity: a damaged index is refused at open with one message naming the file and the fix
(issue 19, item 5); documents the store lacks points of are not reported. Fake embedder, Qdrant Edge.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.corpus import write_corpus
from helpers.fakes import FakeEmbedder

from rag.ingest.index import Index, IndexConfigError, IndexDamagedError
from rag.settings import Settings

FIX = "rag ingest --rebuild"


def build(settings: Settings, count: int = 3) -> Settings:
    """An index of ``count`` small documents, closed; returns the settings that open it."""
    settings = settings.model_copy(update={"chunk_max_tokens": 40, "chunk_overlap_tokens": 8})
    write_corpus(settings.corpus_dir, count, sentences=10)
    with Index.open(settings, FakeEmbedder()) as index:
        index.ingest([settings.corpus_dir])
    return settings


def segment_file(settings: Settings, relative: str) -> Path:
    [segment] = [p for p in (settings.index_dir / "edge" / "segments").iterdir() if p.is_dir()]
    return segment / relative


def refused(settings: Settings) -> str:
    with pytest.raises(IndexDamagedError) as caught:
        Index.open(settings, FakeEmbedder())
    message = str(caught.value)
    assert isinstance(caught.value, IndexConfigError)  # the CLI and app.py report it as they do a config error
    assert FIX in message and str(settings.corpus_dir) in message
    return message


def test_a_sound_index_opens(settings: Settings) -> None:
    settings = build(settings)
    with Index.open(settings, FakeEmbedder()) as index:
        assert len(index.documents()) == 3


@pytest.mark.parametrize("keep", [0, 0.5], ids=["empty", "half"])
def test_a_truncated_manifest_is_named(settings: Settings, keep: float) -> None:
    settings = build(settings)
    manifest = settings.index_dir / "manifest.json"
    os.truncate(manifest, int(manifest.stat().st_size * keep))
    message = refused(settings)
    assert str(manifest) in message and "cannot be read" in message


@pytest.mark.parametrize("content", ['[1, 2]', '{"documents": {"h": {"title": "x"}}}', '{"dim": "wide"}'],
                         ids=["list", "record-without-fields", "bad-dim"])
def test_a_manifest_of_the_wrong_shape_is_named(settings: Settings, content: str) -> None:
    settings = build(settings)
    (settings.index_dir / "manifest.json").write_text(content, encoding="utf-8")
    assert "manifest.json does not hold an index manifest" in refused(settings)


@pytest.mark.parametrize(("damaged", "named"), [
    ("vector_storage-dense/vectors/chunk_0.mmap", "edge"),  # opens; only reading a vector fails
    ("payload_storage/page_0.dat", "edge"),
    ("segment.json", "segment.json"),
    ("vector_storage-sparse/store/page_0.dat", "segments/"),
], ids=["dense-vectors", "payloads", "segment-state", "sparse-vectors"])
def test_a_damaged_store_file_is_refused_with_one_message(settings: Settings, damaged: str, named: str) -> None:
    settings = build(settings)
    path = segment_file(settings, damaged)
    os.truncate(path, 100)
    message = refused(settings)
    assert message.startswith(f"The index is damaged: {settings.index_dir / 'edge'}")
    assert named in message.split(" cannot be read")[0]
    assert "\n" not in message
    # The lock was released: the fix can run (here: the store is deleted and rebuilt).
    for child in sorted((settings.index_dir / "edge").rglob("*"), reverse=True):
        child.unlink() if child.is_file() else child.rmdir()
    (settings.index_dir / "manifest.json").unlink()
    with Index.open(settings, FakeEmbedder()) as index:
        assert len(index.ingest([settings.corpus_dir]).added) == 3


def test_documents_missing_from_the_store_are_not_reported(settings: Settings) -> None:
    settings = build(settings)
    os.truncate(segment_file(settings, "mutable_id_tracker.mappings"), 0)  # the store forgets points
    with Index.open(settings, FakeEmbedder()) as index:
        counts = index.store.doc_chunk_counts()
        listed = {r.doc_hash: r.chunks for r in index.documents()}
        assert len(listed) < 3
        assert all(counts.get(h) == n for h, n in listed.items())  # every reported document is complete
        assert index.visible_hashes() == frozenset(listed)
        report = index.ingest([settings.corpus_dir])  # the next ingest re-indexes the others
        assert len(report.added) == 3 - len(listed) and len(index.documents()) == 3
