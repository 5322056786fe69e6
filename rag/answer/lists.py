"""List questions, and the run of list items that answers them.

A list question ("What are the three core topics …?", "…包括哪些领域？", "有哪几项…", "Which countries are members
of …?") is answered by the items of a run, not by its first item or the sentence announcing it. Items are numbered
(1. 1、 1） (1) （一） 一、 ①, a bullet before the number allowed), bulleted (• ● ○ ▪ · - *), or written out
(一是…二是…, 第一，…第二，…, 首先…其次…最后…, "First, … Second, … Finally, …").

A run is found from an evidence sentence that is its preface (ending in a colon, or announcing 以下/如下/"the
following"; a "这些包括：" after it counts as its colon), an item, or a sentence inside an item, over the sentences
of its passage and, while the run goes on past them, the passages before or after it, one at a time (read and
merged as ``rag.retrieval.sentence_completion`` does). It stops at a sentence on a new line that is neither an item
nor a footnote line, at a heading, at the count asked, or at ``list_max_items``. Numbered and bulleted items open a
line; what follows one on its line belongs to it. Each item is cited as one whole stored sentence, raw offsets kept.
A run answers only when its preface states what was asked (its lead-in clause holds the question's terms): the
sibling items of a bullet that lists what was asked inline, or numbered paragraphs, are left alone.

Usage::

    list_question("美国人工智能国家安全备忘录指示采取哪三项关键行动？")   # ListAsk(count=3)
    list_question("What is the budget of the institute?")               # None
    run = list_run(query, chosen, settings, passage_reader(store))      # ListRun, or None
    run.evidence          # the preface (unless it is a label), then the items, in document order
    list_line("已公布的成果包括：", 1, "zh")                               # '已公布的成果包括[1]：'
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from rag.answer.claim_features import is_instruction
from rag.answer.evidence import URL
from rag.retrieval.sentence_completion import (
    PassageReader,
    Unit,
    stored_passage,
    window,
)
from rag.settings import Settings
from rag.text.footnotes import without_footnote_marks
from rag.text.lexical import tokenize
from rag.text.sentences import CLOSERS, ends_sentence, is_heading, refers_back
from rag.text.terms import coverage
from rag.types import EvidenceSentence, Query, SearchHit

logger = logging.getLogger(__name__)

ZH_DIGITS = "一二三四五六七八九十"
ZH_COUNT = rf"(\d{{1,2}}|[{ZH_DIGITS}两]{{1,3}})"
ZH_UNIT = r"(?:个|项|种|类|点|条|大|家|位|国|所|名|方面|部分|步|措施|领域)"
# 哪些 / 哪几; "哪三项", "哪5个"; "三个目标是什么", "五项措施分别是什么"
ZH_LIST = re.compile(r"哪些|哪几|包括什么|包含什么|^\s*请?(?:列举|列出)")
ZH_WHICH_COUNT = re.compile(rf"哪\s?{ZH_COUNT}\s?{ZH_UNIT}")
ZH_COUNT_WHAT = re.compile(rf"{ZH_COUNT}\s?{ZH_UNIT}[^，。？?；;]{{0,12}}?(?:是什么|是哪些|分别是|有哪些|包括哪些)")
EN_NUMBERS = {w: n for n, w in enumerate("two three four five six seven eight nine ten eleven twelve".split(), 2)}
# "What are …", "List …"; "Which countries …", "which research areas …" (a plural noun after which/what)
EN_LIST = re.compile(r"^\s*(?:list|name|enumerate)\b|\bwhat (?:are|were)\b", re.I)
EN_NOT_NOUN = (r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|shall|should|may|might|must|"
               r"it|he|she|they|we|you|i|each|this|that|these|those|the|a|an|its|his|her|their|our|us)\b")
EN_WHICH_PLURAL = re.compile(rf"\b(?:which|what)\s+(?:of\s+the\s+)?(?:(?!{EN_NOT_NOUN})[\w'’-]+\s+){{0,3}}?"
                             rf"(?!{EN_NOT_NOUN})([a-z][\w-]*[^\Wsui]s|[a-z]+ies|people)\b", re.I)
EN_COUNT = re.compile(r"\b(?:which|what)\s+(?:(?:are|were)\s+)?(?:the\s+)?(\d{1,2}|" + "|".join(EN_NUMBERS) + r")\b", re.I)

LAST = 99  # 最后 / finally: no item follows it
BULLET = re.compile(r"([•●○◦▪■□◆◇·・‧►▸➢✓✔]|[-–—*](?![-–—])(?=\s|[^\x00-\x7f]))\s*")
NUMBERED = (  # a numbered item's style and its number (group 1)
    ("(1)", re.compile(r"[(（](\d{1,2})[)）]")),
    ("(一)", re.compile(rf"[(（]([{ZH_DIGITS}]{{1,3}})[)）]")),
    ("1)", re.compile(r"(\d{1,2})[)）]")),
    ("1.", re.compile(r"(\d{1,2})[.．](?![\d.．])")),
    ("1、", re.compile(r"(\d{1,2})、")),
    ("①", re.compile(r"([\u2460-\u2473])")),
    ("一、", re.compile(rf"([{ZH_DIGITS}]{{1,3}})、")),
)
WRITTEN = (  # items written out in running text: one need not open a line
    ("一是", re.compile(rf"([{ZH_DIGITS}]{{1,3}})是")),
    ("第一", re.compile(rf"第([{ZH_DIGITS}]{{1,3}})[，,、：:]")),
    ("首先", re.compile(r"(首先|其次|再次|最后)")),
    ("first", re.compile(r"(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|finally|lastly)(?:ly)?\s*,",
                         re.I)),
)
ORDINAL_WORDS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
WORD_ORDINALS = {"首先": 1, "其次": 2, "再次": 3, "最后": LAST, "finally": LAST, "lastly": LAST,
                 **{w: n for n, w in enumerate(ORDINAL_WORDS, 1)}}
FORWARD = re.compile(r"以下(?!简称)|如下|下列|\bthe following\b|\bas follows\b", re.I)  # a preface without a colon
COLONS = "：:"
CLAUSE = re.compile(r"[，,；;。：:！？!?]")
NOTE_LINE = re.compile(r"^\d{1,3}\s?[A-Z]")  # a page's footnote set between two items ("34 International …")


@dataclass(frozen=True)
class ListAsk:
    """A list question; ``count`` is the number of items it asks for ("哪三项" → 3), None when not said."""

    count: int | None = None


@dataclass(frozen=True)
class Marker:
    """An item's marker: ``style`` what one run's items share ("1.", "●1)", "一是", "•"), ``ordinal`` its number (None:
    a bullet), ``inline`` whether the items run on in a paragraph, ``bare`` whether its text is split off ("1.")."""

    style: str
    ordinal: int | None
    inline: bool
    bare: bool = False


@dataclass
class ListRun:
    """A run of list items (document order) and the preface quoted before them (None: not quoted)."""

    preface: EvidenceSentence | None
    items: list[EvidenceSentence]

    @property
    def evidence(self) -> list[EvidenceSentence]:
        return ([self.preface] if self.preface else []) + self.items

    def holds(self, sentence: EvidenceSentence) -> bool:
        return any(s.hit.doc == sentence.hit.doc and s.start == sentence.start for s in self.evidence)


def number(token: str) -> int:
    """The number a marker writes: 3, ③, 三, 十二, 其次, second."""
    if "\u2460" <= token <= "\u2473":
        return ord(token) - 0x245F
    if token.isdigit() or token.lower() in WORD_ORDINALS:
        return int(token) if token.isdigit() else WORD_ORDINALS[token.lower()]
    tens, ten, ones = token.partition("十") if "十" in token else ("", "", token)
    return ((ZH_DIGITS.index(tens) + 1 if tens else 1) * 10 if ten else 0) + (ZH_DIGITS.index(ones) + 1 if ones else 0)


def list_question(question: str) -> ListAsk | None:
    """Whether ``question`` asks for a list, and the count it asks for; None for other questions."""
    for pattern in (ZH_WHICH_COUNT, ZH_COUNT_WHAT, EN_COUNT):
        match = pattern.search(question)
        token = match.group(1).lower().replace("两", "二") if match else ""
        count = (EN_NUMBERS.get(token) or number(token)) if token else 0
        if count >= 2:  # 哪一个: not a list
            return ListAsk(count)
    if ZH_LIST.search(question) or EN_LIST.search(question) or EN_WHICH_PLURAL.search(question):
        return ListAsk()
    return None


def marker_at(text: str) -> Marker | None:
    bullet = BULLET.match(text)
    rest = text[bullet.end():] if bullet else text
    prefix = bullet.group(1) if bullet else ""
    for style, pattern in NUMBERED:
        match = pattern.match(rest)
        if match:
            return Marker(prefix + style, number(match.group(1)), False, not rest[match.end():].strip())
    if prefix:
        return Marker(prefix, None, False, not rest.strip())
    for style, pattern in WRITTEN:
        match = pattern.match(rest)
        if match and rest[match.end():].strip():
            return Marker(style, number(match.group(1)), True)
    return None


def marker_of(text: str) -> tuple[Marker | None, bool]:
    """The list marker opening ``text``, or following its own preface's colon ("…三项关键行动：一是…": then
    the items run on in its paragraph); and whether ``text`` holds that preface."""
    found = marker_at(text.lstrip())
    if found is not None:
        return found, False
    colon = max(text.rfind(c) for c in COLONS)
    after = marker_at(text[colon + 1:].lstrip()) if colon > 0 else None
    return (replace(after, inline=True), True) if after is not None and not after.bare else (None, False)


def follows(before: Marker, after: Marker) -> bool:
    """Whether ``after`` is the next item of ``before``'s run."""
    if before.style != after.style or before.ordinal == LAST:
        return False
    if before.ordinal is None or after.ordinal is None:
        return before.ordinal is None and after.ordinal is None
    return after.ordinal == before.ordinal + 1 or (after.ordinal == LAST and before.ordinal >= 2)


