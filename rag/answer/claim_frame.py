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
/ 据 ("…，据X。"; not the 据 of 证据), and never one that negates ("X does not say that …" is the claim's own
negation: ``carries_negation``). A mention that is the claim's subject ("The G7 statement calls for …", "The
53rd report, co-hosted by …, …") is not a frame and stays; nor is one that describes a document rather than names it
("据2017年发布的一份报告，…": the year is part of what the claim says). The statement is a span of the claim, so what
the check finds in it maps back onto the claim the user wrote. A frame whose name no mention resolves ("The memo
from the Concordia team notes that …") is left to the learned frame finder (``rag.answer.frame_finder``), which the
check asks only after this module found no frame.

Usage::

    statement_span("the Tsinghua CISS brief suggests the summit could bring in a privacy framework",
                   ("the Tsinghua CISS brief",), "en")
    # → (33, 78): "the summit could bring in a privacy framework"
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answer.slots import extract_slots
from rag.text.lexical import tokenize

# Verbs that report what a document says, not what its subject does (lower case whatever a pattern's flags: "the
# United States must …" reports nothing). The first take a clause ("says the institute opened"); the second also take a
# noun phrase ("recommends a moratorium"), and a cut there would leave a statement without its verb — so after them a
# frame needs "that", a comma, or a clause of its own (an auxiliary soon after).
_CLAUSE_VERBS_EN = (r"says?|said|states?|stated|notes?|noted|argues?|argued|claims?|claimed|writes?|wrote|concludes?"
                    r"|concluded|observes?|observed|explains?|explained|puts? it")
_OBJECT_VERBS_EN = (r"suggests?|suggested|shows?|showed|finds?|found|reports?|reported|stresses?|stressed|warns?|warned"
                    r"|mentions?|mentioned|indicates?|indicated|points? out|pointed out|recommends?|recommended"
                    r"|proposes?|proposed|predicts?|predicted")
_CLAUSE_AHEAD_EN = (r"(?=(?:[\w\-’',]+\s+){1,8}?(?:could|would|will|should|may|might|must|can|is|are|was|were|has|have"
                    r"|had|does|do|did)\b)")
_REPORTING_EN = (rf"(?:(?-i:{_CLAUSE_VERBS_EN})\b(?:\s+that)?"
                 rf"|(?-i:{_OBJECT_VERBS_EN})\b(?:\s+that|\s*(?=[,，:：])|\s+{_CLAUSE_AHEAD_EN}))")
# The same in Chinese: 建议 and its kind need the comma ("报告建议，…", not "报告建议暂停…"); not the 说 of 说明 nor the
# 称 of 简称.
_CLAUSE_VERBS_ZH = r"显示|指出|(?<![简名声])称|表示|认为|写道|说(?!明)|报道|写"
_OBJECT_VERBS_ZH = r"提到|强调|提出|介绍|分析|提及|建议|预测|谈到|总结"
_CLAUSE_END = r"[,，:：;；]"


def _prefix_en(phrase: str) -> re.Pattern[str]:
    return re.compile(
        rf"^\s*(?:(?:according to|as|in)\s+{re.escape(phrase)}(?:['’]s)?\s*{_CLAUSE_END}"
        rf"|(?:as\s+)?{re.escape(phrase)}(?:['’]s)?\s+(?:[\w\-]+\s+){{0,3}}?{_REPORTING_EN}\s*{_CLAUSE_END}?)\s*",
        re.IGNORECASE)


def _suffix_en(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"\s*{_CLAUSE_END}\s*(?:according to|as (?:stated|reported|noted) in)\s+{re.escape(phrase)}"
                      rf"\s*[.!?]?\s*$", re.IGNORECASE)


def _prefix_zh(phrase: str) -> re.Pattern[str]:
    return re.compile(
        rf"^\s*(?:(?:据|根据|按照|依据)\s*{re.escape(phrase)}(?:的?[^，,。：:；;]{{0,8}}?(?:{_CLAUSE_VERBS_ZH}|{_OBJECT_VERBS_ZH}))?"
        rf"\s*{_CLAUSE_END}"
        rf"|{re.escape(phrase)}(?:的[^，,。：:；;]{{0,8}}?)?(?:(?:{_CLAUSE_VERBS_ZH})\s*{_CLAUSE_END}?|(?:{_OBJECT_VERBS_ZH})\s*{_CLAUSE_END}))\s*")


def _suffix_zh(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"\s*{_CLAUSE_END}\s*(?:据|根据){re.escape(phrase)}(?:的?(?:报道|所述|显示))?\s*[。.]?\s*$")


# A mention that describes a document rather than names it ("a 2017 report", "据2017年发布的一份报告") says something
# of its own — a year, that such a report exists — which the check must read: such a frame is never cut.
_DESCRIBES = re.compile(r"\d|\b(?:a|an|one|some|several|another)\b|一份|一篇|一项|一些|某|有份|多份|另一", re.IGNORECASE)


def carries_negation(frame: str) -> bool:
    """Whether a frame holds a negation (``rag.answer.slots``): a frame names a source and never negates, so a
    negation there is the claim's — cut off, "The report does not say that …" or "…（不担任指挥）" would turn the claim
    around. Such a frame is never cut, here or by the learned finder (``rag.answer.frame_finder``)."""
    return any(slot.kind == "negation" for slot in extract_slots(frame))


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
        if prefix and start == 0 and not carries_negation(prefix.group()):
            start = prefix.end()
        suffix = (_suffix_zh if language == "zh" else _suffix_en)(phrase).search(claim, start)
        if suffix and end == len(claim) and not carries_negation(suffix.group()):
            end = suffix.start()
    if not tokenize(claim[start:end]):
        return 0, len(claim)
    return start, end
