"""The shared types of slot comparison: a ``Slot`` (normalised content of a text at its offsets), a ``Difference``
(a claim's slot against the evidence's) and a ``SlotComparison`` (what ``rag.answer.slots.compare_slots`` found, and
its numeric features for the claim model). Standard library only.

Usage::

    from rag.answer.slot_types import COMPARED, Difference, Slot, SlotComparison

    Slot("quantity", 1e8, "GBP", "1亿英镑", 4, 8)
    SlotComparison().features()   # {'diff_quantity': 0.0, ..., 'negation_mismatch': 0.0, 'matched': 0.0, ...}
"""

from __future__ import annotations

from dataclasses import dataclass, field

COMPARED = ("quantity", "date", "entity", "stance", "quantifier", "ordinal")  # negation: see negation_mismatch
SlotValue = float | int | str | tuple[int | None, int | None, int | None]


@dataclass(frozen=True)
class Slot:
    """Normalised content at ``start``/``end`` of its text. value: quantity float, date (year, month, day), entity
    id, stance polarity (+1/-1), quantifier (all/some/majority/minority/only), ordinal int, negation "not".
    unit: quantity base unit (GBP, USD, %, day, country, person, count…), entity class, stance axis, else ""."""

    kind: str
    value: SlotValue
    unit: str
    surface: str
    start: int
    end: int


@dataclass(frozen=True)
class Difference:
    claim: Slot
    evidence: Slot
    kind: str
    listed: tuple[Slot, ...] = ()  # the claim names its entity a member; the source's list of members, without it


@dataclass
class SlotComparison:
    differences: list[Difference] = field(default_factory=list)
    matched: int = 0  # claim slots whose value the evidence states
    unmatched: int = 0  # claim slots the evidence has nothing of that kind and unit to compare with
    negation_mismatch: bool = False
    negation: Difference | None = None  # with a mismatch: the negating side's negation; the other side's slot is empty
    unmatched_by_kind: dict[str, int] = field(default_factory=dict)

    def features(self) -> dict[str, float]:
        """Numeric features, always the same keys, for a classifier fitted on top."""
        feats = {f"diff_{k}": float(sum(d.kind == k for d in self.differences)) for k in COMPARED}
        feats |= {"differences": float(len(self.differences)), "negation_mismatch": float(self.negation_mismatch),
                  "matched": float(self.matched), "unmatched": float(self.unmatched)}
        return feats | {f"unmatched_{k}": float(self.unmatched_by_kind.get(k, 0)) for k in COMPARED}