@dataclass
class Entry:
    """A sentence of the merged passages (a bare number joined to its text): ``cited`` is what an item cites."""

    cited: Unit
    marker: Marker | None
    opens_line: bool | None  # None: not known (the window's first sentence)
    whole: bool  # a whole sentence, not a piece of one the chunk border cut
    own_preface: bool = False


def opens_line(units: list[Unit], i: int) -> bool | None:
    """Whether a line break precedes ``units[i]`` (None: not known, at the window's start). A passage's first
    sentence does not say: it goes on the line of the one before when their raw spans touch, or only a space
    between Latin text parts them."""
    unit = units[i]
    if unit.opens_line is not None or i == 0:
        return unit.opens_line
    before, gap = units[i - 1], unit.raw_start - units[i - 1].raw_end
    return gap > 1 or (gap == 1 and not (before.text[-1:].isascii() and unit.text[:1].isascii()))


def entries_of(units: list[Unit], own: set[tuple[int, int]]) -> list[Entry]:
    """The sentences of the window as entries; a sentence in ``own`` (the evidence's passage) is whole."""
    entries: list[Entry] = []
    i = 0
    while i < len(units):
        unit, (marker, own_preface) = units[i], marker_of(units[i].text)
        line = opens_line(units, i)
        if marker is not None and marker.bare and i + 1 < len(units) and not opens_line(units, i + 1):
            i += 1  # "1." split from its text: the item is the text, the number its marker
            unit = units[i]
            marker = replace(marker, bare=False)
        starts = i == 0 or not units[i - 1].continues
        whole = (unit.raw_start, unit.raw_end) in own or (starts and (unit.continues is False or ends_sentence(unit.text)))
        entries.append(Entry(unit, marker, line, whole, own_preface))
        i += 1
    return entries


