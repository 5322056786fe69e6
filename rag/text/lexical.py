"""Sparse lexical vectors: jieba search-mode tokens for Chinese, stemmed words for English; and BM25.

Documents get BM25 term-frequency weights; Qdrant's IDF modifier supplies the IDF side, so the sparse
dot product scores as BM25. Tokens map to sparse dimensions by a stable 31-bit hash. Scores computed
outside the store (a passage's gloss, whole documents) use ``bm25``, the same function.

Usage::

    tokens = tokenize("美国人工智能安全研究所 AI Safety Institute")
    doc_vec = document_vector(tokens)          # {dimension: weight}
    query_vec = query_vector(tokenize("研究所"))
    bm25({"institut"}, Counter(tokens), len(tokens), 90.0, {"institut": 3}, 100)
"""

from __future__ import annotations

import logging
import marshal
import math
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import jieba

from rag.text.cjk import HAN_IDEOGRAPHS, HAN_RUN
from rag.text.english import stem
from rag.text.stopwords import CHINESE_STOP_WORDS, ENGLISH_STOP_WORDS

jieba.setLogLevel(logging.WARNING)

WORD = re.compile(rf"[A-Za-z][A-Za-z0-9\-']*|\d+(?:[.,]\d+)*%?|[{HAN_IDEOGRAPHS}]+")

# Names the tokenization below; change it whenever tokens change, so stored sparse vectors are rebuilt.
ANALYZER = "jieba-search+snowball-2"
# BM25's parameters are Lucene's defaults (k1 1.2, b 0.75), not tuned here. They and the mean length are baked
# into every stored sparse vector, so they stay with ANALYZER rather than in the settings: a change needs
# a new ANALYZER (re-index), which a setting would not trigger.
BM25_K1 = 1.2
BM25_B = 0.75
BM25_AVG_TOKENS = 90.0  # the mean passage length, in index tokens, that the stored vectors assume


def initialize_jieba(tokenizer: jieba.Tokenizer | None = None) -> None:
    """Load jieba's dictionary (``tokenizer``: jieba's default one) as its ``initialize()`` does, from the
    same cache file, but read whole before it is unmarshalled: jieba's ``marshal.load`` of the open file
    reads it piecewise (~0.45 s of every ``rag search``/``rag ask`` for its 9 MB cache, against ~0.2 s).
    Another dictionary, a missing or unreadable cache: left to jieba (which builds and writes the cache)."""
    tokenizer = tokenizer or jieba.dt
    if tokenizer.initialized:
        return
    if tokenizer.dictionary == jieba.DEFAULT_DICT:
        cache = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / (tokenizer.cache_file or "jieba.cache")
        with tokenizer.lock:
            if not tokenizer.initialized and cache.is_file():
                try:
                    tokenizer.FREQ, tokenizer.total = marshal.loads(cache.read_bytes())
                    tokenizer.initialized = True
                except (OSError, ValueError, EOFError, TypeError):
                    pass
    tokenizer.initialize()  # nothing left to do once loaded


def tokenize(text: str) -> list[str]:
    """Index/query tokens of mixed Chinese/English text (stop words removed, English stemmed)."""
    tokens: list[str] = []
    for match in WORD.finditer(text):
        piece = match.group()
        if HAN_RUN.fullmatch(piece):
            initialize_jieba()
            tokens.extend(t for t in jieba.cut_for_search(piece) if t not in CHINESE_STOP_WORDS)
        elif piece[0].isdigit():
            tokens.append(piece.rstrip("%").replace(",", ""))
        else:
            tokens.extend(stem(part) for part in english_parts(piece))
    return tokens


def english_parts(piece: str) -> list[str]:
    """The words an English run of ``tokenize`` is indexed by, lowercased, before stemming."""
    return [part for part in re.split(r"[-'\s]+", piece.lower())  # "institute's" -> institute, s
            if part and part not in ENGLISH_STOP_WORDS and len(part) > 1]


def english_surfaces(text: str) -> dict[str, set[str]]:
    """Each English index token of ``text`` (a stem) → the words it was stemmed from there: a dictionary knows
    "significant", not "signific"."""
    surfaces: dict[str, set[str]] = {}
    for match in WORD.finditer(text):
        piece = match.group()
        if piece[0].isascii() and piece[0].isalpha():
            for part in english_parts(piece):
                surfaces.setdefault(stem(part), set()).add(part)
    return surfaces


def token_dimension(token: str) -> int:
    """Stable sparse dimension of a token (same in every process and on every machine)."""
    return zlib.crc32(token.encode("utf-8")) & 0x7FFFFFFF


def bm25_tf(tf: float, length: float, mean_length: float) -> float:
    """BM25's saturated, length-normalized term frequency."""
    return tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / mean_length))


def bm25_idf(df: int, n: int) -> float:
    """BM25's IDF as Lucene (and Qdrant's IDF modifier) computes it: never negative."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def bm25(
    terms: Iterable[str], counts: Mapping[str, int], length: float, mean_length: float,
    frequency: Mapping[str, int], documents: int,
) -> float:
    """BM25 of the distinct ``terms`` over one document: its token ``counts`` and ``length``, among
    ``documents`` documents of ``mean_length`` tokens in which ``frequency[term]`` documents hold a term.

    The score Qdrant computes from ``document_vector`` with its IDF modifier, for the scores read outside
    the store (``rag.ingest.gloss``, ``rag.retrieval.mentions``)."""
    return sum(bm25_idf(frequency.get(term, 0), documents) * bm25_tf(counts[term], length, mean_length)
               for term in terms if counts.get(term))


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
