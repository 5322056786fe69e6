"""Cheap precision stage after fusion (no multilingual cross-encoder can be installed here).

Re-scores the fused head of the list with: the fused RRF rank, the dense cosine to the question,
exact overlap of numbers / Latin names / Chinese terms with the question, and a penalty for passages in
a script foreign to their document (reference lists and URLs inside Chinese reports) when the question
is in the other language. Near-duplicate passages (documents restating each other) are dropped.
"""

from __future__ import annotations

import re

import numpy as np

from rag.lexical import tokenize
from rag.settings import Settings

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def lexical_overlap(question_tokens: set[str], text: str) -> float:
    """Share of the question's distinct tokens found in the passage."""
    if not question_tokens:
        return 0.0
    return len(question_tokens & set(tokenize(text))) / len(question_tokens)


def rerank(question: str, q_lang: str, query_vec: np.ndarray, hits: list, settings: Settings) -> list:
    if not hits:
        return hits
    q_tokens = set(tokenize(question))
    scored = []
    for rank, hit in enumerate(hits):
        dense = float(hit.dense @ query_vec) if hit.dense is not None else 0.0
        overlap = lexical_overlap(q_tokens, hit.text) if hit.language == q_lang else 0.0
        score = (
            settings.rerank_fusion_weight / (1 + rank)
            + settings.rerank_dense_weight * dense
            + settings.rerank_lexical_weight * overlap
        )
        if hit.features.get("foreign_in_doc") and hit.language == q_lang:
            score -= settings.rerank_latin_penalty
        hit.features.update({"dense": dense, "overlap": overlap, "rank": rank})
        hit.score = score
        scored.append(hit)
    scored.sort(key=lambda h: -h.score)
    return drop_near_duplicates(scored, settings.dedupe_similarity)


def drop_near_duplicates(hits: list, threshold: float) -> list:
    """Keep the best of passages whose embeddings are nearly identical (restated text)."""
    kept: list = []
    for hit in hits:
        if hit.dense is not None and any(
            k.dense is not None and float(k.dense @ hit.dense) >= threshold for k in kept
        ):
            continue
        kept.append(hit)
    return kept
