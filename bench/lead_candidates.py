"""Candidates measured for the lead line of a cross-language answer (``bench.lead_figures``; none shipped:
docs/journal.md, session 25): the figure or date chosen by a model fitted on data — or none.

An English question answered from Chinese sentences (or the reverse) opens with the asked-for value, as written
and in the reader's language, with its citation: "1亿英镑 (100 million pounds) [1]". A wrong value there is an
answer stated with confidence that is not the answer, so the line is shown only when the model is sure enough.
Each candidate is a figure or date (``rag.answer.slots``) of one of the cited sentences; its features (the
registry ``FEATURES``) compare it with what the question asks — the kind of value (a sum of money, a share, a
duration, a date, a count of what the question counts), the citation's rank and how much of the question its
sentence holds, how near the value stands to the question's words. The model (fitted by ``python -m bench.lead_figures fit --out FILE`` on XQuAD's tune half; the two
measured: ``bench/results/lead-model-*.json``) scores every candidate; the best leads the answer when its
probability reaches the model's threshold (chosen on the tune half by the rule written in the file).

Usage::

    model = load_model(Path("bench/results/lead-model-p70.json"))
    lead_line(query, citations, model)          # "1亿英镑 (100 million pounds) [1]" or None
    rows = candidate_rows(query, citations)     # [(Candidate, feature vector)] — what the model reads
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.answer.figures import COUNTED, UNIT_SPEC, fold
from rag.answer.slot_text import show
from rag.answer.slot_types import Slot
from rag.answer.slots import extract_slots
from rag.text.asked import DURATION_QUESTION
from rag.text.cjk import has_han
from rag.types import Citation, Query

MAX_CITATIONS = 4  # the citations whose values are candidates (an answer cites at most this many sentences)

CURRENCIES = frozenset(u for u in UNIT_SPEC if u.isupper())  # GBP, USD, EUR, CNY, …
SHARES = frozenset({"%", "pp"})
TIMES = frozenset({"day", "week", "month", "year", "hour"})
PERCENT_QUESTION = re.compile(r"percent|percentage|proportion|\bshare\b|\brate\b|比例|百分|比率|占比|%|％", re.I)
AGE_QUESTION = re.compile(r"how old|\bages?\b|多大|几岁|多少岁|年龄|年纪", re.I)
TIME_WORDS = re.compile(r"years?|months?|weeks?|days?|hours?|decades?|centur(?:y|ies)|年|月|周|天|小时|世纪", re.I)
# A number with no unit the slots read ("17,786,419", "5"): a candidate too, shown as written.
PLAIN_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])|(?<![\d.,])\d+(?:\.\d+)?(?![\d.,]?\d)")
DIGITS = re.compile(r"\d+")
# Characters either side of a value read as its context, and right next to it, {Chinese: …, English: …}.
CONTEXT_CHARS = {True: 12, False: 40}
NEXT_CHARS = {True: 4, False: 16}


def asked_value(query: Query) -> str | None:
    """What kind of value the question asks for: "date", "money", "duration", "share", "figure", or None."""
    if query.asks_date:
        return "date"
    if query.answer_kind is None:
        return None
    if query.answer_kind in ("money", "duration"):
        return query.answer_kind
    if AGE_QUESTION.search(query.text) or DURATION_QUESTION.search(query.text):
        return "duration"
    return "share" if PERCENT_QUESTION.search(query.text) else "figure"


@lru_cache(maxsize=64)
def _unit_words(unit: str) -> tuple[str, ...]:
    en, zh, more = UNIT_SPEC[unit]
    return tuple(w.lower() for w in (en, zh, *more.split("|")) if len(w) > 1)


def fits_question(slot: Slot, query: Query) -> bool:
    """Whether the value is of the kind asked: a date for when, a sum of money for how much money, a share for
    what percentage, a time for how long, and for how many a count — or a measure or time the question names."""
    asked = asked_value(query)
    if asked == "date":
        return slot.kind == "date"
    if slot.kind != "quantity" or asked is None:
        return False
    if asked == "money":
        return slot.unit in CURRENCIES
    if asked == "duration":
        return slot.unit in TIMES
    if asked == "share":
        return slot.unit in SHARES
    if slot.unit in CURRENCIES or slot.unit in SHARES:
        return False
    if slot.unit in TIMES:
        return TIME_WORDS.search(query.text) is not None
    if slot.unit == "number":
        return not _year_like(slot)
    text = query.text.lower()
    return slot.unit in COUNTED or any(word in text for word in _unit_words(slot.unit))


def _year_like(slot: Slot) -> bool:
    return slot.kind == "date" or bool(re.fullmatch(r"1[5-9]\d\d|20\d\d", slot.surface.strip()))


def plain_numbers(text: str, slots: list[Slot]) -> list[Slot]:
    """The numbers of ``text`` that no slot covers, as quantities of unit "number"."""
    taken = [(s.start, s.end) for s in slots]
    found = []
    for m in PLAIN_NUMBER.finditer(text):
        if not any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
            found.append(Slot("quantity", float(m.group().replace(",", "")), "number", m.group(), m.start(), m.end()))
    return found


def displayed(slot: Slot, zh: bool) -> str:
    """The value as the lead line shows it: as written, rendered in the reader's language where it has a unit."""
    return slot.surface.strip() if slot.unit == "number" else show(slot, zh)


