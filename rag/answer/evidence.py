"""Evidence sentences: split retrieved passages into sentences and score them against a question.

The score of a sentence is the weighted share of the question's terms it contains (its own words
for a sentence in the question's language, the dictionary translation otherwise; see rag.text.terms),
plus a small prior for the passage's rank.

Usage::

    sentences = score_sentences(hits, query, max_passages=5)   # query: rag.types.Query
"""

from __future__ import annotations

import re

from rag.settings import get_settings
from rag.text.lexical import tokenize
from rag.text.sentences import ends_sentence, opens_mid_sentence
from rag.text.terms import coverage
from rag.types import EvidenceSentence, Query, SearchHit

# A sentence holding a URL is a reference, a byline or an address line, not an answer.
URL = re.compile(r"https?://|www\.", re.I)


def is_fragment(text: str, a: int, b: int) -> bool:
    """Whether ``text[a:b]`` neither starts nor ends a sentence of the passage ``text``: a piece of an
    over-long sentence between two others (rag.ingest.chunking), with no sentence end or line break on
    either side. It stays visible in the passage, never evidence. A passage's first and last sentences are
    whole or dropped already (rag.retrieval.sentence_completion)."""
    before, after = text[:a], text[b:]
    starts = not before.strip() or "\n" in before[len(before.rstrip()):] or ends_sentence(before)
    ends = not after.strip() or "\n" in after[:len(after) - len(after.lstrip())] or ends_sentence(text[a:b])
    return not starts and not ends


def passage_sentences(hit: SearchHit, rank: int) -> list[EvidenceSentence]:
    out = []
    for position, span in enumerate(hit.sentences):
        a, b = span[0], span[1]
        raw_a, raw_b = (span[2], span[3]) if len(span) >= 4 else (hit.start, hit.end)
        text = hit.text[a:b].strip()
        if text and not URL.search(text) and not is_fragment(hit.text, a, b) and not opens_mid_sentence(text):
            out.append(EvidenceSentence(hit, rank, text, raw_a, raw_b, position))
    return out


def relative_scores(hits: list[SearchHit]) -> list[float]:
    """Retrieval scores rescaled to [0, 1] over ``hits`` (1 = best; all 1 when they are equal)."""
    scores = [h.score for h in hits]
    low, high = min(scores, default=0.0), max(scores, default=0.0)
    return [(s - low) / (high - low) if high > low else 1.0 for s in scores]


def score_sentences(
    hits: list[SearchHit], query: Query, max_passages: int, context_weight: float = 0.0, passage_weight: float = 0.0,
    rank_prior: float | None = None,
) -> list[EvidenceSentence]:
    """Every sentence of the top ``max_passages`` passages, best first. A sentence scores its own
    coverage of the question, plus ``context_weight`` × its passage's coverage, plus ``passage_weight`` ×
    its passage's retrieval score (relative to the other top passages), plus ``rank_prior`` / (1 + the
    passage's rank) (default: ``settings.evidence_rank_prior``)."""
    rank_prior = get_settings().evidence_rank_prior if rank_prior is None else rank_prior
    sentences: list[EvidenceSentence] = []
    top = hits[:max_passages]
    for rank, (hit, retrieval) in enumerate(zip(top, relative_scores(top), strict=True)):
        if hit.features.get("foreign_in_doc"):
            continue  # footnotes and reference lists are not answers
        terms = query.terms_for(hit.language)
        # A short sentence ("初始资金1亿英镑") often answers in the context of its passage (a table
        # row, a list under a heading): the passage's coverage counts too.
        context = coverage(terms, set(tokenize(f"{hit.scored_title}\n{hit.section}\n{hit.text}")))
        for sentence in passage_sentences(hit, rank):
            sentence.coverage = coverage(terms, set(tokenize(sentence.text)))
            sentence.score = (sentence.coverage + context_weight * context + passage_weight * retrieval
                              + rank_prior / (1 + rank))
            sentences.append(sentence)
    sentences.sort(key=lambda s: -s.score)
    return sentences
