"""Fold readers trained on another machine, their scores brought back instead of their weights.

Why: cross-fitted scores (``bench/reader_folds.py``) need K fold readers besides the full one. A lent GPU
trains all of them side by side in minutes (``bench.reader_sweep --crossfit``), but at most 64 MiB comes back,
and four readers of v5's size are 142 MB. So the pairs the fold readers must score — every tune claim's top
pairs (``bench.claims reader --half tune``) and every tune question's sentences (``bench.answerability fit
--reader``) — are gathered here first (``collect``), packed with the training pairs (``bench.reader_pack
--score``), scored there by the fold reader that never saw their document, and read back through
``ScoreTable``, which answers as ``FoldReaders`` does. A sample is also scored by the full reader there, so that
its scores can be checked against the numpy reader here (``parity``): what the GPU read is what ships.

Usage::

    python -m bench.reader_scores collect --out /tmp/crossfit          # → /tmp/crossfit/score-keys.jsonl
    python -m bench.reader_pack --data bench/data/reader/train.jsonl --out .gpu/reader \\
        --score /tmp/crossfit/score-keys.jsonl
    # on the GPU: python -m bench.reader_sweep --bundle .gpu/reader --out "$OUT" --crossfit 2:2:16:8e-5
    cp "$OUT"/scores.npz /tmp/crossfit/                                  # back here; weights → rag/data
    python -m bench.reader_scores parity --folder /tmp/crossfit          # the full reader, GPU vs numpy
    python -m bench.claims reader --half tune --folds /tmp/crossfit
    python -m bench.answerability fit --reader --reader-folds /tmp/crossfit
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import common

logger = logging.getLogger("bench.reader_scores")
KEYS = "score-keys.jsonl"
SCORES = "scores.npz"
PARITY = 300  # pairs of each task scored by the full reader there, for the check against the numpy reader here


class Recorder:
    """Stands in for ``bench.answerability.ReaderScores`` in a pass that only notes which (question, sentence)
    pairs the features read and in which group. Which pairs are read depends on the text features alone, so the
    pass finds the pairs a real one scores; its P(answers) of 0.5 is never used."""

    def __init__(self) -> None:
        self.group = ""
        self.pairs: dict[tuple[str, str], str] = {}

    def __call__(self, question: str, texts: Sequence[str]) -> list[dict[str, float]]:
        for t in texts:
            self.pairs.setdefault((question, t), self.group)
        return [{"no_answer": 0.5, "answers": 0.5} for _ in texts]

    def save(self) -> None:
        """Nothing is kept (``evaluate_records`` calls it as it would a cache's)."""


def claim_keys() -> list[dict[str, Any]]:
    """Every tune claim's top pairs, each for the fold reader that never saw the claim's document."""
    from bench.claims import reader_inputs, source_documents
    from bench.reader_folds import fold_of

    documents = source_documents("tune")
    return [{"task": "claim", "a": row["claim"], "b": row["sentences"][i], "reader": fold_of(documents[row["id"]])}
            for row, top in reader_inputs("tune") for i in top]


def question_keys(cache: Path) -> list[dict[str, Any]]:
    """Every tune question's read sentences (``bench.answerability``'s pass over the cached retrieval), each for
    the fold reader that never saw the question's article."""
    from bench.answerability import Vectors, evaluate_records, load_cache
    from bench.reader_folds import fold_of

    recorder = Recorder()
    settings = common.make_settings(Path(tempfile.gettempdir()) / "unused-index")
    evaluate_records(load_cache(cache, "tune"), settings, Vectors(cache / "vectors-tune.pkl"), recorder)  # type: ignore[arg-type]
    return [{"task": "question", "a": q, "b": t, "reader": fold_of(group)} for (q, t), group in recorder.pairs.items()]


def collect(out: Path, cache: Path, parity: int = PARITY, seed: int = 20) -> dict[str, int]:
    """Write ``out/score-keys.jsonl``: the fold readers' pairs, then ``parity`` of each task again for the
    full reader."""
    keys = claim_keys() + question_keys(cache)
    unscored = [k for k in keys if k["reader"] is None]
    if unscored:
        raise SystemExit(f"{len(unscored)} tune pairs fall in no fold, e.g. {unscored[0]}")
    rng = random.Random(seed)
    for task in ("claim", "question"):
        of_task = [k for k in keys if k["task"] == task and k["reader"] != "full"]
        keys += [{**k, "reader": "full"} for k in rng.sample(of_task, min(parity, len(of_task)))]
    out.mkdir(parents=True, exist_ok=True)
    (out / KEYS).write_text("".join(json.dumps(k, ensure_ascii=False) + "\n" for k in keys), encoding="utf-8")
    counts: dict[str, int] = {}
    for k in keys:
        counts[f"{k['task']} {k['reader']}"] = counts.get(f"{k['task']} {k['reader']}", 0) + 1
    return counts


class TableReader:
    """One reader's scores by (task, first text, sentence): ``claims``/``questions`` as ``rag.answer.reader.Reader``."""

    def __init__(self, table: dict[tuple[str, str, str], np.ndarray], name: Any) -> None:
        self.table, self.name = table, name

    def _row(self, task: str, first: str, sentence: str) -> np.ndarray:
        try:
            return self.table[(task, first, sentence)]
        except KeyError:
            raise KeyError(f"reader {self.name} scored no {task} pair ({first[:60]!r}, {sentence[:60]!r}): "
                           "collect again and rescore") from None

    def claims(self, claim: str, sentences: Sequence[str]) -> list[dict[str, float]]:
        from rag.answer.reader import CLAIM_LABELS

        return [dict(zip(CLAIM_LABELS, self._row("claim", claim, s).tolist(), strict=True)) for s in sentences]

    def questions(self, question: str, sentences: Sequence[str]) -> list[dict[str, float]]:
        from rag.answer.reader import QUESTION_LABELS

        return [dict(zip(QUESTION_LABELS, self._row("question", question, s)[:2].tolist(), strict=True))
                for s in sentences]


class ScoreTable:
    """The scores of ``folder`` (``score-keys.jsonl`` with the ``scores.npz`` that came back), by reader."""

    def __init__(self, folder: Path) -> None:
        keys = [json.loads(line) for line in (folder / KEYS).read_text(encoding="utf-8").splitlines() if line]
        with np.load(folder / SCORES) as scored:
            probabilities = scored["probabilities"]
        if len(probabilities) != len(keys):
            raise SystemExit(f"{folder / SCORES} holds {len(probabilities)} rows for {len(keys)} keys")
        missing = int(np.isnan(probabilities[:, 0]).sum())
        if missing:
            logger.warning("%d of %d pairs were not scored there (a reader stopped at the budget?)", missing, len(keys))
        self.readers: dict[Any, dict[tuple[str, str, str], np.ndarray]] = {}
        for k, p in zip(keys, probabilities, strict=True):
            if not np.isnan(p[0]):
                self.readers.setdefault(k["reader"], {})[(k["task"], k["a"], k["b"])] = p
        self.digest = hashlib.sha256((folder / SCORES).read_bytes()).hexdigest()

    def for_group(self, group: str) -> TableReader:
        from bench.reader_folds import fold_of

        fold = fold_of(group)
        if fold is None:
            raise ValueError(f"group {group!r} is trained on by every fold reader")
        return TableReader(self.readers.get(fold, {}), fold)

    def full(self) -> TableReader:
        return TableReader(self.readers.get("full", {}), "full")

    def tag(self) -> str:
        """A short name for cache files (the scores' SHA-256)."""
        return "table-" + self.digest[:12]


def parity(folder: Path, weights: Path) -> dict[str, float]:
    """The largest difference between the full reader's scores there and the numpy reader's here on the same
    pairs (``weights``: the full reader as it came back)."""
    from rag.answer.reader import load_reader

    reader = load_reader(weights, weights.with_suffix(".json"))
    if reader is None:
        raise SystemExit(f"no reader at {weights}")
    table = ScoreTable(folder).full()
    out: dict[str, float] = {}
    for (task, first, sentence), there in table.table.items():
        here = (reader.claims if task == "claim" else reader.questions)(first, [sentence])[0]
        gap = float(np.max(np.abs(np.asarray(list(here.values())) - there[:len(here)])))
        out[task] = max(out.get(task, 0.0), gap)
        out[f"{task} pairs"] = out.get(f"{task} pairs", 0) + 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step", required=True)
    c = sub.add_parser("collect", help="the tune pairs the fold readers are to score")
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "answerability-cache")
    c.add_argument("--parity", type=int, default=PARITY)
    p = sub.add_parser("parity", help="the full reader's scores there against the numpy reader here")
    p.add_argument("--folder", type=Path, required=True)
    p.add_argument("--weights", type=Path, default=common.PROJECT / "rag/data/reader.safetensors")
    args = parser.parse_args()
    common.setup_logging()
    if args.step == "collect":
        logger.info("collected %s", collect(args.out, args.cache, args.parity))
    else:
        logger.info("largest difference: %s", parity(args.folder, args.weights))


if __name__ == "__main__":
    sys.exit(main())
