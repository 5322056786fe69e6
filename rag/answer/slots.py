"""Slots of a claim and of its evidence (amounts, dates, names, negations, stances, quantifiers, ordinals),
normalised so that a claim is compared with its source sentence by content, across Chinese and English.

Usage::

    from rag.answer.slots import compare_slots, extract_slots
    from rag.answer.slot_text import describe

    extract_slots("初始资金1亿英镑")
    # [Slot(kind='quantity', value=100000000.0, unit='GBP', surface='1亿英镑', start=4, end=8)]
    result = compare_slots("The UK AI Safety Institute received 500 million pounds", "英国AISI初始资金1亿英镑")
    result.differences   # [Difference(claim=<500 million pounds>, evidence=<1亿英镑>, kind='quantity')]
    result.features()    # {'diff_quantity': 1.0, ..., 'negation_mismatch': 0.0, 'matched': 2.0, ...}
    describe(result.differences[0], "en")      # rag.answer.slot_text: a difference in words
    # 'The claim says 500 million pounds; the source says 1亿英镑 (100 million pounds).'

Standard library only (so are rag.text.cjk and rag.text.stopwords), but for jieba, read only to tell a negation from a word holding one (默默无闻). Countries, organisations, cities, people: ``rag.answer.gazetteer``.
"""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache

from rag.answer.figures import (
    COUNTED,
    fold,
    full_dates_in,
    numbers_in,
    parse_number,
    quantities_in,
    years_in,
)
from rag.answer.gazetteer import gazetteer
from rag.answer.person_names import UNLISTED, comparable_names, people_in, same_person, unseen_name
from rag.answer.slot_types import Difference, Slot, SlotComparison, SlotValue
from rag.answer.slot_words import (
    AFFIX_NEGATIVE,
    ANCHOR_KINDS,
    CUE_CHARS,
    EN_ORDINALS,
    FLIP,
    LEXICON,
    MEMBER_CHARS,
    ORDINAL,
    PRIVATIVE,
    SCOPE_CHARS,
)
from rag.text.cjk import has_han
from rag.text.stopwords import NEGATION_SCOPE_STOP_WORDS

logger = logging.getLogger(__name__)

# --- names: rag.answer.gazetteer; the word lists of ordinals, stances, quantifiers and negations: rag.answer.slot_words
@lru_cache(maxsize=4096)
def _jieba_words(folded: str) -> tuple[tuple[str, int, int], ...]:
    import jieba  # the Chinese word splitter the index uses (rag.text.lexical); loaded only for Chinese negations

    jieba.setLogLevel(logging.WARNING)
    return tuple(jieba.tokenize(folded))


def _inside_word(folded: str, start: int, end: int) -> bool:
    """Whether jieba reads the Chinese negation at ``start:end`` inside a longer dictionary word (默默无闻,
    停滞不前). Not inside a two-character word (从不, 绝不, 均未: an adverb and the clause's negation) nor a word
    jieba's dictionary lacks (its HMM joins 中未 in 季后赛中未投任何球)."""
    import jieba

    for word, s, e in _jieba_words(folded):
        if s <= start < e:
            return s < start and len(word) > 2 and jieba.dt.FREQ.get(word, 0) > 0
    return False


def extract_slots(text: str) -> list[Slot]:
    """Every slot in ``text`` (``_read_slots``; a text read before is not read again: a claim meets each of its
    evidence sentences and their passages, so it is compared many times)."""
    return list(_read_slots(text))


