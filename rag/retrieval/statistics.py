"""Term statistics of an index's visible passages, read from the store and cached per index state.

The vocabulary (the dictionary prefers senses found in the index), the document frequencies of the
passage glosses (the ``passage_gloss`` rerank feature) and per-document term counts (resolving a document
the question names). Each is read on first use and read again only after the index changed (a write or a
change in the visible documents: ``Index.state()``); ``Index`` itself keeps only the write and visibility
protocol. They are also stored with the index (``index/statistics/*.json``, keyed by the visible documents'
records), so a new process — each CLI call — reads a file instead of scrolling every passage (3–4 s on the
bundled corpus); a file that is missing, damaged or of another index state is recomputed and rewritten.

Usage::

    statistics = IndexStatistics(index)
    statistics.vocabulary()          # frozenset of index tokens
    statistics.gloss_statistics()    # rag.ingest.gloss.GlossStatistics
    statistics.document_terms()      # rag.retrieval.mentions.DocumentTerms
    warm(index)                      # compute and store both for the index as it is now (after an ingest)
    PinnedStatistics(index, vocabulary, document_terms)   # fixed ones (a benchmark over a synthetic store)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from rag.ingest.gloss import GlossStatistics
from rag.ingest.index import Index
from rag.retrieval.mentions import DocumentTerms

logger = logging.getLogger(__name__)
State = tuple[frozenset[str], int]
FORMAT = 1  # of the stored files; a file of another format is recomputed


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
            digest = stored_key(self.index, key[0])  # the state scrolled below, not a later one
            stored = load_stored(self.index, "documents", digest)
            if stored is not None:
                documents = DocumentTerms({d: Counter(c) for d, c in stored["counts"].items()}, Counter(stored["lengths"]))
            else:
                documents = DocumentTerms()
                for point in self.index.store.scroll(["doc_hash", "tokens", "gloss"]):
                    if point.payload.get("doc_hash") in key[0]:
                        gloss = str(point.payload.get("gloss") or "")
                        documents.add(point.payload["doc_hash"], point.payload.get("tokens", ()), gloss)
                store(self.index, "documents", digest, {"counts": documents.counts, "lengths": documents.lengths})
            self._documents = (key, documents)
        return documents

    def _term_statistics(self) -> tuple[frozenset[str], GlossStatistics]:
        key = self.index.state()
        cached = self._terms
        if cached is not None and cached[0] == key:
            return cached[1]
        with self._lock:
            digest = stored_key(self.index, key[0])  # the state scrolled below, not a later one
            stored = load_stored(self.index, "terms", digest)
            if stored is not None:
                gloss = stored["gloss"]
                statistics = (frozenset(stored["vocabulary"]), GlossStatistics(
                    gloss["passages"], gloss["mean_length"], {lang: Counter(f) for lang, f in gloss["frequency"].items()}))
            else:
                tokens: set[str] = set()
                glosses: list[tuple[str, str]] = []
                for point in self.index.store.scroll(["doc_hash", "tokens", "language", "gloss"]):
                    if point.payload.get("doc_hash") in key[0]:
                        tokens.update(point.payload.get("tokens", ()))
                        glosses.append((point.payload.get("language", ""), point.payload.get("gloss", "")))
                statistics = (frozenset(tokens), GlossStatistics.from_glosses(glosses))
                gloss = statistics[1]
                store(self.index, "terms", digest, {"vocabulary": sorted(tokens), "gloss": {
                    "passages": gloss.passages, "mean_length": gloss.mean_length, "frequency": gloss.frequency}})
            self._terms = (key, statistics)
        return statistics


def warm(index: Index) -> None:
    """Compute and store every statistic for the index as it is now (``rag ingest`` does, so that the next
    process's first search reads files)."""
    statistics = IndexStatistics(index)
    statistics.vocabulary()
    statistics.document_terms()


def stored_key(index: Index, visible: frozenset[str]) -> str:
    """What a stored file is valid for: the embedding model and the ``visible`` documents' records (content
    hash, chunk count, text pipeline) — the same documents indexed the same way have the same passages."""
    records = [index.record(h) for h in sorted(visible)]
    parts = [index.settings.embed_model, *(f"{r.doc_hash}:{r.chunks}:{r.analyzer}" for r in records if r is not None)]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _path(index: Index, kind: str) -> Path:
    return index.settings.index_dir / "statistics" / f"{kind}.json"


def load_stored(index: Index, kind: str, digest: str) -> dict[str, Any] | None:
    """The stored ``kind`` statistics when they were stored for ``digest`` (``stored_key``), else None."""
    path = _path(index, kind)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != digest:
        return None
    return data.get("data")


def store(index: Index, kind: str, digest: str, data: dict[str, Any]) -> None:
    """Write ``data`` beside the index (a temporary file renamed into place); a failure costs only the next
    process's recomputation, so it is logged, not raised."""
    path = _path(index, kind)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps({"format": FORMAT, "key": digest, "data": data},
                                        ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        logger.warning("term statistics not stored in %s: %s", path.parent, error)
        temporary.unlink(missing_ok=True)


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
