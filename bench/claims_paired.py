"""A candidate's claim verdicts against its control's, row by row: the difference in accuracy overall and per language
pair with a paired bootstrap interval over source documents (the tune half's unit of dependence: its folds and its
claims are drawn by document). Reads the per-row verdicts ``compare --verdicts`` writes for each folder, so the two may
come from different code (a candidate with a new column, its control on main). A reading that says how far a pair's
difference is from its sampling swing; a candidate's rule says which bar it must meet (journal, session 45).

Usage::

    python -m bench.claims_candidate compare bench/results --c-grid 0.03 --verdicts /tmp/v     # on main
    python -m bench.claims_candidate compare /tmp/cand --c-grid 0.03 --verdicts /tmp/v         # on the candidate
    python -m bench.claims_paired /tmp/v/results.jsonl /tmp/v/cand.jsonl [--at matched] [--resamples 2000]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from bench import common
from bench.claims import NEAR_MISS
from bench.claims_candidate import PAIRS

logger = logging.getLogger("bench.claims_paired")


def paired_interval(control: np.ndarray, candidate: np.ndarray, groups: list[str], resamples: int = 2000,
                    level: float = 0.9, seed: int = 0) -> tuple[float, float, float]:
    """Mean of ``candidate`` − ``control`` (each 1 where a row is right) and its ``level`` interval from resampling
    the ``groups`` (documents) with replacement, the same rows for both sides."""
    control, candidate = np.asarray(control, dtype=float), np.asarray(candidate, dtype=float)
    names, index = np.unique(np.asarray(groups), return_inverse=True)
    right = np.bincount(index, weights=candidate - control, minlength=len(names))
    size = np.bincount(index, minlength=len(names)).astype(float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(names), size=(resamples, len(names)))
    diffs = right[draws].sum(axis=1) / np.maximum(size[draws].sum(axis=1), 1.0)
    tail = (1.0 - level) / 2
    return float((candidate - control).mean()), float(np.quantile(diffs, tail)), float(np.quantile(diffs, 1 - tail))


def read_verdicts(path: Path) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r}


def paired_table(control: dict[str, dict[str, Any]], candidate: dict[str, dict[str, Any]], at: str = "fitted",
                 resamples: int = 2000) -> list[dict[str, Any]]:
    """Per slice (all claims, each language pair): claims, control and candidate accuracy, difference and interval;
    the claims both files hold, near misses aside; a control without ``at`` (the control of ``--matched``) read at
    "fitted", a candidate without it refused."""
    ids = sorted(i for i in control.keys() & candidate.keys() if not i.endswith(NEAR_MISS))
    if not ids:
        raise SystemExit("the two files share no claim")
    if any(at not in candidate[i] for i in ids):
        raise SystemExit(f"the candidate's verdicts hold no {at!r} reading (compare --matched / --threshold)")
    a = np.array([control[i].get(at, control[i]["fitted"]) == control[i]["label"] for i in ids])
    b = np.array([candidate[i][at] == candidate[i]["label"] for i in ids])
    pairs = np.array([control[i]["pair"] for i in ids])
    documents = [control[i]["document"] for i in ids]
    out = []
    for name in ("all", *PAIRS):
        inside = np.ones(len(ids), dtype=bool) if name == "all" else pairs == name
        if not inside.any():
            continue
        diff, low, high = paired_interval(a[inside], b[inside], [d for d, k in zip(documents, inside) if k], resamples)
        out.append({"slice": name, "claims": int(inside.sum()), "control": float(a[inside].mean()),
                    "candidate": float(b[inside].mean()), "difference": diff, "low": low, "high": high})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("control", type=Path)
    parser.add_argument("candidate", type=Path)
    parser.add_argument("--at", default="fitted", choices=("fitted", "fixed", "matched"))
    parser.add_argument("--resamples", type=int, default=2000)
    args = parser.parse_args()
    common.setup_logging()
    table = paired_table(read_verdicts(args.control), read_verdicts(args.candidate), args.at, args.resamples)
    rows = [[t["slice"], str(t["claims"]), f"{t['control']:.4f}", f"{t['candidate']:.4f}", f"{t['difference']:+.4f}",
             f"[{t['low']:+.4f}, {t['high']:+.4f}]"] for t in table]
    logger.info("%s vs %s at %s\n%s", args.candidate, args.control, args.at,
                common.markdown_table(["", "claims", "control", "candidate", "difference", "90 % by document"], rows))


if __name__ == "__main__":
    main()