def passed_over(entry: Entry) -> bool:
    """A sentence between two items that is part of the first (on its line) or a page's footnote line."""
    return not entry.opens_line or bool(NOTE_LINE.match(entry.cited.text) or URL.search(entry.cited.text))


def preface_of(text: str) -> bool:
    """Whether ``text`` announces a list: it ends in a colon, or says 以下/如下/下列/"the following"."""
    bare = without_footnote_marks(text).rstrip().rstrip(CLOSERS)
    return bare[-1:] in COLONS or FORWARD.search(text) is not None


def lead_in(text: str) -> str:
    """The clause that announces a list: the last clause before the colon ("…，初始成员涵盖：" → 初始成员涵盖)."""
    body = without_footnote_marks(text).rstrip().rstrip(CLOSERS + "。.：:")
    return next((c for c in reversed(CLAUSE.split(body)) if c.strip()), "")


@dataclass
class Found:
    """A run in the window: entry indexes of its preface (None: none) and items; whether it may go on past the window."""

    preface: int | None
    items: list[int]
    open_start: bool = False
    open_end: bool = False


def opening(entries: list[Entry], k: int) -> tuple[int | None, int | None] | None:
    """For an anchor without a marker: (None, the item it sits in), or (k, the first item: None when the window ends
    first) for a preface (the item is its next entry, or the one after a "这些包括：" that refers back); else None."""
    i = k
    while entries[i].marker is None and not entries[i].opens_line and i > 0:
        i -= 1
    if i != k and entries[i].marker is not None:
        return None, i
    nxt = k + 1
    if not preface_of(entries[k].cited.text):
        if not (nxt < len(entries) and entries[nxt].marker is None and preface_of(entries[nxt].cited.text)
                and refers_back(entries[nxt].cited.text)):
            return None
        nxt += 1
    if nxt == len(entries):
        return k, None
    first = entries[nxt].marker
    return (k, nxt) if first is not None and first.ordinal in (None, 1) else None


