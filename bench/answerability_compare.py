"""Two refusal models compared on the same questions, with paired paragraph-bootstrap intervals per split.

Why: a decision rule such as "false refusal among held evidence ≤ shipped + 0.01 in every split" reads point rates
of about 250 answerable questions a split, whose paired difference moves by about 0.01 from sampling alone, so a
refit can fail (or pass) it by chance (journal, session 20). Here each split's difference (new − base) in false
refusal where the evidence holds the answer, in false refusal overall and in correct refusal comes with a 95 %
interval from resampling the split's paragraphs (a paragraph's questions fail together, as in
``bench.answerability.choose_threshold``), both models read on the same resample.

Usage::

    python -m bench.answerability_compare --reader --new /tmp/candidate.json      # base: the shipped reader model
    python -m bench.answerability_compare --new A.json --base B.json --half tune --out bench/results/x.json

Nothing here decides: a rule that reads these intervals must be stated before its look (docs/journal.md).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench import common
from bench.answerability import (
    CACHE,
    MODEL_OUT,
    READER_MODEL_OUT,
    ReaderScores,
    Vectors,
    by_split,
    evaluate_records,
    load_cache,
    probabilities,
)

logger = logging.getLogger("bench.answerability_compare")
RESAMPLES = 2000  # paragraph resamples per split (the 2.5th/97.5th percentiles settle to ±0.002 by then)


def refusals(rows: list[dict[str, Any]], model: Any) -> np.ndarray:
    """Whether ``model`` refuses each row at its group's threshold (no evidence or a veto: refused)."""
    p = probabilities(rows, model)
    thresholds = np.asarray([model.groups[r["group"]].threshold for r in rows])
    return p < thresholds


def rate_kinds(row: dict[str, Any]) -> dict[str, bool]:
    """Which rates a row counts in: false refusal (answerable), false refusal where the chosen evidence holds the
    answer, correct refusal (near miss)."""
    return {"false_refusal": row["indexed"], "false_refusal_evidence_held": row["indexed"] and row["holds"],
            "correct_refusal": not row["indexed"]}


def paired(rows: list[dict[str, Any]], base: np.ndarray, new: np.ndarray, resamples: int = RESAMPLES,
           seed: int = 0) -> dict[str, dict[str, dict[str, float]]]:
    """Per split and rate: base, new, new − base and its 95 % paragraph-bootstrap interval."""
    rng = np.random.default_rng(seed)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for key, idx in by_split(rows).items():
        paragraphs = sorted({rows[i]["paragraph"] for i in idx})
        where = {para: k for k, para in enumerate(paragraphs)}
        draws = rng.integers(0, len(paragraphs), size=(resamples, len(paragraphs)))
        weights = np.stack([np.bincount(d, minlength=len(paragraphs)) for d in draws]).astype(float)
        out[key] = {}
        for rate in ("false_refusal_evidence_held", "false_refusal", "correct_refusal"):
            counted = [i for i in idx if rate_kinds(rows[i])[rate]]
            if not counted:
                continue
            den, num_base, num_new = (np.zeros(len(paragraphs)) for _ in range(3))
            for i in counted:
                k = where[rows[i]["paragraph"]]
                den[k] += 1
                num_base[k] += base[i]
                num_new[k] += new[i]
            with np.errstate(invalid="ignore", divide="ignore"):
                diffs = (weights @ num_new - weights @ num_base) / (weights @ den)
            diffs = diffs[np.isfinite(diffs)]
            out[key][rate] = {"n": int(den.sum()), "base": round(float(num_base.sum() / den.sum()), 4),
                              "new": round(float(num_new.sum() / den.sum()), 4),
                              "diff": round(float((num_new.sum() - num_base.sum()) / den.sum()), 4),
                              "low": round(float(np.percentile(diffs, 2.5)), 4),
                              "high": round(float(np.percentile(diffs, 97.5)), 4)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--new", type=Path, required=True, help="the candidate model file")
    parser.add_argument("--base", type=Path, default=None, help="default: the shipped model (the reader one with --reader)")
    parser.add_argument("--reader", action="store_true", help="read the reader's scores (models fitted with them)")
    parser.add_argument("--half", choices=("tune", "held-out"), default="held-out")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    common.setup_logging()
    from rag.answer.answerability_model import load_model

    base_path = args.base or (READER_MODEL_OUT if args.reader else MODEL_OUT)
    settings = common.make_settings(Path(tempfile.gettempdir()) / "unused-index")
    reader = ReaderScores(args.cache, args.half) if args.reader else None
    rows = evaluate_records(load_cache(args.cache, args.half), settings,
                            Vectors(args.cache / f"vectors-{args.half}.pkl"), reader)
    result = paired(rows, refusals(rows, load_model(base_path)), refusals(rows, load_model(args.new)))
    table = [(key, rate, v["n"], f"{v['base']:.3f}", f"{v['new']:.3f}", f"{v['diff']:+.3f}",
              f"[{v['low']:+.3f}, {v['high']:+.3f}]") for key, rates in result.items() for rate, v in rates.items()]
    print(common.markdown_table(["split", "rate", "n", "base", "new", "new − base", "95 % interval"], table))
    if args.out:
        common.write_result(args.out, {"benchmark": f"answerability, paired comparison ({args.half} half)",
                                       "base": str(base_path), "new": str(args.new), "resamples": RESAMPLES,
                                       "results": result})


if __name__ == "__main__":
    sys.exit(main())