@lru_cache(maxsize=8192)
def _read_slots(text: str) -> tuple[Slot, ...]:
    """Every slot in ``text`` (Chinese, English or both), by position. Earlier kinds win overlaps: dates,
    quantities, years, entities, ordinals, stances (a negation just before one flips it and is part of it:
    "不承担", "does not support"), quantifiers, negations."""
    folded = fold(text)
    taken: list[Slot] = []

    def add(kind: str, value: SlotValue, unit: str, start: int, end: int) -> bool:
        if start >= end or any(s.start < end and start < s.end for s in taken):
            return False
        taken.append(Slot(kind, value, unit, text[start:end], start, end))
        return True

    for value, start, end in full_dates_in(folded):
        add("date", value, "", start, end)
    for amount, unit, start, end in quantities_in(folded):
        add("quantity", amount, unit, start, end)
    for value, start, end in years_in(folded):
        add("date", value, "", start, end)
    pattern, aliases, info = gazetteer()
    for m in pattern.finditer(folded):
        if ident := aliases.get(m.group()) or aliases.get(re.sub(r"\s+", " ", m.group()).lower()):
            add("entity", ident, info[ident][0], m.start(), m.end())
    for key, start, end in people_in(folded):  # a person no list names, beside a role (rag.answer.person_names)
        add("entity", f"{UNLISTED}{key}", "person", start, end)
    for m in ORDINAL.finditer(folded):
        n = EN_ORDINALS.index(m["en"].lower()) + 1 if m["en"] else int(m["dig"] or parse_number(m["zh"] or "一"))
        add("ordinal", n, "", m.start(), m.end())
    for kind, (regex, keys) in LEXICON.items():
        for m in regex.finditer(folded):
            _, unit, word = keys[int(str(m.lastgroup)[1:])].split(":")
            zh = has_han(m.group())
            window = folded[max(0, m.start() - CUE_CHARS[zh]):m.start()]
            cue = FLIP[zh].search(window) if kind == "stance" else None
            if kind == "negation" and zh and _inside_word(folded, m.start(), m.end()):
                unit = "lexical"
            if not (cue and add(kind, -int(word), unit, m.start() - len(window) + cue.start(), m.end())):
                add(kind, int(word) if kind == "stance" else word, unit, m.start(), m.end())
    return tuple(sorted(taken, key=lambda s: s.start))


