"""Text normalization with an exact map back to raw-file character offsets.

``normalize(raw)`` cleans a document for indexing and display:

* NFKC, plus a fold of CJK Radicals Supplement / Kangxi forms that NFKC leaves alone (⻛→风);
* lines of one paragraph re-joined as PDF extraction breaks them (no space between CJK characters,
  one space between Latin words, hyphenated words re-joined);
* Markdown images, link targets, emphasis markers and cover/QR-code/subscription boilerplate dropped;
* running headers and footers dropped: a short line repeated many times in one document (a PDF's
  page footer with the publisher's address, e-mail and web site);
* headings kept, and reported with their level so the chunker can build section paths;
* a table PDF extraction flattened (``rag.text.tables``) joined back into one line per row, its cells
  apart by ``CELL_BREAK`` (white space), each row's span and its table's header line reported so the
  chunker keeps the row whole and heads its passage with the column names;
* footnote marks glued into the text ("…英国和美国31。", "…风险。[1]") left out when the document's note list
  confirms them (``rag.text.footnotes``): they are not indexed, embedded or quoted, and their raw characters
  stay inside the raw span of the text around them.

Every output character remembers the raw span it came from, so ``NormalizedText.raw_span(a, b)``
turns a span of normalized text into raw-file offsets. Pure functions, no I/O; thresholds from the settings.

Usage::

    normalized = normalize(raw, start=body_start, wrap_min_chars=24, running_line_min_repeats=5)
    normalized.text, normalized.headings, normalized.rows, normalized.row_headers
    normalized.raw_span(0, 10)        # raw-file offsets of the first ten normalized characters
    fold_text("⻛险")                 # "风险"
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.settings import get_settings
from rag.text.cjk import HAN_IDEOGRAPHS, RADICALS, is_cjk
from rag.text.footnotes import confirmed_marks, note_list, read_notes
from rag.text.tables import CELL, CELL_BREAK, HEADER, ROW, WRAP, find_tables, line_roles

# CJK Radicals Supplement (U+2E80–U+2EFF) and a few Kangxi radicals that NFKC does not map, folded
# to the ordinary ideographs that policy documents mean by them.
RADICAL_FOLD: dict[str, str] = {
    "⻛": "风", "⻅": "见", "⻓": "长", "⻔": "门", "⻆": "角", "⺠": "民", "⻬": "齐", "⻋": "车",
    "⻉": "贝", "⻢": "马", "⻜": "飞", "⻝": "食", "⻚": "页", "⻥": "鱼", "⻦": "鸟",
    "⺟": "母", "⻘": "青", "⻨": "麦", "⻩": "黄", "⻳": "龟", "⻰": "龙", "⻮": "齿", "⻁": "虎",
    "⺁": "厂", "⺇": "几", "⺈": "刀", "⺊": "卜", "⺋": "卩", "⺍": "小", "⺎": "兀", "⺏": "尢",
    "⺐": "尢", "⺒": "巳", "⺓": "幺", "⺛": "旡", "⺝": "月", "⺞": "歺", "⺡": "水", "⺢": "水",
    "⺣": "火", "⺤": "爪", "⺦": "丬", "⺧": "牛", "⺨": "犬", "⺩": "王", "⺪": "疋", "⺫": "目",
    "⺬": "示", "⺭": "示", "⺮": "竹", "⺯": "糸", "⺰": "纟", "⺱": "网", "⺲": "网", "⺳": "网",
    "⺴": "网", "⺵": "网", "⺶": "羊", "⺷": "羊", "⺸": "羊", "⺹": "老", "⺺": "聿", "⺻": "聿",
    "⺼": "肉", "⺽": "臼", "⺾": "艹", "⺿": "艹", "⻀": "艹", "⻂": "衣", "⻃": "西", "⻄": "西",
    "⻇": "见", "⻈": "讠", "⻊": "足", "⻌": "辶", "⻍": "辶", "⻎": "辶", "⻏": "阝", "⻐": "金",
    "⻑": "长", "⻒": "阝", "⻕": "门", "⻖": "阝", "⻗": "雨", "⻙": "韦", "⻟": "食",
    "⻠": "饣", "⻡": "首", "⻣": "骨", "⻤": "鬼", "⻧": "卤", "⻪": "黾", "⻫": "齐", "⻭": "齿",
    "⻯": "龙", "⻱": "龟", "⻲": "龟",
}

IMAGE_ONLY_LINE = re.compile(r"^\s*(!\[[^\]]*\]\([^)]*\)\s*)+$")
# Cover / QR-code / subscription prompts. Only a short line made of such a prompt is dropped: the same
# words occur inside real sentences ("现在看来…", "转发了该决议"), and those must never be lost.
BOILERPLATE_WORDS = re.compile(
    r"扫码|扫描二维码|二维码|长按识别|关注公众号|点击上方|点击蓝字|阅读原文|星标|置顶公众号"
    r"|cover_image|微信号|订阅号|在看|点赞|转发|分享至"
    r"|^\s*(subscribe|scan the qr|click here to follow)",
    re.IGNORECASE,
)


def is_boilerplate(line: str) -> bool:
    """An image-only line, or a short line of subscription/QR prompt words (not a sentence that uses one)."""
    if IMAGE_ONLY_LINE.match(line):
        return True
    settings = get_settings()
    if len(line) > settings.boilerplate_max_chars:
        return False
    prompt_chars = sum(len(m.group()) for m in BOILERPLATE_WORDS.finditer(line))
    if not prompt_chars:
        return False
    # A short prompt rarely ends like a sentence; a real sentence that merely contains such a word does.
    ends_sentence = line.rstrip("*_ ")[-1:] in "。！？.!?；;"
    return not ends_sentence or prompt_chars >= settings.boilerplate_min_share * len(line.replace(" ", ""))


# Names what normalize() keeps and drops; change it whenever that changes, so documents are re-chunked.
NORMALIZATION = "running-lines-1; table-rows-1; section-lines-1; footnote-marks-1"


def running_lines(raw: str, min_repeats: int) -> frozenset[str]:
    """Stripped lines that recur at least ``min_repeats`` times: a PDF's running header or footer.

    A label that introduces what follows ("职能：", "Functions:") or a Chinese sentence may recur as
    often, and is content.
    """
    if min_repeats < 2:
        return frozenset()
    counts: dict[str, int] = {}
    max_chars = get_settings().running_line_max_chars
    for line in raw.splitlines():
        stripped = line.strip()
        if stripped and len(stripped) <= max_chars and stripped[-1] not in ":：。！？；!?;":
            counts[stripped] = counts.get(stripped, 0) + 1
    return frozenset(line for line, count in counts.items() if count >= min_repeats and any(ch.isalnum() for ch in line))


MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\((?:[^)(]|\([^)]*\))*\)")
EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)|`")
ASCII_CLEAN = re.compile(r"[!-~]+(?: [!-~]+)*")  # printable ASCII words, single inner spaces
FULLWIDTH_PUNCTUATION = frozenset("，：；（）！？、")
# A line ending in one of these closes its paragraph; any other line may be a wrapped one.
TERMINAL = frozenset("。！？；：!?;:.…」』”\"'）)")
HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
# A Chinese line that opens with a numbered section head ("2.1继英美之后，多个国家宣布…", "3.3.1英国…") is a heading
# however long: it ends its paragraph, never joined to the next line as a wrapped line would be.
SECTION_LINE = re.compile(rf"^\s*\d+(?:\.\d+)+\.?\s*[{HAN_IDEOGRAPHS}{RADICALS}]")
LIST_ITEM = re.compile(
    r"^\s*([-*+•·●■◆▪]\s?|\d{1,3}[.)、．]\s?|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、．.]|第[一二三四五六七八九十百\d]+[章节条款部分])"
)


def fold_char(ch: str) -> str:
    """NFKC plus the radical fold for one character (may return several characters or none).

    Full-width punctuation (，：；（）！？) is kept: it is ordinary Chinese punctuation, not a variant.
    """
    folded = RADICAL_FOLD.get(ch)
    if folded is not None:
        return folded
    if ch in FULLWIDTH_PUNCTUATION:
        return ch
    out = unicodedata.normalize("NFKC", ch)
    if len(out) == 1 and out in RADICAL_FOLD:
        return RADICAL_FOLD[out]
    if out in ("\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"):
        return ""
    return out


def fold_text(text: str) -> str:
    """The character fold alone (NFKC + radicals), for queries and evidence quotes."""
    if text.isascii():
        return text
    return "".join(fold_char(ch) for ch in text)


def compact(text: str) -> str:
    """Folded text with all white space removed: the form used to compare quotes with chunks."""
    return re.sub(r"\s+", "", fold_text(text))



@dataclass(frozen=True)
class Heading:
    start: int  # offset in the normalized text
    level: int
    title: str


@dataclass
class NormalizedText:
    """Normalized text plus, for each output character, the raw span [starts[i], ends[i])."""

    text: str
    starts: array = field(default_factory=lambda: array("q"))
    ends: array = field(default_factory=lambda: array("q"))
    headings: list[Heading] = field(default_factory=list)
    rows: list[tuple[int, int]] = field(default_factory=list)  # spans of table rows (rag.text.tables)
    row_headers: list[str] = field(default_factory=list)  # per row: its table's header line, as normalized
    # Footnote marks left out (rag.text.footnotes): (offset in ``text`` where the mark stood, its note number).
    marks: list[tuple[int, int]] = field(default_factory=list)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw-file offsets of normalized span [start, end)."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


class _Builder:
    """Appends characters with provenance; joins paragraph lines as it goes."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts = array("q")
        self.ends = array("q")

    def last_char(self) -> str:
        return self.chars[-1] if self.chars else ""

    def add(self, text: str, start: int, end: int) -> None:
        for ch in text:
            self.chars.append(ch)
            self.starts.append(start)
            self.ends.append(end)

    def add_identity(self, text: str, start: int) -> None:
        self.chars.extend(text)
        self.starts.extend(range(start, start + len(text)))
        self.ends.extend(range(start + 1, start + len(text) + 1))

    def drop_last(self) -> None:
        self.chars.pop()
        self.starts.pop()
        self.ends.pop()

    def __len__(self) -> int:
        return len(self.chars)


