"""Cheap precision stage after fusion (no multilingual cross-encoder can be installed here).

RRF keeps only ranks, so a passage that one retriever is sure of and another barely sees ties with one
both half-like; across languages that threw away most of what the dense model knows. The rerank goes
back to the scores. For each fused candidate it reads the features of ``REGISTRY``:

* ``dense`` — cosine with the question;
* ``gloss`` — cosine with the question in the other language (LLM translation, or the dictionary
  "gloss"), which reaches other-language passages better than the question itself;
* ``question_terms`` — BM25 of the question's own words (Qdrant scores it, with the index's IDF);
* ``translated_terms`` — BM25 of the dictionary/LLM translation of the question;
* ``fusion`` — the fused RRF rank, as 1 / (rrf_k + rank);
* ``coverage`` — the share of the question's words in the passage (for other-language passages: of its
  source words whose dictionary translation is there; set by ``Retriever.add_term_scores``);
* ``passage_gloss`` — BM25 of the question's own words over an other-language passage's gloss (its
  terms' dictionary translations, made at ingest: ``rag.ingest.gloss``), which needs no guess at the senses
  of the question's words;
* ``answer_kind`` — 1 when the question asks for (or states) a figure — a sum of money, a duration, a
  count — and the passage states one of that kind, else 0;
* ``citations`` — the share of the passage that cites sources (reference lists, URLs, bibliography lines:
  ``rag.text.footnotes.citation_share``), 0 when the question asks for a source;
* ``centered`` — the cosine with each side's language mean vector taken out (``rag.retrieval.centering``),
  which e5's language component does not squeeze across languages.

Each feature is standardized over the candidates (z-score, so its scale and the query's difficulty
drop out) and weighted; the weights differ for passages in the question's language and in the other
one (``RerankWeights``: learned from data by ``python -m bench.rank_train``, rag/data/rerank_model.json). Passages
in a script foreign to their document (footnotes, URLs, reference lists) get a penalty, passages of a
document the question names (``rag.retrieval.mentions``) a bonus. Near-duplicate
passages (documents restating each other) are then dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from rag.retrieval.centering import (
    LanguageMeans,
    centered_query,
    language_means,
    passage_cosine,
)
from rag.settings import RerankWeights, Settings


class Candidate(Protocol):
    language: str
    doc_hash: str
    score: float
    dense: np.ndarray | None
    features: dict[str, float]


def standardize(values: Sequence[float]) -> np.ndarray:
    """z-scores of ``values`` (all zero when they do not vary)."""
    array = np.asarray(values, dtype=float)
    spread = array.std()
    return (array - array.mean()) / spread if spread > 1e-9 else np.zeros_like(array)


@dataclass(frozen=True)
class FeatureInput:
    """What a rerank feature reads: the candidate, its fused rank, the question's vectors and language."""

    hit: Candidate
    rank: int
    query_vec: np.ndarray
    cross_vec: np.ndarray | None
    rrf_k: int
    centered_query: np.ndarray | None = None  # the question with its language's mean taken out (rag.retrieval.centering)
    means: LanguageMeans | None = None


def _cosine(vector: np.ndarray | None, other: np.ndarray | None) -> float:
    return float(vector @ other) if vector is not None and other is not None else 0.0


def _read(name: str) -> Callable[[FeatureInput], float]:
    """A feature the retriever computed per candidate (``Retriever.add_term_scores``): BM25 scores need
    one store call for all candidates, coverage and answer kind the question's analysis."""
    return lambda x: x.hit.features.get(name, 0.0)


# The rerank features, in one place: name -> function. Each has a weight of the same name in
# ``RerankWeights`` (same- and cross-language: settings.rerank_same_language / rerank_cross_language).
REGISTRY: dict[str, Callable[[FeatureInput], float]] = {
    "dense": lambda x: _cosine(x.hit.dense, x.query_vec),
    "gloss": lambda x: _cosine(x.hit.dense, x.cross_vec),
    "question_terms": _read("question_terms"),
    "translated_terms": _read("translated_terms"),
    "fusion": lambda x: 1.0 / (x.rrf_k + x.rank + 1),
    "coverage": _read("coverage"),
    "answer_kind": _read("answer_kind"),
    "passage_gloss": _read("passage_gloss"),
    "citations": _read("citations"),
    "centered": lambda x: passage_cosine(x.centered_query, x.hit.dense, x.hit.language, x.means),
}
FEATURES: tuple[str, ...] = tuple(REGISTRY)


def feature_matrix(
    hits: Sequence[Candidate], query_vec: np.ndarray, cross_vec: np.ndarray | None, q_lang: str, settings: Settings
) -> np.ndarray:
    """Raw features, one row per hit in ``FEATURES`` order (the question in ``q_lang``; ``settings`` give the RRF
    constant and the embedding model, whose language means ``centered`` reads)."""
    means = language_means(settings.embed_model)
    query_centered = centered_query(query_vec, q_lang, means)
    rows = [[function(FeatureInput(hit, rank, query_vec, cross_vec, settings.rrf_k, query_centered, means))
             for function in REGISTRY.values()]
            for rank, hit in enumerate(hits)]
    return np.asarray(rows, dtype=float).reshape(len(rows), len(REGISTRY))


def weight_vector(weights: RerankWeights) -> np.ndarray:
    return np.asarray([getattr(weights, name) for name in FEATURES], dtype=float)


def rerank(
    q_lang: str,
    query_vec: np.ndarray,
    cross_vec: np.ndarray | None,
    hits: list,
    settings: Settings,
    named: frozenset[str] = frozenset(),
) -> list:
    """Re-score ``hits`` (fused order) in place and return them best first, near-duplicates dropped.
    Passages of the ``named`` documents (hashes; ``rag.retrieval.mentions``) get a bonus."""
    if not hits:
        return hits
    raw = feature_matrix(hits, query_vec, cross_vec, q_lang, settings)
    z = np.column_stack([standardize(raw[:, j]) for j in range(raw.shape[1])])
    same, cross = weight_vector(settings.rerank_same_language), weight_vector(settings.rerank_cross_language)
    for row, raw_row, hit in zip(z, raw, hits, strict=True):
        score = float(row @ (same if hit.language == q_lang else cross))
        if hit.features.get("foreign_in_doc"):
            score -= settings.rerank_foreign_penalty
        if hit.doc_hash in named:
            score += settings.rerank_named_document_bonus
        hit.features.update({name: round(float(value), 4) for name, value in zip(FEATURES, raw_row, strict=True)})
        hit.score = score
    ranked = sorted(hits, key=lambda h: -h.score)
    return drop_near_duplicates(ranked, settings.dedupe_similarity)


def drop_near_duplicates(hits: list, threshold: float) -> list:
    """Keep the best of passages from *different* documents whose embeddings are nearly identical
    (one document restating another); passages of one document are never merged."""
    kept: list = []
    for hit in hits:
        if hit.dense is not None and any(
            k.dense is not None and k.doc_hash != hit.doc_hash and float(k.dense @ hit.dense) >= threshold
            for k in kept
        ):
            continue
        kept.append(hit)
    return kept
