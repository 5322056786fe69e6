"""The lead line of an answer quoted from the other language's sentences: the figure or date the question asks for,
as written and in the reader's language, with its citation — "1亿英镑 (100 million pounds) [1]" — the first thing a
reader reads and the one a journalist copies (measured by ``python -m bench.lead_figures``).

Usage::

    from rag.answer.lead import asked_item
    asked_item(query, citations)   # "1亿英镑 (100 million pounds) [1]", or None for other questions
"""

from __future__ import annotations

import re

from rag.answer.figures import CURRENCIES, fold, full_dates_in, numbers_in, years_in
from rag.answer.slot_text import show
from rag.answer.slot_types import Slot
from rag.answer.slots import extract_slots
from rag.text.asked import asks_count
from rag.text.cjk import has_han
from rag.text.lexical import tokenize
from rag.text.terms import coverage
from rag.types import Citation, Query, TermGroup

TIME_UNITS = frozenset({"day", "week", "month", "year", "hour"})
PERCENT_QUESTION = re.compile(r"percent|percentage|百分比|百分之|比例", re.IGNORECASE)


def asked_item(query: Query, citations: list[Citation]) -> str | None:
    """For a how-much / how-many / when question answered from the other language's sentences: the figures or dates
    of the asked kind (``of_asked_kind``; never one the question itself states) from the cited sentence that covers
    most of the question (``rag.text.terms.coverage``; the first on a tie), each as written and in the reader's
    language, with its citation — "1亿英镑 (100 million pounds) [1]" — a line a reader can use at once; None for
    other questions."""
    kinds = ("quantity",) if query.answer_kind else ("date",) if query.asks_date else ()
    best: tuple[float, str] | None = None
    stated = numbers_in(query.text)  # the question's own figures ("in the last three minutes") are not its answer
    folded = fold(query.text)  # and the years it names ("after the 1999 summit")
    years = {value[0] for value, _, _ in [*years_in(folded), *full_dates_in(folded)]}
    for citation in citations if kinds else []:
        groups = query.terms_for("zh" if has_han(citation.text) else "en")
        slots = [s for s in extract_slots(citation.text) if s.kind in kinds and of_asked_kind(s, query)
                 and not (s.kind == "quantity" and float(s.value) in stated)  # type: ignore[arg-type]
                 and not (s.kind == "date" and s.value[0] in years)]  # type: ignore[index]
        values = list(dict.fromkeys(show(s, query.language == "zh") for s in asked_slots(slots, citation.text, groups)))
        held = coverage(groups, set(tokenize(citation.text)))
        if values and (best is None or held > best[0]):
            best = (held, f"{', '.join(values)} [{citation.n}]")
    return best[1] if best else None


def of_asked_kind(slot: Slot, query: Query) -> bool:
    """Whether a figure can answer the question's kind: a how-many question is never answered by a sum of money
    ("How many staff …?" by 15亿英镑) nor by a percentage, a money question only by one, a how-long question only
    by an amount of time (not 两次), a what-percentage question only by a percentage."""
    if slot.kind != "quantity":
        return True
    money = slot.unit in CURRENCIES
    if query.answer_kind == "money":
        return money
    if query.answer_kind == "duration":
        return slot.unit in TIME_UNITS
    if PERCENT_QUESTION.search(query.text):
        return slot.unit in ("%", "pp")
    return not ((money or slot.unit in ("%", "pp")) and asks_count(query.text))


def asked_slots(slots: list[Slot], text: str, groups: list[TermGroup]) -> list[Slot]:
    """The figure or date next to the question's words in ``text`` (初始资金1亿英镑, not 超15亿英镑 further on),
    else the first two (no question word found in the sentence)."""
    folded = fold(text).lower()
    anchors = [m.start() for alternatives, weight in groups if weight > 0 for alt in alternatives for word in alt
               if len(word) > 1 for m in re.finditer(re.escape(word.lower()), folded)]
    if not anchors or not slots:
        return slots[:2]
    return [min(slots, key=lambda s: min(abs(s.start - a) for a in anchors))]