def _fold_segment(builder: _Builder, raw: str, seg_start: int, seg_end: int) -> None:
    """Fold raw[seg_start:seg_end] into the builder, collapsing white space runs to one space."""
    segment = raw[seg_start:seg_end]
    if segment.isascii() and ASCII_CLEAN.fullmatch(segment) and builder.last_char() != " ":
        builder.add_identity(segment, seg_start)
        return
    for offset, ch in enumerate(segment, start=seg_start):
        folded = fold_char(ch)
        for out in folded:
            if out.isspace():
                if builder.last_char() in ("", " ", "\n", CELL_BREAK):
                    continue
                out = " "
            builder.add(out, offset, offset + 1)


def _clean_line(line: str) -> list[tuple[int, int]]:
    """Spans of a line to keep after removing Markdown images, link targets and emphasis."""
    removed: list[tuple[int, int]] = []
    for match in MARKDOWN_IMAGE.finditer(line):
        removed.append(match.span())
    for match in MARKDOWN_LINK.finditer(line):
        if any(a <= match.start() < b for a, b in removed):
            continue
        removed.append((match.start(), match.start() + 1))  # "["
        removed.append((match.start(1) + len(match.group(1)), match.end()))  # "](url)"
    for match in EMPHASIS.finditer(line):
        if not any(a <= match.start() < b for a, b in removed):
            removed.append(match.span())
    removed.sort()
    keep: list[tuple[int, int]] = []
    pos = 0
    for a, b in removed:
        if a > pos:
            keep.append((pos, a))
        pos = max(pos, b)
    if pos < len(line):
        keep.append((pos, len(line)))
    return keep


