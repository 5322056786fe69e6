"""Claim check without an LLM: compare a claim with its best-matching source sentences.

Verdicts: ``supported`` (a sentence carries the claim and nothing conflicts), ``contradicted``
(the best-matching sentences disagree on a number, a negation or a quantity word), ``not_found``
(no sentence carries enough of the claim).
"""

from __future__ import annotations

import re

from rag.evidence import EvidenceSentence

CLAIM_WRAPPERS = [
    re.compile(r"^\s*(is it true that|is it correct that|true or false:|claim:)\s*", re.I),
    re.compile(r"[,，]?\s*(这一说法是否属实|这种说法是否正确|是否属实|是真的吗|对吗|是否正确)[?？。]?\s*$"),
    re.compile(r"[?？]\s*$"),
]
# A number with the unit that says what it counts: only such numbers are compared (a bare number may
# be a year, a footnote mark or a section number).
QUANTITY = re.compile(
    r"(\d+(?:[.,]\d+)*)\s*(%|％|亿美元|万美元|美元|亿英镑|万英镑|英镑|亿欧元|万欧元|欧元|亿元|万元|元|个|家|项|名|倍"
    r"|percent|per cent|million|billion|trillion|companies|countries|members)",
    re.I,
)
# Words that flip or restrict a statement; the claim and its evidence should agree on them.
NEGATIONS = {
    "zh": ["没有", "并未", "未", "不", "无", "非", "仅", "只", "勉强", "从未", "拒绝"],
    "en": ["not", "no", "never", "none", "only", "barely", "narrowly", "without", "refused", "neither"],
}
# Pairs that cannot both describe the same fact.
CONTRARIES = [
    ("一致", "多数"), ("全体", "多数"), ("全部", "部分"), ("所有", "部分"), ("增加", "减少"), ("国家", "各州"),
    ("联邦", "各州"), ("强制", "自愿"), ("unanimous", "majority"), ("all", "some"), ("increase", "decrease"),
    ("federal", "state-by-state"), ("mandatory", "voluntary"), ("every", "some"),
]


def strip_claim(text: str) -> str:
    for pattern in CLAIM_WRAPPERS:
        text = pattern.sub("", text)
    return text.strip()


def _has(word: str, text: str) -> bool:
    if word.isascii():
        return re.search(rf"\b{re.escape(word)}\b", text, re.I) is not None
    return word in text


def quantities(text: str) -> set[tuple[str, str]]:
    return {(number.replace(",", ""), unit.lower()) for number, unit in QUANTITY.findall(text)}


def numbers_conflict(claim: str, evidence: str) -> bool:
    """The claim states a quantity the evidence lacks while the evidence gives another of that unit."""
    claimed = quantities(claim)
    given = quantities(evidence)
    for number, unit in claimed:
        same_unit = {n for n, u in given if u == unit}
        if same_unit and number not in same_unit:
            return True
    return False


def polarity_conflict(claim: str, evidence: str, language: str) -> bool:
    words = NEGATIONS.get(language, []) + (NEGATIONS["en"] if language != "en" else [])
    claim_only = [w for w in words if _has(w, claim) and not _has(w, evidence)]
    return bool(claim_only)


def contrary_conflict(claim: str, evidence: str) -> bool:
    for a, b in CONTRARIES:
        if (_has(a, claim) and _has(b, evidence) and not _has(b, claim)) or (
            _has(b, claim) and _has(a, evidence) and not _has(a, claim)
        ):
            return True
    return False


def judge_claim(
    claim: str, language: str, sentences: list[EvidenceSentence], min_support: float, same_language_only: bool = True
) -> tuple[str, list[EvidenceSentence], list[EvidenceSentence]]:
    """(verdict, sentences for, sentences against) from scored evidence sentences (best first)."""
    relevant = [s for s in sentences[:6] if s.coverage >= min_support]
    if not relevant:
        return "not_found", [], []
    against = []
    for sentence in relevant[:3]:
        comparable = sentence.hit.language == language or not same_language_only
        # Quantities and contraries are compared with the whole passage: a table row or the next
        # sentence often holds the figure the claim misstates.
        passage = sentence.hit.text
        if numbers_conflict(claim, passage) or contrary_conflict(claim, passage) or (
            comparable and polarity_conflict(claim, sentence.text, language)
        ):
            against.append(sentence)
    supporting = [s for s in relevant if s not in against]
    if against and (not supporting or against[0] is relevant[0]):
        return "contradicted", supporting[:2], against[:2]
    return "supported", supporting[:3], against[:2]
