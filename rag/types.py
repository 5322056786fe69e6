"""The data types every stage shares: query term groups, a retrieved passage, an evidence sentence,
a citation, an answer.

Usage::

    from rag.types import Answer, Citation, EvidenceSentence, SearchHit, SearchResult, TermGroup
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# A query term group: alternative token sets (any one fully present counts) and the group's weight.
# A negative weight marks a bonus group: it counts only where it matches (names and numbers of an
# English question may or may not be written in Latin script inside a Chinese passage).
TermGroup = tuple[tuple[frozenset[str], ...], float]
# The reader (rag.answer.reader) as the answer stage calls it: a question or claim and sentences → per
# sentence its label probabilities ({"answers": …} or {"entails": …, "contradicts": …, "neutral": …}).
PairReader = Callable[[str, Sequence[str]], list[dict[str, float]]]


@dataclass
class SearchHit:
    """One retrieved passage; ``start``/``end`` index the source file's raw text."""

    doc: str
    title: str
    section: str
    page: int | None
    text: str
    start: int
    end: int
    score: float
    language: str
    doc_hash: str
    date: str | None = None
    sentences: list[tuple[int, int, int, int]] = field(default_factory=list)  # text span, raw span
    chunk: int = -1  # the passage's position in its document
    dense: np.ndarray | None = field(default=None, repr=False)
    tokens: frozenset[str] | None = field(default=None, repr=False)  # index tokens of section + text
    gloss: str = field(default="", repr=False)  # its terms in the other language (rag.ingest.gloss)
    features: dict[str, float] = field(default_factory=dict, repr=False)
    context_title: str = field(default="", repr=False)  # the title evidence scoring reads ("": ``title``)

    @property
    def scored_title(self) -> str:
        """The document title as evidence scoring reads it: the declared one or the file name (a title found
        in the text is only shown; rag.ingest.titles)."""
        return self.context_title or self.title

    def to_json(self) -> dict[str, Any]:
        return {
            "doc": self.doc, "title": self.title, "section": self.section, "page": self.page,
            "text": self.text, "start": self.start, "end": self.end, "score": round(self.score, 4),
            "language": self.language, "date": self.date,
        }


@dataclass
class SearchResult:
    question: str
    language: str
    hits: list[SearchHit]
    timings_ms: dict[str, float]
    translation: str | None = None
    named_documents: list[str] = field(default_factory=list)  # documents the question names (rag.retrieval.mentions)
    query_vector: np.ndarray | None = field(default=None, repr=False)  # the question's embedding (e5 query)


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


@dataclass
class Citation:
    n: int
    doc: str
    title: str
    text: str  # the exact supporting sentence
    start: int  # raw-file offsets of that sentence
    end: int
    page: int | None
    score: float
    section: str = ""
    date: str | None = None
    passage: str = ""
    passage_start: int = 0
    passage_end: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n, "doc": self.doc, "title": self.title, "text": self.text, "start": self.start,
            "end": self.end, "page": self.page, "score": round(self.score, 4), "section": self.section,
            "date": self.date,
        }


@dataclass
class Answer:
    question: str
    language: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    contexts: list[SearchHit] = field(default_factory=list)
    verdict: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    generator: str = "extractive"
    support: float = 0.0
    notes: list[str] = field(default_factory=list)
    named_documents: list[str] = field(default_factory=list)  # documents the question names (rag.retrieval.mentions)
    # claim check: what the claim says otherwise than its source ({kind, claim, claim_span, source,
    # citation, text}), and the claim model's probability of each verdict
    differences: list[dict[str, Any]] = field(default_factory=list)
    probabilities: dict[str, float] = field(default_factory=dict)

    def to_json(self, item_id: Any = None) -> dict[str, Any]:
        data: dict[str, Any] = {} if item_id is None else {"id": item_id}
        data.update({
            "answer": self.answer,
            "refused": self.refused,
            "verdict": self.verdict,
            "citations": [c.to_json() for c in self.citations],
            "contexts": [
                {"doc": h.doc, "title": h.title, "text": h.text, "start": h.start, "end": h.end,
                 "score": round(h.score, 4)}
                for h in self.contexts[:10]
            ],
            "timings_ms": self.timings_ms,
        })
        if self.verdict is not None:
            data["differences"] = self.differences
            data["probabilities"] = self.probabilities
        return data
