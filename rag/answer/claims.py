"""Claim check without an LLM: compare a claim with its best-matching source sentences.

Verdicts: ``supported`` (a sentence carries the claim and nothing conflicts), ``contradicted``
(the best-matching sentences disagree on a number, a negation or a quantity word), ``not_found``
(no sentence carries enough of the claim).
"""

from __future__ import annotations

import math
import re

from rag.text.lexical import has_word, tokenize
from rag.types import EvidenceSentence, TermGroup

CLAIM_WRAPPERS = [
    re.compile(r"^\s*(is it true that|is it correct that|true or false:|claim:)\s*", re.I),
    re.compile(r"[,，]?\s*(这一说法是否属实|这种说法是否正确|是否属实|是真的吗|对吗|是否正确)[?？。]?\s*$"),
    re.compile(r"[?？]\s*$"),
]
# A number with the unit that says what it counts: only such numbers are compared (a bare number may
# be a year, a footnote mark or a section number). Scale words multiply; units map to one base unit, so
# "1亿美元", "$100 million" and "10000万美元" are the same amount.
QUANTITY = re.compile(
    r"([$£€¥]\s?)?(\d+(?:[.,]\d+)*)\s*(万亿|亿|万|千|thousand|million|billion|trillion)?\s*"
    r"(%|％|美元|英镑|欧元|元|人民币|个|家|项|名|倍|percent|per cent|dollars|pounds|euros|yuan|companies|countries|members)?",
    re.I,
)
SCALE = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "thousand": 1e3, "million": 1e6, "billion": 1e9,
         "trillion": 1e12}
BASE_UNIT = {"%": "%", "％": "%", "percent": "%", "per cent": "%", "美元": "USD", "dollars": "USD", "$": "USD",
             "英镑": "GBP", "pounds": "GBP", "£": "GBP", "欧元": "EUR", "euros": "EUR", "€": "EUR",
             "元": "CNY", "人民币": "CNY", "yuan": "CNY", "¥": "CNY", "个": "count", "家": "count",
             "项": "count", "名": "count", "companies": "count", "countries": "count", "members": "count",
             "倍": "times"}


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


def quantities(text: str) -> set[tuple[float, str]]:
    """(value, base unit) of every number that carries a unit (currency sign, unit word or percent)."""
    found: set[tuple[float, str]] = set()
    for sign, number, scale, unit in QUANTITY.findall(text):
        base = BASE_UNIT.get((unit or sign.strip()).lower()) or BASE_UNIT.get(unit or sign.strip())
        if base is None:
            continue
        try:
            value = float(number.replace(",", ""))
        except ValueError:
            continue
        found.add((value * SCALE.get(scale.lower(), SCALE.get(scale, 1.0)), base))
    return found


def numbers_conflict(claim: str, evidence: str) -> bool:
    """The claim states an amount the evidence does not, while the evidence gives another in that unit."""
    given = quantities(evidence)
    for value, unit in quantities(claim):
        same_unit = [v for v, u in given if u == unit]
        if same_unit and not any(math.isclose(value, v, rel_tol=1e-6) for v in same_unit):
            return True
    return False


def polarity_conflict(claim: str, evidence: str, language: str) -> bool:
    words = NEGATIONS.get(language, []) + (NEGATIONS["en"] if language != "en" else [])
    claim_only = [w for w in words if has_word(w, claim) and not has_word(w, evidence)]
    return bool(claim_only)


# Negation cues, and the span after one that it negates; 不断/不仅/未来… are not negations.
NEGATION_CUE = {
    "zh": re.compile(r"不是|并非|并不|并未|从未|尚未|没有|不(?![断仅同少久过但论管得])|未(?![来成])"),
    "en": re.compile(r"\b(?:not|no|never|neither|nor|without|isn't|aren't|wasn't|weren't|doesn't|don't|didn't)\b", re.I),
}
NEGATED_SPAN_CHARS = {"zh": 10, "en": 40}
NEGATED_MIN_TERMS = 2  # one shared word ("安全") is too common to say the claim itself is negated


def negates_claim_terms(claim: str, claim_language: str, evidence: str, groups: list[TermGroup]) -> bool:
    """The evidence negates a term of the claim ("这些测试不是‘政府安全认证’") while the claim itself has no
    negation: the claim affirms what the source denies. ``groups`` are the claim's terms in the evidence's
    language (translated when the languages differ)."""
    if NEGATION_CUE[claim_language if claim_language in NEGATION_CUE else "en"].search(claim):
        return False
    evidence_language = "en" if evidence.isascii() else "zh"
    span_chars = NEGATED_SPAN_CHARS[evidence_language]
    content = [alternatives for alternatives, weight in groups if weight > 0]
    for cue in NEGATION_CUE[evidence_language].finditer(evidence):
        negated = set(tokenize(evidence[cue.end(): cue.end() + span_chars]))
        if sum(any(alt <= negated for alt in alternatives) for alternatives in content) >= NEGATED_MIN_TERMS:
            return True
    return False


def contrary_conflict(claim: str, evidence: str) -> bool:
    for a, b in CONTRARIES:
        if (has_word(a, claim) and has_word(b, evidence) and not has_word(b, claim)) or (
            has_word(b, claim) and has_word(a, evidence) and not has_word(a, claim)
        ):
            return True
    return False


def judge_claim(
    claim: str, language: str, sentences: list[EvidenceSentence], min_support: float,
    claim_terms: list[TermGroup], translated_terms: list[TermGroup],
) -> tuple[str, list[EvidenceSentence], list[EvidenceSentence]]:
    """(verdict, sentences for, sentences against) from scored evidence sentences (best first).
    ``claim_terms``/``translated_terms``: the claim's term groups in its language and in the other."""
    relevant = [s for s in sentences[:6] if s.coverage >= min_support]
    if not relevant:
        return "not_found", [], []
    against = []
    for sentence in relevant[:3]:
        same_language = sentence.hit.language == language
        groups = claim_terms if same_language else translated_terms
        # Quantities and contraries are compared with the whole passage: a table row or the next
        # sentence often holds the figure the claim misstates.
        passage = sentence.hit.text
        if (numbers_conflict(claim, passage) or contrary_conflict(claim, passage)
                or (same_language and polarity_conflict(claim, sentence.text, language))
                or negates_claim_terms(claim, language, passage, groups)):
            against.append(sentence)
    supporting = [s for s in relevant if s not in against]
    if against and (not supporting or against[0] is relevant[0]):
        return "contradicted", supporting[:2], against[:2]
    return "supported", supporting[:3], against[:2]
