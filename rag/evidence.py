"""Evidence sentences: split retrieved passages into sentences and score them against a question.

The score of a sentence is the weighted share of the question's terms it contains (its own words
for a sentence in the question's language, the dictionary translation otherwise), where a term's weight
is its rarity in general language (jieba's frequency table for Chinese; length for English words),
plus a small prior for the passage's rank.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import jieba

from rag.lexical import tokenize
from rag.retrieve import SearchHit

RANK_PRIOR = 0.05


@dataclass
class EvidenceSentence:
    hit: SearchHit
    hit_rank: int
    text: str
    start: int  # raw-file offsets of the sentence
    end: int
    position: int  # index of the sentence within its passage
    score: float = 0.0
    coverage: float = 0.0


@lru_cache(maxsize=1)
def _jieba_total() -> tuple[dict[str, int], int]:
    jieba.initialize()
    return jieba.dt.FREQ, jieba.dt.total


@lru_cache(maxsize=100_000)
def term_weight(term: str) -> float:
    """Rarity of a term: Chinese from jieba's corpus frequencies, Latin by length, numbers high."""
    if term[:1].isdigit():
        return 3.0
    if term.isascii():
        return 1.0 + min(len(term), 10) / 5
    freq, total = _jieba_total()
    count = freq.get(term, 0)
    return min(4.0, math.log(total / (count + 1)) / 4) if count else 3.0


# A query term group: alternative token sets (any one fully present counts) and the group's weight.
# A negative weight marks a bonus group: it counts only where it matches (names and numbers of an
# English question may or may not be written in Latin script inside a Chinese passage).
TermGroup = tuple[tuple[frozenset[str], ...], float]
CROSS_GROUP_WEIGHT = 1.5
QUESTION_WORDS = frozenset(
    """哪些 哪些方面 哪个 哪 多高 多少 多大 多久 多长 什么 什么样 怎样 怎么样 为何 几 几个 哪三个 哪5个 分别
    是否 如何 吗 呢 说法 属实 提到 认为 回顾 根据""".split()
)


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
            groups.append((alternatives, CROSS_GROUP_WEIGHT))
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


# A sentence holding a URL is a reference, a byline or an address line, not an answer.
URL = re.compile(r"https?://|www\.", re.I)


def passage_sentences(hit: SearchHit, rank: int) -> list[EvidenceSentence]:
    out = []
    for position, span in enumerate(hit.sentences):
        a, b = span[0], span[1]
        raw_a, raw_b = (span[2], span[3]) if len(span) >= 4 else (hit.start, hit.end)
        text = hit.text[a:b].strip()
        if text and not URL.search(text):
            out.append(EvidenceSentence(hit, rank, text, raw_a, raw_b, position))
    return out


def relative_scores(hits: list[SearchHit]) -> list[float]:
    """Retrieval scores rescaled to [0, 1] over ``hits`` (1 = best; all 1 when they are equal)."""
    scores = [h.score for h in hits]
    low, high = min(scores, default=0.0), max(scores, default=0.0)
    return [(s - low) / (high - low) if high > low else 1.0 for s in scores]


def score_sentences(
    hits: list[SearchHit], q_lang: str, question_terms: list[TermGroup], translated_terms: list[TermGroup],
    max_passages: int, context_weight: float = 0.0, passage_weight: float = 0.0,
) -> list[EvidenceSentence]:
    """Every sentence of the top ``max_passages`` passages, best first. A sentence scores its own
    coverage of the question, plus ``context_weight`` × its passage's coverage, plus ``passage_weight`` ×
    its passage's retrieval score (relative to the other top passages)."""
    sentences: list[EvidenceSentence] = []
    top = hits[:max_passages]
    for rank, (hit, retrieval) in enumerate(zip(top, relative_scores(top), strict=True)):
        if hit.features.get("foreign_in_doc"):
            continue  # footnotes and reference lists are not answers
        terms = question_terms if hit.language == q_lang else translated_terms
        # A short sentence ("初始资金1亿英镑") often answers in the context of its passage (a table
        # row, a list under a heading): the passage's coverage counts too.
        context = coverage(terms, set(tokenize(f"{hit.title}\n{hit.section}\n{hit.text}")))
        for sentence in passage_sentences(hit, rank):
            sentence.coverage = coverage(terms, set(tokenize(sentence.text)))
            sentence.score = (sentence.coverage + context_weight * context + passage_weight * retrieval
                              + RANK_PRIOR / (1 + rank))
            sentences.append(sentence)
    sentences.sort(key=lambda s: -s.score)
    return sentences
