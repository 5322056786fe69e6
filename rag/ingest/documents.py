"""Plain data types passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class UnreadableDocumentError(Exception):
    """A file that cannot be ingested: the message is one sentence a user can act on."""


@dataclass(frozen=True)
class PageSpan:
    """Page ``number`` (1-based) starts at character ``start`` of ``LoadedDocument.raw_text``."""

    start: int
    number: int


@dataclass
class LoadedDocument:
    """A file read into text.

    ``raw_text`` is the decoded file (txt/md/html) or the extracted text (pdf/docx). Every offset the
    system reports (chunk ``start``/``end``, citation spans) indexes into ``raw_text``.
    ``body_start`` is where the content begins (after YAML front matter).
    """

    path: Path
    raw_text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    pages: list[PageSpan] = field(default_factory=list)
    body_start: int = 0
    encoding: str = "utf-8"

    @property
    def page_starts(self) -> list[list[int]]:
        """``[start, number]`` per page, as ``rag.ingest.chunking.page_lookup`` and the node parser read them."""
        return [[span.start, span.number] for span in self.pages]
