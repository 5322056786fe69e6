"""Sparse lexical vectors: jieba search-mode tokens for Chinese, stemmed words for English.

Documents get BM25 term-frequency weights; Qdrant's IDF modifier supplies the IDF side, so the sparse
dot product scores as BM25. Tokens map to sparse dimensions by a stable 31-bit hash.

Usage::

    tokens = tokenize("美国人工智能安全研究所 AI Safety Institute")
    doc_vec = document_vector(tokens)          # {dimension: weight}
    query_vec = query_vector(tokenize("研究所"))
"""

from __future__ import annotations

import logging
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import jieba
from nltk.stem.snowball import SnowballStemmer

jieba.setLogLevel(logging.WARNING)

ENGLISH_STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not of off on once only or other our ours ourselves out over own same she should so some
    such than that the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your yours
    yourself yourselves also may might must shall within according among upon whether per via etc""".split()
)
CHINESE_STOP_WORDS = frozenset(
    """的 了 和 与 及 或 是 在 对 为 以 于 把 被 让 给 从 向 由 并 而 且 也 都 就 又 还 等 之 其 该 这 那 此 这些 那些
    一个 一些 什么 哪些 哪 吗 呢 吧 啊 么 个 中 上 下 将 已 已经 曾 会 能 可 可以 应 应该 要 需要 被 所 有 没有
    如何 怎么 为什么 根据 关于 通过 以及 方面 进行 提到 认为 表示 指出 据 文 一文 报告 说法 是否 属实""".split()
)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-']*|\d+(?:[.,]\d+)*%?|[\u4e00-\u9fff\u3400-\u4dbf]+")
HAN_RUN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]+")

# Names the tokenization below; change it whenever tokens change, so stored sparse vectors are rebuilt.
ANALYZER = "jieba-search+snowball-2"
BM25_K1 = 1.2
BM25_B = 0.75
BM25_AVG_TOKENS = 90.0


@lru_cache(maxsize=1)
def _stemmer() -> SnowballStemmer:
    return SnowballStemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer().stem(word)


def tokenize(text: str) -> list[str]:
    """Index/query tokens of mixed Chinese/English text (stop words removed, English stemmed)."""
    tokens: list[str] = []
    for match in WORD.finditer(text):
        piece = match.group()
        if HAN_RUN.fullmatch(piece):
            tokens.extend(t for t in jieba.cut_for_search(piece) if t not in CHINESE_STOP_WORDS)
        elif piece[0].isdigit():
            tokens.append(piece.rstrip("%").replace(",", ""))
        else:
            for part in re.split(r"[-'\s]+", piece.lower()):  # "institute's" -> institute, s
                if part and part not in ENGLISH_STOP_WORDS and len(part) > 1:
                    tokens.append(stem(part))
    return tokens


def token_dimension(token: str) -> int:
    """Stable sparse dimension of a token (same in every process and on every machine)."""
    return zlib.crc32(token.encode("utf-8")) & 0x7FFFFFFF


def bm25_tf(tf: float, length: float, mean_length: float) -> float:
    """BM25's saturated, length-normalized term frequency."""
    return tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / mean_length))


def bm25_idf(df: int, n: int) -> float:
    """BM25's IDF as Lucene (and Qdrant's IDF modifier) computes it: never negative."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def document_vector(tokens: Iterable[str], avg_tokens: float = BM25_AVG_TOKENS) -> dict[int, float]:
    """BM25 saturated term frequencies; Qdrant's IDF modifier multiplies in the IDF at query time."""
    counts = Counter(tokens)
    length = sum(counts.values())
    vector: dict[int, float] = {}
    for token, tf in counts.items():
        dim = token_dimension(token)
        vector[dim] = vector.get(dim, 0.0) + bm25_tf(tf, length, avg_tokens)
    return vector


def query_vector(weighted_tokens: Iterable[str | tuple[str, float]]) -> dict[int, float]:
    """One weight per distinct query token (1.0 unless given), summed on hash collisions."""
    vector: dict[int, float] = {}
    for item in weighted_tokens:
        token, weight = (item, 1.0) if isinstance(item, str) else item
        dim = token_dimension(token)
        vector[dim] = max(vector.get(dim, 0.0), weight)
    return vector


def has_word(word: str, text: str) -> bool:
    """``word`` in ``text``: as a whole word when Latin ("merged" is not in "emerged")."""
    if word.isascii():
        return re.search(rf"\b{re.escape(word)}\b", text, re.I) is not None
    return word in text
