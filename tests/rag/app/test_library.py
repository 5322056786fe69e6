"""rag.app.library: the Library tab lists files by path and removes exactly the chosen one (issue 19, item 1).

Two different documents under the same file name in two folders (``sub1/same.txt``, ``sub2/same.txt``):
removing one deletes that file and un-indexes that document only; the other stays on disk and searchable.
A removal that fails midway leaves the index and the folder as they were; a removal killed midway is
completed by the next start. Fake embedder, no model.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.corpus import policy_text
from helpers.fakes import FakeEmbedder

from rag.app import library
from rag.app.corpus_folder import clean_leftovers, index_corpus
from rag.app.library import (
    filter_choices,
    index_uploads,
    library_entries,
    library_rows,
    remove_choices,
    remove_entry,
)
from rag.app.service import PolicyQA
from rag.ingest.disk import DiskFullError
from rag.ingest.index import Index
from rag.ingest.manifest import load_manifest
from rag.settings import Settings


@pytest.fixture
def twins(settings: Settings) -> tuple[PolicyQA, Path]:
    """A library with sub1/same.txt and sub2/same.txt (different content) and other.txt, indexed."""
    corpus = settings.corpus_dir
    for folder, number in (("sub1", 1), ("sub2", 2)):
        (corpus / folder).mkdir()
        (corpus / folder / "same.txt").write_text(policy_text(number, sentences=8), encoding="utf-8")
    (corpus / "other.txt").write_text(policy_text(3, sentences=8), encoding="utf-8")
    qa = PolicyQA(Index.open(settings, FakeEmbedder()), settings)
    qa.ingest([corpus])
    yield qa, corpus
    qa.close()


def entry_for(qa: PolicyQA, corpus: Path, shown: str) -> library.LibraryEntry:
    return next(e for e in library_entries(qa.paths(), qa.documents(), corpus) if e.shown == shown)


def indexed_paths(qa: PolicyQA, corpus: Path) -> set[str]:
    return {Path(p).relative_to(corpus.resolve()).as_posix() for p in qa.paths()}


def assert_index_matches_folder(qa: PolicyQA, corpus: Path) -> None:
    """The published manifest and the index in memory list exactly the files in the folder."""
    on_disk = {p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()}
    assert indexed_paths(qa, corpus) == on_disk
    published = load_manifest(qa.index.manifest_path)
    assert {Path(p).relative_to(corpus.resolve()).as_posix() for p in published.paths} == on_disk
    assert set(published.documents) == {r.doc_hash for r in qa.documents()} == set(published.paths.values())


def test_equal_names_are_listed_apart_by_path(twins) -> None:
    qa, corpus = twins
    entries = library_entries(qa.paths(), qa.documents(), corpus)
    assert [e.shown for e in entries] == ["other.txt", "sub1/same.txt", "sub2/same.txt"]
    choices = remove_choices(entries)
    assert len({key for _, key in choices}) == 3  # one distinct value per file
    assert [label for label, _ in choices if "same.txt" in label] == [
        f"{entry_for(qa, corpus, 'sub1/same.txt').record.title} (sub1/same.txt)",
        f"{entry_for(qa, corpus, 'sub2/same.txt').record.title} (sub2/same.txt)"]
    assert all(str(corpus) not in key and "/" not in key for _, key in choices)  # no server path to the browser
    filters = filter_choices(entries, qa.documents())
    assert len({value for _, value in filters}) == 3
    files = [row[-1] for row in library_rows(entries, qa.documents(), "en")]
    assert sorted(files) == ["other.txt", "sub1/same.txt", "sub2/same.txt"]


def test_removing_one_of_two_equal_names_removes_that_file_only(twins) -> None:
    qa, corpus = twins
    gone, kept = entry_for(qa, corpus, "sub1/same.txt"), entry_for(qa, corpus, "sub2/same.txt")
    removal = remove_entry(qa, gone.key, corpus)
    assert removal.status == "removed" and removal.deleted
    assert not (corpus / "sub1" / "same.txt").exists()
    assert (corpus / "sub2" / "same.txt").read_text(encoding="utf-8") == policy_text(2, sentences=8)
    hashes = {r.doc_hash for r in qa.documents()}
    assert gone.record.doc_hash not in hashes and kept.record.doc_hash in hashes
    assert qa.index.store.doc_chunk_counts().get(kept.record.doc_hash) == kept.record.chunks
    assert qa.index.store.doc_chunk_counts().get(gone.record.doc_hash) is None
    assert_index_matches_folder(qa, corpus)
    assert [p.name for p in corpus.rglob(".*")] == []  # nothing hidden left behind
    # The document still named same.txt is found by that name (the API's docs filter).
    assert qa.index.hashes_for_name("same.txt") == {kept.record.doc_hash}


def test_removing_a_copy_keeps_the_document_of_the_other_copy(settings: Settings) -> None:
    corpus = settings.corpus_dir
    (corpus / "a").mkdir()
    (corpus / "a" / "x.txt").write_text(policy_text(5), encoding="utf-8")
    (corpus / "copy.txt").write_text(policy_text(5), encoding="utf-8")
    with PolicyQA(Index.open(settings, FakeEmbedder()), settings) as qa:
        qa.ingest([corpus])
        assert len(qa.documents()) == 1
        assert remove_entry(qa, entry_for(qa, corpus, "copy.txt").key, corpus).status == "removed"
        assert [e.shown for e in library_entries(qa.paths(), qa.documents(), corpus)] == ["a/x.txt"]
        assert qa.documents()[0].names == ["x.txt"] and (corpus / "a" / "x.txt").exists()
        assert_index_matches_folder(qa, corpus)


def test_a_failing_index_write_puts_the_file_back(twins, monkeypatch: pytest.MonkeyPatch) -> None:
    qa, corpus = twins
    entry = entry_for(qa, corpus, "sub1/same.txt")
    before = (qa.paths(), {r.doc_hash for r in qa.documents()})

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("rag.ingest.index.save_manifest", full_disk)
    removal = remove_entry(qa, entry.key, corpus)
    assert removal.status == "failed" and "No space left" in removal.error
    assert (corpus / "sub1" / "same.txt").exists()
    assert (qa.paths(), {r.doc_hash for r in qa.documents()}) == before
    assert entry.record.doc_hash in qa.index.visible_hashes()
    assert [p.name for p in corpus.rglob(".*")] == []
    monkeypatch.undo()
    qa.ingest([corpus])  # the next ingest repairs the store (the points were deleted before the write failed)
    assert_index_matches_folder(qa, corpus)
    assert qa.index.store.doc_chunk_counts()[entry.record.doc_hash] == entry.record.chunks


def test_a_removal_killed_midway_is_completed_by_the_next_start(twins) -> None:
    qa, corpus = twins
    entry = entry_for(qa, corpus, "sub1/same.txt")
    # What remove_entry leaves when killed after the rename: the file hidden, the index unchanged.
    os.replace(entry.path, Path(entry.path).with_name(".removing-0123-same.txt"))
    (corpus / ".upload-4567.txt").write_text("half an upload", encoding="utf-8")
    index_corpus(qa, qa.settings)  # what the app does at start
    assert [p.name for p in corpus.rglob(".*")] == []
    assert entry.record.doc_hash not in {r.doc_hash for r in qa.documents()}
    assert_index_matches_folder(qa, corpus)


def test_clean_leftovers_deletes_only_partial_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    keep = [corpus / "policy.txt", corpus / ".hidden-note.txt", corpus / "sub" / "upload-notes.txt"]
    drop = [corpus / ".upload-abc.pdf", corpus / "sub" / ".removing-1-x.txt"]
    for path in keep + drop:
        path.write_text("x", encoding="utf-8")
    assert sorted(clean_leftovers(corpus)) == sorted(drop)
    assert all(p.exists() for p in keep) and not any(p.exists() for p in drop)
    assert clean_leftovers(tmp_path / "missing") == []


def test_unknown_key_and_file_outside_the_library(twins, tmp_path: Path) -> None:
    qa, corpus = twins
    assert remove_entry(qa, "no-such-key", corpus).status == "missing"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "far.txt").write_text(policy_text(9), encoding="utf-8")
    qa.ingest([outside], prune=False)
    entry = next(e for e in library_entries(qa.paths(), qa.documents(), corpus) if e.shown.endswith("far.txt"))
    assert entry.shown == "…/elsewhere/far.txt"
    removal = remove_entry(qa, entry.key, corpus)
    assert removal.status == "removed" and not removal.deleted
    assert (outside / "far.txt").exists()  # only un-indexed: it is not in the library folder
    assert all(not p.endswith("far.txt") for p in qa.paths())


def test_uploads_on_a_full_disk_get_one_line_saying_so(twins, monkeypatch: pytest.MonkeyPatch) -> None:
    qa, corpus = twins
    saved = corpus / "[new](x).txt"
    saved.write_text(policy_text(7), encoding="utf-8")
    assert index_uploads(qa, [saved], None, "en")[0].startswith("Indexed: 1 added")

    def full(*args, **kwargs):
        raise DiskFullError(f"the disk holding {qa.settings.index_dir} is full. Free some space")

    monkeypatch.setattr(qa, "ingest", full)
    [line] = index_uploads(qa, [saved], None, "en")
    assert line.startswith("“&#91;new&#93;(x).txt” could not be indexed: the disk holding") and "is full" in line
