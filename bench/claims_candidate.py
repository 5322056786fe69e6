"""A claim-check candidate against its control on the tune half, out of fold (never the held-out half): the loop each
slot or feature candidate of sessions 25–27 went through, as commands instead of scratch scripts.

1. ``recompute``: the sentence-level slot columns of the cached claim rows (``bench/results/claims-features-*.jsonl``)
   recomputed with the current ``rag.answer.slots`` into a folder, the reader's cached scores beside them. A slot
   change does not change retrieval or the candidates, so this stands for ``python -m bench.claims features`` (run
   that for a change to anything else, with ``RESULTS_DIR`` pointed at the folder, e.g. by ``--results``).
2. ``compare``: for each folder, the reader claim model fitted in memory as ``python -m bench.claims fit --reader``
   fits it (step 1, then C from the grid by out-of-fold accuracy; the 4,410 claims of ``FIT_IDS``), its
   probabilities out of fold (folds of documents, the near misses weighing 0), and the verdicts at the fitted
   threshold — and, with ``--threshold``, at a fixed one as well: the fitted threshold falls when a candidate
   separates the claims better and lets near misses in, so a candidate is read at both (journal, session 27).

Usage::

    python -m bench.claims_candidate recompute --half tune --out /tmp/cand      # after changing rag.answer.slots
    git stash; python -m bench.claims_candidate recompute --half tune --out /tmp/ctl; git stash pop
    python -m bench.claims_candidate compare /tmp/ctl /tmp/cand --threshold 0.53 --min-precision-near-misses 0.878
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bench import common

logger = logging.getLogger("bench.claims_candidate")
GRID = (0.03, 0.1, 0.3, 1.0)  # the shipped fit's --c-grid
KINDS = ("number", "date", "entity", "negation", "stance", "quantifier", "restate_cross", "omission",
         "unsupported_detail", "restate_same", "translated")
PAIRS = ("zh/zh", "en/zh", "zh/en", "en/en")


def slot_columns(claim: str, sentence: str) -> dict[str, float]:
    """The claim features the sentence-level slot comparison gives (``rag.answer.claim_features.sentence_columns``)."""
    from rag.answer.claim_features import sentence_columns
    from rag.answer.slots import compare_slots

    return sentence_columns(compare_slots(claim, sentence))


def recompute(half: str, out: Path, source: Path | None = None) -> dict[str, int]:
    """The half's cached rows with their slot columns recomputed, written to ``out``; cells changed per column."""
    from rag.answer.claim_features import FEATURE_NAMES
    from rag.answer.claims import strip_claim

    source = source or common.RESULTS_DIR
    out.mkdir(parents=True, exist_ok=True)
    changed: dict[str, int] = {}
    with open(out / f"claims-features-{half}.jsonl", "w", encoding="utf-8") as written:
        for line in (source / f"claims-features-{half}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            claim = strip_claim(row["claim"])
            for pair, sentence in zip(row["pairs"], row["sentences"], strict=True):
                for name, value in slot_columns(claim, sentence).items():
                    column = FEATURE_NAMES.index(name)
                    changed[name] = changed.get(name, 0) + (abs(pair[column] - value) > 1e-9)
                    pair[column] = value
            written.write(json.dumps(row, ensure_ascii=False) + "\n")
    reader = source / f"claims-reader-{half}.jsonl"
    if reader.exists():
        shutil.copy(reader, out / reader.name)
    return changed


def metrics(rows: list[dict[str, Any]], probabilities: np.ndarray, threshold: float, quotes: bool = True) -> dict[str, float]:
    """Claims accuracy (near misses aside), "supported" precision with and without the near misses, the share of
    near misses called supported, accuracy per language pair and per transform. ``quotes``: a quoted claim is
    supported, as the product says (``bench.claims.quoted_rows``); False reads the model alone."""
    from bench.claims import NEAR_MISS, quoted_rows, quotes_supported
    from rag.answer.claim_model import VERDICTS, decide

    y = np.array([VERDICTS.index(r["label"]) for r in rows])
    verdicts = [decide(dict(zip(VERDICTS, p, strict=True)), threshold) for p in probabilities.tolist()]
    if quotes:
        verdicts = quotes_supported(verdicts, quoted_rows(rows))
    v = np.array([VERDICTS.index(verdict) for verdict in verdicts])
    near = np.array([r["id"].endswith(NEAR_MISS) for r in rows])
    right = v == y
    said = v == 0
    out = {"threshold": threshold, "claims": right[~near].mean(),
           "precision": ((y == 0) & said & ~near).sum() / max(1, (said & ~near).sum()),
           "precision_with_near_misses": ((y == 0) & said).sum() / max(1, said.sum()),
           "near_misses_supported": said[near].mean() if near.any() else float("nan")}
    pairs = np.array([f"{r['claim_lang']}/{r['source_lang']}" for r in rows])
    kinds = np.array([r["transform"] for r in rows])
    out |= {pair: right[~near & (pairs == pair)].mean() for pair in PAIRS if (~near & (pairs == pair)).any()}
    out |= {kind: right[~near & (kinds == kind)].mean() for kind in KINDS if (~near & (kinds == kind)).any()}
    return {k: round(float(x), 4) for k, x in out.items()}


def evaluate(results: Path, threshold: float | None = None, floor: float = 0.0,
             every_claim: bool = False) -> dict[str, dict[str, float]]:
    """The folder's reader claim model fitted as shipped, read out of fold: metrics at its fitted threshold and,
    given ``threshold``, at that one. ``floor``: the fitted threshold also keeps the precision with near misses
    (``fit --min-precision-near-misses``). ``every_claim``: the tune claims the models are not fitted on (the 715 the
    local LLM translated from the Chinese documents) are read too and scored with the rest — never fitted on, nor in
    the threshold's choice."""
    from bench import claims as bc
    from bench.claims_variants import out_of_fold
    from rag.answer.claim_model import VERDICTS, vector_names

    previous = common.RESULTS_DIR
    common.RESULTS_DIR = results
    try:
        model = bc.fit_model(1.0, 0.95, True, list(GRID), False, bc.FIT_IDS, floor)
        ids = set(bc.FIT_IDS.read_text(encoding="utf-8").split())
        every = bc.read_features("tune")
        unfitted = [r for r in every if every_claim and r["id"] not in ids and not r["id"].endswith(bc.NEAR_MISS)]
        rows = bc.only_claims(every, ids) + unfitted
        x = bc.claim_vectors(rows, model, bc.read_reader("tune"))[:, [vector_names().index(n) for n in model.features]]
    finally:
        common.RESULTS_DIR = previous
    y = np.array([VERDICTS.index(r["label"]) for r in rows])
    near = np.array([r["id"].endswith(bc.NEAR_MISS) for r in rows])
    fit = np.array([r["id"].removesuffix(bc.NEAR_MISS) in ids for r in rows])
    p = out_of_fold(x, y, np.array(bc.claim_folds(rows)), np.where(near | ~fit, 0.0, 1.0), float(model.trained["c"]))
    chosen = [r for r, f in zip(rows, fit, strict=True) if f]
    fitted = bc.lowest_threshold(chosen, p[fit, 0].tolist(), 0.95, floor) if floor > 0 else bc.lowest_threshold(
        [r for r, n, f in zip(rows, near, fit, strict=True) if f and not n], p[fit & ~near, 0].tolist(), 0.95)
    result = {"fitted": metrics(rows, p, fitted) | {"c": float(model.trained["c"])}}
    if threshold is not None:
        result["fixed"] = metrics(rows, p, threshold)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    again = sub.add_parser("recompute", help="slot columns of the cached rows recomputed with the current code")
    again.add_argument("--half", choices=("tune", "heldout"), required=True)
    again.add_argument("--out", type=Path, required=True)
    against = sub.add_parser("compare", help="folders' reader claim models, tune out of fold")
    against.add_argument("folders", type=Path, nargs="+", help="the control first")
    against.add_argument("--threshold", type=float, default=None, help="also read at this fixed threshold")
    against.add_argument("--min-precision-near-misses", type=float, default=0.0,
                         help="the fitted threshold also keeps this precision with the near misses counted")
    against.add_argument("--every-claim", action="store_true",
                         help="also score the tune claims the models are not fitted on (never fitted on)")
    args = parser.parse_args()
    common.setup_logging()
    if args.command == "recompute":
        logger.info("%s: cells changed %s", args.half, recompute(args.half, args.out))
        return
    results = {str(folder): evaluate(folder, args.threshold, args.min_precision_near_misses, args.every_claim)
               for folder in args.folders}
    for which in ("fitted", "fixed"):
        if all(which in r for r in results.values()):
            keys = list(next(iter(results.values()))[which])
            table = [[k, *(f"{r[which].get(k, float('nan')):.4f}" for r in results.values())] for k in keys]
            logger.info("tune, out of fold, %s threshold\n%s", which,
                        common.markdown_table(["", *(Path(f).name for f in results)], table))


if __name__ == "__main__":
    sys.exit(main())