# --- comparison ----------------------------------------------------------------------------------------------
_CLAUSE_BREAK = re.compile(r"[,;。!?]|(?<![A-Za-z])(?:but|while|whereas)(?![A-Za-z])|但|而|却", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[。!?;]|\.(?:\s|$)")


def _memberships(text: str, slots: list[Slot]) -> dict[str, Slot]:
    """Entity id -> the membership stance that governs it: the next one in its clause ("Italy is a member"),
    else the last one before it in its sentence ("成员包括美国、日本，缺少了意大利和德国")."""
    stances = [s for s in slots if s.kind == "stance" and s.unit == "member"]
    bound: dict[str, Slot] = {}
    for entity in (s for s in slots if s.kind == "entity"):
        after = [s for s in stances if entity.end <= s.start <= entity.end + MEMBER_CHARS
                 and not _CLAUSE_BREAK.search(text[entity.end:s.start])]
        before = [s for s in stances if s.end <= entity.start and not _SENTENCE_END.search(text[s.end:entity.start])]
        if after or before:
            bound.setdefault(str(entity.value), after[0] if after else before[-1])
    return bound


def _nested_names(a: Slot, b: Slot) -> bool:
    """Two different entities, one's name inside the other's (…研究所国际网络 ⊃ …研究所): the network is not a
    swap for its institutes, nor they for it."""
    x, y = fold(a.surface).strip(), fold(b.surface).strip()
    return a.kind == "entity" and a.value != b.value and (x in y or y in x)


def _is_member(members: dict[str, Slot], entity: Slot) -> bool:
    return (stance := members.get(str(entity.value))) is not None and stance.value == 1


def _same_value(a: Slot, b: Slot) -> bool:
    if a.kind == "entity" and a.unit == b.unit == "person":  # however much of the name is written
        return same_person(str(a.value), a.surface, str(b.value), b.surface)
    if a.kind == "quantity":
        return math.isclose(float(a.value), float(b.value), rel_tol=1e-6)  # type: ignore[arg-type]
    if a.kind == "date":  # a field only one side gives cannot disagree: 2024 fits February 2024
        return all(x is None or y is None or x == y for x, y in zip(a.value, b.value))  # type: ignore[arg-type]
    return a.value == b.value


def _han_bigrams(text: str) -> set[str]:
    """The two-character runs of ``text`` that hold a Chinese character: the words a scope or clause is compared by."""
    return {text[i:i + 2] for i in range(len(text) - 1) if has_han(text[i:i + 2])}


def _flipped_stances(slots: list[Slot], other_slots: list[Slot]) -> list[Slot]:
    """The negations inside stances ("with **no** reduction", "did **not** include") whose axis ``other_slots`` lacks:
    there the stance comparison cannot see them, and the other side's plain 没有 / 不 must meet a negation here."""
    axes = {s.unit for s in other_slots if s.kind == "stance"}
    found = []
    for s in slots:
        cue = LEXICON["negation"][0].match(fold(s.surface)) if s.kind == "stance" and s.unit not in axes else None
        if cue:
            found.append(Slot("negation", "not", "", s.surface[:cue.end()], s.start, s.start + cue.end()))
    return found + _privatives(slots, other_slots)


def _privatives(slots: list[Slot], other_slots: list[Slot]) -> list[Slot]:
    """The negations that privative membership words hold ("lack X" is "not have X"; PRIVATIVE) where ``other_slots``
    has no membership word to compare them with (session 51, rule L)."""
    if any(o.kind == "stance" and o.unit == "member" for o in other_slots):
        return []
    return [Slot("negation", "not", "", s.surface, s.start, s.end) for s in slots
            if s.kind == "stance" and s.unit == "member" and s.value == -1 and PRIVATIVE.fullmatch(fold(s.surface))]


def _part_of_negation(neg: Slot, slot: Slot) -> bool:
    """A count of one right after a negation is part of it: 没有一项 / 无一 is "none"."""
    return slot.kind == "quantity" and slot.start - neg.end <= 1 and math.isclose(float(slot.value), 1.0)  # type: ignore[arg-type]


def _negations(text: str, slots: list[Slot], other: str, other_slots: list[Slot], evidence: bool = False) -> int:
    """How many negations in ``text`` bear on content that ``other`` also has (a slot, a word, a Chinese bigram);
    ``evidence``: ``text`` is the evidence, whose clauses the claim may not all restate (a claim asserts all of its own)."""
    folded_other = fold(other).lower()
    comparable = {(o.kind, o.unit) for o in other_slots}  # a slot the other side has no kin of says nothing
    count = 0
    for neg in [s for s in slots if s.kind == "negation"] + _flipped_stances(slots, other_slots):
        zh = has_han(neg.surface)
        if neg.unit == "lexical" and zh != has_han(other):
            continue
        scope = fold(text[neg.end:neg.end + SCOPE_CHARS[zh]]).lower()
        inside = [s for s in slots if s.kind != "negation" and neg.end <= s.start < neg.end + len(scope)
                  and (s.kind, s.unit) in comparable and not _part_of_negation(neg, s)]
        if any(_same_value(s, o) for s in inside for o in other_slots if (o.kind, o.unit) == (s.kind, s.unit)):
            count += 1
            continue
        terms = (_han_bigrams(scope) | set(re.findall(r"[a-z]{4,}", scope))) - NEGATION_SCOPE_STOP_WORDS
        # in the other language there are no words to compare: the sentence was chosen as a match, unless another of its
        # clauses is the one that shares the other side's figures, names or Latin words (journal, session 33)
        count += (not inside and (not evidence or _restated(text, slots, neg, other, other_slots))) if zh != has_han(other) \
            else any(t in folded_other for t in terms)
    in_a_word = any(s.kind == "negation" and s.unit == "lexical" for s in other_slots)  # 坚持不懈 is "ceaseless"
    # "lack" against 缺乏: the other side says it with a membership word, not a negation (session 51, rule L)
    met = sum(o.kind == "stance" and o.unit == "member" and o.value == -1 for o in other_slots)  # one "lack" each
    affix = not has_han(text) and has_han(other) and not in_a_word \
        and AFFIX_NEGATIVE.search(PRIVATIVE.sub(" ", text, count=met) if met else text) is not None
    return count or int(affix)


def _anchors(text: str, slots: list[Slot], start: int, end: int) -> set[object]:
    """What ``text[start:end]`` shares with a text in the other language: its slots' values and its Latin words."""
    values: set[object] = {(s.kind, s.unit, s.value) for s in slots if s.kind in ANCHOR_KINDS and start <= s.start < end}
    words = set(re.findall(r"[a-z0-9]{3,}", fold(text[start:end]).lower())) - NEGATION_SCOPE_STOP_WORDS
    return values | {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}  # LLMs / LLM


def _restated(text: str, slots: list[Slot], neg: Slot, other: str, other_slots: list[Slot]) -> bool:
    """Across languages, whether the clause holding ``neg`` is one ``other`` restates: it shares an anchor (``_anchors``)
    with ``other``, or no clause of ``text`` does (nothing tells them apart)."""
    theirs = _anchors(other, other_slots, 0, len(other))
    bounds = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(fold(text))] + [len(text)]
    shared = [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if _anchors(text, slots, a, b) & theirs]
    return not shared or any(a <= neg.start < b for a, b in shared)


