"""rag.store.embedding.PassageVectors: each text embedded once, the cache bounded, rows in the asked order."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.fakes import FakeEmbedder

from rag.store.embedding import PassageVectors


class Counting(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return super().embed_passages(texts)


def test_each_text_is_embedded_once_and_rows_follow_the_request() -> None:
    inner = Counting()
    vectors = PassageVectors(inner, size=10)
    first = vectors(["a b", "c d", "a b"])
    again = vectors(["c d", "a b"])
    assert inner.texts == ["a b", "c d"]
    assert np.allclose(first[0], first[2]) and np.allclose(again[0], first[1]) and np.allclose(again[1], first[0])
    assert np.allclose(first, inner.embed_passages(["a b", "c d", "a b"]))


def test_the_cache_keeps_the_most_recent_texts_only() -> None:
    inner = Counting()
    vectors = PassageVectors(inner, size=2)
    vectors(["one"]), vectors(["two"]), vectors(["one"]), vectors(["three"])  # "two" is the least recent
    inner.texts.clear()
    vectors(["one", "three"])
    assert inner.texts == []
    vectors(["two"])
    assert inner.texts == ["two"]
    assert vectors([]).shape == (0, inner.dim)
    with pytest.raises(ValueError):
        PassageVectors(inner, size=0)
