"""People no list names, found by the role they hold: "chair Jane Doe", "Jane Doe, director of …", "主席约翰·史密斯".

The gazetteer (``rag.answer.gazetteer``) knows the people the documents name; a claim that puts someone else in a role
("The chair of the UK AI Safety Institute is Jane Doe") would otherwise have no slot to differ in. A name counts as a
person when a role word stands within a few words of it in the same clause: in Latin script two or three capitalised
words (a title before it is not part of it; a run holding an organisation's word — Institute, Office … — is no
person), in Chinese a transliterated name joined by a middle dot (约翰·史密斯). A person is known by surname
(``surname``): "Jane Doe" and "Doe" are one person; across scripts no name is compared (no transliteration here).

Usage::

    from rag.answer.person_names import people_in, surname
    people_in("The chair of the institute is Jane Doe.")   # [('doe', 30, 38)]
    surname("约翰·史密斯")                                   # '史密斯'

Standard library only (and the gazetteer, for a listed person's own name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from rag.answer.gazetteer import gazetteer
from rag.text.cjk import HAN_IDEOGRAPHS, has_han

UNLISTED = "name:"  # a person slot's value when no gazetteer entry holds the name: "name:" + surname

# Titles and role words (English): before a name they are its title, near it they say it names a person in a role.
ROLES_EN = (r"chair(?:man|woman|person)?|co-?chairs?|director(?:-general)?|head|president|vice[- ]president|ministers?"
            r"|prime\s+minister|secretary(?:-general)?|ceo|chief\s+executive(?:\s+officer)?|chief\s+\w+\s+officer"
            r"|(?:co-?)?founder|commissioner|ambassador|envoy|spokes(?:person|man|woman)|governor|mayor|leader|chancellor"
            r"|(?:led|headed|chaired|directed|founded|signed)\s+by")
ROLES_ZH = (r"主席|主任|所长|院长|局长|部长|总统|总理|首相|总监|负责人|领导人|首席执行官|执行官|秘书长|国务卿|大使|特使|发言人"
            r"|创始人|董事长|署长|州长|市长|主管")
TITLES = frozenset("president vice prime minister secretary director chair chairman chairwoman commissioner ambassador "
                   "governor mayor chancellor general assistant deputy chief executive senior acting former under "
                   "dr mr mrs ms prof professor sir dame lord lady".split())
# Words no person's name holds: a capitalised run with one of them names an organisation, a place or a document.
NOT_NAMES = frozenset(
    "ai act agency alliance association authority bank board bureau center centre commission committee council court "
    "advisers advisors affairs management flight space policy services operations defense defence energy commerce "
    "justice treasury health education labor labour intelligence staff administration "
    "department foundation federal forum government group house inc institute international kingdom laboratory lab labs "
    "ltd ministry national network office order organisation organization parliament republic research safety science "
    "security senate standards state states summit technology union united university white world the a an in on at "
    "for of by and to with from this that these it its our we they as".split())
_ROLE = re.compile(rf"(?<![A-Za-z])(?:{ROLES_EN})(?![A-Za-z])|{ROLES_ZH}", re.IGNORECASE)
_LATIN_NAME = re.compile(r"(?<![A-Za-z.])(?:[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?\.?\s+(?:[A-Z]\.\s+)?){1,4}[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
                         r"(?![A-Za-z])")
_HAN_NAME = re.compile(rf"[{HAN_IDEOGRAPHS}]{{1,6}}[·•・][{HAN_IDEOGRAPHS}]{{1,6}}(?:[·•・][{HAN_IDEOGRAPHS}]{{1,6}})?")
_DOT = re.compile(r"[·•・]")
_GIVEN_START = re.compile(rf"{ROLES_ZH}|[为是由任的和与及、了在被将对向]")  # what ends before a name's given part
_CLAUSE_BREAK = re.compile(r"[.;。；!?！？\n]")
REACH = 48  # characters between a role word and the name (a clause's few words: "chair of the UK AI Safety Institute is Jane …")


def surname(name: str) -> str:
    """How a person is known: the last word of a Latin name (lower case), the last part of a dotted Chinese one."""
    parts = _DOT.split(name) if _DOT.search(name) else name.split()
    return parts[-1].lower() if parts else ""


def _near_role(text: str, start: int, end: int) -> bool:
    """A role word within ``REACH`` characters before or after ``text[start:end]``, with no sentence end between."""
    before, after = text[max(0, start - REACH):start], text[end:end + REACH]
    before = before[m.end():] if (m := _last(_CLAUSE_BREAK, before)) else before
    after = after[:m.start()] if (m := _CLAUSE_BREAK.search(after)) else after
    return _ROLE.search(before) is not None or _ROLE.search(after) is not None


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for found in pattern.finditer(text):  # noqa: B007 - the last match is wanted
        pass
    return found


def _names(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of each run ``text`` writes as a person's name, a role beside it or not: two or three
    capitalised Latin words (a title before them dropped, no organisation's word among them) or a dotted Han name (its
    given part cut after a role word or particle)."""
    found = []
    for m in _LATIN_NAME.finditer(text):
        words = [(w.group(), m.start() + w.start()) for w in re.finditer(r"\S+", m.group())]
        titled = [i for i, (w, _) in enumerate(words) if w.lower().rstrip(".") in TITLES]  # "Deputy Minister Kasler"
        words = words[titled[-1] + 1:] if titled else words
        if not words:
            continue
        start = words[0][1]
        name = text[start:m.end()]
        if 2 <= len(name.split()) <= 3 and not any(w.lower().rstrip(".") in NOT_NAMES for w in name.split()):
            found.append((name, start, m.end()))
    for m in _HAN_NAME.finditer(text):
        given = _DOT.split(m.group(), maxsplit=1)[0]  # the Han run before the first dot
        cut = max((x.end() for x in _GIVEN_START.finditer(given)), default=0)  # 主席为|约翰: the role is not the name
        start = m.start() + min(cut, len(given) - 1)
        found.append((text[start:m.end()], start, m.end()))
    return found


