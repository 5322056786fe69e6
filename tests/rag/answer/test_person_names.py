"""rag.answer.person_names: people no list names, found by the role beside them."""

from __future__ import annotations

import pytest

from rag.answer.person_names import people_in, surname, unstated_people


@pytest.mark.parametrize(("text", "expected"), [
    ("The chair of the UK AI Safety Institute is Jane Doe.", ["doe"]),
    ("Jane Doe, director of the office, said so.", ["doe"]),
    ("Deputy Director Mary Ann Smith signed it.", ["smith"]),  # the title is not the name
    ("英国人工智能安全研究所主席为约翰·史密斯。", ["史密斯"]),  # the role word is not the given name
    ("主席: Ian Hogarth", ["hogarth"]),
    # the negatives: no role beside the name, an organisation's capitalised words, a title alone
    ("Jane Doe arrived in London on Monday.", []),
    ("The Council of Economic Advisers, chaired by the President, met.", []),
    ("The Assistant Secretary for Policy spoke.", []),
    ("约翰·史密斯抵达伦敦。", []),
])
def test_people_are_names_beside_a_role(text: str, expected: list[str]) -> None:
    assert [key for key, _, _ in people_in(text)] == expected


def test_a_name_found_spans_the_name_only() -> None:
    text = "The chair of the institute is Jane Doe."
    (_, start, end), = people_in(text)
    assert text[start:end] == "Jane Doe"


@pytest.mark.parametrize(("name", "key"), [("Jane Doe", "doe"), ("约翰·史密斯", "史密斯"), ("Doe", "doe"), ("", "")])
def test_a_person_is_known_by_surname(name: str, key: str) -> None:
    assert surname(name) == key


def test_the_people_a_claim_names_that_no_sentence_names() -> None:
    from rag.answer.slots import extract_slots

    def unstated(claim: str, *sentences: str) -> list[str]:
        return [p.surface for p in unstated_people(extract_slots(claim), sentences, extract_slots)]

    claim = "The chair of the UK AI Safety Institute is Jane Doe."
    assert unstated(claim, "The institute was set up in 2023.") == ["Jane Doe"]
    assert unstated("President Joe Biden signed the memorandum.", "The memorandum was signed in 2024.") == ["Joe Biden"]
    # the negatives: named in full, by surname, as a listed person in the other language, or in the other script
    assert unstated(claim, "Jane Doe chairs it.", "The institute was set up in 2023.") == []
    assert unstated(claim, "Director Doe spoke.") == []
    assert unstated("President Joe Biden signed the memorandum.", "拜登签署了备忘录。") == []
    assert unstated(claim, "主席为约翰·史密斯。") == []
    # a sentence of the other script that names no one in its own script cannot write the name (session 50)
    assert unstated(claim, "英国人工智能安全研究所成立于2023年11月。") == ["Jane Doe"]
    assert unstated(claim, "主席：Ian Hogarth") == ["Jane Doe"]  # it writes its names in Latin, and not this one
    assert unstated("英国人工智能安全研究所的主席是约翰·史密斯。", "The UK AI Safety Institute is in London.") == ["约翰·史密斯"]
    assert unstated("英国人工智能安全研究所的主席是约翰·史密斯。", "The institute is chaired by Ian Hogarth.") == []
    # a sentence that glosses its names in the claim's script would write this one there too
    assert unstated(claim, "时任大臣米歇尔·唐兰(Michelle Donelan)称之为“布莱切利效应”。") == ["Jane Doe"]
    assert unstated(claim, "时任大臣米歇尔·唐兰称之为“布莱切利效应”。") == []  # the negative: no gloss; nothing says it is not her
