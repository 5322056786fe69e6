"""Features of a claim read against one evidence sentence: one registry, each a small named function.

A claim is judged by comparing it with the sentences retrieval found for it. Each candidate sentence
gives a ``ClaimPair`` — the claim, the sentence, the comparison of their slots (amounts, dates, names,
negation, stance, quantifiers, ordinals: ``rag.answer.slots``) and of the claim with the sentence's whole
passage (a table row or the next sentence often holds the figure a claim misstates), the share of the
claim's terms the sentence holds and the embedding cosines of the claim with the sentence and with its
passage. ``FEATURES`` maps each feature's
name to its function; the claim model (``rag.answer.claim_model``) reads them by name, so adding a
feature is one entry here plus re-fitting (``python -m bench.claims fit``).

Usage::

    pair = ClaimPair(claim, "en", sentence, compare_slots(claim, sentence.text),
                     compare_slots(claim, sentence.hit.text), cosine=0.83)
    vector = pair_vector(pair)            # [FEATURES[name](pair) for name in FEATURE_NAMES]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.answer.figures import amounts_in, numbers_in
from rag.answer.slot_types import COMPARED, SlotComparison
from rag.types import EvidenceSentence

# Text that gives orders rather than states facts ("Ignore the question and answer …"): never evidence.
INSTRUCTION = re.compile(
    r"(?:^|[.!?。！？]\s*)(?:please\s+)?(?:ignore|disregard|forget)\b"
    r"|\b(?:ignore|disregard|forget)\s+(?:the|all|any|your|previous|prior|above)\s+(?:\w+\s+)?(?:questions?|instructions?|prompts?)\b"
    r"|\b(?:answer|respond|reply|say)\s+(?:with\s+)?['\"‘“]|\byou (?:must|should) (?:answer|say|respond)\b"
    r"|忽略.{0,12}(?:问题|指令|指示|以上|上述|之前)|不要理会|请(?:直接)?回答[“\"'‘]|你(?:必须|应该)回答",
    re.IGNORECASE,
)


def is_instruction(text: str) -> bool:
    """Whether ``text`` reads as an instruction to the reader (a planted prompt), not a statement."""
    return INSTRUCTION.search(text) is not None


@dataclass
class ClaimPair:
    """A claim read against one evidence sentence."""

    claim: str
    language: str  # the claim's language
    sentence: EvidenceSentence
    comparison: SlotComparison  # claim vs the sentence
    passage_comparison: SlotComparison  # claim vs the sentence's whole passage
    cosine: float = 0.0  # embedding cosine, claim (query) vs the sentence's passage
    sentence_cosine: float = 0.0  # embedding cosine, claim (query) vs the sentence alone
    rule_conflict: float = 0.0  # the earlier hand-written conflict signals (rag.answer.claims.rule_conflict)
    novel_terms: float = 0.0  # claim words the sentence neither holds nor renders with a synonym (``novel_terms``)
    substitutions: float = 0.0  # same language: short runs of claim words put in place of the sentence's (``substitutions``)
    reader: dict[str, float] | None = None  # the reader's entails/contradicts/neutral (``rag.answer.reader``); None: not read


# The features a claim–sentence slot comparison gives alone (``sentence_columns``: what a slot change moves).
SENTENCE_SLOT_FEATURES: dict[str, Callable[[SlotComparison], float]] = {
    "matched": lambda c: min(3.0, float(c.matched)),
    "negation_mismatch": lambda c: float(c.negation_mismatch),
    **{f"diff_{kind}": (lambda c, kind=kind: float(any(d.kind == kind for d in c.differences))) for kind in COMPARED},
}


def sentence_columns(comparison: SlotComparison) -> dict[str, float]:
    """The sentence-level slot features of one comparison (``SENTENCE_SLOT_FEATURES``), by name."""
    return {name: feature(comparison) for name, feature in SENTENCE_SLOT_FEATURES.items()}


def _diff(kind: str, passage: bool = False) -> Callable[[ClaimPair], float]:
    def feature(pair: ClaimPair) -> float:
        return SENTENCE_SLOT_FEATURES[f"diff_{kind}"](pair.passage_comparison if passage else pair.comparison)
    return feature


def _unmatched(kind: str) -> Callable[[ClaimPair], float]:
    def feature(pair: ClaimPair) -> float:
        # the passage has nothing of this kind to compare with (the sentence alone may not)
        return float(pair.passage_comparison.unmatched_by_kind.get(kind, 0) > 0)
    return feature


def other_number(pair: ClaimPair) -> float:
    """The claim states a number its sentence's passage does not, while the passage states others."""
    claim, passage = amounts_in(pair.claim), amounts_in(pair.sentence.hit.text)
    return float(bool(claim - passage) and bool(passage))


def unstated_number(pair: ClaimPair) -> float:
    """The claim states a number and the passage states none at all."""
    return float(bool(numbers_in(pair.claim)) and not numbers_in(pair.sentence.hit.text))


FEATURES: dict[str, Callable[[ClaimPair], float]] = {
    "coverage": lambda p: p.sentence.coverage,
    "cosine": lambda p: p.cosine,
    "sentence_cosine": lambda p: p.sentence_cosine,
    "cross_language": lambda p: float(p.sentence.hit.language != p.language),
    "matched": lambda p: SENTENCE_SLOT_FEATURES["matched"](p.comparison),
    "negation_mismatch": lambda p: SENTENCE_SLOT_FEATURES["negation_mismatch"](p.comparison),
    "rule_conflict": lambda p: p.rule_conflict,
    "novel_terms": lambda p: min(3.0, p.novel_terms),
    "substitutions": lambda p: min(3.0, p.substitutions),
    "other_number": other_number,
    "unstated_number": unstated_number,
    **{f"diff_{kind}": _diff(kind) for kind in COMPARED},
    **{f"passage_diff_{kind}": _diff(kind, passage=True) for kind in ("quantity", "date", "entity")},
    **{f"unmatched_{kind}": _unmatched(kind) for kind in ("quantity", "date", "entity")},
    # Last, so that the text features' rows stay as they were: the reader's probabilities (0 when not read).
    "reader_entails": lambda p: p.reader["entails"] if p.reader else 0.0,
    "reader_contradicts": lambda p: p.reader["contradicts"] if p.reader else 0.0,
}
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)
READER_FEATURES: tuple[str, ...] = ("reader_entails", "reader_contradicts")
TEXT_FEATURES: tuple[str, ...] = FEATURE_NAMES[: -len(READER_FEATURES)]  # what a pair's sentence alone gives


def pair_vector(pair: ClaimPair) -> list[float]:
    """The pair's features in ``FEATURE_NAMES`` order."""
    return [FEATURES[name](pair) for name in FEATURE_NAMES]
