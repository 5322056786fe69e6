"""Footnote reference marks glued into Chinese text by PDF and web extraction ("…安全研究所26。",
"…《宣言》14。"), found so that answer text can leave them out; cited sentences keep their exact text.

A mark is a number of one to three digits that follows a Chinese character and ends a clause (a clause
mark or the end of the line follows), or that follows a closing bracket or quote and precedes Chinese text
that is not a unit. Numbers that are values stay: after 为/达/约/第/于… (a value's lead-in), before a unit
(年, 个, 家, %, 万…), or inside a date ("5月28日").

Usage::

    without_footnote_marks("欧洲人工智能办公室28名义上并非人工智能研究所，…英国和美国31。")
    # → "欧洲人工智能办公室名义上并非人工智能研究所，…英国和美国。"  (the 28 stays: it precedes 名)
"""

from __future__ import annotations

import re

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


def footnote_marks(text: str) -> list[tuple[int, int]]:
    """Spans of the footnote marks in ``text``."""
    return [m.span() for m in FOOTNOTE_MARK.finditer(text)]


def without_footnote_marks(text: str) -> str:
    """``text`` with its footnote marks left out (for reading; offsets index the text with them)."""
    return FOOTNOTE_MARK.sub("", text)
