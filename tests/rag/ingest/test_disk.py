"""rag.ingest.disk: a full disk is said in words, and nothing is half-written (issue 19, item 4).

The free space is simulated (``shutil.disk_usage`` as rag.ingest.disk sees it) and so are the write
errors (the manifest's ENOSPC, the engine's "No space left on device"): a real full disk kills the
process with a bus error inside the engine's memory-mapped writes, which is why space is checked first.
"""

from __future__ import annotations

import errno
from collections import namedtuple
from pathlib import Path

import pytest
from helpers.corpus import policy_text, write_corpus
from helpers.fakes import FakeEmbedder

from rag.app.cli import main
from rag.ingest.disk import DiskFullError
from rag.ingest.index import Index
from rag.ingest.manifest import load_manifest, save_manifest
from rag.settings import Settings, get_settings

Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def small(settings: Settings) -> Settings:
    settings = settings.model_copy(update={"chunk_max_tokens": 40, "chunk_overlap_tokens": 8,
                                           "disk_bytes_per_chunk": 1000, "disk_reserve_mb": 0.0})
    write_corpus(settings.corpus_dir, 2, sentences=10)
    return settings


def free_space(monkeypatch: pytest.MonkeyPatch, free: int) -> None:
    monkeypatch.setattr("rag.ingest.disk.shutil.disk_usage", lambda _path: Usage(10**12, 10**12 - free, free))


def test_enough_space_indexes(small: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    free_space(monkeypatch, 10**9)
    with Index.open(small, FakeEmbedder()) as index:
        report = index.ingest([small.corpus_dir])
        assert len(report.added) == 2 and report.ok


def test_a_document_without_room_is_skipped_and_nothing_of_it_written(small: Settings,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with Index.open(small, FakeEmbedder()) as index:
        index.ingest([small.corpus_dir])
        before = (load_manifest(index.manifest_path).to_json(), index.store.count())
        (small.corpus_dir / "new.txt").write_text(policy_text(40, sentences=10), encoding="utf-8")
        free_space(monkeypatch, 500)
        report = index.ingest([small.corpus_dir])
        [skipped] = report.skipped
        assert skipped.name == "new.txt" and not report.added
        assert skipped.reason.startswith(f"the disk holding {small.index_dir} is full: 0 MB free, about 0 MB needed")
        assert "RAG_INDEX_DIR" in skipped.reason
        assert (load_manifest(index.manifest_path).to_json(), index.store.count()) == before
        free_space(monkeypatch, 10**9)  # room again: the next ingest indexes it
        assert index.ingest([small.corpus_dir]).added == ["new.txt"]


def test_no_optimize_without_room_for_the_whole_store(small: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    small = small.model_copy(update={"optimize_min_new_chunks": 1})
    with Index.open(small, FakeEmbedder()) as index:
        index.ingest([small.corpus_dir])
        optimized: list[bool] = []
        monkeypatch.setattr(index.store, "optimize", lambda: optimized.append(True))
        (small.corpus_dir / "new.txt").write_text(policy_text(41, sentences=4), encoding="utf-8")
        free_space(monkeypatch, 1000 * (index.chunk_count() + 1))  # room for new.txt, not for a merge of all
        report = index.ingest([small.corpus_dir])
        assert report.added == ["new.txt"] and optimized == []
        (small.corpus_dir / "new2.txt").write_text(policy_text(42, sentences=4), encoding="utf-8")
        free_space(monkeypatch, 10**9)
        index.ingest([small.corpus_dir])
        assert optimized == [True]


def test_a_full_disk_while_writing_the_manifest_is_said_in_words(small: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with Index.open(small, FakeEmbedder()) as index:
        monkeypatch.setattr("rag.ingest.index.save_manifest", no_space)
        with pytest.raises(DiskFullError) as caught:
            index.ingest([small.corpus_dir])
        assert str(caught.value).startswith(f"the disk holding {small.index_dir} is full.")
        assert not index.manifest_path.exists() and index.visible_hashes() == frozenset()  # nothing visible
        assert index.documents() == []  # nor reported
        monkeypatch.undo()
        assert len(index.ingest([small.corpus_dir]).added) == 2  # room again: complete and consistent
        assert index.store.count() == index.chunk_count()


def test_the_engine_running_out_of_space_is_said_in_words(small: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    with Index.open(small, FakeEmbedder()) as index:
        def engine_full(points):
            raise Exception("Service runtime error: Io error: No space left on device (os error 28)")

        monkeypatch.setattr(index.store, "upsert", engine_full)
        with pytest.raises(DiskFullError, match="is full"):
            index.ingest([small.corpus_dir])
        monkeypatch.setattr(index.store, "upsert", lambda points: (_ for _ in ()).throw(ValueError("other")))
        with pytest.raises(ValueError, match="other"):  # other errors pass through unchanged
            index.ingest([small.corpus_dir])


def test_the_cli_says_the_disk_is_full(small: Settings, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(small.index_dir))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(small.corpus_dir))
    monkeypatch.setenv("RAG_DISK_RESERVE_MB", "0")
    monkeypatch.setattr("rag.ingest.index.get_embedder", lambda _settings: FakeEmbedder())
    get_settings.cache_clear()

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("rag.ingest.index.save_manifest", no_space)
    assert main(["ingest", str(small.corpus_dir)]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"rag: {captured.err[5:].strip()}"] and "Traceback" not in captured.err
    assert f"the disk holding {Path(get_settings().index_dir)} is full" in captured.err
    free_space(monkeypatch, 100)
    monkeypatch.setattr("rag.ingest.index.save_manifest", save_manifest)
    assert main(["ingest", str(small.corpus_dir)]) == 1  # skipped files: exit 1, each reason printed
    assert captured.out == "" and "is full" in capsys.readouterr().out


def test_no_room_to_open_is_said_in_words(small: Settings, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    with Index.open(small, FakeEmbedder()) as index:
        index.ingest([small.corpus_dir])
    small = small.model_copy(update={"disk_reserve_mb": 64.0})
    free_space(monkeypatch, 10 * 1024 * 1024)
    with pytest.raises(DiskFullError, match="10 MB free, about 64 MB needed"):
        Index.open(small, FakeEmbedder())
    monkeypatch.setenv("RAG_INDEX_DIR", str(small.index_dir))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(small.corpus_dir))
    monkeypatch.setattr("rag.ingest.index.get_embedder", lambda _settings: FakeEmbedder())
    get_settings.cache_clear()
    assert main(["docs"]) == 2  # `rag docs` on a full disk: one line, no bus error
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("rag: the disk holding") and "Traceback" not in err
    free_space(monkeypatch, 65 * 1024 * 1024)
    assert main(["docs"]) == 0