@dataclass
class Candidate:
    """One value of one cited sentence, with what its features read."""

    query: Query
    citation: Citation
    rank: int  # the citation's position among the answer's citations (0: the first)
    slot: Slot
    sentence_slots: list[Slot]
    coverage: float  # share of the question's content words the sentence holds
    best_coverage: float  # the best such share among the candidates' citations
    distance: float | None  # characters from the value to the nearest question word in the sentence (None: none there)
    nearest: bool  # no value of the sentence that fits the question stands nearer to a question word
    context: float = 0.0  # share of the question's content words within CONTEXT_CHARS of the value
    after: float = 0.0  # a question word starts right after the value (what it counts: "16,000 species", "5缸")
    before: float = 0.0  # a question word ends right before it ("人口17,786,419", "population of 8 million")
    best_score: float = 0.0  # the first citation's evidence score
    coverage_rank: int = 0  # the citation's rank by coverage among the candidates' citations (0: the best)


Feature = Callable[[Candidate], float]
FEATURES: dict[str, Feature] = {
    "fits_question": lambda c: float(fits_question(c.slot, c.query)),
    "first_citation": lambda c: float(c.rank == 0),
    "citation_rank": lambda c: float(c.rank),
    "coverage": lambda c: c.coverage,
    "coverage_gap": lambda c: c.best_coverage - c.coverage,
    "near_question_words": lambda c: 0.0 if c.distance is None else 1.0 / (1.0 + c.distance / 10.0),
    "nearest_fitting": lambda c: float(c.nearest),
    "values_in_sentence": lambda c: math.log1p(len(c.sentence_slots)),
    "is_date": lambda c: float(c.slot.kind == "date"),
    "plain_number": lambda c: float(c.slot.unit == "number"),
    "year_like": lambda c: float(_year_like(c.slot)),
    "in_question": lambda c: float(bool(set(DIGITS.findall(c.slot.surface.replace(",", "")))
                                        & set(DIGITS.findall(c.query.text.replace(",", ""))))),
    "context_words": lambda c: c.context,
    "question_word_after": lambda c: c.after,
    "question_word_before": lambda c: c.before,
    "evidence_score": lambda c: c.citation.score,
    "evidence_score_gap": lambda c: c.best_score - c.citation.score,
    "best_coverage_citation": lambda c: float(c.coverage_rank == 0),
}
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)


def _content_words(query: Query, language: str) -> list[tuple[str, ...]]:
    """The question's content words in ``language`` (its evidence term groups: each group's alternatives)."""
    return [tuple(w for alt in alternatives for w in alt if len(w) > 1)
            for alternatives, weight in query.terms_for(language) if weight > 0]


