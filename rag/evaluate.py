"""Evaluation on a QA file in the format of ``shared/eval/dev_qa.jsonl``.

Retrieval: Recall@1/5/10 (share of a question's evidence quotes held by the top-k passages), MRR@10
and nDCG@10, overall, per question language and per type. A passage holds a quote when it comes from
the quote's document and contains it after folding and white-space removal, or contains at least
``min_fraction`` of it when a chunk border cuts it.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from rag.normalize import compact

QUOTE_MIN_FRACTION = 0.6


@dataclass
class QAItem:
    id: str
    lang: str
    type: str
    question: str
    answer: str = ""
    evidence: list[dict[str, str]] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"

    @property
    def mode(self) -> str:
        return "claim" if self.type.startswith("claim_") else "answer"


def load_qa(path: Path) -> list[QAItem]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            items.append(QAItem(**{k: data[k] for k in QAItem.__dataclass_fields__ if k in data}))
    return items


def holds_quote(doc: str, text: str, quote_doc: str, quote: str, min_fraction: float = QUOTE_MIN_FRACTION) -> bool:
    if doc != quote_doc:
        return False
    passage, needle = compact(text), compact(quote)
    if not needle:
        return False
    if needle in passage:
        return True
    match = SequenceMatcher(None, passage, needle, autojunk=False).find_longest_match(0, len(passage), 0, len(needle))
    return match.size >= min_fraction * len(needle)


def evidence_ranks(item: QAItem, passages: Sequence[tuple[str, str]]) -> list[int | None]:
    """For each evidence quote, the 1-based rank of the first passage holding it (None if absent)."""
    ranks: list[int | None] = []
    for evidence in item.evidence:
        rank = next(
            (i + 1 for i, (doc, text) in enumerate(passages) if holds_quote(doc, text, evidence["doc"], evidence["quote"])),
            None,
        )
        ranks.append(rank)
    return ranks


def retrieval_metrics(ranks: list[int | None], passages_relevant: list[bool]) -> dict[str, float]:
    """Metrics of one question from its evidence ranks and the relevance of each retrieved passage."""
    n = len(ranks)
    out = {f"recall@{k}": sum(1 for r in ranks if r is not None and r <= k) / n for k in (1, 5, 10)}
    first = next((i + 1 for i, rel in enumerate(passages_relevant[:10]) if rel), None)
    out["mrr@10"] = 1.0 / first if first else 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, rel in enumerate(passages_relevant[:10]) if rel)
    ideal_hits = min(10, max(1, n))
    idcg = sum(1.0 / math.log2(i + 2) for i in range(ideal_hits))
    out["ndcg@10"] = min(1.0, dcg / idcg)
    return out


def relevant_flags(item: QAItem, passages: Sequence[tuple[str, str]]) -> list[bool]:
    return [
        any(holds_quote(doc, text, e["doc"], e["quote"]) for e in item.evidence) for doc, text in passages
    ]


def aggregate(rows: Iterable[tuple[QAItem, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Mean of each metric overall, per language and per type (keys 'all', 'lang:en', 'type:list'…)."""
    groups: dict[str, list[dict[str, float]]] = defaultdict(list)
    for item, metrics in rows:
        for key in ("all", f"lang:{item.lang}", f"type:{item.type}"):
            groups[key].append(metrics)
    table: dict[str, dict[str, float]] = {}
    for key, values in sorted(groups.items()):
        names = sorted({name for m in values for name in m})
        table[key] = {"n": float(len(values))}
        for name in names:
            present = [m[name] for m in values if name in m]
            table[key][name] = round(sum(present) / len(present), 3) if present else float("nan")
    return table


def format_table(table: dict[str, dict[str, Any]]) -> str:
    columns = sorted({c for row in table.values() for c in row if c != "n"})
    lines = ["| group | n | " + " | ".join(columns) + " |", "|---" * (len(columns) + 2) + "|"]
    for key, row in table.items():
        cells = [f"{row.get(c, float('nan')):.3f}" if isinstance(row.get(c), float) else "" for c in columns]
        lines.append(f"| {key} | {int(row['n'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
