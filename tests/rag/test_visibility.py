"""rag.ingest.index / rag.retrieval.retriever: queries skip the visible-documents filter only while that is safe."""

from __future__ import annotations

import pytest
from helpers.corpus import policy_text, write_corpus
from helpers.fakes import FakeEmbedder

from rag.ingest.index import Index
from rag.retrieval.retriever import Retriever
from rag.settings import Settings


@pytest.fixture
def index(backend_settings: Settings):
    write_corpus(backend_settings.corpus_dir, 3)
    opened = Index.open(backend_settings, FakeEmbedder())
    opened.ingest([backend_settings.corpus_dir])
    yield opened
    opened.close()


def test_clean_after_an_ingest_unknown_after_reopening(backend_settings: Settings) -> None:
    write_corpus(backend_settings.corpus_dir, 2)
    with Index.open(backend_settings, FakeEmbedder()) as first:
        assert first.clean_generation() is None
        first.ingest([backend_settings.corpus_dir])
        assert first.clean_generation() is not None
    reopened = Index.open(backend_settings, FakeEmbedder())
    try:
        assert reopened.clean_generation() is None  # a crashed run may have left orphans: filter
        reopened.ingest([backend_settings.corpus_dir])  # the orphan check
        assert reopened.clean_generation() is not None
    finally:
        reopened.close()


def test_the_filter_is_left_out_only_when_every_point_is_visible(backend_settings: Settings, index: Index,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    filters = []
    original = index.store.query
    monkeypatch.setattr(index.store, "query", lambda *a: filters.append(a[-1]) or original(*a))
    retriever = Retriever(index, backend_settings)
    retriever.run("数据安全")
    assert filters[-1].doc_hashes is None
    retriever.run("数据安全", docs=["doc_001.txt"])
    assert filters[-1].doc_hashes == [index.hash_for_name("doc_001.txt")]


def test_a_write_that_begins_during_a_query_forces_a_filtered_query(backend_settings: Settings, index: Index,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    filters = []
    original = index.store.query

    def query_while_a_write_begins(*args):  # type: ignore[no-untyped-def]
        filters.append(args[-1])
        if len(filters) == 1:
            with index._hidden_write():
                pass
        return original(*args)

    monkeypatch.setattr(index.store, "query", query_while_a_write_begins)
    Retriever(index, backend_settings).run("数据安全")
    assert [f.doc_hashes is None for f in filters] == [True, False]
    assert set(filters[1].doc_hashes) == index.visible_hashes()


def test_a_half_indexed_document_is_never_seen(backend_settings: Settings, index: Index,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    new = backend_settings.corpus_dir / "zz_new.txt"
    new.write_text(policy_text(77, sentences=40), encoding="utf-8")
    seen: list[set[str]] = []
    original = index.store.upsert

    def upsert_then_search(points):  # type: ignore[no-untyped-def]
        original(points)
        assert index.clean_generation() is None
        seen.append({h.doc for h in Retriever(index, backend_settings).run(policy_text(77)[:60], k=20).hits})

    monkeypatch.setattr(index.store, "upsert", upsert_then_search)
    index.ingest([backend_settings.corpus_dir])
    assert seen and all("zz_new.txt" not in docs for docs in seen)
    assert index.clean_generation() is not None
    assert "zz_new.txt" in {h.doc for h in Retriever(index, backend_settings).run(policy_text(77)[:60]).hits}


def test_a_failed_write_keeps_queries_filtered_until_the_next_orphan_check(
        backend_settings: Settings, index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    (backend_settings.corpus_dir / "zz_new.txt").write_text(policy_text(78), encoding="utf-8")
    monkeypatch.setattr(index.store, "upsert", lambda points: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        index.ingest([backend_settings.corpus_dir])
    monkeypatch.undo()
    index.remove("doc_000.txt")  # publishes, but cannot vouch for the failed write's leftovers
    assert index.clean_generation() is None
    index.ingest([backend_settings.corpus_dir])
    assert index.clean_generation() is not None


def test_a_server_store_is_always_filtered(backend_settings: Settings, index: Index,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index.store, "exclusive", False)
    assert index.clean_generation() is None