def find_run(entries: list[Entry], k: int, ask: ListAsk, limit: int) -> Found | None:
    """The run the entry ``k`` opens or belongs to, within ``entries``; None when it is in none."""
    opened = opening(entries, k) if entries[k].marker is None else (None, k)
    if opened is None:
        return None
    preface, start = opened
    if start is None:
        return Found(preface, [], open_end=True)
    marker = entries[start].marker
    assert marker is not None
    open_start = False
    if preface is None and not entries[start].own_preface:  # back to the run's first item, and its preface
        i = start - 1
        while marker.ordinal != 1 and i >= 0:
            before = entries[i].marker
            if before is not None and follows(before, marker) and (before.inline or entries[i].opens_line):
                start, marker = i, before
            elif not passed_over(entries[i]) or is_heading(entries[i].cited.text):
                break
            i -= 1
        open_start = start == 0 or (i < 0 and marker.ordinal != 1)
        # a preface ends in a colon or announces the list; written-out items are announced by the sentence before
        lead = entries[start - 1].cited.text if start > 0 else ""
        preface = start - 1 if lead and (preface_of(lead) or marker.inline and entries[start].opens_line is False) else None
    first = entries[start]
    if not first.whole or is_heading(first.cited.text) or is_instruction(first.cited.text):
        return None
    items, j, cap, open_end = [start], start + 1, min(ask.count or limit, limit), False
    while len(items) < cap and marker.ordinal != LAST:
        if j == len(entries):
            open_end = True
            break
        entry = entries[j]
        if entry.marker is not None and follows(marker, entry.marker) and (marker.inline or entry.opens_line):
            if not entry.whole:
                open_end = j + 1 == len(entries) and entry.cited.continues is None
                break
            if is_heading(entry.cited.text) or is_instruction(entry.cited.text):
                break
            items.append(j)
            marker = replace(entry.marker, inline=marker.inline)  # type: ignore[arg-type]
        elif is_heading(entry.cited.text) or not passed_over(entry):
            break
        j += 1
    return Found(preface, items, open_start, open_end)


