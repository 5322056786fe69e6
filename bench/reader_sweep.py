"""Train several reader recipes side by side on one GPU and keep the one its own validation prefers.

Made for a GPU machine lent for one session (nothing to install, ~15 minutes, at most 8 files of 16 MiB back):
each recipe is one ``bench.reader_train --bundle … --device cuda`` process, all at once. The choice is made
on the training data's own held-back documents (``reader_train --val-share``; never a held-out half): the
recipe with the highest mean of claim and question accuracy at its last epoch, among those whose weights
fit the repository's 40 MB. The winner's weights come back in pieces under 16 MiB (``cat`` joins them), with
one summary of every recipe's validation.

``--crossfit`` runs one recipe instead as the K fold readers of ``bench/reader_folds.py`` and the full reader,
side by side. Each scores the bundle's pairs meant for it (``bench.reader_pack --score``: the tune halves for
the fold readers), so that what comes back is the full reader's weights and one ``scores.npz`` — not K more
readers, which would not fit the 64 MiB that may come back (``bench/reader_scores.py`` reads it).

The tracked tree is larger than what may travel: ``bash scripts/device_tree.sh out`` before the device call and
``… in`` after it take the large tracked files out of git's index for the call and put them back.

Usage (on the GPU machine; the bundle from ``python -m bench.reader_pack``)::

    python -m bench.reader_sweep --bundle .gpu/reader --out "$OUT" --budget 420
    python -m bench.reader_sweep --bundle .gpu/reader --out "$OUT" --budget 420 --crossfit 2:2:16:8e-5
    cat "$OUT"/reader.safetensors.part-* > reader.safetensors     # back here
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench import common
from bench.reader_folds import FOLDS, fold_path
from bench.reader_pack import unpack_scores

logger = logging.getLogger("bench.reader_sweep")
PIECE = 15 * 1024 * 1024
MAX_BYTES = 40_000_000  # issue #20: the weights in the repository ≤ 40 MB
# name: (frozen layers, epochs, batch, body learning rate)
RECIPES = {
    "s6-e2": (6, 2, 16, 4e-5),  # the recipe of readers v2-v4, on the new data
    "s6-e3": (6, 3, 16, 4e-5),
    "s4-e3": (4, 3, 16, 4e-5),
    "s3-e3": (3, 3, 32, 5e-5),
    "s6-e4-b32": (6, 4, 32, 6e-5),
    "s4-e2-lr8": (4, 2, 16, 8e-5),
}


def score(card: dict) -> float:
    last = card["history"][-1]["validation"]
    return sum(last.get(task, {}).get("accuracy", 0.0) for task in ("claim", "question")) / 2


def launch(args: argparse.Namespace, name: str, recipe: tuple[str, ...], extra: list[str]) -> subprocess.Popen:
    """One ``bench.reader_train`` process for ``recipe`` (split, epochs, batch, lr[, seed]), its log in the work folder."""
    split, epochs, batch, lr, *seed = recipe
    command = [sys.executable, "-m", "bench.reader_train", "--bundle", str(args.bundle), "--device", args.device,
               "--out", str(args.work / name / "reader.safetensors"), "--split", str(split), "--epochs", str(epochs),
               "--batch", str(batch), "--lr", str(lr), "--checkpoint", str(args.work / f"{name}.pt"),
               "--checkpoint-every", "100000", "--threads", "2"] + (["--limit", str(args.limit)] if args.limit else [])
    command += (["--seed", str(seed[0])] if seed else []) + extra
    return subprocess.Popen(command, stdout=(args.work / f"{name}.log").open("w"), stderr=subprocess.STDOUT)


def wait_all(running: dict[str, subprocess.Popen], budget: int) -> None:
    deadline = time.monotonic() + budget
    for name, process in running.items():
        try:
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            logger.warning("%s: stopped at the budget", name)


def write_pieces(weights: Path, out: Path) -> None:
    data = weights.read_bytes()
    for i in range(0, len(data), PIECE):
        (out / f"reader.safetensors.part-{i // PIECE}").write_bytes(data[i:i + PIECE])


def write_logs(args: argparse.Namespace, names: list[str]) -> None:
    (args.out / "sweep.log").write_text("".join(f"== {name}\n" + (args.work / f"{name}.log").read_text(
        encoding="utf-8", errors="replace") for name in names), encoding="utf-8")


def crossfit(args: argparse.Namespace) -> None:
    """The fold readers and the full reader of one recipe; their scores gathered into ``scores.npz``."""
    recipe = tuple(args.crossfit.split(":"))
    names = [f"fold{k}" for k in range(args.folds)] + ["full"]
    running = {name: launch(args, name, recipe, ["--folds", str(args.folds), "--only-fold", name[4:]]
                            if name != "full" else []) for name in names}
    wait_all(running, args.budget)
    rows, _ = unpack_scores(args.bundle)
    probabilities = np.full((len(rows), 3), np.nan, dtype=np.float32)
    summary: dict[str, object] = {"recipe": args.crossfit, "folds": args.folds}
    for name in names:
        weights = args.work / name / "reader.safetensors"
        weights = fold_path(weights, int(name[4:])) if name != "full" else weights
        if weights.with_suffix(".scores.npz").exists():
            with np.load(weights.with_suffix(".scores.npz")) as scored:
                probabilities[scored["index"]] = scored["probabilities"]
        card = weights.with_suffix(".json")
        summary[name] = json.loads(card.read_text(encoding="utf-8")) if card.exists() else None
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / "scores.npz", probabilities=probabilities)
    summary["scored"] = {"rows": len(rows), "missing": int(np.isnan(probabilities[:, 0]).sum())}
    full = args.work / "full" / "reader.safetensors"
    if full.exists():
        write_pieces(full, args.out)
    write_logs(args, names)
    (args.out / "crossfit.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    logger.info("crossfit: %s", summary["scored"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/reader-sweep"))
    parser.add_argument("--budget", type=int, default=420, help="seconds before unfinished recipes are stopped")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--recipes", nargs="*", default=None,
                        help="name:split:epochs:batch:lr[:seed] in place of RECIPES (a second round)")
    parser.add_argument("--crossfit", default=None, metavar="SPLIT:EPOCHS:BATCH:LR",
                        help="this recipe as --folds fold readers and the full reader, scoring the bundle's pairs")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--limit", type=int, default=None, help="pairs per recipe (a smoke run)")
    args = parser.parse_args()
    common.setup_logging()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.crossfit:
        crossfit(args)
        return
    recipes = {r.split(":")[0]: tuple(r.split(":")[1:]) for r in args.recipes} if args.recipes else RECIPES
    running = {name: launch(args, name, tuple(str(x) for x in recipe), []) for name, recipe in recipes.items()}
    wait_all(running, args.budget)
    summary = {}
    for name in recipes:
        card_path = args.work / name / "reader.json"
        if card_path.exists():
            card = json.loads(card_path.read_text(encoding="utf-8"))
            summary[name] = {"score": round(score(card), 4), "bytes": card["bytes"], "card": card}
        tail = (args.work / f"{name}.log").read_text(encoding="utf-8", errors="replace").splitlines()[-3:]
        logger.info("%s: %s | %s", name, summary.get(name, {}).get("score"), " / ".join(tail))
    fitting = {n: s for n, s in summary.items() if s["bytes"] <= MAX_BYTES}
    args.out.mkdir(parents=True, exist_ok=True)
    if fitting:
        winner = max(fitting, key=lambda n: fitting[n]["score"])
        write_pieces(args.work / winner / "reader.safetensors", args.out)
        summary["winner"] = winner
        logger.info("winner %s (%.4f)", winner, fitting[winner]["score"])
    write_logs(args, list(recipes))
    (args.out / "sweep.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
