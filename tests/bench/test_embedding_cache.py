"""The bench's embedding store on disk (``bench.embedding_cache``) and the bench embedder reading it
(``bench.common.CachedQueryEmbedder``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.common import CachedQueryEmbedder
from bench.embedding_cache import EmbeddingCache, key


class CountingEmbedder:
    """A fake embedder: a text's vector is made from its length and kind; counts what it embeds."""

    name, dim = "fake", 3

    def __init__(self) -> None:
        self.embedded: list[tuple[str, str]] = []

    def _rows(self, kind: str, texts: list[str]) -> np.ndarray:
        self.embedded += [(kind, t) for t in texts]
        return np.array([[len(t), 1.0 if kind == "query" else 2.0, 0.5] for t in texts], dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._rows("query", texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._rows("passage", texts)


def test_a_vector_kept_is_read_back_by_its_model_kind_and_text(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite", "fake", 3)
    cache.put("passage", ["一句话。", "a sentence"], np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    found = cache.get("passage", ["a sentence", "unseen", "a sentence"])
    assert list(found) == ["a sentence"] and found["a sentence"].tolist() == [4, 5, 6]
    # the negatives: the same text as a query, or under another model, is not the passage's vector
    assert cache.get("query", ["a sentence"]) == {}
    assert EmbeddingCache(tmp_path / "e.sqlite", "other", 3).get("passage", ["a sentence"]) == {}
    assert len(cache) == 2
    with pytest.raises(ValueError):
        cache.put("passage", ["one"], np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(ValueError):
        key("fake", "document", "x")


def test_a_second_run_embeds_nothing_it_embedded_before_and_gets_the_same_vectors(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite"
    first = CountingEmbedder()
    run1 = CachedQueryEmbedder(first, EmbeddingCache(path, first.name, first.dim))
    passages = run1.embed_passages(["b", "a", "b", "ccc"])
    queries = run1.embed_queries(["q1", "q2"])
    assert sorted(first.embedded) == [("passage", "a"), ("passage", "b"), ("passage", "ccc"), ("query", "q1"),
                                      ("query", "q2")]  # each distinct text once
    second = CountingEmbedder()
    run2 = CachedQueryEmbedder(second, EmbeddingCache(path, second.name, second.dim))
    assert np.array_equal(run2.embed_passages(["b", "a", "b", "ccc"]), passages)
    assert np.array_equal(run2.embed_queries(["q1", "q2"]), queries)
    assert second.embedded == []
    run2.embed_passages(["new", "a"])
    assert second.embedded == [("passage", "new")]  # the negative: a text never kept is embedded


def test_without_a_store_nothing_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAG_BENCH_EMBEDDING_CACHE", raising=False)
    inner = CountingEmbedder()
    embedder = CachedQueryEmbedder(inner)
    embedder.embed_passages(["a", "a"])
    embedder.embed_passages(["a"])
    assert embedder.store is None and inner.embedded == [("passage", "a"), ("passage", "a"), ("passage", "a")]
    monkeypatch.setenv("RAG_BENCH_EMBEDDING_CACHE", str(tmp_path / "env.sqlite"))
    assert CachedQueryEmbedder(CountingEmbedder()).store is not None  # the opt-in
