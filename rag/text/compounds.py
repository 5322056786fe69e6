"""Chinese text as dictionary entries, the longest entry first.

jieba decides the units of a Chinese question; the bilingual dictionary (CC-CEDICT) sometimes holds a
longer unit that jieba splits (超级碗 "Super Bowl", 证券交易所 "stock exchange") and lacks some of jieba's
words (内陆地区). Before a question word is looked up:

* adjacent jieba words are joined into the longest dictionary entry they spell (超级 + 碗 → 超级碗),
  unless the join starts or ends with a stop word (中 + 的 → 中的 "hit the target" is not a word here);
* a jieba word the dictionary lacks is cut, left to right, into its longest dictionary entries of two
  characters or more (内陆地区 → 内陆 + 地区, never the overlapping 陆地 that jieba's search mode adds).

Usage::

    dictionary_words("高血压增加了什么", known)        # ['高血压', '增加', '了', '什么']
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

# Longest join tried, in jieba words (the dictionary's longest useful entries are names of four parts).
MAX_JOINED_WORDS = 4
# Longest entry looked for inside a word the dictionary lacks, in characters.
MAX_ENTRY_CHARS = 8


def join_compounds(words: Sequence[str], known: Collection[str], stop_words: Collection[str],
                   max_words: int = MAX_JOINED_WORDS) -> list[str]:
    """``words`` with each run of adjacent words that spells a ``known`` entry joined, longest run
    first, left to right; a run that starts or ends with one of ``stop_words`` is not joined."""
    out: list[str] = []
    i = 0
    while i < len(words):
        size = _longest_run(words, i, known, stop_words, max_words)
        out.append("".join(words[i : i + size]))
        i += size
    return out


def _longest_run(words: Sequence[str], start: int, known: Collection[str], stop_words: Collection[str],
                 max_words: int) -> int:
    """Length in words of the longest joinable run at ``start`` (1 when none)."""
    for size in range(min(max_words, len(words) - start), 1, -1):
        run = words[start : start + size]
        if run[0] not in stop_words and run[-1] not in stop_words and "".join(run) in known:
            return size
    return 1


def split_unknown(word: str, known: Collection[str], max_chars: int = MAX_ENTRY_CHARS) -> list[str]:
    """The longest ``known`` entries of two characters or more in ``word``, left to right,
    non-overlapping; characters that start no such entry are skipped."""
    pieces: list[str] = []
    i = 0
    while i < len(word):
        size = next((n for n in range(min(max_chars, len(word) - i), 1, -1) if word[i : i + n] in known), 0)
        if size:
            pieces.append(word[i : i + size])
        i += size or 1
    return pieces


def dictionary_words(words: Sequence[str], known: Collection[str], stop_words: Collection[str]) -> list[str]:
    """jieba's ``words`` as dictionary entries: compounds joined, unknown words split (see the module)."""
    out: list[str] = []
    for word in join_compounds(words, known, stop_words):
        out += [word] if word in known else split_unknown(word, known)
    return out
