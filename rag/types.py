"""The data types every stage shares: the analysed query and its term groups, a retrieved passage, an
evidence sentence, a citation, an answer.

Usage::

    from rag.types import Answer, Citation, EvidenceSentence, Query, SearchHit, SearchResult, TermGroup
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rag.text.footnotes import without_footnote_marks

# A query term group: alternative token sets (any one fully present counts) and the group's weight.
# A negative weight marks a bonus group: it counts only where it matches (names and numbers of an
# English question may or may not be written in Latin script inside a Chinese passage).
TermGroup = tuple[tuple[frozenset[str], ...], float]
# The reader (rag.answer.reader) as the answer stage calls it: a question or claim and sentences → per
# sentence its label probabilities ({"answers": …} or {"entails": …, "contradicts": …, "neutral": …}).
PairReader = Callable[[str, Sequence[str]], list[dict[str, float]]]


@dataclass
class Query:
    """A question or claim analysed once (``rag.retrieval.query.QueryAnalyzer``) and read by every later
    stage: retrieval, rerank, evidence, the answer and the claim check."""

    text: str  # cleaned (rag.retrieval.query.clean_question)
    language: str  # "zh" or "en"
    tokens: tuple[str, ...] = ()  # index tokens of ``text`` (rag.text.lexical.tokenize)
    focus: str = ""  # ``text`` without the documents it names ("": none named)
    focus_tokens: tuple[str, ...] = ()
    named: frozenset[str] = frozenset()  # hashes of the documents ``text`` names (rag.retrieval.mentions)
    mentions: tuple[str, ...] = ()  # the phrases of ``text`` that name them ("the Concordia AI report")
    translation: str | None = None  # the focus translated by the LLM (only with one configured)
    translated_terms: dict[str, float] = field(default_factory=dict)  # other-language index terms of the focus
    gloss: str | None = None  # the translated terms as a text, embedded in place of a translation
    # Term groups (rag.text.terms, one kind): retrieval's for other-language passages (the focus, with the
    # dictionary senses the index attests), and evidence's for passages in ``language`` and in the other one
    search_groups: list[TermGroup] = field(default_factory=list)
    terms: list[TermGroup] = field(default_factory=list)
    cross_terms: list[TermGroup] = field(default_factory=list)
    answer_kind: str | None = None  # "money", "duration" or "figure" when a how-much question (rag.text.asked)
    asks_date: bool = False  # whether it asks when
    sought: re.Pattern[str] | None = field(default=None, repr=False)  # what a passage states to answer it
    vector: np.ndarray | None = field(default=None, repr=False)  # e5 query embedding of ``text``
    translation_vector: np.ndarray | None = field(default=None, repr=False)
    gloss_vector: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.focus = self.focus or self.text
        self.focus_tokens = self.focus_tokens or self.tokens

    @property
    def other_language(self) -> str:
        return "en" if self.language == "zh" else "zh"

    @property
    def cross_vector(self) -> np.ndarray | None:
        """The question in the other language: its translation's embedding, else its gloss's."""
        return self.translation_vector if self.translation_vector is not None else self.gloss_vector

    def terms_for(self, language: str) -> list[TermGroup]:
        """The evidence term groups for a passage in ``language``."""
        return self.terms if language == self.language else self.cross_terms


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
    marks: list[tuple[int, int]] = field(default_factory=list)  # footnote marks left out of ``text``: (offset, number)
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
    query: Query
    hits: list[SearchHit]
    timings_ms: dict[str, float]
    named_documents: list[str] = field(default_factory=list)  # names of the documents the query names, as searched


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
    passage_marks: list[tuple[int, int]] = field(default_factory=list)  # the passage's footnote marks (SearchHit.marks)

    @property
    def shown(self) -> str:
        """The sentence as a reader sees it: without the footnote marks glued into it ("…研究所26。" →
        "…研究所。", rag.text.footnotes); ``text`` stays exact, so ``start``/``end`` still cover it."""
        return without_footnote_marks(self.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n, "doc": self.doc, "title": self.title, "text": self.text, "shown": self.shown,
            "start": self.start, "end": self.end, "page": self.page, "score": round(self.score, 4),
            "section": self.section, "date": self.date,
        }


# How a verdict said with low confidence (``Answer.confidence == "low"``) is worded: its key in the verdict texts of
# rag.app.service and rag.app.ui_text ("probably supported", "possibly contradicted").
LOW_CONFIDENCE_VERDICT = {"supported": "tentative", "contradicted": "tentative_contradicted"}


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
    # "high" or "low": an answer's (its P(answerable) against its group's confidence threshold) or a supported claim's
    # (its P(supported) against the claim model's strict threshold); None for a refusal and other verdicts
    confidence: str | None = None
    # claim check: the span of ``question`` read as the claim's statement when a frame naming its source was cut off
    # ("The Concordia AI report says that …"); None when the claim was read whole
    checked_span: list[int] | None = None

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
            "confidence": self.confidence,
        })
        if self.verdict is not None:
            data["differences"] = self.differences
            data["probabilities"] = self.probabilities
            span = self.checked_span
            data["checked"] = {"text": self.question[span[0]:span[1]], "span": span} if span else None
        return data
