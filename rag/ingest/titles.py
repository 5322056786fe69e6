"""A display title for a document whose file declares none (no front matter, no Markdown ``#`` heading, no
PDF metadata): its own title line, else the subject its opening states ("本文分析了…", "This report examines
…"), else none (the file name stands).

Within the first ``settings.title_lines`` lines, a title-like line is a heading (``rag.text.sentences.is_heading``:
short, no sentence end) that is not a numbered section head, not a generic section name (执行摘要,
Contents…), not mostly digits (an issue line: "2024 年第 1 期"), and, in Latin script, capitalised but not an
all-capitals cover line. A line the cover repeats on the title page wins; else the first such line.

The title found is for people (library, sources, named documents); it does not head the passages'
embeddings or join the context that evidence scoring reads — the title line is already in the text, and
heading every passage with it pulls the document up for any question on its topic.

Usage::

    title_line("2024 年第 1 期\\n\\n人工智能安全研究所国际网络会议前瞻\\n\\n…\\n人工智能安全研究所国际网络会议前瞻\\n正文…")
    # → "人工智能安全研究所国际网络会议前瞻"
    subject_line("执行摘要\n…安远AI始终密切关注。本文分析了当前多个国家级人工智能安全研究所及其\n\n国际网络的设立背景、进展、对比和挑战，旨在…")
    # → "多个国家级人工智能安全研究所及其国际网络的设立背景、进展、对比和挑战"
"""

from __future__ import annotations

import re
import unicodedata

from rag.settings import get_settings
from rag.text.cjk import HAN_OR_VARIANT
from rag.text.sentences import LATIN_WORD, SECTION_NUMBER, is_heading

# Names the title rule; part of the text pipeline a document was indexed with (a change re-indexes it).
TITLE_RULE = "display-title-2"
GENERIC_HEADINGS = frozenset({
    "执行摘要", "摘要", "目录", "前言", "引言", "背景", "编者按", "导语", "概要", "概述", "正文", "附录", "参考文献",
    "abstract", "summary", "executive summary", "contents", "table of contents", "introduction", "foreword",
    "preface", "background", "references", "appendix",
})


def looks_like_title(line: str) -> bool:
    text = line.strip()
    if not text or not is_heading(text) or SECTION_NUMBER.match(text):
        return False
    if text.lower().strip(" ：:") in GENERIC_HEADINGS:
        return False
    han, words = len(HAN_OR_VARIANT.findall(text)), len(LATIN_WORD.findall(text))
    settings = get_settings()
    if han < settings.title_min_han and words < settings.title_min_words:
        return False
    latin = "".join(ch for ch in text if ch.isascii() and ch.isalpha())
    if han == 0 and (latin.isupper() or not latin[:1].isupper()):
        return False  # an all-capitals cover line, or a lower-case line of running text
    return sum(ch.isdigit() for ch in text) <= settings.title_max_digit_share * len(text.replace(" ", ""))


def title_line(body: str) -> str | None:
    """The document's title line (see the module docstring), or None."""
    lines = [line.strip() for line in body.splitlines() if line.strip()][:get_settings().title_lines]
    candidates = [line for line in lines if looks_like_title(line)]
    repeated = [line for line in candidates if lines.count(line) > 1]
    return (repeated or candidates or [None])[0]


# The opening's own statement of what the document is about: "本文分析了X，旨在…", "This report examines X."
_SUBJECT = re.compile(
    r"本(?:文|报告|简报|研究|手册)(?:主要)?(?:分析|梳理|介绍|探讨|回顾|总结|考察|评估|研究)了(?:当前|目前|近期|近年来)?"
    r"(?P<zh>[^。；;，,！？]{8,80})"
    r"|\bThis (?:paper|report|brief|memo|note|study|document) (?:analy[sz]es|examines|reviews|describes|surveys|"
    r"discusses|assesses) (?:the )?(?P<en>[^.;:!?]{10,120})[.;:]", re.IGNORECASE)


def subject_line(body: str) -> str | None:
    """The subject the document's opening states, as a title (see the module docstring), or None. The opening's
    lines are joined as the text runs (a PDF breaks a Chinese sentence across lines) and folded (⼈ → 人)."""
    lines = [line.strip() for line in body.splitlines() if line.strip()][:get_settings().title_lines]
    joined = ""
    for line in lines:
        cjk_join = joined and not joined[-1].isascii() and not line[0].isascii()
        joined += line if (cjk_join or not joined) else " " + line
    folded = "".join(n if len(n := unicodedata.normalize("NFKC", c)) == 1 else c for c in joined)
    match = _SUBJECT.search(folded)
    if match is None:
        return None
    subject = (match["zh"] or match["en"]).strip()
    return subject[:1].upper() + subject[1:]