def _scope_words(text: str, neg: Slot) -> set[str]:
    """The words a negation reaches within its clause (Latin words of 3+ letters, Chinese bigrams)."""
    scope = fold(text[neg.end:neg.end + SCOPE_CHARS[has_han(neg.surface)]]).lower()
    scope = scope[:m.start()] if (m := _CLAUSE_BREAK.search(scope)) else scope
    return _han_bigrams(scope) | set(re.findall(r"[a-z]{3,}", scope))


def _negation_slot(text: str, slots: list[Slot], other: str = "", other_slots: list[Slot] | None = None) -> Slot:
    """The negation that makes ``text`` negate where ``other`` does not: the first whose scope shares no word with a
    negation's scope in ``other`` (in one language: "did not pass … did not resign" against "did not pass … resigned"
    is the second), else its first negation word, else the word its affix negates (else empty)."""
    negations = [s for s in slots if s.kind == "negation"] + _privatives(slots, other_slots or [])
    theirs = [_scope_words(other, s) for s in other_slots or [] if s.kind == "negation"]
    alone = [s for s in negations if has_han(s.surface) == has_han(other) and theirs
             and not any(_scope_words(text, s) & words for words in theirs)]
    found = next(iter(alone + negations), None)
    affix = None if found else AFFIX_NEGATIVE.search(text)
    return found or Slot("negation", "not", "affix", affix.group() if affix else "", *(affix.span() if affix else (0, 0)))


def _clause_terms(text: str, slot: Slot) -> set[str]:
    """The words of the clause that holds ``slot``, the slot left out (Chinese bigrams, Latin words): what a
    quantifier quantifies ("所有|经测试LLM仍极易受到…")."""
    folded = fold(text).lower()
    starts = [m.end() for m in _CLAUSE_BREAK.finditer(folded, 0, slot.start)]
    end = next((m.start() for m in _CLAUSE_BREAK.finditer(folded, slot.end)), len(folded))
    terms: set[str] = set()
    for part in (folded[starts[-1] if starts else 0:slot.start], folded[slot.end:end]):
        terms |= _han_bigrams(part)
        terms |= set(re.findall(r"[a-z]{2,}", part)) - NEGATION_SCOPE_STOP_WORDS
    return terms