def gather(anchor: EvidenceSentence, ask: ListAsk, settings: Settings,
           read: PassageReader | None) -> tuple[list[SearchHit], list[Entry], Found] | None:
    """The passages read, their entries and the run found, reading a passage before or after while the run may
    go on past the window (at most ``list_max_passages`` besides the anchor's)."""
    passages, own = [anchor.hit], {(s[2], s[3]) for s in anchor.hit.sentences}
    ended: set[int] = set()  # directions with nothing more to read
    while True:
        units = window([(p.text, [(s[0], s[1], s[2], s[3]) for s in p.sentences]) for p in passages])
        entries = entries_of(units, own)
        k = next((i for i, e in enumerate(entries) if (e.cited.raw_start, e.cited.raw_end) == (anchor.start, anchor.end)),
                 None)
        found = find_run(entries, k, ask, settings.list_max_items) if k is not None else None
        if found is None:
            return None
        steps = [step for step, wanted in ((-1, found.open_start), (1, found.open_end)) if wanted and step not in ended]
        for step in steps:
            edge = passages[0] if step < 0 else passages[-1]
            chunk = edge.chunk + step
            payload = read(edge.doc_hash, chunk) if read and chunk >= 0 and edge.chunk >= 0 \
                and len(passages) <= settings.list_max_passages else None
            if payload is not None:  # the stored passage as a hit to cite
                text, spans = stored_passage(payload)
                new = replace(anchor.hit, text=text, sentences=spans, start=int(payload.get("start", 0)), chunk=chunk,
                              end=int(payload.get("end", 0)), page=payload.get("page"),
                              section=str(payload.get("section") or ""))
                passages = [new, *passages] if step < 0 else [*passages, new]
                break
            ended.add(step)
        else:
            return passages, entries, found


def run_of(anchor: EvidenceSentence, query: Query, ask: ListAsk, settings: Settings,
           read: PassageReader | None) -> ListRun | None:
    """The run ``anchor`` opens or sits in, when it has two items or more and a preface that states what was asked:
    its lead-in clause (or, for a "这些包括：", the sentence before it) holds the question's terms."""
    gathered = gather(anchor, ask, settings, read) if all(len(s) >= 4 for s in anchor.hit.sentences) else None
    if gathered is None or len(gathered[2].items) < 2:
        return None
    passages, entries, found = gathered
    first, at = entries[found.items[0]], found.preface
    preface = entries[at] if at is not None else None
    announced = [first.cited.text[:max(first.cited.text.rfind(c) for c in COLONS)]] if first.own_preface else []
    if preface is not None:
        announced.append(preface.cited.text)
        if at and refers_back(preface.cited.text):  # "这些包括：", "These include:"
            announced.append(entries[at - 1].cited.text)
    terms = query.terms_for(anchor.hit.language)
    if not any(coverage(terms, set(tokenize(lead_in(t)))) >= settings.list_preface_min_coverage for t in announced):
        logger.debug("list run without a preface about the question at %s %d", anchor.hit.doc, anchor.start)
        return None

    def sentence(entry: Entry) -> EvidenceSentence:
        unit = entry.cited
        if (unit.raw_start, unit.raw_end) == (anchor.start, anchor.end):
            return anchor
        owner = next(p for p in passages if any((s[2], s[3]) == (unit.raw_start, unit.raw_end) for s in p.sentences))
        return EvidenceSentence(owner, anchor.hit_rank, unit.text.strip(), unit.raw_start, unit.raw_end,
                                entries.index(entry), anchor.score, anchor.coverage)

    quoted = sentence(preface) if preface is not None and not is_heading(preface.cited.text) else None
    return ListRun(quoted, [sentence(entries[i]) for i in found.items])


def list_run(query: Query, chosen: list[EvidenceSentence], settings: Settings,
             read: PassageReader | None = None) -> ListRun | None:
    """For a list question, the run that answers it: the first (best evidence first) that a ``chosen`` sentence
    opens or sits in and whose preface states what was asked; None for other questions or when there is none."""
    ask = list_question(query.text) if settings.list_runs and chosen else None
    if ask is None:
        return None
    runs = (run_of(s, query, ask, settings, read) for s in sorted(chosen, key=lambda s: -s.score))
    return next((run for run in runs if run is not None), None)


def list_line(text: str, n: int, language: str) -> str:
    """One line of a list answer: '…包括：' → '…包括[1]：', '一是…发展。' → '一是…发展[2]。', '- item' → '- item [3]'."""
    body, end = text.rstrip(), ""
    while body and (body[-1] in COLONS or body[-1] in "。！？；.!?;…"):
        end, body = body[-1] + end, body[:-1]
    return f"{body}{'' if language == 'zh' else ' '}[{n}]{end}"
