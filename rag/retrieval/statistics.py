"""Term statistics of an index's visible passages, read from the store and cached per index state.

The vocabulary (the dictionary prefers senses found in the index), the document frequencies of the
passage glosses (the ``passage_gloss`` rerank feature) and per-document term counts (resolving a document
the question names). Each is read on first use and read again only after the index changed (a write or a
change in the visible documents: ``Index.state()``); ``Index`` itself keeps only the write and visibility
protocol.

Usage::

    statistics = IndexStatistics(index)
    statistics.vocabulary()          # frozenset of index tokens
    statistics.gloss_statistics()    # rag.ingest.gloss.GlossStatistics
    statistics.document_terms()      # rag.retrieval.mentions.DocumentTerms
    PinnedStatistics(index, vocabulary, document_terms)   # fixed ones (a benchmark over a synthetic store)
"""

from __future__ import annotations

import threading

from rag.ingest.gloss import GlossStatistics
from rag.ingest.index import Index
from rag.retrieval.mentions import DocumentTerms

State = tuple[frozenset[str], int]


class IndexStatistics:
    """Caches of term statistics over ``index``; each lives until ``index.state()`` changes."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._terms: tuple[State, tuple[frozenset[str], GlossStatistics]] | None = None
        self._documents: tuple[State, DocumentTerms] | None = None

    def vocabulary(self) -> frozenset[str]:
        """The index tokens of the visible documents' passages (read once per state of the index)."""
        return self._term_statistics()[0]

    def gloss_statistics(self) -> GlossStatistics:
        """Document frequencies of the visible passages' glosses (``rag.ingest.gloss``; read with the vocabulary)."""
        return self._term_statistics()[1]

    def document_terms(self) -> DocumentTerms:
        """Per visible document, its passages' index and gloss tokens (``rag.retrieval.mentions``). Read once
        per state of the index, and only when a question names a document (most do not): 1–2 s at
        20,000 passages."""
        key = self.index.state()
        cached = self._documents
        if cached is not None and cached[0] == key:
            return cached[1]
        with self._lock:
            documents = DocumentTerms()
            for point in self.index.store.scroll(["doc_hash", "tokens", "gloss"]):
                if point.payload.get("doc_hash") in key[0]:
                    gloss = str(point.payload.get("gloss") or "")
                    documents.add(point.payload["doc_hash"], point.payload.get("tokens", ()), gloss)
            self._documents = (key, documents)
        return documents

    def _term_statistics(self) -> tuple[frozenset[str], GlossStatistics]:
        key = self.index.state()
        cached = self._terms
        if cached is not None and cached[0] == key:
            return cached[1]
        with self._lock:
            tokens: set[str] = set()
            glosses: list[tuple[str, str]] = []
            for point in self.index.store.scroll(["doc_hash", "tokens", "language", "gloss"]):
                if point.payload.get("doc_hash") in key[0]:
                    tokens.update(point.payload.get("tokens", ()))
                    glosses.append((point.payload.get("language", ""), point.payload.get("gloss", "")))
            statistics = (frozenset(tokens), GlossStatistics.from_glosses(glosses))
            self._terms = (key, statistics)
        return statistics


class PinnedStatistics(IndexStatistics):
    """Term statistics fixed at construction instead of read from the index (the gloss statistics are still
    read): a benchmark that searches a synthetic store resolves senses and named documents as on the real
    index whose vocabulary and document terms it pins (``bench/latency.py``)."""

    def __init__(self, index: Index, vocabulary: frozenset[str], document_terms: DocumentTerms) -> None:
        super().__init__(index)
        self.pinned_vocabulary, self.pinned_documents = vocabulary, document_terms

    def vocabulary(self) -> frozenset[str]:
        return self.pinned_vocabulary

    def document_terms(self) -> DocumentTerms:
        return self.pinned_documents
