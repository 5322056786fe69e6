"""Tables that PDF extraction flattened into runs of short lines, found again as rows.

A PDF table comes out of text extraction as its header line ("AISI 成立时间 机构设立 上级政府部门 资金规模 …": a
few short cells side by side), then each row as a run of short lines: the row's first line holds its key
cell and the narrow cells beside it ("英国 2023年11月 新成立机构"), the wider cells follow wrapped over many
short lines, a blank line between cells. ``find_tables`` reads that shape from the raw lines, generically:

* a header line: at least ``table_header_min_cells`` space-separated cells, each a word (not "-") at most
  ``table_cell_max_chars`` long, with no sentence or clause punctuation, not a list item or a note;
* a row starts where a block (the first lines after the header or after a blank line) opens with a key: a
  short name (at most ``table_key_max_han`` Han characters, or one capitalized Latin word of at most
  ``table_key_max_latin`` letters) followed on its line by more cells, or a block that is a key alone (a
  name the narrow first column wrapped, "新加 / 坡");
* the table runs on while its lines are narrow (display width at most ``table_line_max_width``, a Chinese
  character counting two); a wider line, another header line (unless it opens a row: "UK Nov 2023 new
  body" has a header's shape), the header repeated (a new page), a numbered section heading ("3.2…",
  "3.3.1…") or a Markdown heading ends it; it needs ``table_min_rows`` rows of ``table_min_row_lines`` lines on average
  (a row's cells wrap; a signature block's "For the Council / The President" does not), and at most
  ``table_max_ended_share`` of its lines may end a sentence (short lines that end sentences are prose).

Lines between the header and the first row (a header's second line, the rest of a row cut by a page
break) belong to no row. Pure functions on the raw text; ``rag.text.normalize`` joins each row into one line
and records its span and its header line; the chunker keeps a row whole (``group_rows``) and heads its
passage with that header line, as a section heads its passages.

Usage::

    for table in find_tables(raw, start=body_start):
        table.header, [(row.start, row.end) for row in table.rows]      # raw offsets
    roles = line_roles(find_tables(raw))    # raw line start -> HEADER / ROW / CELL / WRAP
    group_rows([(0, 5), (5, 9), (10, 12)], rows=[(0, 9)])              # [[(0, 5), (5, 9)], [(10, 12)]]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rag.settings import get_settings
from rag.text.cjk import HAN_OR_VARIANT, IDEOGRAPHIC_SPACE

HEADER, ROW, CELL, WRAP = "header", "row", "cell", "wrap"  # a table line's role (line_roles)
# Between two cells of a joined row: an ideographic space, which NFKC folds away everywhere else, so it
# marks a row boundary inside normalized text while staying white space (offsets and text checks skip it).
CELL_BREAK = IDEOGRAPHIC_SPACE

_LINE = re.compile(r"[^\n]*(?:\n|$)")
_PUNCTUATION = re.compile(r"[。！？；，、,;!?:：]")
_SENTENCE_END = re.compile(r"[。！？!?.](?:[”’\"'）)]*)$")
_LIST_OR_NOTE = re.compile(r"^(?:[-*+•·●■◆▪]|\d|[（(][一二三四五六七八九十\d]{1,3}[)）])")
# "3.2职能定位…", "3.3.1英国…": a numbered section heading; "1.5亿", "2.0" and dates are values, not headings.
_SECTION_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,3}(?![\d.])\s*(?![万亿千百%年月日元])[^\W\d_]")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s")
_LATIN_KEY = re.compile(r"[A-Z][A-Za-z]*")


@dataclass(frozen=True)
class Line:
    start: int  # raw offset of the line's first character
    text: str  # the line without its end of line, stripped


@dataclass(frozen=True)
class Row:
    start: int  # raw offset of the row's first line
    end: int  # raw offset just past the text of its last line
    lines: tuple[tuple[int, str], ...]  # (raw line start, role: ROW, CELL or WRAP) per line


@dataclass(frozen=True)
class Table:
    header: tuple[int, int]  # raw span of the header line's text
    header_line: int  # raw start of the header line
    rows: tuple[Row, ...]


def width(text: str) -> int:
    """Display width: a wide (CJK) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def is_header_line(text: str) -> bool:
    """Whether a stripped line looks like a table's header: several short cells, no punctuation."""
    settings = get_settings()
    cells = text.split()
    return (len(cells) >= settings.table_header_min_cells and max(len(c) for c in cells) <= settings.table_cell_max_chars
            and all(any(ch.isalnum() for ch in c) for c in cells)
            and not _PUNCTUATION.search(text) and not _LIST_OR_NOTE.match(text))


def is_key(token: str) -> bool:
    """Whether ``token`` can be a row's key cell: a short name."""
    settings = get_settings()
    if token and all(HAN_OR_VARIANT.fullmatch(ch) for ch in token):
        return len(token) <= settings.table_key_max_han
    return _LATIN_KEY.fullmatch(token) is not None and len(token) <= settings.table_key_max_latin


def opens_row(block: Sequence[str]) -> bool:
    """Whether a block of lines (the first after the header or after a blank line) starts a row: its first
    line is a key followed by more cells, or the whole block is a key a narrow column wrapped."""
    if not block:
        return False
    cells = block[0].split()
    return (len(cells) > 1 and is_key(cells[0])) or is_key("".join(block).replace(" ", ""))