def _join_lines(builder: _Builder, next_first: str) -> None:
    """Decide what separates a wrapped line from the next line of the same paragraph."""
    prev = builder.last_char()
    while prev == " ":
        builder.drop_last()
        prev = builder.last_char()
    if not prev or prev == "\n":
        return
    if is_cjk(prev) and is_cjk(next_first):
        return  # Chinese has no spaces between words.
    if prev == "-" and len(builder) >= 2 and builder.chars[-2].isalpha() and next_first.islower():
        builder.drop_last()  # de-hyphenate "regu-\nlation"
        return
    builder.add(" ", builder.starts[-1] + 1 if builder.starts else 0, builder.ends[-1] if builder.ends else 0)


def normalize(
    raw: str, start: int = 0, end: int | None = None, wrap_min_chars: int = 24, running_line_min_repeats: int = 5
) -> NormalizedText:
    """Normalize raw[start:end]; offsets in the result index into ``raw``.

    A line at least ``wrap_min_chars`` long that does not end a sentence is taken as wrapped (PDF
    extraction) and joined to the next text line, even across a blank line. A short line found at least
    ``running_line_min_repeats`` times (0: never) is a running header or footer and is dropped.
    """
    end = len(raw) if end is None else end
    running = running_lines(raw[start:end], running_line_min_repeats)
    roles = line_roles(find_tables(raw, start, end, running))
    builder = _Builder()
    headings: list[Heading] = []
    rows: list[list[int]] = []  # [start, end] of each table row in the output
    headers: list[str] = []  # the header line of each row's table
    header = ""
    previous_wrapped = in_row = False
    for line_match in re.finditer(r"[^\n]*(?:\n|$)", raw[start:end]):
        if line_match.start() == line_match.end():
            break
        line_start = start + line_match.start()
        line_text = line_match.group().rstrip("\r\n")
        stripped = line_text.strip()
        if not stripped:
            continue
        role = roles.get(line_start)
        rule = stripped.strip("-*_=.·•") == "" and role not in (CELL, WRAP)  # a "-" cell is content
        if rule or is_boilerplate(stripped):
            previous_wrapped = False
            continue
        if stripped in running:
            continue  # a page footer inside a wrapped paragraph: the paragraph goes on after it
        in_row = in_row and role in (CELL, WRAP)
        heading = HEADING.match(line_text) if role is None else None
        if in_row:
            _join_cell(builder, line_start, role, (fold_text(stripped[:1]) or stripped[:1])[:1])
        elif previous_wrapped and not (heading or role or LIST_ITEM.match(line_text) or "\f" in line_text):
            _join_lines(builder, (fold_text(stripped[:1]) or stripped[:1])[:1])
        elif len(builder):
            while builder.last_char() == " ":
                builder.drop_last()
            if builder.last_char() != "\n":
                builder.add("\n", line_start, line_start)
        line_out = len(builder)
        if role in (ROW, CELL, WRAP) and not in_row:  # a row opens (its first line, or one after a skipped first)
            rows.append([line_out, line_out])
            headers.append(header)
            in_row = True
        if heading:
            text_start = line_start + heading.start(2)
            for a, b in _clean_line(heading.group(2)):
                _fold_segment(builder, raw, text_start + a, text_start + b)
            title = "".join(builder.chars[line_out:]).strip()
            if title:
                headings.append(Heading(line_out, len(heading.group(1)), title))
            previous_wrapped = False
            continue
        for a, b in _clean_line(line_text):
            _fold_segment(builder, raw, line_start + a, line_start + b)
        kept = "".join(builder.chars[line_out:]).rstrip()
        previous_wrapped = (role is None and len(kept) >= wrap_min_chars and kept[-1:] not in TERMINAL
                            and not SECTION_LINE.match(line_text))
        if in_row:
            rows[-1][1] = _content_end(builder)
        elif role == HEADER:
            header = "".join(builder.chars[line_out:_content_end(builder)])
    while builder.last_char() in (" ", "\n"):
        builder.drop_last()
    notes = read_notes(raw, start, end)
    moved, marks = _drop_marks(builder, note_list(notes), frozenset(note.start for note in notes))
    text = "".join(builder.chars)
    if marks:  # a heading's title loses the marks dropped from it too ("# 一0": the 0 read as a footnote mark)
        headings = [Heading(moved(h.start), h.level, _line_at(text, moved(h.start))) for h in headings]
        headings = [h for h in headings if h.title]
        rows = [[moved(a), moved(b)] for a, b in rows]
    kept = [(a, b, h) for (a, b), h in zip(rows, headers, strict=True) if b > a]
    return NormalizedText(text, builder.starts, builder.ends, headings,
                          [(a, b) for a, b, _ in kept], [h for _, _, h in kept], marks)