def _aligned(claim: str, slot: Slot, evidence: str, same: list[Slot]) -> list[Slot]:
    """Of the evidence's quantifiers, those whose clause shares the most words with the claim's quantifier's: a sentence
    may quantify two things ("所有经测试LLM…，有些甚至会…"), and the claim's 部分 is then compared with the 所有 of the LLMs it names,
    not with the 有些 of another clause. All of them when no clause shares a word (across languages)."""
    if slot.kind != "quantifier" or len(same) < 2:
        return same
    mine = _clause_terms(claim, slot)
    shared = [len(mine & _clause_terms(evidence, e)) for e in same]
    return [e for e, n in zip(same, shared, strict=True) if n == max(shared)] if max(shared) > 0 else same


def _counted_alike(slot: Slot, evidence_slots: list[Slot]) -> list[Slot]:
    """The evidence's counted quantities if one side is a plain count (四次 / "three fumbles", 380名议员 / "750 MEPs")."""
    plain = ("count", "counted")
    return [e for e in evidence_slots if slot.kind == e.kind == "quantity" and slot.unit in COUNTED and e.unit in COUNTED
            and (e.unit in plain or slot.unit in plain)]


# Proportion and amount on one scale, for a claim whose evidence has no quantifier on its own axis: 少数 (a few /
# a minority) against "many" says the opposite, against "few" the same; 大多数 against "few" the opposite. Direction
# words likewise on a neighbouring axis: "degrading security" against 提高安全性, "discourage" against 推进.
_SIZE = {"minority": -1, "few": -1, "majority": 1, "many": 1}
# Each pair is read both ways; session 52 (rule S) added the last three: 保护 against 损害, 胜利 against 失败, 鼓励 against 限制.
_NEIGHBOURS = (("increase", "improve"), ("encourage", "promote"), ("improve", "protect"), ("win", "succeed"),
               ("encourage", "increase"))
_NEIGHBOUR_AXIS = {axis: tuple(b if a == axis else a for a, b in _NEIGHBOURS if axis in (a, b))
                   for axis in {axis for pair in _NEIGHBOURS for axis in pair}}


def _polarity(slot: Slot) -> int:
    return _SIZE[str(slot.value)] if slot.kind == "quantifier" else int(slot.value)  # type: ignore[arg-type]


def _other_axis(slot: Slot, evidence_slots: list[Slot]) -> list[Slot]:
    """The evidence's quantifiers of size on the other axis (proportion ↔ amount) than the claim's; the evidence's
    stances on the claim's stance's neighbouring axes (``_NEIGHBOUR_AXIS``: improve ↔ increase, promote ↔ encourage, …)."""
    if slot.kind == "stance" and slot.unit in _NEIGHBOUR_AXIS:
        return [e for e in evidence_slots if e.kind == "stance" and e.unit in _NEIGHBOUR_AXIS[slot.unit]]
    if slot.kind != "quantifier" or slot.value not in _SIZE:
        return []
    return [e for e in evidence_slots if e.kind == "quantifier" and e.value in _SIZE and e.unit != slot.unit]


def _written(slot: Slot, same: list[Slot], evidence: str) -> bool:
    """A loosely read count whose number the evidence writes where we read no count ("with 24"): no difference."""
    loose = slot.unit == "counted" or any(e.unit != slot.unit or e.unit == "counted" for e in same)
    return slot.kind == "quantity" and loose and float(slot.value) in numbers_in(evidence)  # type: ignore[arg-type]


def _taken_twice(slot: Slot, same: list[Slot], taken: list[Slot]) -> Slot | None:
    """Ordinals and stances one for one: an equal evidence slot still free is taken (None); where every equal one is
    taken by an earlier claim slot, an evidence slot of another value still free is the difference ("第四个时间线 … 第四尺度"
    against "third timeline … fourth scale", session 51, rule O1; "larger … larger" against 较小 … 较大, session 52, S2)."""
    equal = [e for e in same if _same_value(slot, e)]
    if free := [e for e in equal if e not in taken]:
        taken.append(free[0])
        return None
    other = [e for e in same if e not in taken and not _same_value(slot, e)]
    return other[0] if equal and other else None


