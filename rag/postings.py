"""Which passages of the index hold which tokens: the corpus's evidence for how to translate a word.

Search reads it to choose among a word's dictionary senses (rag.lexicon.choose_senses): a sense the
documents never use cannot match them, and of those they use, one that shares passages with the
question's other words fits the question better.

Usage::

    postings = TermPostings.build([["欧盟", "罚款"], ["机构", "标准"]])   # one token list per passage
    "机构" in postings                                                  # True: a token of the corpus
    postings.passages_with(["机构", "标准"])                             # array([1]): ordinals of passages
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

_EMPTY = np.zeros(0, dtype=np.int32)


class TermPostings:
    """Token -> sorted ordinals of the passages holding it; a collection of the tokens."""

    def __init__(self, passages: dict[str, np.ndarray], size: int) -> None:
        if size < 0:
            raise ValueError("size must be >= 0")
        self._passages = passages
        self.size = size  # number of passages

    @classmethod
    def build(cls, token_lists: Iterable[Iterable[str]]) -> TermPostings:
        lists: dict[str, list[int]] = {}
        size = 0
        for ordinal, tokens in enumerate(token_lists):
            size = ordinal + 1
            for token in set(tokens):
                lists.setdefault(token, []).append(ordinal)
        return cls({token: np.asarray(ordinals, dtype=np.int32) for token, ordinals in lists.items()}, size)

    def __contains__(self, token: object) -> bool:
        return token in self._passages

    def __iter__(self) -> Iterator[str]:
        return iter(self._passages)

    def __len__(self) -> int:
        return len(self._passages)

    def passages_with(self, tokens: Sequence[str]) -> np.ndarray:
        """Ordinals of the passages that hold every one of ``tokens`` (none for no tokens)."""
        if not tokens:
            return _EMPTY
        found = self._passages.get(tokens[0], _EMPTY)
        for token in tokens[1:]:
            found = np.intersect1d(found, self._passages.get(token, _EMPTY), assume_unique=True)
        return found
