"""Sentence-aware chunking measured in model tokens, with exact raw-file offsets.

``chunk_text`` is the pure core; ``PolicyNodeParser`` wraps it as a llama-index node parser, the first
transformation of ingestion's ``IngestionPipeline`` (``rag.ingest.pipeline``).

Usage::

    chunks = chunk_text(normalize(raw, body_start), embedder.count_tokens, max_tokens=160, overlap_tokens=24)

Invariants (tested): every sentence of the normalized text lands in at least one chunk; a sentence is
cut only when it alone exceeds ``max_tokens``; a table row (``NormalizedText.rows``) that fits in
``max_tokens`` is one unit, never split between chunks; ``raw[chunk.start:chunk.end]`` is the raw text the
chunk came from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, NodeRelationship, TextNode
from pydantic import Field, PrivateAttr

from rag.text.language import detect_language
from rag.text.normalize import Heading, NormalizedText, normalize
from rag.text.sentences import split_sentences
from rag.text.tables import group_rows

TokenCounter = Callable[[str], int]
DOCUMENT_HINTS = ("body_start", "page_starts")  # document metadata the parser reads and does not copy
SOFT_BREAK = re.compile(r"[，,、：:）)\s]")


@dataclass
class Chunk:
    """A retrievable passage. ``start``/``end`` index the raw file; ``text`` is normalized."""

    index: int
    text: str
    start: int
    end: int
    norm_start: int
    norm_end: int
    section: str = ""
    language: str = "zh"
    page: int | None = None
    sentences: list[tuple[int, int]] = field(default_factory=list)  # spans relative to ``text``
    sentence_raw: list[tuple[int, int]] = field(default_factory=list)  # the same sentences in the raw file
    marks: list[tuple[int, int]] = field(default_factory=list)  # footnote marks left out: (offset in text, number)


def page_lookup(page_starts: Sequence[Sequence[int]]) -> Callable[[int], int | None]:
    """offset → the number of the page it is on, from ``[start, number]`` per page (sorted by start)."""
    starts = [int(start) for start, _ in page_starts]
    numbers = [int(number) for _, number in page_starts]

    def page_at(offset: int) -> int | None:
        i = bisect_right(starts, offset) - 1
        return numbers[i] if i >= 0 else None

    return page_at


def section_path(headings: Sequence[Heading], position: int, max_level: int = 3) -> str:
    """' > '-joined titles of the headings (levels ≤ max_level) in force at ``position``."""
    stack: list[Heading] = []
    for heading in headings:
        if heading.start > position:
            break
        if heading.level > max_level:
            continue
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)
    return " > ".join(h.title for h in stack)


def _split_long(text: str, a: int, b: int, count: TokenCounter, max_tokens: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence into pieces of at most ``max_tokens``, at soft breaks when possible."""
    pieces: list[tuple[int, int]] = []
    start = a
    while start < b:
        if count(text[start:b]) <= max_tokens:
            pieces.append((start, b))
            break
        lo, hi = start + 1, b  # largest end with count <= max_tokens, by bisection
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count(text[start:mid]) <= max_tokens:
                lo = mid
            else:
                hi = mid - 1
        end = max(lo, start + 1)
        window = text[start:end]
        soft = [m.end() for m in SOFT_BREAK.finditer(window)]
        if soft and soft[-1] > len(window) // 2 and end < b:
            end = start + soft[-1]
        trimmed = end
        while trimmed > start + 1 and text[trimmed - 1].isspace():
            trimmed -= 1
        pieces.append((start, trimmed))
        start = end
        while start < b and text[start].isspace():
            start += 1
    return pieces


def sentence_units(
    normalized: NormalizedText, count: TokenCounter, max_tokens: int
) -> list[tuple[int, int, int]]:
    """(start, end, tokens) of each sentence, over-long sentences already cut. A table row
    (``normalized.rows``) is one unit when it fits in ``max_tokens``, else its sentences are."""
    units: list[tuple[int, int, int]] = []
    for group in group_rows(split_sentences(normalized.text), normalized.rows):
        row_tokens = count(normalized.text[group[0][0]:group[-1][1]]) if len(group) > 1 else max_tokens + 1
        if row_tokens <= max_tokens:
            units.append((group[0][0], group[-1][1], row_tokens))
            continue
        for a, b in group:
            tokens = count(normalized.text[a:b])
            if tokens <= max_tokens:
                units.append((a, b, tokens))
            else:
                for pa, pb in _split_long(normalized.text, a, b, count, max_tokens):
                    units.append((pa, pb, count(normalized.text[pa:pb])))
    return units


def _group_units(
    units: list[tuple[int, int, int]], headings: Sequence[Heading], max_tokens: int, overlap_tokens: int
) -> list[list[tuple[int, int, int]]]:
    """Greedy packing of sentences; a new top-level section (h1–h3) starts a new chunk."""
    section_starts = {h.start for h in headings if h.level <= 3}
    groups: list[list[tuple[int, int, int]]] = []
    current: list[tuple[int, int, int]] = []
    total = 0
    for unit in units:
        new_section = unit[0] in section_starts and current and any(u[0] not in section_starts for u in current)
        if current and (total + unit[2] > max_tokens or new_section):
            groups.append(current)
            carry: list[tuple[int, int, int]] = []
            if not new_section:
                carried = 0
                for prev in reversed(current):
                    if carried + prev[2] > overlap_tokens or len(carry) + 1 >= len(current):
                        break
                    carry.insert(0, prev)
                    carried += prev[2]
            current, total = carry, sum(u[2] for u in carry)
            if total + unit[2] > max_tokens:  # the overlap must not push a chunk past the limit
                current, total = [], 0
        current.append(unit)
        total += unit[2]
    if current:
        groups.append(current)
    return groups