def compare_slots(claim: str, evidence: str) -> SlotComparison:
    """Compare the claim's slots with the evidence's: a claim value the evidence lacks while it states another
    of the same kind and unit (quantity unit, entity class, stance axis) is a difference."""
    claim_slots, evidence_slots = extract_slots(claim), extract_slots(evidence)
    result = SlotComparison()
    claim_members = _memberships(fold(claim), claim_slots)
    evidence_members = _memberships(fold(evidence), evidence_slots)
    taken: list[Slot] = []  # evidence ordinals and stances a claim slot has met (_taken_twice)
    for slot in (s for s in claim_slots if s.kind != "negation"):
        if slot.kind == "stance" and slot.unit == "member":  # membership is per entity: 包括美国…缺少意大利
            governed = [evidence_members[e] for e, s in claim_members.items() if s == slot and e in evidence_members]
            if governed:
                wrong = [s for s in governed if s.value != slot.value]
                result.differences += [Difference(slot, wrong[0], "stance")] if wrong else []
                result.matched += not wrong
                continue
        same = _aligned(claim, slot, evidence, [e for e in evidence_slots if (e.kind, e.unit) == (slot.kind, slot.unit)
                                                and not _nested_names(slot, e)
                                                and comparable_names(slot.unit, str(slot.value), slot.surface,
                                                                     str(e.value), e.surface)]) \
            or _counted_alike(slot, evidence_slots)
        if not same and (sized := _other_axis(slot, evidence_slots)):
            agree = any(_polarity(e) == _polarity(slot) for e in sized)
            result.matched += agree and slot.kind != "stance"
            result.differences += [] if agree else [Difference(slot, sized[0], slot.kind)]
            continue
        if slot.kind in ("ordinal", "stance") and (other := _taken_twice(slot, same, taken)) is not None:
            result.differences.append(Difference(slot, other, slot.kind))
        elif any(_same_value(slot, e) for e in same) or (same and _written(slot, same, evidence)):
            result.matched += slot.kind != "stance"
        elif same:
            listed = tuple(e for e in same if slot.kind == "entity" and _is_member(claim_members, slot)
                           and _is_member(evidence_members, e))
            listed = listed if len(listed) > 1 else ()  # one member named is a swap ("Spain joined" / 德国加入)
            result.differences.append(Difference(slot, (listed or same)[0], slot.kind, listed))
        elif not unseen_name(slot.unit, str(slot.value), slot.surface, evidence):
            result.unmatched += 1
            result.unmatched_by_kind[slot.kind] = result.unmatched_by_kind.get(slot.kind, 0) + 1
    in_claim = _negations(claim, claim_slots, evidence, evidence_slots)
    in_evidence = _negations(evidence, evidence_slots, claim, claim_slots, evidence=True)
    # A negation one side has and the other lacks; across languages one side negating and the other not (a translation may
    # say with one negation what the other says with two: "neither … nor" / 都没有; journal, session 33).
    result.negation_mismatch = (in_claim > 0) != (in_evidence > 0) if has_han(claim) != has_han(evidence) \
        else in_claim != in_evidence
    if result.negation_mismatch:
        claim_negates = in_claim > in_evidence
        said = _negation_slot(*((claim, claim_slots, evidence, evidence_slots) if claim_negates
                                else (evidence, evidence_slots, claim, claim_slots)))
        plain = Slot("negation", "", "", "", 0, 0)  # the side that states it without a negation
        result.negation = Difference(*((said, plain) if claim_negates else (plain, said)), "negation")
    logger.debug("slots: %d differences, %d matched, %d unmatched, negation mismatch %s",
                 len(result.differences), result.matched, result.unmatched, result.negation_mismatch)
    return result
