"""Sentence splitting for Chinese and English text, returning spans (never altering the text); whether a
sentence is a heading, whether it leans on the sentence before it, and whether it opens mid-sentence; the form in which
a claim quotes a sentence word for word.

Usage::

    split_sentences("英国设立了研究所。It opened in 2023.")   # [(0, 9), (9, 27)]
    is_heading("3.3.2 美国人工智能安全研究所")                # True
    refers_back("例如，该机构发布了报告。")                    # True
    opens_mid_sentence("个国家级人工智能安全研究所，…")         # True: a bare measure word opens it
    ends_sentence("It opened in 2023.")                         # True
    quote_form("（1）The Office opened in 2024；")               # "theofficeopenedin2024": how a quote is compared
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from rag.settings import get_settings
from rag.text.cjk import HAN_OR_VARIANT
from rag.text.normalize import compact
from rag.text.tables import CELL_BREAK

SENTENCE_RULE = "sentences-2"  # indexes split by another rule are re-chunked by the next ingest (bookkeeping)
# Chinese sentence ends, closing quotes/brackets that belong to the sentence, and English ends
# followed by white space. A newline always ends a sentence (paragraph or list item).
CJK_END = "。！？；!?;…"
CLOSERS = "”’\"'）)》」』】"
ABBREVIATIONS = frozenset(
    "u.s u.k e.g i.e mr mrs ms dr no nos sec art para fig vol etc vs jr st inc ltd co corp dept gov "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.n e.u p.m a.m approx ch pp".split()
)
_TOKEN_BEFORE_DOT = re.compile(r"([A-Za-z][A-Za-z.]*)$")
# Openings that make a sentence lean on the one before it: an example, a consequence, a contrast, or
# a demonstrative ("例如…", "此外…", "For example, …", "This …"). Not 该/其 ("the said", "its"): policy
# texts open most sentences about a named act with them ("该NSM…") without needing the one before.
_BACK_REFERENCE = re.compile(
    r"(?:例如|比如|譬如|此外|另外|同时|与此同时|因此|因而|所以|为此|对此|然而|但是|但|不过|而且|并且|其中|"
    r"此|这|上述|相比之下|换言之|也就是说|具体而言|具体来说)"
    r"|(?i:(?:for example|for instance|however|therefore|thus|hence|moreover|furthermore|in addition|"
    r"similarly|by contrast|in contrast|instead|also|but|yet|this|these|that|those|such|it|they)\b)"
)


def _english_period_ends(text: str, index: int) -> bool:
    """Whether the '.' at ``index`` ends a sentence."""
    after = text[index + 1 : index + 2]
    if after and not after.isspace() and after not in CLOSERS:
        return False  # 1.5, U.S., example.com
    match = _TOKEN_BEFORE_DOT.search(text[max(0, index - 12) : index])
    rest = text[index + 1 : index + 4].lstrip()
    if match:
        word = match.group(1).lower()
        if word in ABBREVIATIONS or len(word) == 1:
            return False
        if "." in word and rest[:1].isdigit():
            return False  # a citation: "15 U.S.C. 9401(3)", "Pub. L. 117" ("U.S.C" holds a dot)
    return not rest or not rest[0].islower()


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans [a, b) of the sentences of text[start:end], white space trimmed, none empty."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    sentence_start = start
    i = start
    while i < end:
        ch = text[i]
        cut: int | None = None
        if ch == "\n":
            cut = i
        elif ch in CJK_END or (ch == "." and _english_period_ends(text, i)):
            j = i + 1
            while j < end and (text[j] in CLOSERS or text[j] in CJK_END):
                j += 1
            cut = j
        if cut is not None:
            _append_trimmed(text, sentence_start, cut, spans)
            sentence_start = cut
            i = max(cut, i + 1)
            continue
        i += 1
    _append_trimmed(text, sentence_start, end, spans)
    return spans


LATIN_WORD = re.compile(r"[A-Za-z0-9]+")
# A numbered section head: "3.3.2 美国…", "1.构建…", "第一节 政策", "二、…", "(b) To promote …:", "Sec. 4."
SECTION_NUMBER = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s*\S|第[一二三四五六七八九十百\d]+[章节部分篇条]|[一二三四五六七八九十]+、|"
    r"[(（][a-zA-Z\divx一二三四五六七八九十]{1,4}[)）]|(?:sec(?:tion)?|art(?:icle)?)\.?\s*\d)", re.I)
CLAUSE_MARKS = "，、；,;"


def is_heading(sentence: str) -> bool:
    """Whether ``sentence`` is a title, heading, label, contents or cover line rather than a statement: it
    does not end a sentence, holds no clause or list punctuation (，、；), and is short or opens with a section
    number; or it is a short label ending in a colon ("职能："). Such lines are context for a reader, never an
    answer sentence. A list's longer lead-in ("…方面的研究：") and a fragment that lists things ("合成内容、
    能力评测、红队测试") are content, not headings; so is a table row of several cells (``CELL_BREAK``
    between them, rag.text.tables), however short its cells."""
    text = sentence.strip().lstrip("●○•·-*–— \t")
    if not text:
        return True
    if CELL_BREAK in text:
        return False
    last = text.rstrip(CLOSERS)[-1:] or text[-1]
    han, words = len(HAN_OR_VARIANT.findall(text)), len(LATIN_WORD.findall(text))
    settings = get_settings()
    if last in ":：":  # a label ("职能：", "欧盟 目标：") is a heading; a longer lead-in is content
        return han <= settings.label_max_han and words <= settings.label_max_words
    if last in CJK_END or last in ".!?" or any(mark in text for mark in CLAUSE_MARKS):
        return False
    short = han <= settings.heading_max_han and words <= settings.heading_max_words
    return short or SECTION_NUMBER.match(text) is not None


def ends_sentence(sentence: str) -> bool:
    """Whether ``sentence`` ends with a sentence end (。！？；… or . ! ?; closing quotes or brackets may follow)."""
    last = sentence.rstrip().rstrip(CLOSERS)[-1:]
    return bool(last) and (last in CJK_END or last in ".!?")


def refers_back(sentence: str) -> bool:
    """Whether ``sentence`` opens with a word that leans on the sentence before it."""
    return bool(_BACK_REFERENCE.match(sentence.lstrip("●○•·-*–— \t")))


# Parts of speech (jieba's tags) of a one-character word that never opens a Chinese sentence: a measure word
# without its number ("个国家级…" after "…全球首" on the page before) or a structural or aspect particle (的, 地, 得,
# 了, 着, 过, 等). Longer words with these tags do ("种种迹象…").
_NO_OPENING_TAGS = frozenset({"q", "u", "uj", "ul", "uz", "ug", "uv", "ud"})
_BULLETS = "●○•·-*–— \t"


@lru_cache(maxsize=4096)
def _first_word(head: str) -> tuple[str, str]:
    import jieba
    import jieba.posseg  # loaded only for a sentence that opens with a Chinese character

    jieba.setLogLevel(logging.WARNING)
    first = next(iter(jieba.posseg.cut(head)), None)
    return (first.word, first.flag) if first is not None else ("", "")


def opens_mid_sentence(sentence: str) -> bool:
    """Whether ``sentence`` opens with what cannot open one: a clause mark (，、；) or a one-character Chinese
    measure word or particle. It is the rest of a sentence cut before it (a PDF page break with the page's
    notes in between), never a sentence to quote alone."""
    text = sentence.lstrip(_BULLETS)
    if not text or text[0] in CLAUSE_MARKS:
        return bool(text)
    if not HAN_OR_VARIANT.match(text[0]):
        return False
    word, tag = _first_word(text[:8])
    return len(word) == 1 and tag in _NO_OPENING_TAGS


def _append_trimmed(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        spans.append((a, b))


# A list item's marker before a sentence ("* ", "（1）", "2.", "一、", "a)"), and the marks that close one: a quote of
# the sentence leaves them out.
_ITEM_MARKER = re.compile(r"^(?:[●○•·\-*–—]+|[(（]?(?:\d{1,3}|[一二三四五六七八九十]{1,3}|[a-z])[)）.、](?!\d))")
_CLOSING_MARKS = re.compile(r"[。．.!！?？;；,，:：…\"'“”‘’」』)）]+$")


def quote_form(text: str) -> str:
    """The form in which a claim is the same statement as a sentence word for word: ``compact``, lower-cased,
    without a list item's marker before it or the punctuation that closes it. ``quote_form("* 开发先进的人工智能系统需要
    大量先进的芯片。") == quote_form("开发先进的人工智能系统需要大量先进的芯片")``."""
    text = compact(text).lower()
    return _CLOSING_MARKS.sub("", _ITEM_MARKER.sub("", text, count=1))
