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
