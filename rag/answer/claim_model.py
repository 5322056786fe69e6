"""The claim verdict model, in two learned steps, its weights a data file (``rag/data/claim_model.json``)
fitted on the tune half of the claim benchmark by ``python -m bench.claims fit`` (the file records the
command, the data and the date).

1. **Which sentences is the claim about?** A binary logistic regression over a few alignment features of
   each candidate pair (term coverage, the embedding cosines with the sentence and with its passage, words
   the sentence lacks; ``RELEVANCE_FEATURES``) gives each pair the probability that its sentence is the
   one the claim restates or alters. It was fitted on the benchmark's pairs, labelled by whether the
   sentence is the claim's source sentence.
2. **What does it say about the claim?** The pairs are ordered by that probability; the claim's vector is
   the best one's probability, its features (``rag.answer.claim_features``) and the maximum of each feature
   times the pair's probability over the top ``TOP_PAIRS`` (a difference in a sentence the claim is not about
   counts little; the minimum of what is missing: ``POOLED_BY_MIN``). A multinomial logistic
   regression gives probabilities for supported / contradicted / not_found; "supported" is said only at or
   above ``supported_min_probability`` (chosen on the tune half's out-of-fold probabilities for the precision
   of "supported"); "contradicted" only when it is the likeliest of the three; otherwise "not_found". Where the most
   relevant sentence is in the other language, each verdict also needs that sentence's step-1 relevance to reach
   its gate (``cross_language_supported_min_relevance``, ``cross_language_contradicted_min_relevance``): a sentence
   read across languages that the claim is not about neither supports nor contradicts it (journal, session 32).

Usage::

    model = ClaimModel.load()
    rows = pair_rows(pairs)                        # one feature row per pair
    relevance = model.pair_relevance(rows)         # step 1
    vector = claim_vector(rows, relevance)         # the pooled pairs
    verdict = model.verdict(model.probabilities(vector), vector=vector)   # its gates read the vector too
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.answer.claim_features import FEATURE_NAMES, ClaimPair, pair_vector
from rag.answer.slot_types import COMPARED

logger = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "claim_model.json"
READER_MODEL_PATH = MODEL_PATH.with_name("claim_model_reader.json")  # the same, with the reader's scores as inputs
VERDICTS = ("supported", "contradicted", "not_found")
TOP_PAIRS = 3  # the most relevant sentences whose features are pooled (a figure often sits in the second)
# What says which sentence a claim is about: alignment, not the differences the verdict then weighs.
RELEVANCE_FEATURES = ("coverage", "cosine", "sentence_cosine", "cross_language", "novel_terms", "matched")

# Pooled over the top pairs by their minimum: what is missing counts only when every top sentence lacks it
# (a figure the best sentence lacks may sit in the second); everything else by its maximum.
POOLED_BY_MIN = frozenset(name for name in FEATURE_NAMES if name.startswith(("unmatched_", "unstated_", "novel_")))


# The pooled columns that hold what ``rag.answer.claims.pair_differences`` shows of the top pairs: a "contradicted" with
# none of them has nothing to point to and is said with low confidence (journal, session 46: on tune such verdicts
# said plainly were right 0.60 of the time, reader model, against 0.91 for those that show one).
DIFFERENCE_SHOWN = tuple(f"max_diff_{kind}" for kind in COMPARED) + (
    "max_passage_diff_quantity", "max_passage_diff_date", "max_negation_mismatch")


def vector_names() -> list[str]:
    pooled = [f"min_{name}" if name in POOLED_BY_MIN else f"max_{name}" for name in FEATURE_NAMES]
    return ["best_relevance"] + [f"best_{name}" for name in FEATURE_NAMES] + pooled


def pair_rows(pairs: list[ClaimPair]) -> np.ndarray:
    """One row of ``FEATURE_NAMES`` features per pair."""
    return np.array([pair_vector(pair) for pair in pairs], dtype=float).reshape(len(pairs), len(FEATURE_NAMES))


def shows_difference(vector: list[float] | np.ndarray) -> bool:
    """Whether a claim vector's top pairs give a difference the check can show (``DIFFERENCE_SHOWN``): a slot of a
    sentence differing, a figure or date of its passage differing, a negation only one side has."""
    names = vector_names()
    return any(float(vector[names.index(name)]) > 0 for name in DIFFERENCE_SHOWN)


def relevance_order(relevance: np.ndarray) -> np.ndarray:
    """Pair indices, most relevant first (ties keep retrieval's order)."""
    return np.argsort(-np.asarray(relevance, dtype=float), kind="stable")


def claim_vector(rows: np.ndarray, relevance: np.ndarray) -> list[float]:
    """The claim's vector from its pairs' feature rows and relevance (all zeros when there is no pair)."""
    if len(rows) == 0:
        return [0.0] * len(vector_names())
    order = relevance_order(relevance)
    top = np.asarray(rows, dtype=float)[order[:TOP_PAIRS]]
    weight = np.asarray(relevance, dtype=float)[order[:TOP_PAIRS], None]  # a sentence counts as much as it is relevant
    minimum = [name in POOLED_BY_MIN for name in FEATURE_NAMES]
    pooled = np.where(minimum, top.min(axis=0), (top * weight).max(axis=0))
    return [float(relevance[order[0]])] + top[0].tolist() + pooled.tolist()


def _standardised_logits(x: np.ndarray, mean: np.ndarray, scale: np.ndarray, coef: np.ndarray,
                         intercept: np.ndarray) -> np.ndarray:
    return ((x - mean) / scale) @ coef.T + intercept


@dataclass
class RelevanceModel:
    """Step 1: p(the pair's sentence is the one the claim is about), a binary logistic regression."""

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (features,)
    intercept: float

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        columns = [FEATURE_NAMES.index(name) for name in self.features]
        x = np.asarray(rows, dtype=float)[:, columns]
        logits = _standardised_logits(x, self.mean, self.scale, self.coef[None, :], np.array([self.intercept]))
        return 1.0 / (1.0 + np.exp(-logits[:, 0]))

    def to_json(self) -> dict[str, Any]:
        return {"features": self.features, "mean": self.mean.round(6).tolist(), "scale": self.scale.round(6).tolist(),
                "coef": self.coef.round(6).tolist(), "intercept": round(float(self.intercept), 6)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RelevanceModel:
        unknown = [name for name in data["features"] if name not in FEATURE_NAMES]
        if unknown:
            raise ValueError(f"relevance features {unknown} are not claim features; re-fit: python -m bench.claims fit")
        return cls(list(data["features"]), np.array(data["mean"]), np.array(data["scale"]), np.array(data["coef"]),
                   float(data["intercept"]))


@dataclass
class ClaimModel:
    """Step 1's relevance model, then standardised inputs and one weight row per verdict (step 2)."""

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (verdicts, features)
    intercept: np.ndarray
    supported_min_probability: float = 0.5
    trained: dict[str, Any] = field(default_factory=dict)
    relevance: RelevanceModel | None = None  # None: pairs keep retrieval's order (relevance = coverage)
    # The strict threshold (``claim_strict``): the tune precision of "supported" reached counting near misses, true
    # claims whose source is absent (``python -m bench.claims strict``); None until that step has run for this fit.
    strict_supported_min_probability: float | None = None
    # P(contradicted) below which a "contradicted" is said with low confidence (``python -m bench.claims confidence``:
    # the tune precision of "contradicted" reached counting near misses); None: every one is said plainly.
    confident_contradicted_min_probability: float | None = None
    # Where the claim's most relevant sentence is in the other language, the step-1 relevance it needs before a
    # "contradicted" is said (``fit --cross-contradicted-gate``, chosen on tune out of fold); 0: no gate.
    cross_language_contradicted_min_relevance: float = 0.0
    # The same for "supported" (``fit --cross-supported-gate``); 0: no gate.
    cross_language_supported_min_relevance: float = 0.0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClaimModel:
        if list(data["classes"]) != list(VERDICTS):
            raise ValueError(f"claim model classes {data['classes']} are not {VERDICTS}")
        relevance = RelevanceModel.from_json(data["relevance"]) if data.get("relevance") else None
        return cls(list(data["features"]), np.array(data["mean"]), np.array(data["scale"]),
                   np.array(data["coef"]), np.array(data["intercept"]),
                   float(data.get("supported_min_probability", 0.5)), dict(data.get("trained", {})), relevance,
                   data.get("strict_supported_min_probability"), data.get("confident_contradicted_min_probability"),
                   float(data.get("cross_language_contradicted_min_relevance", 0.0)),
                   float(data.get("cross_language_supported_min_relevance", 0.0)))

    def to_json(self) -> dict[str, Any]:
        return {"classes": list(VERDICTS), "features": self.features, "mean": self.mean.round(6).tolist(),
                "scale": self.scale.round(6).tolist(), "coef": self.coef.round(6).tolist(),
                "intercept": self.intercept.round(6).tolist(),
                "supported_min_probability": self.supported_min_probability, "trained": self.trained,
                "relevance": self.relevance.to_json() if self.relevance else None,
                "strict_supported_min_probability": self.strict_supported_min_probability,
                "confident_contradicted_min_probability": self.confident_contradicted_min_probability,
                "cross_language_contradicted_min_relevance": self.cross_language_contradicted_min_relevance,
                "cross_language_supported_min_relevance": self.cross_language_supported_min_relevance}

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ClaimModel:
        model = cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        if not set(model.features) <= set(vector_names()):
            raise ValueError(f"{path} was fitted on other features; re-fit it: python -m bench.claims fit")
        return model

    def pair_relevance(self, rows: np.ndarray) -> np.ndarray:
        """Step 1 for each pair row (without a relevance model: the term coverage)."""
        if self.relevance is None:
            return np.asarray(rows, dtype=float)[:, FEATURE_NAMES.index("coverage")] if len(rows) else np.zeros(0)
        return self.relevance(rows)

    @property
    def uses_reader(self) -> bool:
        return any("reader_" in name for name in self.features)

    def probabilities(self, vector: list[float]) -> dict[str, float]:
        """From a claim vector of all ``vector_names()`` (the model reads the columns it was fitted on)."""
        names = vector_names()
        x = np.asarray(vector, dtype=float)[None, [names.index(name) for name in self.features]]
        logits = _standardised_logits(x, self.mean, self.scale, self.coef, self.intercept)[0]
        exp = np.exp(logits - logits.max())
        return dict(zip(VERDICTS, (exp / exp.sum()).tolist(), strict=True))

    def threshold(self, strict: bool = False) -> float:
        """The "supported" threshold; ``strict``: the stricter one chosen with near misses counted (never below the
        plain one; the plain one, with a warning, for a model file that has none)."""
        if not strict:
            return self.supported_min_probability
        if self.strict_supported_min_probability is None:
            logger.warning("this claim model has no strict threshold (python -m bench.claims strict): its own is used")
            return self.supported_min_probability
        return max(self.supported_min_probability, self.strict_supported_min_probability)

    def gates(self, vector: list[float] | np.ndarray | None) -> tuple[bool, bool]:
        """Whether "supported" and "contradicted" may be said of the claim whose vector this is: always within a
        language; across languages only when its most relevant sentence reaches the model's gate for each (None:
        no vector, no gate)."""
        if vector is None:
            return True, True
        supportable, contradictable = cross_language_gates(np.asarray(vector, dtype=float)[None, :],
                                                           self.cross_language_supported_min_relevance,
                                                           self.cross_language_contradicted_min_relevance)
        return bool(supportable[0]), bool(contradictable[0])

    def verdict(self, probabilities: dict[str, float], strict: bool = False,
                vector: list[float] | np.ndarray | None = None) -> str:
        """``decide`` at this model's threshold (``strict``: its strict one); ``vector``: the claim's, which the gates
        read (``gates``)."""
        return decide(probabilities, self.threshold(strict), self.gates(vector))


def cross_language_gates(vectors: np.ndarray, supported: float, contradicted: float) -> tuple[np.ndarray, np.ndarray]:
    """Per claim vector (rows of ``vector_names()``), whether "supported" / "contradicted" may be said under these
    relevance gates: always within a language, across languages only from a best sentence at or above the gate."""
    names = vector_names()
    cross = vectors[:, names.index("best_cross_language")] > 0.5
    relevance = vectors[:, names.index("best_relevance")]
    return ~cross | (relevance >= supported), ~cross | (relevance >= contradicted)


def decide(probabilities: dict[str, float], supported_min_probability: float,
           gates: tuple[bool, bool] = (True, True)) -> str:
    """Supported at or above the chosen threshold where ``gates[0]``; contradicted only where that is the likeliest
    reading and ``gates[1]`` (``ClaimModel.gates``);
    otherwise not found (a likely but unconfirmed claim is not called contradicted: on the tune half's
    out-of-fold probabilities this rule halves the true claims called contradicted, precision of
    "contradicted" 0.86 → 0.90, for 0.9 points of accuracy; journal, session 17)."""
    if gates[0] and probabilities["supported"] >= supported_min_probability:
        return "supported"
    if gates[1] and probabilities["contradicted"] >= max(probabilities["supported"], probabilities["not_found"]):
        return "contradicted"
    return "not_found"


@lru_cache(maxsize=2)
def default_model(reader: bool = False) -> ClaimModel:
    """The shipped model, loaded once per process; ``reader``: the one that also reads the reader's scores
    (the plain one when that file is missing)."""
    return ClaimModel.load(READER_MODEL_PATH if reader and READER_MODEL_PATH.exists() else MODEL_PATH)
