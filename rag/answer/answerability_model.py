"""The learned answerability decision: one logistic regression per group over the features of
``rag.answer.answerability``, its weights and thresholds a data file (``rag/data/answerability_model.json``)
fitted by ``python -m bench.answerability fit``; inference is numpy only. A few answer-type rules veto
whatever the model says (``VETOES``).

Usage::

    case = evidence_case(query, hits, settings)  # rag.answer.compose
    load_model().probability(case)   # P(answerable)
    answerable(case)                 # the decision at the threshold of the case's group
    decide(case)                     # Decision(answerable=True, confident=False): answered, said with low confidence
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.answer.answerability import FEATURES, Case

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "answerability_model.json"
READER_MODEL_PATH = MODEL_PATH.with_name("answerability_model_reader.json")  # also reads the reader's scores
READER_FEATURES = ("reader_best", "reader_strongest")  # the reader's probabilities: each in [0, 1]


@dataclass(frozen=True)
class GroupModel:
    """A logistic regression over standardized features, and its operating threshold on P(answerable)."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float
    # P(answerable) below which an answer is said with low confidence (``bench.answerability confidence``: chosen on the
    # tune half); None: every answer is confident
    confident: float | None = None

    @property
    def confident_from(self) -> float:
        return self.threshold if self.confident is None else max(self.threshold, self.confident)

    def probability(self, x: np.ndarray) -> float:
        z = float(((x - self.mean) / self.scale) @ self.weights + self.bias)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Decision:
    """Whether the evidence answers the question, and whether that is said with confidence (P(answerable) at or
    above the group's confidence threshold)."""

    answerable: bool
    confident: bool = True


REFUSED = Decision(False, False)


@dataclass(frozen=True)
class AnswerabilityModel:
    """One model per group (``Case.group``): evidence in the question's language ("same-en", "same-zh")
    or in the other one ("cross-en": an English question over Chinese evidence, "cross-zh")."""

    names: list[str]
    groups: dict[str, GroupModel]
    meta: dict[str, Any]

    @staticmethod
    def from_json(data: dict[str, Any]) -> AnswerabilityModel:
        groups = {name: GroupModel(np.asarray(g["weights"], float), float(g["bias"]), np.asarray(g["mean"], float),
                                   np.asarray(g["scale"], float), float(g["threshold"]),
                                   None if g.get("confident") is None else float(g["confident"]))
                  for name, g in data["groups"].items()}
        return AnswerabilityModel(list(data["features"]), groups, {k: v for k, v in data.items() if k != "groups"})

    def group_of(self, case: Case) -> GroupModel:
        return self.groups[case.group]

    def vector(self, case: Case, skip: tuple[str, ...] = ()) -> np.ndarray:
        """The case's features; one that cannot be computed (NaN) reads as the group's average; those
        named in ``skip`` are not computed (NaN, left for the caller to set)."""
        x = np.asarray([math.nan if name in skip else FEATURES[name](case) for name in self.names], dtype=float)
        unknown = np.isnan(x) & ~np.isin(self.names, skip)
        if unknown.any() and case.strongest is not None:
            x[unknown] = self.group_of(case).mean[unknown]
        return x

    def probability(self, case: Case) -> float:
        return self.group_of(case).probability(self.vector(case)) if case.strongest is not None else 0.0

    def answerable(self, case: Case) -> bool:
        return self.decide(case, confidence=False).answerable  # the reader read only if it could change this

    def decide(self, case: Case, confidence: bool = True) -> Decision:
        """The decision at the group's threshold and its confidence; the reader is read only when its scores could
        change either (``confidence`` False: only the decision; every answer is then confident)."""
        if case.strongest is None:
            return REFUSED
        group = self.group_of(case)
        skipped = self._reader_columns(case)
        x = self.vector(case, tuple(self.names[i] for i in skipped))
        if skipped:
            answers = self._decided(group, x.copy(), skipped)
            if answers is False:
                return REFUSED
            if answers is True:
                confident = self._decided(group, x.copy(), skipped, group.confident_from) if confidence else True
                if confident is not None:
                    return Decision(True, confident)
            x[skipped] = [FEATURES[self.names[i]](case) for i in skipped]  # read now
            unknown = [i for i in skipped if np.isnan(x[i])]
            x[unknown] = group.mean[unknown]
        p = group.probability(x)
        return Decision(True, p >= group.confident_from or not confidence) if p >= group.threshold else REFUSED

    def decided_without_reader(self, case: Case) -> bool | None:
        """The decision when the reader's scores cannot change it — the same with each of them at whichever
        end of [0, 1] lowers P(answerable) most and at whichever raises it most — else None. Exact (the model
        is linear in each feature, P monotone in it), and it spares the reader's pass (~0.14 s of CPU) when
        the other features decide."""
        skipped = self._reader_columns(case)
        if not skipped:
            return None
        return self._decided(self.group_of(case), self.vector(case, tuple(self.names[i] for i in skipped)), skipped)

    def _reader_columns(self, case: Case) -> list[int]:
        """Where the reader's features stand in the vector (none without a reader: they read as the average)."""
        if case.reader is None:
            return []
        return [self.names.index(name) for name in READER_FEATURES if name in self.names]

    @staticmethod
    def _decided(group: GroupModel, x: np.ndarray, columns: list[int], threshold: float | None = None) -> bool | None:
        """``decided_without_reader`` on the other features ``x`` (its ``columns`` are overwritten), at ``threshold``
        (default: the group's)."""
        threshold = group.threshold if threshold is None else threshold
        raises = group.weights[columns] / group.scale[columns] > 0  # a higher score raises P(answerable)
        decisions = set()
        for high in (False, True):
            x[columns] = np.where(raises == high, 1.0, 0.0)
            decisions.add(group.probability(x) >= threshold)
        return decisions.pop() if len(decisions) == 1 else None


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> AnswerabilityModel:
    """The shipped model (read once per process)."""
    return AnswerabilityModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


# Answer-type rules that refuse whatever the model says: the evidence names another n-th of the event
# asked about, or never mentions the role or event asked about. They fire on too few questions to be
# learned (on the tune data: never, and twice) and were written for the policy documents' questions.
VETOES = ("ordinal", "mention")


def vetoed(case: Case) -> bool:
    return case.missing is not None and case.missing.kind in VETOES


def answerable(case: Case, model: AnswerabilityModel | None = None) -> bool:
    """Whether ``case``'s chosen evidence answers the question: there is some, no veto rule fired,
    and the model (the shipped one by default) puts P(answerable) at or above its group's threshold."""
    return decide(case, model, confidence=False).answerable


def decide(case: Case, model: AnswerabilityModel | None = None, confidence: bool = True) -> Decision:
    """``answerable``, and whether the answer is said with confidence (``GroupModel.confident``; ``confidence``
    False: not asked, every answer confident)."""
    if not case.chosen or vetoed(case):
        return REFUSED
    return (model or shipped_model(case)).decide(case, confidence)


def shipped_model(case: Case) -> AnswerabilityModel:
    """The shipped model that decides ``case``: the one fitted with the reader's scores when the case is read by a
    reader and that model ships, else the plain one."""
    with_reader = case.reader is not None and READER_MODEL_PATH.exists()
    return load_model(READER_MODEL_PATH if with_reader else MODEL_PATH)
