"""rag.text.lexical: index tokens, and the one BM25 (stored vectors with Qdrant's IDF, ``bm25`` outside the
store) against a reference implementation, bm25s (a test dependency)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import bm25s
import numpy as np
import pytest

from rag.text.lexical import (
    BM25_B,
    BM25_K1,
    bm25,
    bm25_idf,
    document_vector,
    initialize_jieba,
    token_dimension,
    tokenize,
)

DOCUMENTS = [
    "agenc organ standard standard standard iso",
    "fund institut",
    "institut standard iso 2025 review review review review review",
    "organ",
    "2025 fund fund safeti institut network",
]
QUERIES = [["standard", "organ", "iso", "absent"], ["fund", "2025"], ["institut"], ["review", "safeti"]]


def corpus_statistics(documents: list[list[str]]) -> tuple[list[Counter[str]], float, Counter[str]]:
    counts = [Counter(doc) for doc in documents]
    mean_length = sum(len(doc) for doc in documents) / len(documents)
    frequency: Counter[str] = Counter(t for c in counts for t in c)
    return counts, mean_length, frequency


def ours(documents: list[list[str]], query: list[str], mean_length: float | None = None) -> np.ndarray:
    counts, corpus_mean, frequency = corpus_statistics(documents)
    mean = corpus_mean if mean_length is None else mean_length
    return np.array([bm25(set(query), c, sum(c.values()), mean, frequency, len(documents)) for c in counts])


def reference(documents: list[list[str]], query: list[str], method: str = "lucene") -> np.ndarray:
    """bm25s's scores times (k1 + 1): its "lucene" variant leaves that constant out of the numerator."""
    model = bm25s.BM25(k1=BM25_K1, b=BM25_B, method=method)
    model.index(documents, show_progress=False)
    return (BM25_K1 + 1) * model.get_scores(query)


@pytest.mark.parametrize("query", QUERIES)
def test_bm25_matches_bm25s_lucene(query: list[str]) -> None:
    documents = [d.split() for d in DOCUMENTS]
    np.testing.assert_allclose(ours(documents, query), reference(documents, query), rtol=1e-5)


def test_bm25_parity_check_can_fail() -> None:
    """The parity test would see a wrong length norm (the stored vectors' fixed mean instead of this
    corpus's) and another IDF (bm25s's "robertson" variant goes negative for common terms)."""
    documents = [d.split() for d in DOCUMENTS]
    query = ["standard", "review", "institut"]
    assert not np.allclose(ours(documents, query, mean_length=90.0), reference(documents, query), rtol=1e-5)
    assert not np.allclose(ours(documents, query), reference(documents, query, method="robertson"), rtol=1e-5)


def test_stored_vectors_times_idf_are_the_same_bm25() -> None:
    """What Qdrant computes: the stored saturated tf times its IDF modifier, summed over the query's terms."""
    documents = [d.split() for d in DOCUMENTS]
    counts, mean_length, frequency = corpus_statistics(documents)
    query = ["standard", "iso", "fund", "review"]
    for tokens, count in zip(documents, counts, strict=True):
        vector = document_vector(tokens, avg_tokens=mean_length)
        stored = sum(vector.get(token_dimension(t), 0.0) * bm25_idf(frequency[t], len(documents)) for t in query)
        assert stored == pytest.approx(bm25(set(query), count, len(tokens), mean_length, frequency, len(documents)))
    assert bm25({"absent"}, counts[0], 6, mean_length, frequency, len(documents)) == 0.0


def test_tokenize_drops_the_index_stop_words_and_stems_english() -> None:
    assert tokenize("The institutes' funding of the AI Safety Institute") == ["institut", "fund", "ai", "safeti", "institut"]
    assert "的" not in tokenize("研究所的资金") and "资金" in tokenize("研究所的资金")
    assert "us" in tokenize("the US and the UK")  # the index keeps "US"; only the dictionary drops "us"


def test_initialize_jieba_loads_what_jieba_loads() -> None:
    import jieba

    ours, theirs = jieba.Tokenizer(), jieba.Tokenizer()
    theirs.initialize()  # jieba's own: writes the cache first if there is none
    initialize_jieba(ours)
    assert ours.initialized and ours.total == theirs.total and ours.FREQ == theirs.FREQ
    assert list(ours.cut_for_search("英国人工智能安全研究所")) == list(theirs.cut_for_search("英国人工智能安全研究所"))
    initialize_jieba(ours)  # loaded once


def test_initialize_jieba_leaves_an_unreadable_cache_to_jieba(tmp_path: Path) -> None:
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path)
    (tmp_path / "jieba.cache").write_bytes(b"not marshal data")
    initialize_jieba(tokenizer)  # jieba rebuilds the dictionary from its text, and the cache
    reference = jieba.Tokenizer()
    reference.initialize()
    assert tokenizer.initialized and tokenizer.FREQ == reference.FREQ and tokenizer.total == reference.total
