"""The kind of answer a question asks for, and whether evidence sentences can give it.

A retrieved passage can be about the question's topic and still not answer it: "how much was the fine
under the Chinese measures" is not answered by the EU AI Act's fine, "what was the institute renamed to"
not by a history of the institute. These checks read the question (no model) and decide whether the
chosen evidence holds the asked-for kind of answer:

- a figure for how many / how much (a sum of money when money is asked, a duration for how long);
- the n-th event for "the second meeting";
- the role asked about ("which adviser": the answer names the person holding it) and the event
  asked about (renamed, merged, abolished …) must be mentioned by the evidence.

Usage::

    lacks_asked_figure("罚款金额是多少？", sentences)     # True: refuse
    unmentioned("英国人工智能安全研究所后来更名为什么？", sentences)  # "更名" when none mentions it
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.text.asked import (
    answer_pattern,
    asked_mentions,
    asked_ordinals,
    ordinals_with_heads,
)
from rag.text.lexical import has_word, tokenize
from rag.types import EvidenceSentence, Query


@dataclass(frozen=True)
class Missing:
    """What the evidence lacks: ``kind`` is "money", "duration", "figure", "ordinal" or "mention" (then
    ``word`` is the role or event asked about, as the question says it)."""

    kind: str
    word: str = ""


def lacks_asked_figure(query: Query, chosen: list[EvidenceSentence]) -> bool:
    """A how-many/how-much/how-long question whose evidence states no figure of that kind (a sum of
    money when money is asked about, a duration for how long) is not answered by it."""
    wanted = answer_pattern(query.answer_kind)
    return wanted is not None and not any(wanted.search(s.text) for s in chosen)

def lacks_asked_ordinal(query: Query, chosen: list[EvidenceSentence]) -> bool:
    """The question asks about the n-th of something ("the second meeting") and the evidence names
    only another n-th of it ("首次会议": an n-th followed by one of the question's terms)."""
    wanted = asked_ordinals(query.text)
    if not wanted:
        return False
    named: set[int] = set()
    for sentence in chosen:
        groups = query.terms_for(sentence.hit.language)
        for n, head in ordinals_with_heads(sentence.hit.text):
            if any(any(alt <= head for alt in alts) for alts, w in groups if w > 0):
                named.add(n)
    return bool(named) and not named & wanted

def unmentioned(query: Query, chosen: list[EvidenceSentence]) -> str | None:
    """The role or event the question asks about that the evidence passages never mention, as the
    question words it, or None when each one asked about is mentioned."""
    question = query.text
    passages = {id(s.hit): set(tokenize(s.hit.text)) for s in chosen}
    for words in asked_mentions(question):
        alternatives = [frozenset(tokenize(word)) for word in words]
        if not any(alt and alt <= tokens for tokens in passages.values() for alt in alternatives):
            return min((w for w in words if has_word(w, question)), default=min(words))
    return None
