"""What a question asks for: the kind of answer (a figure, a sum of money, a duration), the n-th of
something ("the second meeting"), a role or an event it must mention. Read from the question's text
(no model); ``rag.answer.answer_type`` checks evidence against it, and the rerank's ``answer_kind``
feature reads ``figure_sought``.

Usage::

    asked_answer_kind("罚款金额是多少？")                  # "money"
    asked_mentions("英国人工智能安全研究所后来更名为什么？")  # [{"更名", "renamed", …}]
"""

from __future__ import annotations

import re

from rag.settings import get_settings
from rag.text.lexical import has_word, tokenize

QUANTITY_QUESTION = re.compile(r"多少|多高|多大|多长|多久|几[个项家名位次年]|how (many|much|long|often)|what (percentage|amount|share)", re.I)

# A figure that can answer "how many / how much": a number with a unit or currency (a bare number in
# these documents is as often a footnote mark, a year or a section number).
FIGURE = re.compile(
    r"[$£€¥]\s?\d|(?<!第)\d\s?[多余]?\s?(?:%|％|亿|万|千|百|美元|英镑|欧元|元|个|项|家|名|人|位|倍|具|件|种|所|座|条|次|份|吨|公里|米|岁"
    r"|million|billion|percent|staff|people)"
    r"|(?:[两三四五六七八九十百千]|一[十百千万亿])[一二两三四五六七八九十百千万亿]*[个项家名位亿万倍具件种所座条次份]"
    r"|[一二三四五六七八九十百]分之[一二三四五六七八九十]"
    # English: 16,000 / 8.8 / a number word / a number before a noun ("25 bodies"; not a year: "1915 saw")
    r"|\d{1,3}(?:,\d{3})+|\b\d+\.\d+\b"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?"
    r"|thousands?|millions?|billions?|dozens?)\b"
    r"|\b(?!(?:1[5-9]|20)\d\d\b)\d+\s(?:[a-z]+\s)?[a-z]{3,}",
    re.I,
)

# "How much is the fine / the funding": the figure must be an amount of money.
MONEY_QUESTION = re.compile(r"金额|罚款|罚金|资金|经费|预算|多少钱|how much (?:money|funding)|\bfines?\b|\bfunding\b|\bbudget", re.I)

MONEY = re.compile(
    r"[$£€¥]\s?\d|\d\s?[多余]?\s?(?:亿|万|千|百)?\s?(?:美元|英镑|欧元|元|人民币)"
    r"|\d\s?(?:million|billion|trillion)?\s?(?:dollars|pounds|euros|yuan)", re.I)

# "The second meeting": an ordinal names which of several events is asked about; evidence about
# another one (首次会议) does not answer it.
ORDINALS = {1: ("first", "1st", "一", "首"), 2: ("second", "2nd", "二"), 3: ("third", "3rd", "三"),
            4: ("fourth", "4th", "四"), 5: ("fifth", "5th", "五")}

ORDINAL_ZH = re.compile(r"(?:第\s?([一二三四五1-5])|(首))\s?[次届轮个份期]")

