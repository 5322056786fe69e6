"""Claim-model variants compared out of fold on the tune half alone (never the held-out half): with or without the
near misses (``bench.claims.near_miss``) in the fit, their weight, interactions with the language pair. Every
variant's "supported" threshold is chosen on all tune rows, near misses included (what the product meets), for
precision 0.95; reported: accuracy on all rows, on the claims alone and per pair, near misses right and called
supported.

Usage::

    python -m bench.claims_variants            # needs the cached features and reader scores of the tune half
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import numpy as np

from bench import common
from bench.claims import (
    NEAR_MISS,
    claim_folds,
    claim_vectors,
    fit_relevance,
    lowest_threshold,
    read_features,
    read_reader,
)

logger = logging.getLogger("bench.claims_variants")
PAIRS = ("en/zh", "zh/en", "en/en", "zh/zh")


def out_of_fold(x: np.ndarray, y: np.ndarray, folds: np.ndarray, weight: np.ndarray, c: float) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    x = (x - x.mean(0)) / np.where(x.std(0) < 1e-6, 1.0, x.std(0))
    p = np.zeros((len(y), 3))
    for fold in sorted(set(folds.tolist())):
        inside = folds == fold
        train = ~inside & (weight > 0)
        classifier = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
        classifier.fit(x[train], y[train], sample_weight=weight[train])
        p[np.ix_(inside, classifier.classes_)] = classifier.predict_proba(x[inside])
    return p


def summary(rows: list[dict[str, Any]], p: np.ndarray, y: np.ndarray, near: np.ndarray, pair: np.ndarray) -> dict[str, float]:
    from rag.answer.claim_model import VERDICTS, decide

    threshold = lowest_threshold(rows, p[:, 0].tolist(), 0.95)
    v = np.array([VERDICTS.index(decide(dict(zip(VERDICTS, q, strict=True)), threshold)) for q in p.tolist()])
    right = v == y
    out = {"threshold": threshold, "all": right.mean(), "claims": right[~near].mean(), "near_right": right[near].mean(),
           "near_supported": (v[near] == 0).mean(), "precision": ((y == 0) & (v == 0)).sum() / max(1, (v == 0).sum())}
    out |= {p_: right[~near & (pair == p_)].mean() for p_ in PAIRS}
    return {k: round(float(val), 3) for k, val in out.items()}


def main() -> None:
    common.setup_logging()
    from rag.answer.claim_model import VERDICTS, ClaimModel, vector_names

    rows = read_features("tune")
    names = vector_names()
    n = len(names)
    model = ClaimModel(names, np.zeros(n), np.ones(n), np.zeros((3, n)), np.zeros(3), 0.5, relevance=fit_relevance(rows, 1.0))
    x = claim_vectors(rows, model, read_reader("tune"))
    y = np.array([VERDICTS.index(r["label"]) for r in rows])
    folds = np.array(claim_folds(rows))
    near = np.array([r["id"].endswith(NEAR_MISS) for r in rows])
    pair = np.array([f"{r['claim_lang']}/{r['source_lang']}" for r in rows])
    crossed = np.hstack([x, x * x[:, [names.index("best_cross_language")]]])
    variants = {
        "without near misses in the fit": (x, np.where(near, 0.0, 1.0), 0.1),
        "near misses, weight 1": (x, np.ones(len(y)), 0.1),
        "near misses, weight 0.5": (x, np.where(near, 0.5, 1.0), 0.1),
        "near misses, x cross-language": (crossed, np.ones(len(y)), 0.1),
        "near misses 0.5, x cross-language": (crossed, np.where(near, 0.5, 1.0), 0.1),
    }
    table = [[name, *summary(rows, out_of_fold(v, y, folds, w, c), y, near, pair).values()]
             for name, (v, w, c) in variants.items()]
    header = ["variant", "threshold", "all", "claims", "near misses right", "near misses supported", "precision", *PAIRS]
    logger.info("tune half, out of fold (%d rows, %d near misses)\n%s", len(rows), int(near.sum()),
                common.markdown_table(header, table))


if __name__ == "__main__":
    sys.exit(main())
