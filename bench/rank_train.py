"""Fit the rerank's weights from data (``bench.rank_data``): a listwise softmax (linear in the features).

The rerank scores a candidate as ``w · z`` — ``z`` its features standardized over the question's
candidates (``rag.retrieval.rerank``), ``w`` one weight vector for passages in the question's language and
one for passages in the other — minus a penalty for a passage in a script foreign to its document. Here
those weights are learned: for every tune question, a softmax over its candidates should put its probability
on the gold candidates (a listwise loss, ListNet-style, which weighs the head of the list as R@1 does).
Each question weighs the same within its source, and each source (XQuAD, CMRC, claims) the same in all
(``--weigh direction``: each direction of each source the same instead). The regularization is chosen by
5-fold cross-validation grouped by paragraph, article or document: the strongest (smallest C) whose mean
R@1 over the tune strata is within one standard error of the best (the one-standard-error rule); then the
model is refitted on the whole tune split.

    python -m bench.rank_train --data .cache/rank --out rag/data/rerank_model.json

The fitted vectors are scaled so that the same-language weights' absolute sum equals the hand-set one's
(``Settings`` defaults before): the named-document bonus, set by hand in those units, keeps its meaning.
Reported: R@1 per source and direction, the hand-set weights beside the learned ones, on the tune split
(cross-validated) and on the held-out split (the model never saw it).
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from bench import common

logger = logging.getLogger("bench.rank_train")
ROOT = Path(__file__).resolve().parent.parent
C_GRID = (0.01, 0.1, 1.0, 10.0)


def read(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.open(encoding="utf-8") if line.strip()]


def design(row: dict[str, Any], n_features: int) -> np.ndarray:
    """Per candidate: z-scored features in the same-language block or the cross block, then foreign."""
    from rag.retrieval.rerank import standardize

    x = np.asarray(row["rows"], dtype=float)
    z = np.column_stack([standardize(x[:, j]) for j in range(n_features)])
    same = x[:, n_features:n_features + 1]
    return np.hstack([z * same, z * (1 - same), x[:, n_features + 1:n_features + 2]])


def stratum(row: dict[str, Any], weigh: str) -> str:
    """What weighs the same in the fit: a source (``weigh`` "source") or a source's direction."""
    return row["source"].split("-")[0] + ("" if weigh == "source" else " " + row["direction"])


