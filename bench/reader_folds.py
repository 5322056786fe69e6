"""Cross-fitted reader scores: K fold readers, each trained without one fold of the tune groups, so that every
tune claim and question is scored by a reader that never saw its document.

Why: the stacked models (``claim_model_reader.json``, ``answerability_model_reader.json``) are fitted on the
tune halves, and the shipped reader was trained on those same halves. Scored by it, tune items read with an
in-sample confidence that held-out items never get, and the thresholds chosen there do not transfer
(journal, session 16). Scored by the fold reader that held their fold back, they read as new items do.

A fold holds whole *units*: an XQuAD article (all its paragraphs: a near miss's neighbours are in the same
article), a CMRC dev article, a policy document family (the parallel material en04, en05 and 000 is one: a
claim restated across languages sits in both). Units with tune claims are dealt largest first to the fold
with the fewest claims so far (a hash would leave one fold with half the claims); the rest by a hash. The deal
is pinned in ``bench/data/reader_folds.json`` (the claims of 0fcf580, which the fold readers were trained
beside): dealt anew from today's claims, 30 units would move, and a fold reader would score claims of
documents it trained on (session 22 found this). CMRC's
trial articles are never scored, so every fold reader trains on them.

Usage::

    git show 6e42735:bench/data/reader/train.jsonl > /tmp/v2-train.jsonl      # the shipped reader's data
    python -m bench.reader_train --split 6 --epochs 2 --threads 2 --data /tmp/v2-train.jsonl \\
        --folds 3 --out /tmp/folds/reader.safetensors                          # → reader-fold{0,1,2}.safetensors
    python -m bench.claims reader --half tune --folds /tmp/folds/reader.safetensors
    python -m bench.answerability fit --reader --reader-folds /tmp/folds/reader.safetensors
    python -m bench.reader_folds deal --claims FILE    # a deal of FILE's units (the pinned one: see DEAL)

Trained on a lent GPU instead (``bench.reader_sweep --crossfit``), the fold readers stay there and their scores
come back: ``--folds``/``--reader-folds`` then name the folder of ``bench/reader_scores.py``.
"""

from __future__ import annotations

import json
import logging
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from bench import claimset as cs
from bench import common

logger = logging.getLogger("bench.reader_folds")
CLAIMS_TUNE = common.PROJECT / "bench/data/claims/tune.jsonl"
DEAL = common.PROJECT / "bench/data/reader_folds.json"  # the pinned deal of the tune units to folds (dealt_units)
FOLDS = 3  # three folds: each fold reader trains on two thirds of the groups (two would leave it much weaker)


@lru_cache(maxsize=1)
def xquad_articles() -> dict[int, int]:
    """XQuAD paragraph index (``xquad:pNNNN``) → its article's index."""
    data = json.loads((cs.XQUAD_DIR / "xquad.en.json").read_text(encoding="utf-8"))["data"]
    out, n = {}, 0
    for a, article in enumerate(data):
        for _ in article["paragraphs"]:
            out[n] = a
            n += 1
    return out


def fold_unit(group: str) -> str | None:
    """The unit a reader-data group (or a claim's ``source_doc``) is folded by; None for groups no fold scores
    (trained on by every fold)."""
    if group.startswith("cmrc-trial:"):
        return None
    if group.startswith("xquad:p"):
        return f"xquad:a{xquad_articles()[int(group[len('xquad:p'):])]:03d}"
    if cs.in_parallel_family(group):
        return "policy:parallel"
    return group


def deal(claims: Path, folds: int) -> dict[str, int]:
    """The units of the claims in ``claims``, dealt largest first to the fold with the fewest claims so far."""
    counts: dict[str, int] = {}
    for line in claims.read_text(encoding="utf-8").splitlines():
        unit = fold_unit(json.loads(line)["source_doc"]) if line else None
        if unit:
            counts[unit] = counts.get(unit, 0) + 1
    load, out = [0] * folds, {}
    for unit in sorted(counts, key=lambda u: (-counts[u], u)):
        out[unit] = min(range(folds), key=lambda f: (load[f], f))
        load[out[unit]] += counts[unit]
    return out


@lru_cache(maxsize=4)
def dealt_units(folds: int) -> dict[str, int]:
    """The pinned deal (``DEAL``) for ``FOLDS`` folds: the fold readers were trained under it, and claims added
    since (which would deal the units anew) must not move a unit to another fold. Other fold counts: dealt from
    the tune claims as they are."""
    pinned = json.loads(DEAL.read_text(encoding="utf-8"))
    return dict(pinned["units"]) if pinned["folds"] == folds else deal(CLAIMS_TUNE, folds)


def fold_of(group: str, folds: int = FOLDS) -> int | None:
    unit = fold_unit(group)
    if unit is None:
        return None
    dealt = dealt_units(folds)
    return dealt[unit] if unit in dealt else zlib.crc32(unit.encode("utf-8")) % folds


def fold_path(out: Path, fold: int) -> Path:
    """Where fold ``fold``'s weights go for ``--out out`` (its card beside it, ``.json``)."""
    return out.with_name(f"{out.stem}-fold{fold}{out.suffix}")


class FoldReaders:
    """The K fold readers of ``base`` (the ``--out`` given to ``reader_train --folds``), loaded on first use;
    ``for_group(group)`` is the one that never saw ``group``."""

    def __init__(self, base: Path, folds: int = FOLDS, threads: int = 1) -> None:
        self.base, self.folds, self.threads = base, folds, threads
        self.loaded: dict[int, Any] = {}
        missing = [fold_path(base, i) for i in range(folds) if not fold_path(base, i).exists()]
        if missing:
            raise SystemExit(f"no fold reader at {missing[0]}: python -m bench.reader_train --folds {folds} --out {base}")

    def for_group(self, group: str) -> Any:
        from rag.answer.reader import load_reader

        fold = fold_of(group, self.folds)
        if fold is None:
            raise ValueError(f"group {group!r} is trained on by every fold reader")
        if fold not in self.loaded:
            path = fold_path(self.base, fold)
            self.loaded[fold] = load_reader(path, path.with_suffix(".json"), self.threads)
            logger.info("fold reader %d: %s", fold, path)
        return self.loaded[fold]

    def tag(self) -> str:
        """A short name of the fold set for cache files (the first fold's SHA-256)."""
        from rag.answer.reader import sha256

        return "folds-" + sha256(fold_path(self.base, 0))[:12]


def fold_readers(base: Path, folds: int = FOLDS, threads: int = 1) -> Any:
    """The fold readers of ``base``: their weights (``FoldReaders``), or — ``base`` a folder holding
    ``scores.npz`` — the scores they gave on another machine (``bench.reader_scores.ScoreTable``); both
    answer ``for_group(group).claims/questions`` and ``tag()``."""
    if base.is_dir():
        from bench.reader_scores import ScoreTable

        return ScoreTable(base)
    return FoldReaders(base, folds, threads)


def main() -> None:
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="print the deal of a claim file's units to folds (bench/data/reader_folds.json)")
    sub = parser.add_subparsers(dest="command", required=True)
    dealing = sub.add_parser("deal")
    dealing.add_argument("--claims", type=Path, default=CLAIMS_TUNE)
    dealing.add_argument("--folds", type=int, default=FOLDS)
    args = parser.parse_args()
    pinned = json.loads(DEAL.read_text(encoding="utf-8"))
    out = {"about": pinned["about"], "command": pinned["command"], "folds": args.folds,
           "units": dict(sorted(deal(args.claims, args.folds).items()))}
    sys.stdout.write(json.dumps(out, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