ORDINAL_EN = re.compile(r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b", re.I)

def ordinals_with_heads(text: str) -> list[tuple[int, set[str]]]:
    """Each "n-th X" in ``text`` with the index tokens of the few words after it (its head)."""
    found: list[tuple[int, set[str]]] = []
    settings = get_settings()
    for pattern, span in ((ORDINAL_EN, settings.ordinal_head_chars_en), (ORDINAL_ZH, settings.ordinal_head_chars_zh)):
        for match in pattern.finditer(text):
            word = next(g for g in match.groups() if g).lower()
            n = next((n for n, forms in ORDINALS.items() if word in forms or word == str(n)), None)
            if n is not None:
                found.append((n, set(tokenize(text[match.end(): match.end() + span]))))
    return found

def asked_ordinals(question: str) -> set[int]:
    return {n for n, _ in ordinals_with_heads(question)}

# "How long / how often": a duration or a frequency (每年, 3个月, annually).
DURATION_QUESTION = re.compile(r"多久|多长时间|多长|how (?:long|often)", re.I)

DURATION = re.compile(
    r"每[年月周日天季]|[\d一二两三四五六七八九十半]+\s?(?:年|个月|月|周|天|日|小时)|annual|yearly|monthly|weekly|every"
    r"|(?:\d+|\b(?:a|one|two|three|four|five|six|seven|eight|nine|ten|twelve|several|few))\s?(?:to \w+\s)?"
    r"(?:years?|months?|weeks?|days?|hours?|decades?|centuries|century)\b", re.I)

# A question about a source itself: its reference list, link or citation is then what answers it.
SOURCE_QUESTION = re.compile(r"来源|出处|引用|引文|参考文献|链接|网址|网站|\b(?:sources?|cit(?:e|es|ed|ation)s?|references?|links?|urls?|websites?)\b", re.I)


def asks_source(question: str) -> bool:
    return SOURCE_QUESTION.search(question) is not None


COUNT_QUESTION = re.compile(r"\bhow many\b|(?:多少|几)\s?(?:个|名|位|家|项|人|次|种|所|条|座|部|支|批|场|届|篇|本|份|层|国)", re.I)


def asks_count(question: str) -> bool:
    """A how-many question ("how many staff", 多少名 / 几个): its answer counts things, never a sum of money."""
    return COUNT_QUESTION.search(question) is not None


def asked_answer_kind(question: str) -> str | None:
    """ "money", "duration" or "figure" for a how-much/how-many/how-long question, else None."""
    if not QUANTITY_QUESTION.search(question):
        return None
    if MONEY_QUESTION.search(question):
        return "money"
    return "duration" if DURATION_QUESTION.search(question) else "figure"

DATE_QUESTION = re.compile(r"\bwhen\b|\bwhat (year|date|month|day)\b|\bwhich (year|date|month|day)\b|"
                           r"哪一?年|哪一?天|何时|什么时候|几月|哪个月|哪一?日", re.I)


def asks_date(question: str) -> bool:
    """Whether ``question`` asks when (a year, a month, a date)."""
    return DATE_QUESTION.search(question) is not None


def answer_pattern(kind: str | None) -> re.Pattern[str] | None:
    """What an answer of ``kind`` (``asked_answer_kind``) must state, or None for other questions."""
    return None if kind is None else {"money": MONEY, "duration": DURATION, "figure": FIGURE}[kind]


def asked_answer_pattern(question: str) -> re.Pattern[str] | None:
    """What an answer to a how-much/how-many/how-long question must state, or None for other questions."""
    return answer_pattern(asked_answer_kind(question))

def figure_sought(question: str) -> re.Pattern[str] | None:
    """What a passage must state to answer ``question``: the kind of figure it asks for, or a sum of
    money when it states one (a claim about an amount is settled by the amounts the documents give)."""
    return asked_answer_pattern(question) or (MONEY if MONEY.search(question) else None)


# Questions about a role or an event name what the answer must mention. "Which national security
# adviser …": the answer names the person by that role. "What was it renamed to": the evidence must
# report a renaming (a passage on the institute's history without one does not answer it). Each entry:
# the words that ask (English and Chinese) → the words any one of which the evidence must hold.
ROLES = {
    "adviser": ("顾问",), "advisor": ("顾问",), "minister": ("部长", "大臣", "首相"),
    "secretary": ("部长", "秘书", "国务卿"), "president": ("总统", "主席", "总裁", "校长"),
    "director": ("主任", "局长", "所长", "总监", "主管"), "ambassador": ("大使",),
    "spokesperson": ("发言人",), "spokesman": ("发言人",), "chairman": ("主席",), "ceo": ("首席执行官",),
}
ROLE_QUESTION_EN = re.compile(r"\b(?:which|what)\s+(?:[\w'’-]+\s+){0,5}?(" + "|".join(ROLES) + r")s?\b", re.I)
ROLE_QUESTION_ZH = re.compile(  # 哪位顾问, 哪一位国家安全顾问
    "哪(?:一)?位[^，。？?、]{0,8}?(" + "|".join(sorted({zh for names in ROLES.values() for zh in names}, key=len, reverse=True)) + ")")
EVENTS = (  # a change that happened to an institution or a person
    ("renamed", "rename", "renaming", "更名", "改名", "改称", "重命名", "易名"),
    ("merged", "merger", "合并"),
    ("abolished", "dissolved", "disbanded", "撤销", "解散", "废除"),
    ("resigned", "resignation", "辞职", "辞去"),
)

NAME_CHANGE = re.compile(r"\bchang(?:e|ed|es|ing) (?:its|their|the|his|her) name\b", re.I)  # asks about a renaming


def asked_mentions(question: str) -> list[frozenset[str]]:
    """What the evidence must mention for this question: per asked role or event, its words in both
    languages (any one will do); an empty list for other questions."""
    needed: list[frozenset[str]] = []
    match = ROLE_QUESTION_EN.search(question)
    if match:
        word = match.group(1).lower()
        needed.append(frozenset({word, *ROLES[word]}))
    match = ROLE_QUESTION_ZH.search(question)
    if match:
        zh = match.group(1)
        needed.append(frozenset({zh, *(en for en, names in ROLES.items() if zh in names)}))
    for words in EVENTS:
        if any(has_word(word, question) for word in words) or (words is EVENTS[0] and NAME_CHANGE.search(question)):
            needed.append(frozenset(words))
    return needed