def people_in(text: str) -> list[tuple[str, int, int]]:
    """(surname, start, end) of each person ``text`` names beside a role word (a name, not its title; a title in the
    run is the role: "Deputy Director Mary Ann Smith")."""
    return sorted(((surname(name), start, end) for name, start, end in _names(text) if _near_role(text, start, end)),
                  key=lambda f: f[1])


def person_key(value: str, surface: str) -> str:
    """A person slot's surname: an unlisted name's own, a gazetteer person's from its name in the surface's script."""
    if value.startswith(UNLISTED):
        return value[len(UNLISTED):]
    _, english, chinese = gazetteer()[2].get(value, ("", value, value))
    return surname(chinese if has_han(surface) else english)


def same_person(a_value: str, a_surface: str, b_value: str, b_surface: str) -> bool:
    """Two person slots name one person: one gazetteer id, or, where either is unlisted, the same surname however much
    of the name is written."""
    if UNLISTED not in a_value + b_value:
        return a_value == b_value
    return person_key(a_value, a_surface) == person_key(b_value, b_surface)


def comparable_names(unit: str, a_value: str, a_surface: str, b_value: str, b_surface: str) -> bool:
    """Whether two slots of one kind and unit can be set against each other: two names, one of them unlisted, only in
    the same script (nothing here transliterates "Jane Doe" into 简·多伊)."""
    unlisted = unit == "person" and UNLISTED in a_value + b_value
    return not unlisted or has_han(a_surface) == has_han(b_surface)


def unseen_name(unit: str, value: str, surface: str, evidence: str) -> bool:
    """An unlisted name read against evidence in the other script: nothing here can say whether it is stated there, so
    it is neither matched nor unmatched (洛塔尔·德梅齐埃 against "Lothar de Maizière")."""
    return unit == "person" and value.startswith(UNLISTED) and has_han(surface) != has_han(evidence)


def _scripts_named(text: str, slots: Sequence[Any]) -> set[bool]:
    """The scripts (``has_han``) in which ``text`` names someone: its person slots' and the runs ``_names`` reads as
    names. A sentence naming no one in a script cannot hold an unlisted name of that script (session 50)."""
    return {has_han(s.surface) for s in slots if s.kind == "entity" and s.unit == "person"} | {
        has_han(name) for name, _, _ in _names(text)}


def unstated_people(claim_slots: Sequence[Any], sentences: Sequence[str],
                    read_slots: Callable[[str], Sequence[Any]]) -> list[Any]:
    """The claim's people (its person slots) that none of ``sentences`` (read with ``read_slots``) names: the same
    person by id or surname within a script (an unlisted one's surname written anywhere in the sentence, as slots are
    read only beside a role); an unlisted name against a sentence in the other script counts as named where that
    sentence names someone in its own script and no one in the name's (nothing here can say otherwise), and as
    unnamed where it names no one or glosses its names in the name's script (米歇尔·唐兰(Michelle Donelan)). A claim
    about who holds a role is not supported by sentences naming nobody."""
    def named(person: Any, text: str, slots: Sequence[Any]) -> bool:
        value = str(person.value)
        if value.startswith(UNLISTED):  # its surname written anywhere in the sentence, a role beside it or not
            key = re.escape(value[len(UNLISTED):])
            if re.search(key if has_han(key) else rf"(?<![a-z]){key}(?![a-z])", text.lower()):
                return True
        # across scripts: named only where the sentence names someone in its own script and no one in the name's
        across = unseen_name("person", value, person.surface, text)
        return (across and _scripts_named(text, slots) == {has_han(text)}) or any(
            s.kind == "entity" and s.unit == "person"
            and comparable_names("person", value, person.surface, str(s.value), s.surface)
            and same_person(value, person.surface, str(s.value), s.surface) for s in slots)

    people = [s for s in claim_slots if s.kind == "entity" and s.unit == "person"]
    if not people:  # most claims: no sentence need be read
        return []
    read = [(text, read_slots(text)) for text in sentences]
    return [p for p in people if not any(named(p, text, slots) for text, slots in read)]
