"""The claim verdict model: a multinomial logistic regression over the claim's features, its weights a
data file (``rag/data/claim_model.json``) fitted on the tune half of the claim benchmark by
``python -m bench.claims fit`` (the file records the command, the data and the date).

A claim's vector is built from its best-aligned evidence sentence and the few after it
(``claim_vector``): the features of the best one (``rag.answer.claim_features``), then the maximum of each
feature over the top ``TOP_PAIRS`` (the minimum of what is missing: ``POOLED_BY_MIN``). The model gives
probabilities for supported / contradicted / not_found; "supported" is said only at or above ``supported_min_probability`` (chosen on the tune half
for the precision of "supported"), otherwise the likelier of the other two.

Usage::

    model = ClaimModel.load()
    probabilities = model.probabilities(claim_vector(pairs))
    verdict = model.verdict(probabilities)
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

logger = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "claim_model.json"
VERDICTS = ("supported", "contradicted", "not_found")
TOP_PAIRS = 3  # the best-aligned sentences whose features are pooled (a figure often sits in the second)


# Pooled over the top pairs by their minimum: what is missing counts only when every top sentence lacks it
# (a figure the best sentence lacks may sit in the second); everything else by its maximum.
POOLED_BY_MIN = frozenset(name for name in FEATURE_NAMES if name.startswith(("unmatched_", "unstated_", "novel_")))


def vector_names() -> list[str]:
    pooled = [f"min_{name}" if name in POOLED_BY_MIN else f"max_{name}" for name in FEATURE_NAMES]
    return [f"best_{name}" for name in FEATURE_NAMES] + pooled


def claim_vector(pairs: list[ClaimPair]) -> list[float]:
    """The claim's vector from its pairs, best-aligned first (all zeros when there is none)."""
    if not pairs:
        return [0.0] * (2 * len(FEATURE_NAMES))
    rows = np.array([pair_vector(pair) for pair in pairs[:TOP_PAIRS]], dtype=float)
    minimum = [name in POOLED_BY_MIN for name in FEATURE_NAMES]
    return rows[0].tolist() + np.where(minimum, rows.min(axis=0), rows.max(axis=0)).tolist()


@dataclass
class ClaimModel:
    """Standardised inputs, one weight row per verdict; see the module docstring."""

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (verdicts, features)
    intercept: np.ndarray
    supported_min_probability: float = 0.5
    trained: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ClaimModel":
        if list(data["classes"]) != list(VERDICTS):
            raise ValueError(f"claim model classes {data['classes']} are not {VERDICTS}")
        return cls(list(data["features"]), np.array(data["mean"]), np.array(data["scale"]),
                   np.array(data["coef"]), np.array(data["intercept"]),
                   float(data.get("supported_min_probability", 0.5)), dict(data.get("trained", {})))

    def to_json(self) -> dict[str, Any]:
        return {"classes": list(VERDICTS), "features": self.features, "mean": self.mean.round(6).tolist(),
                "scale": self.scale.round(6).tolist(), "coef": self.coef.round(6).tolist(),
                "intercept": self.intercept.round(6).tolist(),
                "supported_min_probability": self.supported_min_probability, "trained": self.trained}

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "ClaimModel":
        model = cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        if model.features != vector_names():
            raise ValueError(f"{path} was fitted on other features; re-fit it: python -m bench.claims fit")
        return model

    def probabilities(self, vector: list[float]) -> dict[str, float]:
        x = (np.asarray(vector, dtype=float) - self.mean) / self.scale
        logits = self.coef @ x + self.intercept
        exp = np.exp(logits - logits.max())
        return dict(zip(VERDICTS, (exp / exp.sum()).tolist(), strict=True))

    def verdict(self, probabilities: dict[str, float]) -> str:
        if probabilities["supported"] >= self.supported_min_probability:
            return "supported"
        return max(("contradicted", "not_found"), key=lambda v: probabilities[v])


@lru_cache(maxsize=1)
def default_model() -> ClaimModel:
    """The shipped model, loaded once per process."""
    return ClaimModel.load()
