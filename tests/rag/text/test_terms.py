"""rag.text.terms: question term groups and their coverage."""

from __future__ import annotations

import pytest

from rag.text.lexical import tokenize
from rag.text.terms import (
    coverage,
    same_language_groups,
    term_weight,
    translated_groups,
)


def test_coverage_counts_each_source_word_once() -> None:
    groups = [((frozenset({"会议"}), frozenset({"见面"})), 1.0),  # meeting: two translations, one word
              ((frozenset({"4", "月"}), frozenset({"四月"})), 1.0)]  # April: "4月" needs both tokens
    assert coverage(groups, {"会议", "见面"}) == 0.5
    assert coverage(groups, {"会议", "4"}) == 0.5
    assert coverage(groups, {"见面", "4", "月"}) == 1.0
    assert coverage([], {"会议"}) == 0.0


def test_rare_words_weigh_more_and_question_words_are_left_out() -> None:
    assert term_weight("罚款") > term_weight("国家")
    words = {next(iter(alts[0])) for alts, _ in same_language_groups(tokenize("哪些机构需要评估风险？"))}
    assert "哪些" not in words and "风险" in words


def test_latin_names_of_an_english_question_count_only_where_they_match() -> None:
    tokens = tokenize("What did OpenAI agree with the institute?")
    groups = translated_groups([frozenset({"研究所"})], tokens, None)
    with_name = coverage(groups, set(tokenize("研究所与OpenAI达成合作")))
    without_name = coverage(groups, set(tokenize("研究所达成合作")))
    assert with_name == without_name == 1.0  # the name is a bonus, never a requirement
    assert coverage(groups, set(tokenize("OpenAI达成合作"))) < 1.0


def test_the_translated_group_weight_is_read_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.settings import Settings

    tokens = tokenize("What did OpenAI agree with the institute?")
    assert translated_groups([frozenset({"研究所"})], tokens, None)[0][1] == 1.5
    monkeypatch.setattr("rag.text.terms.get_settings", lambda: Settings(_env_file=None, coverage_cross_group_weight=2.0))
    groups = translated_groups([frozenset({"研究所"})], tokens, None)
    assert groups[0][1] == 2.0 and all(w < 0 for _, w in groups[1:])  # the names stay bonus groups