def _line_at(text: str, start: int) -> str:
    """The line of ``text`` from ``start`` (a heading's line), without trailing spaces."""
    end = text.find("\n", start)
    return text[start:end if end >= 0 else len(text)].rstrip()


def _content_end(builder: _Builder) -> int:
    """The output length without trailing spaces."""
    n = len(builder)
    while n and builder.chars[n - 1] == " ":
        n -= 1
    return n


def _join_cell(builder: _Builder, line_start: int, role: str | None, next_first: str) -> None:
    """Join a table row's next line: a new cell (after a blank line) with ``CELL_BREAK``, a wrapped line of
    the same cell as a paragraph's wrapped line."""
    if role == WRAP:
        _join_lines(builder, next_first)
        return
    while builder.last_char() == " ":
        builder.drop_last()
    builder.add(CELL_BREAK, line_start, line_start)


def _drop_marks(builder: _Builder, notes: frozenset[int], note_starts: frozenset[int]
                ) -> tuple[Callable[[int], int], list[tuple[int, int]]]:
    """Leave the footnote marks out of the built text (``rag.text.footnotes.confirmed_marks``); a mark alone on its
    line goes with its line break. Returns how an offset of the text before moves, and the marks left out (where
    each stood in the text after, its number)."""
    text = "".join(builder.chars)
    spans = [(a, b) for a, b in confirmed_marks(text, notes) if builder.starts[a] not in note_starts]
    if not spans:
        return (lambda offset: offset), []
    drop = bytearray(len(text))
    for a, b in spans:
        if (a == 0 or text[a - 1] == "\n") and (b == len(text) or text[b] == "\n"):
            a, b = (a, b + 1) if b < len(text) else (max(a - 1, 0), b)
        drop[a:b] = b"\1" * (b - a)
    keep = [i for i in range(len(text)) if not drop[i]]
    builder.chars = [builder.chars[i] for i in keep]
    builder.starts = array("q", (builder.starts[i] for i in keep))
    builder.ends = array("q", (builder.ends[i] for i in keep))
    removed_before = array("q", [0]) * (len(text) + 1)
    for i in range(len(text)):
        removed_before[i + 1] = removed_before[i] + drop[i]
    return (lambda offset: offset - removed_before[offset],
            [(a - removed_before[a], int(text[a:b].strip("[]"))) for a, b in spans])
