"""A tiny deterministic embedder and store inspection helpers (importable from subprocesses).

``FakeEmbedder`` satisfies :class:`rag.store.embedding.Embedder`: hashed bag-of-characters vectors (dim 32,
L2-normalized), ``count_tokens`` = CJK characters + Latin words, and ``embedded`` counts passages.
"""

from __future__ import annotations

import re
import time
import zlib
from typing import Any

import numpy as np

from rag.text.cjk import HAN_COMPATIBILITY, HAN_IDEOGRAPHS

HAN = re.compile(f"[{HAN_IDEOGRAPHS}{HAN_COMPATIBILITY}]")
LATIN_WORD = re.compile(r"[A-Za-z0-9]+")


def fake_count_tokens(text: str) -> int:
    """Number of CJK characters plus number of Latin words (monotone in the prefix length)."""
    return len(HAN.findall(text)) + len(LATIN_WORD.findall(text))


class FakeEmbedder:
    """Deterministic hashed bag-of-characters embedder; ``delay`` seconds of sleep per passage."""

    name = "fake-hash-32"
    dim = 32

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.embedded = 0
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for ch in text:
            if ch.isspace():
                continue
            h = zlib.crc32(ch.encode("utf-8"))
            vector[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0], norm = 1.0, 1.0
        return vector / norm

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if self.delay:
            time.sleep(self.delay * len(texts))
        self.embedded += len(texts)
        return self._encode(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def count_tokens(self, text: str) -> int:
        return fake_count_tokens(text)


def store_point_ids(store: Any) -> set[str]:
    """Every point id in a store."""
    return {point.id for point in store.scroll([])}
