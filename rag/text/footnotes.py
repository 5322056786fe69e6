"""Footnote reference marks glued into Chinese text by PDF and web extraction ("…安全研究所26。",
"…《宣言》14。", "…风险。[1]"), and the document's note list that confirms them.

A mark is a number of one to three digits that follows a Chinese character and ends a clause (a clause
mark or the end of the line follows), or that follows a closing bracket or quote and precedes Chinese text
that is not a unit. Numbers that are values stay: after 为/达/约/第/于… (a value's lead-in), before a unit
(年, 个, 家, %, 万…), or inside a date ("5月28日").

A document's note list (``read_notes``) is its numbered lines that cite a source: "26 IMDA, “Digital Trust
Centre…”, 2024-05-22, https://…" or "- [5] Dafoe, A. (2018). *AI governance…*" — the entry (the line and the
lines wrapped from it) shows at least ``note_min_signals`` of a URL, a date and a quoted or italic title; a
numbered line between two notes whose numbers it falls between is a note too (an explanatory note, 003's 27).
A numbered heading ("2. 进展", "2进展"), a list item ("1、首先") or a table row is none of these.

When a document has a note list, a mark counts only if its number is in the list (``confirmed_marks``);
a bracketed "[n]" counts then too. Without a note list the mark rule alone stands.

Usage::

    without_footnote_marks("欧洲人工智能办公室28名义上并非人工智能研究所，…英国和美国31。")
    # → "欧洲人工智能办公室28名义上并非人工智能研究所，…英国和美国。"  (the 28 stays: it precedes 名)
    notes = note_list(read_notes(raw))             # frozenset of note numbers (empty: no note list)
    confirmed_marks(normalized_text, notes)        # spans of the marks the note list confirms
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from rag.settings import get_settings
from rag.text.cjk import HAN_IDEOGRAPHS

CLAUSE_END = "。，；：、！？"
CLOSERS = "》”）)】」』"
VALUE_LEAD = "为是约达共有至到第和与及或年月日号超近逾仅了占增减比于在等计逾"  # a number after these is a value
UNIT = "年月日号个家项名位人国次倍多余万亿元%％条款章节页期届岁时分秒天周"  # a number before these is a value

FOOTNOTE_MARK = re.compile(
    rf"(?:(?<=[{HAN_IDEOGRAPHS}])(?<![{VALUE_LEAD}])\d{{1,3}}(?=[{CLAUSE_END}]|\s*$))"
    rf"|(?:(?<=[{re.escape(CLOSERS)}])\d{{1,3}}(?=[{CLAUSE_END}]|\s|[{HAN_IDEOGRAPHS}])(?![{UNIT}]))",
    re.M,
)
# "[n]" after Chinese text or a clause mark ("…风险。[1]特别是"), or alone on its line; not a Markdown link "[1](…)".
BRACKET_MARK = re.compile(
    rf"(?:(?<=[{HAN_IDEOGRAPHS}{CLAUSE_END}{re.escape(CLOSERS)}])|^)\[(\d{{1,3}})\](?![(\[])", re.M
)

# A numbered line: an optional bullet, then "[n]" or n not followed by what makes it a heading, list item,
# value or date ("2. 进展", "1、首先", "12月", "24/seoul…"), then text.
NOTE_START = re.compile(
    r"^[ \t]*(?:[-*•·][ \t]*)?(?:\[(\d{1,3})\]|(\d{1,3})(?![\d.．、,，:：;；/\-‒–)）%％年月日号个家项]))[ \t]*(?=\S)",
    re.M,
)
URL = re.compile(r"https?://|www\.|doi\.org/", re.I)
DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?:[-‒–/](?:1[0-2]|0?[1-9])(?!\d)|年\d{1,2}月)|\((?:19|20)\d{2}[a-z]?[,)]")
TITLE = re.compile(r"[“\"《][^“”\"《》\n]{3,}|(?<![*\w])[*_](?=\w)[^*_\n]{3,}[*_]")


@dataclass(frozen=True)
class Note:
    """An entry of a note list: its number and the offsets of its entry (``start`` is where the number's line
    begins its content: the bullet, "[" or first digit)."""

    number: int
    start: int
    end: int
    text: str


SEGMENT = re.compile(r"\n|(?<=[。！？])")  # lines, and Chinese sentences (PDF lines run on)


def _signals(entry: str) -> int:
    return sum(1 for pattern in (URL, DATE, TITLE) if pattern.search(entry))


def citation_share(text: str) -> float:
    """The share of ``text``'s characters in lines (or Chinese sentences) that cite a source: a URL, or (in one
    shorter than a paragraph of body text, ``citation_max_chars``) a date and a quoted or italic title ("Dafoe, A.
    (2018). *AI governance…*"). A passage of a reference list scores near 1, body text 0."""
    segments = [part for part in SEGMENT.split(text) if part.strip()]
    total = sum(len(part) for part in segments)
    longest = get_settings().citation_max_chars
    cited = sum(len(part) for part in segments
                if URL.search(part) or (len(part) <= longest and DATE.search(part) and TITLE.search(part)))
    return cited / total if total else 0.0


def _entry_end(text: str, line_end: int, max_lines: int) -> int:
    """The end of a note entry that opens on the line ending at ``line_end``: its wrapped lines follow until a
    blank line, another numbered line, or ``max_lines`` lines in all."""
    end = line_end
    for _ in range(max_lines - 1):
        if end >= len(text):
            break
        nxt = text.find("\n", end + 1)
        nxt = len(text) if nxt < 0 else nxt
        line = text[end + 1:nxt]
        if not line.strip() or NOTE_START.match(line):
            break
        end = nxt
    return end


def read_notes(text: str, start: int = 0, end: int | None = None) -> list[Note]:
    """The notes of text[start:end] in the order they stand; offsets index ``text``. Pure function."""
    settings = get_settings()
    end = len(text) if end is None else end
    found: list[tuple[Note, bool]] = []  # (note, whether it cites a source)
    for match in NOTE_START.finditer(text, start, end):
        line_end = text.find("\n", match.end(), end)
        line_end = end if line_end < 0 else line_end
        entry_end = _entry_end(text[:end], line_end, settings.note_max_lines)
        entry = text[match.end():entry_end]
        number = int(match.group(1) or match.group(2))
        lead = len(match.group()) - len(match.group().lstrip())
        note = Note(number, match.start() + lead, entry_end, entry.strip())
        found.append((note, _signals(entry) >= settings.note_min_signals))
    cited = {note.number: i for i, (note, source) in enumerate(found) if source}
    notes: list[Note] = []
    for i, (note, source) in enumerate(found):
        before, after = cited.get(note.number - 1), cited.get(note.number + 1)
        between = before is not None and after is not None and min(before, after) < i < max(before, after)
        if source or (between and note.number not in cited and note.text[:1].isalpha()):
            notes.append(note)
    return notes


def note_list(notes: Iterable[Note]) -> frozenset[int]:
    """The numbers of a document's notes; empty when there are too few to be a note list."""
    numbers = frozenset(note.number for note in notes)
    return numbers if len(numbers) >= get_settings().note_list_min_notes else frozenset()


def note_texts(notes: Iterable[Note]) -> dict[int, str]:
    """A document's note list as number → the note's text on one line (a number's first entry); {} without a
    note list."""
    notes = list(notes)
    numbers = note_list(notes)
    texts: dict[int, str] = {}
    for note in notes:
        if note.number in numbers:
            texts.setdefault(note.number, " ".join(note.text.split()))
    return texts


def footnote_marks(text: str) -> list[tuple[int, int]]:
    """Spans of the footnote marks in ``text`` by the mark rule alone (no note list)."""
    return [m.span() for m in FOOTNOTE_MARK.finditer(text)]


def confirmed_marks(text: str, notes: Collection[int], skip: Collection[int] = ()) -> list[tuple[int, int]]:
    """Spans of the marks in ``text``: with a note list (``notes`` not empty) a mark or a bracketed "[n]" whose
    number is in it; without one, the mark rule's. Marks starting at an offset in ``skip`` (the note lines'
    own numbers) are not marks."""
    if not notes:
        return [span for span in footnote_marks(text) if span[0] not in skip]
    spans = [m.span() for m in FOOTNOTE_MARK.finditer(text) if int(m.group()) in notes]
    spans += [m.span() for m in BRACKET_MARK.finditer(text) if int(m.group(1)) in notes]
    return sorted(span for span in spans if span[0] not in skip)


def without_confirmed_marks(text: str, notes: Collection[int]) -> str:
    """``text`` less the marks ``confirmed_marks`` finds in it: a quote of a document as its normalized text reads
    it (the document's note numbers ``notes``; the mark rule alone without them)."""
    spans = confirmed_marks(text, notes)
    return "".join(text[b:c] for b, c in zip([0, *(end for _, end in spans)], [*(start for start, _ in spans), len(text)],
                                             strict=True))


def without_footnote_marks(text: str) -> str:
    """``text`` with its footnote marks left out (for reading; offsets index the text with them)."""
    return FOOTNOTE_MARK.sub("", text)