def table_header(normalized: NormalizedText, units: Sequence[tuple[int, int, int]]) -> str:
    """The header line of the table whose row (or piece of one) comes first among ``units``; "" if none."""
    for a, _, _ in units:
        i = bisect_right(normalized.rows, (a, len(normalized.text))) - 1
        if i >= 0 and normalized.rows[i][0] <= a < normalized.rows[i][1]:
            return normalized.row_headers[i]
    return ""


def chunk_text(
    normalized: NormalizedText,
    count: TokenCounter,
    max_tokens: int = 160,
    overlap_tokens: int = 24,
    page_at: Callable[[int], int | None] | None = None,
) -> list[Chunk]:
    """Chunks of a normalized document."""
    if max_tokens < 8 or overlap_tokens < 0 or overlap_tokens >= max_tokens:
        raise ValueError("need max_tokens >= 8 and 0 <= overlap_tokens < max_tokens")
    units = sentence_units(normalized, count, max_tokens)
    heading_starts = {h.start for h in normalized.headings}
    chunks: list[Chunk] = []
    for group in _group_units(units, normalized.headings, max_tokens, overlap_tokens):
        a, b = group[0][0], group[-1][1]
        text = normalized.text[a:b]
        raw_start, raw_end = normalized.raw_span(a, b)
        # The section of the chunk's body, not of headings stacked at its top; a table row's columns are named
        # by its table's header line, which heads the passage as its section does.
        section = section_path(normalized.headings, next((u[0] for u in group if u[0] not in heading_starts), a))
        header = table_header(normalized, group)
        chunks.append(
            Chunk(
                index=len(chunks),
                text=text,
                start=raw_start,
                end=raw_end,
                norm_start=a,
                norm_end=b,
                section=" > ".join(part for part in (section, header) if part),
                language=detect_language(text),
                page=page_at(raw_start) if page_at else None,
                sentences=[(ua - a, ub - a) for ua, ub, _ in group],
                sentence_raw=[normalized.raw_span(ua, ub) for ua, ub, _ in group],
                marks=[(at - a, number) for at, number in normalized.marks if a < at <= b],  # a mark ends text
            )
        )
    return chunks


class PolicyNodeParser(NodeParser):
    """llama-index node parser: normalize + sentence-aware, token-measured chunking (``chunk_text``).

    Usage::

        parser = PolicyNodeParser.from_counter(embedder.count_tokens, max_tokens=160)
        nodes = parser.get_nodes_from_documents([Document(text=raw, metadata={"body_start": 120})])

    Each node's ``start_char_idx``/``end_char_idx`` are offsets into the document's raw text, and its
    metadata carries ``section``, ``language``, ``chunk_index``, ``page`` and
    ``sentences`` (``[start, end, raw_start, raw_end]`` per sentence: in the node's text, in the raw
    text) and ``marks`` (``[offset, number]`` per footnote mark normalization left out of the node's text). A document's ``body_start`` (where the content begins) and ``page_starts`` (``[start, number]``
    per page) are read, not copied into its nodes.
    """

    max_tokens: int = Field(default=160, gt=8)
    overlap_tokens: int = Field(default=24, ge=0)
    wrap_min_chars: int = Field(default=24, ge=0)
    running_line_min_repeats: int = Field(default=5, ge=0)
    _count: TokenCounter = PrivateAttr()

    @classmethod
    def from_counter(cls, count: TokenCounter, **kwargs: Any) -> "PolicyNodeParser":
        parser = cls(**kwargs)
        parser._count = count
        return parser

    def _postprocess_parsed_nodes(self, nodes: list[BaseNode], parent_doc_map: dict[str, Any]) -> list[BaseNode]:
        """Offsets, metadata and the SOURCE link are already exact; llama-index's default would
        re-find each node's text in the raw document (wrong for normalized text and repeats)."""
        return nodes

    def _parse_nodes(self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for node in nodes:
            raw = node.get_content()
            body_start = int(node.metadata.get("body_start", 0))
            normalized = normalize(raw, body_start, wrap_min_chars=self.wrap_min_chars,
                                   running_line_min_repeats=self.running_line_min_repeats)
            starts = node.metadata.get("page_starts") or []
            inherited = {k: v for k, v in node.metadata.items() if k not in DOCUMENT_HINTS}
            source = node.as_related_node_info()  # once: it hashes the whole document
            chunks = chunk_text(normalized, self._count, self.max_tokens, self.overlap_tokens,
                                page_lookup(starts) if starts else None)
            for chunk in chunks:
                out.append(
                    TextNode(
                        text=chunk.text,
                        start_char_idx=chunk.start,
                        end_char_idx=chunk.end,
                        relationships={NodeRelationship.SOURCE: source},
                        metadata={
                            **inherited,
                            "section": chunk.section,
                            "language": chunk.language,
                            "chunk_index": chunk.index,
                            "page": chunk.page,
                            "sentences": [[a, b, ra, rb] for (a, b), (ra, rb)
                                          in zip(chunk.sentences, chunk.sentence_raw, strict=True)],
                            "marks": [list(mark) for mark in chunk.marks],
                        },
                    )
                )
        return out