def ends_table(text: str) -> bool:
    """Whether a stripped line cannot be part of a table's body, not even a row's first line: too wide for
    a cell, or a numbered section heading or Markdown heading."""
    return (width(text) > get_settings().table_line_max_width
            or _SECTION_HEADING.match(text) is not None or _MARKDOWN_HEADING.match(text) is not None)


def raw_lines(raw: str, start: int = 0, end: int | None = None) -> list[Line]:
    """The lines of raw[start:end], each with its raw start; blank lines have empty text."""
    end = len(raw) if end is None else end
    lines = []
    for match in _LINE.finditer(raw, start, end):
        if match.start() == match.end():
            break
        lines.append(Line(match.start(), match.group().rstrip("\r\n").strip()))
    return lines


def _block(lines: list[Line], i: int, ignored: frozenset[str]) -> list[str]:
    """The first texts of the block that opens at line ``i`` (up to the next blank line or table end): as
    many as ``opens_row`` reads, the first line and what a wrapped key can span."""
    settings = get_settings()
    limit = max(settings.table_key_max_han, settings.table_key_max_latin)
    block: list[str] = []
    for k in range(i, len(lines)):  # not lines[i:]: a copy of the rest on every call
        line = lines[k]
        if not line.text or ends_table(line.text) or sum(map(len, block)) > limit:
            break
        if line.text not in ignored:
            block.append(line.text)
    return block


def _table_at(raw: str, lines: list[Line], h: int, ignored: frozenset[str]) -> tuple[Table | None, int]:
    """The table whose header is line ``h`` (None if the lines after it do not make one) and the index of
    the first line after the lines it read."""
    settings = get_settings()
    rows: list[list[tuple[Line, str]]] = []
    blank, body, ended = True, 0, 0
    j = h + 1
    while j < len(lines):
        line = lines[j]
        if not line.text:
            blank = True
        elif line.text not in ignored:
            # a row's first line may look like a header ("UK Nov 2023 new body"); the header repeated on a
            # new page, or another table's header, ends this table
            opening = blank and opens_row(_block(lines, j, ignored))
            if ends_table(line.text) or line.text == lines[h].text or (is_header_line(line.text) and not opening):
                break
            body += 1
            ended += _SENTENCE_END.search(line.text) is not None
            if opening:
                rows.append([(line, ROW)])
            elif rows:
                rows[-1].append((line, CELL if blank else WRAP))
            blank = False
        j += 1
    if rows and len(rows[-1]) > 1 and rows[-1][-1][1] == CELL and rows[-1][-1][0].text.isdigit():
        rows[-1].pop()  # a page number after the table's last cell
    if (len(rows) < settings.table_min_rows or sum(map(len, rows)) < settings.table_min_row_lines * len(rows)
            or ended > settings.table_max_ended_share * body):
        return None, max(j, h + 1)  # its lines hold no other header: each line is read once
    header = lines[h]
    return Table((header.start + _lead(raw, header), _text_end(raw, header)), header.start,
                 tuple(Row(r[0][0].start + _lead(raw, r[0][0]), _text_end(raw, r[-1][0]),
                           tuple((line.start, role) for line, role in r)) for r in rows)), j


def _lead(raw: str, line: Line) -> int:
    """White space before the line's text."""
    i = line.start
    while i < len(raw) and raw[i] != "\n" and raw[i].isspace():
        i += 1
    return i - line.start


def _text_end(raw: str, line: Line) -> int:
    """Raw offset just past the line's last non-space character."""
    end = raw.find("\n", line.start)
    end = len(raw) if end < 0 else end
    while end > line.start and raw[end - 1].isspace():
        end -= 1
    return end


def find_tables(raw: str, start: int = 0, end: int | None = None, ignored: frozenset[str] = frozenset()) -> list[Table]:
    """The flattened tables of raw[start:end]; lines in ``ignored`` (running headers, footers) are skipped."""
    lines = raw_lines(raw, start, end)
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        if lines[i].text and is_header_line(lines[i].text):
            while i + 1 < len(lines) and lines[i + 1].text and is_header_line(lines[i + 1].text):
                i += 1  # a caption right above the header ("Comparison of national institutes")
            table, i = _table_at(raw, lines, i, ignored)
            if table is not None:
                tables.append(table)
            continue
        i += 1
    return tables


def line_roles(tables: Sequence[Table]) -> dict[int, str]:
    """Raw line start → role (HEADER, ROW: a row's first line, CELL: a row's line after a blank line, WRAP:
    a row's line that continues the one before it) for every line of ``tables`` that has one."""
    roles: dict[int, str] = {}
    for table in tables:
        roles[table.header_line] = HEADER
        for row in table.rows:
            roles.update(row.lines)
    return roles


def group_rows(spans: Sequence[tuple[int, int]], rows: Sequence[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Sentence spans in order, those inside one row (normalized spans) gathered into one group."""
    groups: list[list[tuple[int, int]]] = []
    row_of: list[int | None] = []
    k = 0
    for a, b in spans:
        while k < len(rows) and rows[k][1] <= a:
            k += 1
        inside = k if k < len(rows) and rows[k][0] <= a and b <= rows[k][1] else None
        if inside is not None and row_of and row_of[-1] == inside:
            groups[-1].append((a, b))
        else:
            groups.append([(a, b)])
            row_of.append(inside)
    return groups
