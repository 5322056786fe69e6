"""Dev check of the refusal on the policy documents: each answerable dev question asked again with every retrieved
passage that holds one of its gold evidence quotes left out — the question's near miss on the real corpus (its
document and neighbours are there, its answer is not). A check, never a target: 25 questions, not fitted on.

For each question: whether the full hits are answered (they should be) and whether the hits without the gold
passages are refused (they should be, unless another passage states the answer too: those answered are listed
with the sentences they cite, to be read).

Usage::

    RAG_INDEX_DIR=/tmp/idx python -m rag ingest corpus      # an index of corpus/ alone, as for `rag eval`
    RAG_INDEX_DIR=/tmp/idx python -m bench.dev_near_misses --out bench/results/dev-near-misses.json
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from bench import common

logger = logging.getLogger("bench.dev_near_misses")
DEV = common.PROJECT.parent / "shared" / "eval" / "dev_qa.jsonl"


def check(qa: Any, item: Any, notes: Any) -> dict[str, Any]:
    """The question answered on its full hits and on its hits without the gold passages."""
    from rag.answer.compose import answering_evidence
    from rag.app.evaluate import holds_quote

    result = qa.retriever.run(item.question, k=qa.settings.answer_contexts)
    similarity = qa.similarity(result.query.vector)
    reader = qa.reader("question")

    def gold(hit: Any) -> bool:
        return any(holds_quote(hit.doc, hit.text, e["doc"], e["quote"], notes=notes) for e in item.evidence)

    left = [h for h in result.hits if not gold(h)]
    full = answering_evidence(result.query, result.hits, qa.settings, similarity, reader)
    near = answering_evidence(result.query, left, qa.settings, similarity, reader)
    return {"id": item.id, "type": item.type, "lang": item.lang, "gold_passages_removed": len(result.hits) - len(left),
            "answered_full": bool(full.chosen), "answered_without_gold": bool(near.chosen),
            "confident_full": bool(full.chosen) and full.confident,
            "confident_without_gold": bool(near.chosen) and near.confident,
            "p_full": probability(result.query, result.hits, qa, similarity, reader),
            "p_without_gold": probability(result.query, left, qa, similarity, reader),
            "cited_without_gold": [s.text[:160] for s in near.chosen]}


def probability(query: Any, hits: list[Any], qa: Any, similarity: Any, reader: Any) -> dict[str, Any]:
    """The learned decision's group, P(answerable) and threshold for these hits (what ``answering_evidence`` reads)."""
    from rag.answer.answerability_model import shipped_model
    from rag.answer.compose import evidence_case
    from rag.retrieval.query import without_markup

    case = evidence_case(without_markup(query), hits, qa.settings, similarity, reader)
    if case.strongest is None:
        return {"group": None, "p": 0.0, "threshold": None}
    model = shipped_model(case)
    group = model.group_of(case)
    return {"group": case.group, "p": round(model.probability(case), 3), "threshold": group.threshold,
            "confident_from": group.confident_from}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--qa", type=Path, default=DEV)
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR / "dev-near-misses.json")
    args = parser.parse_args()
    common.setup_logging()
    from rag.app.evaluate import document_notes, load_qa
    from rag.app.service import PolicyQA
    from rag.settings import Settings

    with PolicyQA.open(Settings()) as qa:
        notes = document_notes(qa)
        rows = [check(qa, item, notes) for item in load_qa(args.qa) if item.answerable and item.evidence
                and item.mode != "claim"]
    probed = [r for r in rows if r["gold_passages_removed"]]
    summary = {"questions": len(rows), "with_gold_retrieved": len(probed),
               "answered_full": round(sum(r["answered_full"] for r in rows) / max(1, len(rows)), 3),
               "refused_without_gold": round(sum(not r["answered_without_gold"] for r in probed) / max(1, len(probed)), 3),
               # the answer's confidence (rag.answer.compose.hedged): good answers said with low confidence, and the
               # near misses answered with confidence
               "answered_full_with_low_confidence": round(sum(r["answered_full"] and not r["confident_full"] for r in rows)
                                                          / max(1, sum(r["answered_full"] for r in rows)), 3),
               "answered_without_gold_with_confidence": round(sum(r["confident_without_gold"] for r in probed)
                                                              / max(1, len(probed)), 3)}
    logger.info("%s", summary)
    common.write_result(args.out, {"benchmark": "dev near misses (a check)", "machine": common.machine_info(),
                                   "code": common.code_state(), "summary": summary, "items": rows})


if __name__ == "__main__":
    sys.exit(main())
