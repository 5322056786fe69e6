"""Question terms as weighted groups, and how much of them a text covers.

A term group is the alternatives that count as one question word (the word itself; or, for a text in
the other language, each of its dictionary translations) with a weight: the word's rarity in general
language (jieba's frequency table for Chinese; length for English words). Coverage is the weighted
share of the groups a text matches. The rerank's coverage feature, evidence sentences and claims all
measure with it.

Usage::

    groups = same_language_groups(tokenize("欧盟罚款的金额"))
    coverage(groups, set(tokenize("违规公司可能被处以4000万欧元的罚款")))
"""

from __future__ import annotations

import math
from functools import lru_cache

import jieba

from rag.settings import get_settings
from rag.text.lexical import initialize_jieba, tokenize
from rag.text.stopwords import QUESTION_WORDS
from rag.types import TermGroup


@lru_cache(maxsize=1)
def _jieba_total() -> tuple[dict[str, int], int]:
    initialize_jieba()
    return jieba.dt.FREQ, jieba.dt.total


@lru_cache(maxsize=100_000)
def term_weight(term: str) -> float:
    """Rarity of a term: Chinese from jieba's corpus frequencies, Latin by length (1.2 to 3.0), numbers high
    (``settings.term_weight_rare``, ``settings.term_weight_max``; cached per term, so read once per process)."""
    settings = get_settings()
    if term[:1].isdigit():
        return settings.term_weight_rare
    if term.isascii():
        return 1.0 + min(len(term), 10) / 5
    freq, total = _jieba_total()
    count = freq.get(term, 0)
    return min(settings.term_weight_max, math.log(total / (count + 1)) / 4) if count else settings.term_weight_rare


def same_language_groups(tokens: list[str]) -> list[TermGroup]:
    """One group per distinct token, weighted by its rarity."""
    return [((frozenset([t]),), term_weight(t)) for t in dict.fromkeys(tokens) if t not in QUESTION_WORDS]


def translated_groups(translations: list[frozenset[str]], question_tokens: list[str],
                      llm_translation: str | None) -> list[TermGroup]:
    """Groups for passages in the other language: per source word its dictionary translations, plus
    the question's names and numbers (they stay the same across languages), plus an LLM translation."""
    groups: list[TermGroup] = []
    for group in translations:
        alternatives = tuple(frozenset(tokenize(term)) for term in group if tokenize(term))
        if alternatives:
            groups.append((alternatives, get_settings().coverage_cross_group_weight))
    groups += [(g[0], -g[1]) for g in same_language_groups(question_tokens) if next(iter(g[0][0])).isascii()]
    if llm_translation:
        groups += same_language_groups(tokenize(llm_translation))
    return groups


def coverage(groups: list[TermGroup], tokens: set[str]) -> float:
    """Weighted share of the groups matched by the passage/sentence tokens (bonus groups count only
    when they match)."""
    matched = [abs(w) for alternatives, w in groups if any(alt <= tokens for alt in alternatives)]
    total = sum(w for _, w in groups if w > 0) + sum(abs(w) for alternatives, w in groups
                                                     if w < 0 and any(alt <= tokens for alt in alternatives))
    return sum(matched) / total if total else 0.0
