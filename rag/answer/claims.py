"""Claim check without an LLM: align a claim with its evidence sentences, compare their content, and
let a model fitted on data decide.

For each of the best evidence sentences (``score_sentences``; instruction-like text is never evidence)
the claim's slots are compared with the sentence's and its passage's (``rag.answer.slots``: amounts with
unit and scale, dates, names, negation, stance, quantifiers, ordinals), and the older rule signals
below (a conflicting figure, a contrary word, a negated claim term) are kept as one feature. The claim
model (``rag.answer.claim_model``, fitted on the tune half of ``python -m bench.claims``) turns the
pooled features into probabilities of ``supported``, ``contradicted`` and ``not_found``; the
differences found are reported with the sentences that hold them. A claim that is one of the sentences read word for
word (``quoted_sentence``) is supported by it, whatever the model reads.

Usage::

    pairs = claim_pairs(query, sentences, senses=Senses(lexicon))   # query: rag.types.Query of the claim
    judgement = judge_claim(pairs)
    judgement.verdict, judgement.differences
    quoted_sentence("开发先进的人工智能系统需要大量先进的芯片", ["* 开发先进的人工智能系统需要大量先进的芯片。"])   # 0
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from rag.answer.answerability import Similarity
from rag.answer.claim_features import ClaimPair, is_instruction
from rag.answer.claim_model import (
    TOP_PAIRS,
    ClaimModel,
    claim_vector,
    default_model,
    pair_rows,
    relevance_order,
    shows_difference,
)
from rag.answer.person_names import unstated_people
from rag.answer.slot_types import Difference
from rag.answer.slots import compare_slots, extract_slots
from rag.settings import get_settings
from rag.text.lexical import english_surfaces, has_word, tokenize
from rag.text.sentences import is_heading, quote_form
from rag.types import EvidenceSentence, PairReader, Query, TermGroup

CLAIM_WRAPPERS = [
    re.compile(r"^\s*(is it true that|is it correct that|true or false:|claim:)\s*", re.IGNORECASE),
    re.compile(r"[,，]?\s*(这一说法是否属实|这种说法是否正确|是否属实|是真的吗|对吗|是否正确)[?？。]?\s*$"),
    re.compile(r"[?？]\s*$"),
]
# A number with the unit that says what it counts: only such numbers are compared (a bare number may
# be a year, a footnote mark or a section number). Scale words multiply; units map to one base unit, so
# "1亿美元", "$100 million" and "10000万美元" are the same amount.
QUANTITY = re.compile(
    r"([$£€¥]\s?)?(\d+(?:[.,]\d+)*)\s*(万亿|亿|万|千|thousand|million|billion|trillion)?\s*"
    r"(%|％|美元|英镑|欧元|元|人民币|个|家|项|名|倍|percent|per cent|dollars|pounds|euros|yuan|companies|countries|members)?",
    re.IGNORECASE,
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
    "en": re.compile(r"\b(?:not|no|never|neither|nor|without|isn't|aren't|wasn't|weren't|doesn't|don't|didn't)\b", re.IGNORECASE),
}


def negates_claim_terms(claim: str, claim_language: str, evidence: str, groups: list[TermGroup]) -> bool:
    """The evidence negates a term of the claim ("这些测试不是‘政府安全认证’") while the claim itself has no
    negation: the claim affirms what the source denies. ``groups`` are the claim's terms in the evidence's
    language (translated when the languages differ)."""
    if NEGATION_CUE[claim_language if claim_language in NEGATION_CUE else "en"].search(claim):
        return False
    evidence_language = "en" if evidence.isascii() else "zh"
    settings = get_settings()
    span_chars = settings.claim_negation_span_zh if evidence_language == "zh" else settings.claim_negation_span_en
    content = [alternatives for alternatives, weight in groups if weight > 0]
    for cue in NEGATION_CUE[evidence_language].finditer(evidence):
        negated = set(tokenize(evidence[cue.end(): cue.end() + span_chars]))
        if sum(any(alt <= negated for alt in alternatives) for alternatives in content) >= settings.claim_negated_min_terms:
            return True
    return False


def contrary_conflict(claim: str, evidence: str) -> bool:
    for a, b in CONTRARIES:
        if (has_word(a, claim) and has_word(b, evidence) and not has_word(b, claim)) or (
            has_word(b, claim) and has_word(a, evidence) and not has_word(a, claim)
        ):
            return True
    return False


@dataclass
class ClaimJudgement:
    """The verdict, its probabilities, the sentences for and against, and each difference found
    (with the sentence that holds the source's value)."""

    verdict: str
    probabilities: dict[str, float]
    pro: list[EvidenceSentence] = field(default_factory=list)
    con: list[EvidenceSentence] = field(default_factory=list)
    differences: list[tuple[Difference, EvidenceSentence]] = field(default_factory=list)
    quoted: bool = False  # the claim is word for word one of the sentences read (``quoted_sentence``)
    # "supported" at the default threshold but below the strict one (``ClaimModel.threshold(strict=True)``), or
    # "contradicted" below ``ClaimModel.confident_contradicted_min_probability``: on the tune half, out of fold, about
    # half of such verdicts are wrong once near misses count (BENCHMARKS.md, "Claim check"), so the product says
    # "probably supported" / "may contradict"
    tentative: bool = False


# Differences shown first: figures and dates are read most reliably, names and stances after them, a negation last.
DIFFERENCE_ORDER = ("quantity", "date", "ordinal", "quantifier", "stance", "entity", "negation")


def rule_conflict(claim: str, language: str, sentence: EvidenceSentence, groups: list[TermGroup]) -> bool:
    """The earlier hand-written signals: a figure in another amount, a contrary word, a negation only
    one side has, a claim term the source negates."""
    same_language = sentence.hit.language == language
    passage = sentence.hit.text
    return (numbers_conflict(claim, passage) or contrary_conflict(claim, passage)
            or (same_language and polarity_conflict(claim, sentence.text, language))
            or negates_claim_terms(claim, language, passage, groups))


class Senses:
    """Whether two words of one language share a dictionary sense (CC-CEDICT: the English glosses of two
    Chinese words, the Chinese translations of two English words, overlap): 设立/成立, set up/establish.
    English index tokens are stems ("signific"): ``learn(text)`` records the words they come from, whose
    senses they then have (significant/substantial share 重大 only as words)."""

    def __init__(self, lexicon: Any) -> None:
        self.lexicon = lexicon
        self._cache: dict[str, frozenset[str]] = {}
        self._surfaces: dict[str, set[str]] = {}  # English stem → the words seen stemmed to it

    def learn(self, *texts: str) -> None:
        for text in texts:
            for token, words in english_surfaces(text).items():
                self._surfaces.setdefault(token, set()).update(words)

    def _word_senses(self, word: str) -> frozenset[str]:
        if word not in self._cache:
            found = (self.lexicon.en_to_zh([word])[word] if word.isascii() else self.lexicon.zh_to_en([word])[word][:get_settings().claim_synonym_senses])
            self._cache[word] = frozenset(found)
        return self._cache[word]

    def senses(self, word: str) -> frozenset[str]:
        found = self._word_senses(word)
        for surface in sorted(self._surfaces.get(word, ())) if word.isascii() else ():
            found = found | self._word_senses(surface)
        return found

    def has_synonym(self, word: str, tokens: set[str]) -> bool:
        mine = self.senses(word)
        return bool(mine) and any(t.isascii() == word.isascii() and mine & self.senses(t) for t in tokens)


def novel_terms(groups: list[TermGroup], tokens: set[str], senses: Senses | None) -> int:
    """How many of the claim's words (term groups) the sentence neither holds nor, in the same language,
    renders with a word of the same dictionary sense."""
    count = 0
    for alternatives, weight in groups:
        if weight <= 0 or any(alt <= tokens for alt in alternatives):
            continue
        if senses is not None and len(alternatives) == 1 and len(alternatives[0]) == 1:
            (word,) = alternatives[0]
            if senses.has_synonym(word, tokens):
                continue
        count += 1
    return count


def substitutions(claim: list[str], sentence: list[str], senses: Senses | None, span: int | None = None) -> int:
    """How many short runs of the claim's words (tokens, in order) stand where the sentence has others — a
    word swapped (领先 → 落后, largest → smallest, DOD → DOL) — counting only runs of at most ``span`` words
    on both sides whose claim words the sentence neither holds nor renders with a dictionary synonym
    (default ``span``: ``settings.claim_substitution_span``)."""
    span = get_settings().claim_substitution_span if span is None else span
    count = 0
    for op, a0, a1, b0, b1 in SequenceMatcher(None, sentence, claim, autojunk=False).get_opcodes():
        if op != "replace" or a1 - a0 > span or b1 - b0 > span:
            continue
        theirs, everywhere = set(sentence[a0:a1]), set(sentence)
        count += any(w not in everywhere and not (senses is not None and senses.has_synonym(w, theirs))
                     for w in claim[b0:b1])
    return count


def claim_pairs(
    query: Query, sentences: list[EvidenceSentence], candidates: int | None = None, senses: Senses | None = None,
    similarity: Similarity | None = None,
) -> list[ClaimPair]:
    """The claim (``query``) read against its best candidate sentences, in retrieval's order (the claim
    model then orders them by relevance). The cosine is of the claim's embedding (``query.vector``) with
    each sentence's passage (its stored vector) and, given ``similarity`` (texts → their cosine with the
    claim), with the sentence itself."""
    claim, language, query_vector = query.text, query.language, query.vector
    if not any(weight > 0 for _, weight in query.terms):
        return []  # nothing to check: no content word ("🤖", a bare question mark)
    # Overlapping chunks repeat a sentence. A heading, title or label states nothing to check a claim against, and is
    # never cited (as an answer's evidence: rag.answer.compose.select_evidence); nor is text that gives orders.
    unique = {s.text: s for s in reversed(sentences) if not (is_heading(s.text) or is_instruction(s.text))}
    candidates = get_settings().claim_candidates if candidates is None else candidates
    chosen = sorted(unique.values(), key=lambda s: -s.score)[:candidates]
    if not chosen:
        return []
    passage_cosines = [float(s.hit.dense @ query_vector) if s.hit.dense is not None and query_vector is not None
                       else 0.0 for s in chosen]
    sentence_cosines = ([float(v) for v in similarity([s.text for s in chosen])] if similarity is not None
                        else passage_cosines)
    pairs = []
    claim_tokens = list(query.tokens)
    if senses is not None:
        senses.learn(claim, *(s.text for s in chosen))
    for sentence, cosine, sentence_cosine in zip(chosen, passage_cosines, sentence_cosines, strict=True):
        groups = query.terms_for(sentence.hit.language)
        same_language = sentence.hit.language == language
        tokens = tokenize(sentence.text)
        pair = ClaimPair(claim, language, sentence, compare_slots(claim, sentence.text),
                         compare_slots(claim, sentence.hit.text), float(cosine), float(sentence_cosine),
                         float(rule_conflict(claim, language, sentence, groups)),
                         float(novel_terms(groups, set(tokens), senses if same_language else None)),
                         float(substitutions(claim_tokens, tokens, senses) if same_language else 0))
        pairs.append(pair)
    return pairs


def quoted_sentence(claim: str, sentences: list[str]) -> int | None:
    """The index of the first of ``sentences`` that is ``claim`` word for word (``quote_form``: the same text but for
    white space, case, a list item's marker and the closing punctuation), else None. Such a claim is supported by that
    sentence whatever the model reads: a journalist checking a quote is never told its source contradicts it (on the
    tune half the claim model called 1 of 359 verbatim quotes contradicted and 7 not found; docs/journal.md, session
    29). ``sentences`` are the candidates ``claim_pairs`` chose, so a heading or an instruction is never one."""
    form = quote_form(claim)
    return next((i for i, s in enumerate(sentences) if quote_form(s) == form), None) if form else None


def pair_differences(pair: ClaimPair) -> list[Difference]:
    """What the sentence (or, for a figure or date, its passage) says otherwise than the claim; else the negation
    only one of them has."""
    if pair.comparison.differences:
        return pair.comparison.differences
    figures = [d for d in pair.passage_comparison.differences if d.kind in ("quantity", "date")]
    return figures or ([pair.comparison.negation] if pair.comparison.negation else [])


def judge_claim(pairs: list[ClaimPair], model: ClaimModel | None = None, reader: PairReader | None = None,
                strict: bool = False) -> ClaimJudgement:
    """The verdict on a claim from its pairs (``claim_pairs``: one per candidate sentence). ``reader`` (a
    claim and sentences → per sentence the reader's probabilities, ``rag.answer.reader``): it reads the top
    ``TOP_PAIRS`` pairs, and the model fitted with the reader's scores decides. ``strict``: "supported" at the
    model's strict threshold (``ClaimModel.threshold``)."""
    if not pairs:
        return ClaimJudgement("not_found", {"supported": 0.0, "contradicted": 0.0, "not_found": 1.0})
    model = model or default_model(reader is not None)
    rows = pair_rows(pairs)
    relevance = model.pair_relevance(rows)
    if reader is not None and model.uses_reader:
        top = relevance_order(relevance)[:TOP_PAIRS]
        for i, scores in zip(top, reader(pairs[0].claim, [pairs[i].sentence.text for i in top]), strict=True):
            pairs[i].reader = scores
        rows = pair_rows(pairs)
    vector = claim_vector(rows, relevance)
    probabilities = model.probabilities(vector)
    verdict = model.verdict(probabilities, strict, vector)
    quoted = quoted_sentence(pairs[0].claim, [p.sentence.text for p in pairs])
    if quoted is not None:  # supported by the sentence it quotes, whatever the model read (its probabilities kept)
        return ClaimJudgement("supported", probabilities, [pairs[quoted].sentence], [], [], quoted=True)
    if verdict == "supported" and unstated_people(extract_slots(pairs[0].claim), [p.sentence.text for p in pairs],
                                                  extract_slots):
        verdict = "not_found"  # it names a person no sentence names: the documents do not say who (journal, session 49)
    pairs = [pairs[i] for i in relevance_order(relevance)]
    top = pairs[:TOP_PAIRS]
    differing = [(p, pair_differences(p)) for p in top]
    found: list[tuple[Difference, EvidenceSentence]] = []
    seen: set[tuple[str, str]] = set()
    # Shown: the differences of the most relevant sentence that has any (the claim is about it; a name another
    # sentence states otherwise is rarely the point), figures and dates first.
    shown = next(((p, ds) for p, ds in differing if ds), (top[0], []))
    for d, sentence in sorted(((d, shown[0].sentence) for d in shown[1]),
                              key=lambda item: (DIFFERENCE_ORDER.index(item[0].kind), not item[0].listed)):
        if (d.kind, d.claim.surface) not in seen:  # one line per changed value of the claim
            seen.add((d.kind, d.claim.surface))
            found.append((d, sentence))
    if verdict == "contradicted":
        against = [p.sentence for p, ds in differing if ds or p.comparison.negation_mismatch or p.rule_conflict]
        against.sort(key=lambda s: not any(sentence is s for _, sentence in found[:1]))  # the first line's source first
        return ClaimJudgement(verdict, probabilities, [], (against or [top[0].sentence])[:2], found[:3],
                              tentative=is_tentative(verdict, probabilities, model, strict, vector))
    if verdict == "supported":
        pro = [p.sentence for p, ds in differing if not ds and not p.comparison.negation_mismatch]
        return ClaimJudgement(verdict, probabilities, pro[:3] or [top[0].sentence], [], [],
                              tentative=is_tentative(verdict, probabilities, model, strict))
    return ClaimJudgement(verdict, probabilities, [], [], found[:3])


def is_tentative(verdict: str, probabilities: dict[str, float], model: ClaimModel, strict: bool,
                 vector: list[float] | None = None) -> bool:
    """A "supported" verdict reached below the model's strict threshold (never in strict mode, which decides there),
    or a "contradicted" one below the model's confident threshold for it or, given the claim's ``vector``, one whose top
    sentences show no difference (``shows_difference``: nothing to point to; journal, session 46)."""
    if verdict == "contradicted":
        return ((model.confident_contradicted_min_probability is not None
                 and probabilities["contradicted"] < model.confident_contradicted_min_probability)
                or (vector is not None and not shows_difference(vector)))
    return (verdict == "supported" and not strict and model.strict_supported_min_probability is not None
            and probabilities["supported"] < model.threshold(strict=True))
