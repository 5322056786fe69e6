"""The gazetteer read into one pattern (``rag.answer.gazetteer``)."""

from __future__ import annotations

from rag.answer.gazetteer import gazetteer


def test_a_name_is_found_in_either_language_as_one_entity() -> None:
    pattern, aliases, info = gazetteer()
    zh = pattern.search("英国AISI初始资金1亿英镑")
    en = pattern.search("The United Kingdom funded its institute")
    assert zh and en and aliases[zh.group()] == aliases[en.group().lower()]
    assert info[aliases[zh.group()]][0] == "country"


def test_short_latin_names_are_case_sensitive_and_words_are_not_names() -> None:
    pattern, aliases, _ = gazetteer()
    assert pattern.search("the US and the EU") is not None
    assert pattern.search("let us see what it does") is None  # "us" is no country
