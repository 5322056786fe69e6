"""The statement a claim makes about its source: the claim without a frame that names the document.

Journalists name their source: "the Tsinghua CISS brief suggests the summit could bring in a GDPR-like
privacy framework", "安远AI报告的对比表显示，美国人工智能安全研究所的资金规模为1亿美元", "…, according to the
Concordia AI report." Retrieval reads the frame (it names the document, whose passages get a bonus:
``rag.retrieval.mentions``), but the frame's words are not part of what the source says: read against the
source's sentence they count as words it does not cover ("Tsinghua", "CISS", "brief", "suggests"), and the
claim reads as not found. So the claim check reads the statement — the claim with the frame cut off.

A frame is cut only where it is unmistakably one: a mention phrase the query analysis resolved to a document
(``Query.mentions``) at the claim's start, after a citing word and before a comma ("According to X,", "据X，") or
before a reporting verb ("X says that", "X指出，", "X的对比表显示，"), or at its end, after a comma and "according to"
/ 据 ("…，据X。"; not the 据 of 证据). A mention that is the claim's subject ("The G7 statement calls for …", "The
53rd report, co-hosted by …, …") is not a frame and stays; nor is one that describes a document rather than names it
("据2017年发布的一份报告，…": the year is part of what the claim says). The statement is a span of the claim, so what
the check finds in it maps back onto the claim the user wrote.

Usage::

    statement_span("the Tsinghua CISS brief suggests the summit could bring in a privacy framework",
                   ("the Tsinghua CISS brief",), "en")
    # → (33, 78): "the summit could bring in a privacy framework"
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.text.lexical import tokenize

# Verbs that report what a document says, not what its subject does.
_REPORTING_EN = (r"(?:says?|said|states?|stated|suggests?|suggested|notes?|noted|shows?|showed|argues?|argued|finds?"
                 r"|found|reports?|reported|claims?|claimed|writes?|wrote|stresses?|stressed|warns?|warned|explains?"
                 r"|explained|mentions?|mentioned|observes?|observed|concludes?|concluded|indicates?|indicated"
                 r"|puts? it|points? out|pointed out|recommends?|recommended|proposes?|proposed|predicts?|predicted)")
_REPORTING_ZH = r"(?:显示|指出|称|表示|认为|提到|写道|强调|提出|介绍|说|报道|分析|提及|建议|预测|写|谈到|总结)"
_CLAUSE_END = r"[,，:：;；]"


def _prefix_en(phrase: str) -> re.Pattern[str]:
    return re.compile(
        rf"^\s*(?:(?:according to|as|in)\s+{re.escape(phrase)}(?:['’]s)?\s*{_CLAUSE_END}"
        rf"|(?:as\s+)?{re.escape(phrase)}(?:['’]s)?\s+(?:[\w\-]+\s+){{0,3}}?{_REPORTING_EN}(?:\s+that)?\s*{_CLAUSE_END}?)\s*",
        re.IGNORECASE)


def _suffix_en(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"\s*{_CLAUSE_END}\s*(?:according to|as (?:stated|reported|noted) in)\s+{re.escape(phrase)}"
                      rf"\s*[.!?]?\s*$", re.IGNORECASE)


def _prefix_zh(phrase: str) -> re.Pattern[str]:
    return re.compile(
        rf"^\s*(?:(?:据|根据|按照|依据)\s*{re.escape(phrase)}(?:的?[^，,。：:；;]{{0,8}}?{_REPORTING_ZH})?\s*{_CLAUSE_END}"
        rf"|{re.escape(phrase)}(?:的[^，,。：:；;]{{0,8}}?)?{_REPORTING_ZH}\s*{_CLAUSE_END}?)\s*")


def _suffix_zh(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"\s*{_CLAUSE_END}\s*(?:据|根据){re.escape(phrase)}(?:的?(?:报道|所述|显示))?\s*[。.]?\s*$")


# A mention that describes a document rather than names it ("a 2017 report", "据2017年发布的一份报告") says something
# of its own — a year, that such a report exists — which the check must read: such a frame is never cut.
_DESCRIBES = re.compile(r"\d|\b(?:a|an|one|some|several|another)\b|一份|一篇|一项|一些|某|有份|多份|另一", re.IGNORECASE)


def names_a_document(phrase: str) -> bool:
    """Whether a mention phrase names a document, not describes one (no figure, no indefinite word)."""
    return not _DESCRIBES.search(phrase)


def statement_span(claim: str, mentions: Sequence[str], language: str) -> tuple[int, int]:
    """The span of ``claim`` that is its statement: ``(0, len(claim))`` unless a frame naming one of
    ``mentions`` (resolved document mentions) opens or closes it. Never an empty statement: a claim that is all
    frame keeps its whole text."""
    start, end = 0, len(claim)
    for phrase in sorted((m for m in mentions if m and names_a_document(m)), key=len, reverse=True):
        prefix = (_prefix_zh if language == "zh" else _prefix_en)(phrase).match(claim, start)
        if prefix and start == 0:
            start = prefix.end()
        suffix = (_suffix_zh if language == "zh" else _suffix_en)(phrase).search(claim, start)
        if suffix and end == len(claim):
            end = suffix.start()
    if not tokenize(claim[start:end]):
        return 0, len(claim)
    return start, end
