"""rag.encoder.numpy_model: the numpy forward equals the PyTorch ``XLMRobertaModel`` built from the same file
(float32, all 12 layers, padded zh/en/mixed pairs), its erf is erf, embedding rows read on demand equal the
full dequantization; and each deliberate mistake (positions off by one, the other nibble order for the
on-demand rows, no padding mask, the tanh GELU) is caught by the same checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import rag.encoder.e5_file as e5_file_module
from rag.encoder.e5_file import E5File, tensor_array, tensor_rows
from rag.encoder.model import tensors
from rag.encoder.numpy_model import (
    Embeddings,
    NumpyEncoder,
    erf,
    file_layers,
    gelu,
    shared_file_and_tokenizer,
)

PAIRS = [
    ("query: 英国人工智能安全研究所获得了多少初始资金？", "passage: 英国人工智能安全研究所成立于2023年11月，获得初始资金1亿英镑。"),
    ("query: How much initial funding did the UK AI Safety Institute get?", "passage: 欧盟人工智能办公室于2024年2月成立。"),
    ("query: 社会保险缴费基数", "passage: The contribution base is the average monthly wage of the previous year."),
    ("query: q", "passage: p"),
    ("query: Who leads the EU AI Office?", "passage: Lucilla Sioli heads the AI Office (人工智能办公室) since 2024."),
]
TOLERANCE = 1e-3  # on hidden values of order 1; float32 runs differ by ~1e-5


@pytest.fixture(scope="module")
def numpy_encoder(e5_file: E5File) -> NumpyEncoder:
    h = e5_file.header
    return NumpyEncoder(Embeddings(e5_file), file_layers(e5_file, range(h.layers)), h.heads, h.eps)


@pytest.fixture(scope="module")
def batch_and_reference(e5_model) -> tuple[dict[str, np.ndarray], np.ndarray]:
    model, tok = e5_model
    batch = tok.pad([tok.encode_pair(a, b, 128) for a, b in PAIRS])
    with torch.inference_mode():
        reference = model(**tensors(batch)).last_hidden_state.numpy()
    return batch, reference


def gap(ours: np.ndarray, reference: np.ndarray, mask: np.ndarray) -> float:
    valid = mask.astype(bool)
    return float(np.abs(ours[valid] - reference[valid]).max())


def test_numpy_forward_equals_the_pytorch_model(numpy_encoder, batch_and_reference) -> None:
    batch, reference = batch_and_reference
    assert batch["attention_mask"].sum(1).min() < batch["attention_mask"].shape[1]  # rows are padded
    ours = numpy_encoder(batch["input_ids"], batch["attention_mask"], batch["position_ids"])
    assert ours.dtype == np.float32 and ours.shape == reference.shape
    assert gap(ours, reference, batch["attention_mask"]) <= TOLERANCE
    assert not ours[~batch["attention_mask"].astype(bool)].any()  # padding rows come back as zeros


def test_positions_off_by_one_are_caught(numpy_encoder, batch_and_reference) -> None:
    """Negative: position ids one higher than the tokenizer's (XLM-R's first position taken as 3)."""
    batch, reference = batch_and_reference
    ours = numpy_encoder(batch["input_ids"], batch["attention_mask"], batch["position_ids"] + 1)
    assert gap(ours, reference, batch["attention_mask"]) > 100 * TOLERANCE


def test_without_the_padding_mask_the_padded_rows_are_caught(numpy_encoder, batch_and_reference) -> None:
    """Negative: attending to padding keys changes the shorter rows."""
    batch, reference = batch_and_reference
    everything = np.ones_like(batch["attention_mask"])
    ours = numpy_encoder(batch["input_ids"], everything, batch["position_ids"])
    assert gap(ours, reference, batch["attention_mask"]) > 100 * TOLERANCE


def test_wrong_nibble_order_in_the_on_demand_rows_is_caught(numpy_encoder, batch_and_reference,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative: word rows dequantized as interleaved pairs (byte j -> weights 2j, 2j+1); the layers, read at
    load, stay right, so only the on-demand embedding lookup is wrong."""
    batch, reference = batch_and_reference
    right = e5_file_module.dequantize_q4_0

    def interleaved(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
        return right(raw, rows, cols).reshape(-1, 2, 16).transpose(0, 2, 1).reshape(rows, cols)

    monkeypatch.setattr(e5_file_module, "dequantize_q4_0", interleaved)
    ours = numpy_encoder(batch["input_ids"], batch["attention_mask"], batch["position_ids"])
    assert gap(ours, reference, batch["attention_mask"]) > 100 * TOLERANCE


def test_rows_read_on_demand_equal_the_full_dequantization(e5_file: E5File, e5_model) -> None:
    model, _ = e5_model
    h = e5_file.header
    ids = np.array([[0, 6, 250_036], [6, 3, 1]])
    rows = tensor_rows(e5_file, "emb.word", (h.vocab, h.hidden), ids)
    assert rows.shape == (2, 3, h.hidden) and rows.dtype == np.float32
    assert np.array_equal(rows, model.embeddings.word_embeddings.weight.detach().numpy()[ids])
    some = np.array([383, 0, 17])
    assert np.array_equal(tensor_rows(e5_file, "l0.q.w", (h.hidden, h.hidden), some),
                          tensor_array(e5_file, "l0.q.w", (h.hidden, h.hidden))[some])
    assert np.array_equal(tensor_rows(e5_file, "emb.pos", (h.positions, h.hidden), some),  # a float32 tensor
                          tensor_array(e5_file, "emb.pos", (h.positions, h.hidden))[some])
    with pytest.raises(IndexError):
        tensor_rows(e5_file, "emb.word", (h.vocab, h.hidden), np.array([h.vocab]))


def test_erf_and_gelu_are_the_exact_forms() -> None:
    x = np.linspace(-6, 6, 24_001, dtype=np.float32)
    exact_erf = np.array([math.erf(float(v)) for v in x])
    exact_gelu = np.array([0.5 * float(v) * (1 + math.erf(float(v) / math.sqrt(2))) for v in x])
    assert np.abs(erf(x) - exact_erf).max() < 1e-6
    assert np.abs(gelu(x) - exact_gelu).max() < 1e-5
    assert np.abs(gelu(x) - torch.nn.functional.gelu(torch.from_numpy(x)).numpy()).max() < 1e-5
    # negative: the tanh approximation (BERT's "gelu_new"), which XLM-R does not use, is caught
    tanh_gelu = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    assert np.abs(tanh_gelu - exact_gelu).max() > 1e-4


def test_the_parsed_file_is_shared_and_memory_mapped() -> None:
    f, tok = shared_file_and_tokenizer()
    again = shared_file_and_tokenizer()
    assert again[0] is f and again[1] is tok
    assert isinstance(f.data, np.memmap) and not f.data.flags.writeable
