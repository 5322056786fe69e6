"""What makes a cited sentence readable, checked against its source file (tests/rag/app/test_cited_sentences.py).

A citation is whole when its raw span is exactly one sentence of the document: the project's splitter
(``rag.text.sentences.split_sentences``) over the document's normalized text (``rag.text.normalize``, as
ingest normalizes it), mapped back to raw offsets; or exactly one table row (``NormalizedText.rows``), which
the chunker keeps whole. Its ``text`` must be the normalized source text of that
span; it must not be a heading, stop at a comma, or open a page after the page's footnotes while the line
before them is cut mid-sentence; its ``shown`` text carries no footnote mark.

Usage::

    source = Source.load(path, settings)
    citation_problems(citation.text, citation.shown, citation.start, citation.end, source)   # [] when readable
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

from rag.ingest.loaders import load_document
from rag.settings import Settings
from rag.text.footnotes import footnote_marks
from rag.text.normalize import NormalizedText, normalize
from rag.text.sentences import ends_sentence, is_heading, split_sentences

# A line of a page's footnote block: "15 UK Government, …", a URL, or a URL's wrapped rest ("-declaration-…").
MID_CLAUSE = "，,、"  # a line stopping at one of these is cut off (half of a table cell wrapped over lines)
FOOTNOTE_LINE = re.compile(r"^\d{1,3}\s+\S|https?://|^-[a-z0-9]")


@dataclass
class Source:
    raw: str
    norm: NormalizedText
    sentences: dict[tuple[int, int], tuple[int, int]]  # raw span -> normalized span, per sentence
    starts: frozenset[int]
    ends: frozenset[int]
    heading_starts: frozenset[int]

    @classmethod
    def load(cls, path: Path, settings: Settings) -> "Source":
        doc = load_document(path)
        norm = normalize(doc.raw_text, doc.body_start, wrap_min_chars=settings.wrap_min_chars,
                         running_line_min_repeats=settings.running_line_min_repeats)
        spans = {norm.raw_span(a, b): (a, b) for a, b in [*split_sentences(norm.text), *norm.rows]}
        return cls(doc.raw_text, norm, spans, frozenset(a for a, _ in spans), frozenset(b for _, b in spans),
                   frozenset(h.start for h in norm.headings))

    def normalized(self, start: int, end: int) -> str:
        """The normalized text of raw span [start, end)."""
        i, j = bisect_left(self.norm.starts, start), bisect_left(self.norm.starts, end)
        return self.norm.text[i:j].strip()

    def after_cut_page(self, start: int) -> bool:
        """Whether the sentence at raw ``start`` opens a line after a page's footnote lines while the body
        line before those footnotes stops mid-sentence (a sentence split by a PDF page break)."""
        i = bisect_left(self.norm.starts, start)
        text = self.norm.text
        if i == 0 or text[i - 1] != "\n":
            return False
        lines = text[:i - 1].split("\n")
        skipped = 0
        while lines and FOOTNOTE_LINE.search(lines[-1]):
            lines.pop()
            skipped += 1
        if not skipped or not lines:
            return False
        body = lines[-1].strip()
        line_start = len("\n".join(lines[:-1])) + (1 if len(lines) > 1 else 0)
        return not (ends_sentence(body) or body.endswith((":", "：")) or is_heading(body)
                    or line_start in self.heading_starts)


def citation_problems(text: str, shown: str, start: int, end: int, source: Source) -> list[str]:
    """What keeps a citation from being a readable whole sentence of ``source`` ([] when nothing does)."""
    problems = []
    if start not in source.starts:
        problems.append("starts mid-sentence")
    if end not in source.ends:
        problems.append("ends mid-sentence")
    if source.normalized(start, end) != text:
        problems.append("text is not the source's text at its offsets")
    if is_heading(text):
        problems.append("a heading")
    if text.rstrip()[-1:] and text.rstrip()[-1] in MID_CLAUSE:
        problems.append("stops at a comma")
    if source.after_cut_page(start):
        problems.append("opens after a page break that cut its sentence")
    if footnote_marks(shown):
        problems.append("shows a footnote mark")
    return problems