def candidates(query: Query, citations: list[Citation]) -> list[Candidate]:
    """Every date or figure of the first ``MAX_CITATIONS`` citations, for a question that asks for one."""
    if asked_value(query) is None:
        return []
    found: list[Candidate] = []
    for rank, citation in enumerate(citations[:MAX_CITATIONS]):
        language = "zh" if has_han(citation.text) else "en"
        folded = fold(citation.text).lower()
        groups = [g for g in _content_words(query, language) if g]
        coverage = sum(any(w.lower() in folded for w in g) for g in groups) / max(1, len(groups))
        anchors = [m.start() for g in groups for w in g for m in re.finditer(re.escape(w.lower()), folded)]
        slots = [s for s in extract_slots(citation.text) if s.kind in ("quantity", "date")]
        slots += plain_numbers(citation.text, slots)
        reach = CONTEXT_CHARS[language == "zh"]

        def context(slot: Slot, groups: list[tuple[str, ...]] = groups, folded: str = folded, reach: int = reach) -> float:
            window = folded[max(0, slot.start - reach): slot.end + reach]
            return sum(any(w.lower() in window for w in g) for g in groups) / max(1, len(groups))

        def distance(slot: Slot, anchors: list[int] = anchors) -> float | None:
            return min(abs(slot.start - a) for a in anchors) if anchors else None

        fitting = [s for s in slots if fits_question(s, query)]
        nearest = min(fitting, key=lambda s: distance(s) or 0.0) if fitting and anchors else None
        near = NEXT_CHARS[language == "zh"]
        starts = [m.start() for g in groups for w in g for m in re.finditer(re.escape(w.lower()), folded)]
        ends = [m.end() for g in groups for w in g for m in re.finditer(re.escape(w.lower()), folded)]
        found += [Candidate(query, citation, rank, s, slots, coverage, 0.0, distance(s), s is nearest, context(s),
                            float(any(0 <= a - s.end <= near for a in starts)),
                            float(any(0 <= s.start - b <= near for b in ends)))
                  for s in slots]
    best = max((c.coverage for c in found), default=0.0)
    by_coverage = sorted({c.rank: c.coverage for c in found}.items(), key=lambda item: -item[1])
    order = {rank: i for i, (rank, _) in enumerate(by_coverage)}
    first_score = citations[0].score if citations else 0.0
    for c in found:
        c.best_coverage, c.coverage_rank, c.best_score = best, order[c.rank], first_score
    return found


def candidate_rows(query: Query, citations: list[Citation]) -> list[tuple[Candidate, list[float]]]:
    return [(c, [FEATURES[name](c) for name in FEATURE_NAMES]) for c in candidates(query, citations)]


@dataclass
class LeadModel:
    """A logistic regression over standardised candidate features and the probability a value must reach."""

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    min_probability: float
    trained: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, rows: list[list[float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = np.asarray(rows, dtype=float)[:, [FEATURE_NAMES.index(n) for n in self.features]]
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_json(self) -> dict[str, Any]:
        return {"features": self.features, "mean": np.round(self.mean, 6).tolist(),
                "scale": np.round(self.scale, 6).tolist(), "coef": np.round(self.coef, 6).tolist(),
                "intercept": round(float(self.intercept), 6), "min_probability": self.min_probability,
                "trained": self.trained}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LeadModel:
        unknown = [n for n in data["features"] if n not in FEATURE_NAMES]
        if unknown:
            raise ValueError(f"lead model features {unknown} are unknown; re-fit: python -m bench.lead_figures fit")
        return cls(list(data["features"]), np.array(data["mean"], float), np.array(data["scale"], float),
                   np.array(data["coef"], float), float(data["intercept"]), float(data["min_probability"]),
                   dict(data.get("trained", {})))


def load_model(path: Path) -> LeadModel:
    return LeadModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def best_candidate(query: Query, citations: list[Citation], model: LeadModel) -> tuple[Candidate, float] | None:
    """The candidate the model rates highest, with its probability (None without candidates)."""
    rows = candidate_rows(query, citations)
    if not rows:
        return None
    p = model.probabilities([vector for _, vector in rows])
    i = int(np.argmax(p))
    return rows[i][0], float(p[i])


def lead_line(query: Query, citations: list[Citation], model: LeadModel) -> str | None:
    """"1亿英镑 (100 million pounds) [1]": the best candidate, shown when its probability reaches the model's
    threshold; None otherwise (the cited sentences then speak for themselves)."""
    best = best_candidate(query, citations, model)
    if best is None or best[1] < model.min_probability:
        return None
    candidate = best[0]
    return f"{displayed(candidate.slot, query.language == 'zh')} [{candidate.citation.n}]"
