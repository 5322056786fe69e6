"""rag.retrieval.statistics: term statistics read from the index per state, or pinned by the caller."""

from __future__ import annotations

from helpers.fakes import FakeEmbedder

from rag.app.service import PolicyQA
from rag.ingest.index import Index
from rag.retrieval.mentions import DocumentTerms
from rag.retrieval.statistics import IndexStatistics, PinnedStatistics
from rag.settings import Settings


def test_statistics_are_read_from_the_index_unless_pinned(settings: Settings, corpus_copy) -> None:  # noqa: ANN001
    with Index.open(settings, FakeEmbedder()) as index:
        assert index.ingest([corpus_copy]).ok
        read = IndexStatistics(index).vocabulary()
        assert read and PolicyQA(index, settings).retriever.statistics.vocabulary() == read
        pinned = PinnedStatistics(index, frozenset({"pinned"}), DocumentTerms())
        qa = PolicyQA(index, settings, statistics=pinned)
        assert qa.retriever.statistics is pinned and qa.retriever.statistics.vocabulary() == {"pinned"}
        assert qa.retriever.statistics.gloss_statistics() is not None  # still read from the index


class CountingScroll:
    """Wraps a store's ``scroll`` to count how often every passage is read."""

    def __init__(self, index: Index) -> None:
        self.calls, self.inner = 0, index.store.scroll
        index.store.scroll = self  # type: ignore[method-assign]

    def __call__(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN204
        self.calls += 1
        return self.inner(*args, **kwargs)


def test_stored_statistics_spare_a_new_reader_the_scroll_and_equal_the_computed_ones(settings: Settings, corpus_copy) -> None:  # noqa: ANN001,E501
    with Index.open(settings, FakeEmbedder()) as index:
        assert index.ingest([corpus_copy]).ok
        first = IndexStatistics(index)
        vocabulary, documents, gloss = first.vocabulary(), first.document_terms(), first.gloss_statistics()
        assert (settings.index_dir / "statistics" / "terms.json").exists()
        counting = CountingScroll(index)
        again = IndexStatistics(index)  # as a new process would: nothing cached in memory
        assert again.vocabulary() == vocabulary and again.document_terms() == documents
        assert again.gloss_statistics() == gloss
        assert counting.calls == 0


def test_stored_statistics_of_another_index_state_or_a_damaged_file_are_recomputed(settings: Settings, corpus_copy) -> None:  # noqa: ANN001,E501
    with Index.open(settings, FakeEmbedder()) as index:
        names = sorted(p.name for p in corpus_copy.iterdir())
        assert index.ingest([corpus_copy / names[0]]).ok
        small = IndexStatistics(index).vocabulary()
        assert index.ingest([corpus_copy]).ok  # more documents: the stored key no longer matches
        counting = CountingScroll(index)
        grown = IndexStatistics(index).vocabulary()
        assert counting.calls == 1 and grown > small
        (settings.index_dir / "statistics" / "terms.json").write_text("{\"format\": 1, \"key\": ", encoding="utf-8")
        assert IndexStatistics(index).vocabulary() == grown and counting.calls == 2
