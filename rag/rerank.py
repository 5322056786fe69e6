"""Cheap precision stage after fusion (no multilingual cross-encoder can be installed here).

Re-scores the fused head of the list by a weighted sum of features, each in [0, 1]:

* ``fusion`` — the fused RRF rank, as k / (k + rank);
* ``dense`` — the rank of the passage's cosine among candidates of its own language, as k / (k + rank)
  (cross-lingual cosines sit lower than same-language ones; ranking per language removes that offset;
  other-language passages are compared with the dictionary "gloss" query, not the question);
* ``overlap`` — the rank, as k / (k + rank), of the share of the question's terms (its own words for
  same-language passages, its dictionary translation for the others) present in the passage;
* ``doc_vote`` — how strongly the candidates of the passage's document agree (sum of their fused
  reciprocal ranks), which carries "According to the … report" cues from title-level matches;
* a penalty for passages in a script foreign to their document (footnotes, URLs, reference lists).

Near-duplicate passages (documents restating each other) are then dropped.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from rag.lexical import tokenize
from rag.settings import Settings


def term_overlap(terms: dict[str, float], passage_tokens: set[str]) -> float:
    """Weighted share of ``terms`` found in the passage."""
    total = sum(terms.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in terms.items() if t in passage_tokens) / total


def rank_scores(values: list[float], groups: list[str], k: int) -> list[float]:
    """k / (k + rank) of each value among the values of its group (best = 1.0): a scale-free score."""
    out = [0.0] * len(values)
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, group in enumerate(groups):
        by_group[group].append(i)
    for members in by_group.values():
        for rank, i in enumerate(sorted(members, key=lambda j: -values[j])):
            out[i] = k / (k + rank)
    return out


def rerank(
    q_lang: str,
    query_vec: np.ndarray,
    cross_vec: np.ndarray | None,
    hits: list,
    settings: Settings,
    question_terms: dict[str, float],
    translated_terms: dict[str, float],
) -> list:
    if not hits:
        return hits
    def cosine(hit) -> float:  # noqa: ANN001
        if hit.dense is None:
            return 0.0
        vector = cross_vec if cross_vec is not None and hit.language != q_lang else query_vec
        return float(hit.dense @ vector)

    dense_raw = [cosine(h) for h in hits]
    dense = rank_scores(dense_raw, [h.language for h in hits], settings.rerank_rank_k)
    votes: dict[str, float] = defaultdict(float)
    for rank, hit in enumerate(hits):
        votes[hit.doc_hash] += 1.0 / (settings.rrf_k + rank + 1)
    top_vote = max(votes.values())
    overlaps: list[float] = []
    for rank, hit in enumerate(hits):
        tokens = hit.tokens if hit.tokens is not None else set(tokenize(f"{hit.section}\n{hit.text}"))
        overlaps.append(term_overlap(question_terms if hit.language == q_lang else translated_terms, tokens))
    overlap_ranked = rank_scores(overlaps, ["all"] * len(hits), settings.rerank_rank_k)
    for rank, hit in enumerate(hits):
        overlap = overlap_ranked[rank]
        features = {
            "fusion": settings.rerank_rank_k / (settings.rerank_rank_k + rank),
            "dense": dense[rank],
            "overlap": overlap,
            "doc_vote": votes[hit.doc_hash] / top_vote,
        }
        score = (
            settings.rerank_fusion_weight * features["fusion"]
            + (settings.rerank_dense_weight if hit.language == q_lang else settings.rerank_dense_weight_cross)
            * features["dense"]
            + settings.rerank_lexical_weight * features["overlap"]
            + settings.rerank_doc_weight * features["doc_vote"]
        )
        if hit.features.get("foreign_in_doc"):
            score -= settings.rerank_latin_penalty
        hit.features.update(features)
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