def lists(rows: list[dict[str, Any]], n_features: int, weigh: str) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Per usable question (a gold and a non-gold candidate): its design matrix, gold mask and weight
    (1 / its stratum's question count)."""
    usable = [r for r in rows if r["gold"] and len(r["gold"]) < len(r["rows"])]
    count: dict[str, int] = defaultdict(int)
    for r in usable:
        count[stratum(r, weigh)] += 1
    out = []
    for r in usable:
        gold = np.zeros(len(r["rows"]), bool)
        gold[r["gold"]] = True
        out.append((design(r, n_features), gold, 1.0 / count[stratum(r, weigh)]))
    return out


def fit(rows: list[dict[str, Any]], n_features: int, c: float, weigh: str = "source") -> np.ndarray:
    """Listwise softmax fit: maximise each question's probability of its gold candidates among its candidates,
    P = sum over gold of exp(s) / sum over all of exp(s), s = w · x; L2 penalty |w|² / (2c)."""
    from scipy.optimize import minimize

    data = lists(rows, n_features, weigh)
    x = np.vstack([d for d, _, _ in data])
    gold = np.concatenate([g for _, g, _ in data])
    starts = np.cumsum([0] + [len(d) for d, _, _ in data])
    weights = np.asarray([w for _, _, w in data])
    weights = weights / weights.sum()
    owner = np.repeat(np.arange(len(data)), np.diff(starts))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = x @ w
        peak = np.maximum.reduceat(s, starts[:-1])[owner]
        e = np.exp(s - peak)
        total = np.add.reduceat(e, starts[:-1])
        good = np.add.reduceat(e * gold, starts[:-1])
        value = -(weights * (np.log(good) - np.log(total))).sum() + (w @ w) / (2 * c * len(data))
        # d/dw: sum_q weight_q (E_all[x] - E_gold[x])
        p_all = e / total[owner]
        p_gold = np.where(gold, e / good[owner], 0.0)
        grad = ((p_all - p_gold) * weights[owner]) @ x + w / (c * len(data))
        return float(value), grad

    result = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return result.x


def scaled(coef: np.ndarray, n_features: int) -> np.ndarray:
    """``coef`` with the same-language weights' absolute sum of the hand-set ones."""
    return coef * np.abs(hand_vector(n_features)[:n_features]).sum() / max(1e-9, np.abs(coef[:n_features]).sum())


def hand_vector(n_features: int) -> np.ndarray:
    """The weights set by hand before (grids on XQuAD's tune half and the dev set): the baseline."""
    from rag.retrieval.rerank import FEATURES
    from rag.settings import RerankWeights

    same = RerankWeights(dense=1.0, question_terms=1.0, fusion=1.0, coverage=0.5, answer_kind=0.5)
    cross = RerankWeights(dense=1.0, gloss=0.25, question_terms=0.25, translated_terms=0.25, fusion=0.25, coverage=1.0,
                          answer_kind=0.5, passage_gloss=0.5)
    vec = [getattr(same, f) for f in FEATURES] + [getattr(cross, f) for f in FEATURES] + [-3.0]
    assert len(vec) == 2 * n_features + 1
    return np.asarray(vec)


def r_at_1(rows: list[dict[str, Any]], coef: np.ndarray, n_features: int, named_bonus: float = 3.0) -> dict[str, float]:
    """R@1 per stratum (source, direction) and their mean; a question without gold candidates is a miss."""
    hits: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        key = f"{r['source']} {r['direction']}"
        if not r["rows"]:
            hits[key].append(0.0)
            continue
        score = design(r, n_features) @ coef + named_bonus * np.asarray(r["rows"], float)[:, n_features + 2]
        hits[key].append(float(int(np.argmax(score)) in r["gold"]))
    out = {k: round(float(np.mean(v)), 4) for k, v in sorted(hits.items())}
    out["mean"] = round(float(np.mean(list(out.values()))), 4) if out else 0.0
    return out


def without(rows: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    """``rows`` with the features ``names`` set to 0 for every candidate (standardized, a constant column is 0:
    the fit then gives it no weight) — a control that is the same fit without them."""
    from rag.retrieval.rerank import FEATURES

    columns = [FEATURES.index(name) for name in names]
    if not columns:
        return rows
    out = []
    for r in rows:
        matrix = [list(candidate) for candidate in r["rows"]]
        for candidate in matrix:
            for j in columns:
                candidate[j] = 0.0
        out.append(dict(r, rows=matrix))
    return out


def folds(rows: list[dict[str, Any]], k: int = 5) -> list[int]:
    """Fold of each row, by its group (paragraph, article, document) — stable across runs."""
    import zlib

    return [zlib.crc32(f"{r['source']}:{r['group']}".encode()) % k for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, nargs="+", default=[ROOT / ".cache" / "rank"])
    parser.add_argument("--out", type=Path, default=ROOT / "rag" / "data" / "rerank_model.json")
    parser.add_argument("--report", type=Path, default=common.RESULTS_DIR / "rank_train.json")
    parser.add_argument("--weigh", choices=["source", "direction"], default="source",
                        help="what weighs the same in the fit: each source, or each source's direction")
    parser.add_argument("--drop", nargs="*", default=[], metavar="FEATURE",
                        help="fit without these features (their weight 0): a control for a new feature")
    args = parser.parse_args()
    common.setup_logging()
    from rag.retrieval.rerank import FEATURES

    n = len(FEATURES)
    rows = without([r for folder in args.data for r in read(folder)], args.drop)
    tune = [r for r in rows if r["split"] == "tune"]
    held = [r for r in rows if r["split"] == "heldout"]
    fold = folds(tune)
    cv: dict[float, dict[str, float]] = {}
    for c in C_GRID:
        predictions: list[dict[str, Any]] = []
        for f in range(5):
            coef = fit([r for r, g in zip(tune, fold, strict=True) if g != f], n, c, args.weigh)
            test = [r for r, g in zip(tune, fold, strict=True) if g == f]
            predictions += [dict(r, _coef=coef) for r in test]
        per = defaultdict(list)
        for r in predictions:
            per[f"{r['source']} {r['direction']}"].append(r_at_1([r], scaled(r["_coef"], n), n)[f"{r['source']} {r['direction']}"])
        cv[c] = {k: round(float(np.mean(v)), 4) for k, v in sorted(per.items())}
        cv[c]["mean"] = round(float(np.mean(list(cv[c].values()))), 4)
        logger.info("C=%g cross-validated tune R@1 %s", c, cv[c])
    top = max(cv[c]["mean"] for c in C_GRID)
    error = float(np.sqrt(top * (1 - top) / max(1, len(tune))))
    best = min(c for c in C_GRID if cv[c]["mean"] >= top - error)  # the one-standard-error rule
    coef = scaled(fit(tune, n, best, args.weigh), n)
    hand = hand_vector(n)
    report = {
        "C": best, "cv": {str(c): v for c, v in cv.items()},
        "tune": {"hand": r_at_1(tune, hand, n), "learned (in-sample)": r_at_1(tune, coef, n)},
        "heldout": {"hand": r_at_1(held, hand, n), "learned": r_at_1(held, coef, n)},
    }
    model = {
        "features": list(FEATURES),
        "same_language": {f: round(float(v), 4) for f, v in zip(FEATURES, coef[:n], strict=True)},
        "cross_language": {f: round(float(v), 4) for f, v in zip(FEATURES, coef[n:2 * n], strict=True)},
        "foreign_penalty": round(float(-coef[2 * n]), 4),
        "trained": {"command": f"python -m bench.rank_data --out .cache/rank && python -m bench.rank_train --weigh {args.weigh}"
                                   + "".join(f" --drop {name}" for name in args.drop),
                    "code": common.code_state(), "questions": len(tune), "C": best, "weigh": args.weigh,
                    "cross_validated_tune_r1": cv[best], "heldout_r1": report["heldout"]["learned"]},
    }
    args.out.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    common.write_result(args.report, report)
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
