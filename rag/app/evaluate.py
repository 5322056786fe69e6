"""Evaluation on a QA file in the format of ``shared/eval/dev_qa.jsonl``.

Retrieval: Recall@1/5/10 (share of a question's evidence quotes held by the top-k passages), MRR@10
and nDCG@10, overall, per question language and per type. A passage holds a quote when it comes from
the quote's document and contains it after folding and white-space removal, or contains at least
``min_fraction`` of it when a chunk border cuts it. A gold quote is copied from the source file with its
footnote marks ("…技术对话63："), which normalization leaves out of the indexed text: quote and passage are
compared without the marks the document's note list confirms (``rag.text.footnotes``, as normalization reads
them), so a quote is found whether or not the index kept its marks.
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

from rag.text.footnotes import without_confirmed_marks
from rag.text.normalize import compact, fold_text

QUOTE_MIN_FRACTION = 0.6
EVAL_DEPTH = 10  # passages the retrieval metrics look at (Recall@10, MRR@10, nDCG@10)


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


Notes = dict[str, frozenset[int]]  # file name -> its document's note numbers


def document_notes(qa: Any) -> Notes:
    """File name -> the note numbers of its document (its record's note list; empty: none)."""
    return {name: frozenset(int(n) for n in record.notes) for record in qa.documents() for name in record.names}


def holds_quote(doc: str, text: str, quote_doc: str, quote: str, min_fraction: float = QUOTE_MIN_FRACTION,
                notes: Notes | None = None) -> bool:
    """Whether passage ``text`` of ``doc`` holds ``quote`` of ``quote_doc``; given ``notes``, both read without
    the footnote marks the document's note list confirms (``without_confirmed_marks``)."""
    if doc != quote_doc:
        return False
    if notes is not None:
        numbers = notes.get(doc, frozenset())
        text, quote = (without_confirmed_marks(fold_text(t), numbers) for t in (text, quote))
    passage, needle = compact(text), compact(quote)
    if not needle:
        return False
    if needle in passage:
        return True
    match = SequenceMatcher(None, passage, needle, autojunk=False).find_longest_match(0, len(passage), 0, len(needle))
    return match.size >= min_fraction * len(needle)


def evidence_ranks(item: QAItem, passages: Sequence[tuple[str, str]], notes: Notes | None = None) -> list[int | None]:
    """For each evidence quote, the 1-based rank of the first passage holding it (None if absent)."""
    ranks: list[int | None] = []
    for evidence in item.evidence:
        rank = next((i + 1 for i, (doc, text) in enumerate(passages)
                     if holds_quote(doc, text, evidence["doc"], evidence["quote"], notes=notes)), None)
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


def relevant_flags(item: QAItem, passages: Sequence[tuple[str, str]], notes: Notes | None = None) -> list[bool]:
    return [
        any(holds_quote(doc, text, e["doc"], e["quote"], notes=notes) for e in item.evidence) for doc, text in passages
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
    columns = [c for c in columns if any(c in row for row in table.values())]
    lines = ["| group | n | " + " | ".join(columns) + " |", "|---" * (len(columns) + 2) + "|"]
    for key, row in table.items():
        cells = [f"{row[c]:.3f}" if isinstance(row.get(c), float) else "–" for c in columns]
        lines.append(f"| {key} | {int(row['n'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def answer_metrics(item: QAItem, answer: Any, notes: Notes | None = None) -> dict[str, float]:
    """Answer-level metrics of one item (see BENCHMARKS.md for their definitions)."""
    out: dict[str, float] = {}
    if item.mode == "claim":
        expected = "supported" if item.type == "claim_true" else "contradicted"
        out["claim_accuracy"] = float(answer.verdict == expected)
        return out
    if item.answerable:
        out["false_refusal"] = float(answer.refused)
        # A cited passage holds a gold quote; stricter: a cited *sentence* holds (60% of) one.
        out["cited_evidence"] = float(
            any(
                holds_quote(c.doc, c.passage or c.text, e["doc"], e["quote"], notes=notes)
                for c in answer.citations for e in item.evidence
            )
        )
        out["cited_sentence_evidence"] = float(
            any(holds_quote(c.doc, c.text, e["doc"], e["quote"], notes=notes) for c in answer.citations for e in item.evidence)
        )
    else:
        out["correct_refusal"] = float(answer.refused)
    return out


def run_evaluation(qa: Any, path: Path) -> dict[str, Any]:
    """Retrieval and answer metrics for every item of a QA file, through one loaded ``PolicyQA``."""
    rows: list[tuple[QAItem, dict[str, float]]] = []
    per_item: list[dict[str, Any]] = []
    latencies: list[float] = []
    notes = document_notes(qa)
    for item in load_qa(path):
        metrics: dict[str, float] = {}
        ranks: list[int | None] = []
        answer = qa.ask(item.question, mode=item.mode)
        if item.answerable and item.evidence:
            # The passages the answer was built from (the claim check retrieves the bare statement).
            passages = [(h.doc, h.text) for h in answer.contexts[:EVAL_DEPTH]]
            if len(answer.contexts) < EVAL_DEPTH:
                passages = [(h.doc, h.text) for h in qa.retriever.run(item.question, k=EVAL_DEPTH).hits]
            ranks = evidence_ranks(item, passages, notes)
            metrics.update(retrieval_metrics(ranks, relevant_flags(item, passages, notes)))
        latencies.append(answer.timings_ms.get("total", 0.0))
        metrics.update(answer_metrics(item, answer, notes))
        rows.append((item, metrics))
        # Which item moved, and where each of its evidence quotes ranks (None: not in the top EVAL_DEPTH).
        per_item.append({"id": item.id, "lang": item.lang, "type": item.type, "evidence_ranks": ranks,
                         **{name: round(value, 3) for name, value in metrics.items()}})
    latencies.sort()
    p50 = latencies[len(latencies) // 2] if latencies else 0.0
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] if latencies else 0.0
    return {"table": aggregate(rows), "latency_ms": {"p50": p50, "p95": p95}, "items": len(rows),
            "per_item": per_item}
