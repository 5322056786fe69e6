"""rag.answer.figures: the numbers a claim and a passage state, compared as amounts across scales and
languages (a claim of "100 million pounds" read against "初始资金1亿英镑" states no other number)."""

from __future__ import annotations

import pytest

from rag.answer.figures import (
    amounts_in,
    gloss_scaled,
    numbers_in,
    quantities_in,
    years_in,
    zh_numeral,
)


@pytest.mark.parametrize(("claim", "passage"), [
    ("The UK AI Safety Institute received 100 million pounds.", "英国 2023年11月 新成立机构　初始资金1亿英镑 ，优先使用超15亿英镑"),
    ("It has a budget of 10 million dollars.", "美国 1000万美元 -总监: Elizabeth Kelly"),
    ("The EU office has 46.5 million euros.", "AI办公室整体初始预算4650万欧元"),
    ("欧盟的预算为1.5 billion euros。", "预算为15亿欧元。"),
])
def test_the_same_amount_in_another_scale_is_stated(claim: str, passage: str) -> None:
    assert amounts_in(claim) <= amounts_in(passage)
    assert not numbers_in(claim) <= numbers_in(passage)  # the bare numbers differ: 100 vs 1


@pytest.mark.parametrize(("claim", "passage"), [
    ("The UK AI Safety Institute received 500 million pounds.", "初始资金1亿英镑 ，优先使用超15亿英镑"),
    ("It has a budget of 100 million dollars.", "美国 1000万美元"),
    ("The institute was set up in 2024.", "英国 2023年11月 新成立机构"),
])
def test_another_amount_or_year_is_not_stated(claim: str, passage: str) -> None:
    assert not amounts_in(claim) <= amounts_in(passage)


def test_numbers_without_a_scale_are_read_as_before() -> None:
    assert amounts_in("三项措施，five objectives, 2030年") == numbers_in("三项措施，five objectives, 2030年") == {3.0, 5.0, 2030.0}


@pytest.mark.parametrize(("text", "expected"), [
    ("in 1777", [1777]),
    ("于1774年命名", [1774]),
    ("between 1500 and 2023", [1500, 2023]),  # the second: 20xx needs no preposition
    ("a population of 1600", []),  # neither a preposition nor 年: a count
    ("1600毫米宽轨", []),
    ("1,500 soldiers and 1200 horses", []),
    # session 41: "of" after a name or a time word, a bracketed year, the other end of a range
    ("In the summer of 1520, Luther", [1520]),
    ("The French Confession of 1559 shows", [1559]),
    ("the Edict of Fontainebleau (1686), which", [1686]),
    ("(1526 forward)", [1526]),
    ("Jacques Lefevre (c. 1453–1536)", [1453, 1536]),
    ("雅克·勒费弗 （约1455-1536）", [1455, 1536]),
    ("22 times between 1361 and 1528", [1361, 1528]),
    ("1361和1528年间威尼斯爆发瘟疫", [1361, 1528]),
    ("1350至1490年间", [1350, 1490]),
    ("死于1348- 50年间", [1348, 1350]),  # a two-digit end: the year in the first's century
    ("The plague of 1576–77 killed", [1576, 1577]),
    ("from 1898-01", [1898, 1901]),
    # the negatives beside them: a count after "of", a measure in brackets, "and" without "between", 和 without 年
    ("a total of 1500", []),
    ("One of 1500 soldiers", []),
    ("(1600 mm)", []),
    ("in 1886 and 1500 soldiers", [1886]),
    ("1361和1528名士兵", []),
])
def test_years(text: str, expected: list[int]) -> None:
    assert [value[0] for value, _, _ in years_in(text)] == expected


def test_one_is_not_read_as_a_number_in_either_language() -> None:
    # "one of the largest" / 一个: as often an article as a count, so neither side states it
    assert numbers_in("one of the largest markets in Europe") == numbers_in("欧洲最大的市场之一") == set()
    assert numbers_in("two of the largest markets") == {2.0}  # the negative beside it


def test_chinese_digit_strings_read_digit_by_digit() -> None:
    assert zh_numeral("二〇二四") == 2024.0 and zh_numeral("二千零二十四") == 2024.0 and zh_numeral("两") == 2.0


@pytest.mark.parametrize("text, expected", [
    ("初始资金1亿英镑。", "初始资金1亿（100 million）英镑。"),
    ("5000万加元", "5000万（50 million）加元"),
    ("处以3万元罚款", "处以3万（30,000）元罚款"),
    ("1.5万亿美元", "1.5万亿（1.5 trillion）美元"),
    ("received 1 billion pounds", "received 1 billion (10亿) pounds"),
    ("C$50 million and 3 thousand people", "C$50 million (5000万) and 3 thousand (3000) people"),
])
def test_an_amount_with_a_scale_word_is_glossed_in_the_other_language(text: str, expected: str) -> None:
    assert gloss_scaled(text) == expected


@pytest.mark.parametrize("text", ["成立于2023年11月", "56 countries signed in 2024", "一万个理由", "millions of people",
                                  "see 1.2.3 million"])
def test_figures_without_a_scale_word_after_digits_are_left_alone(text: str) -> None:  # the negative beside it
    assert gloss_scaled(text) == text


def test_a_gloss_is_not_glossed_again() -> None:
    once = gloss_scaled("1亿英镑 and 1 billion pounds")
    assert once == "1亿（100 million）英镑 and 1 billion (10亿) pounds"
    assert once.count("（") == 1 and once.count(" (") == 1


def test_the_two_digit_end_of_a_year_range_is_not_a_span_of_years() -> None:
    from rag.answer.figures import quantities_in

    assert quantities_in("挪威60%以上的人口死于1348- 50年间。") == [(60.0, "%", 2, 5)]  # not "50 years"
    assert quantities_in("他在那里住了50年") == [(50.0, "year", 6, 9)]  # the negative beside it


@pytest.mark.parametrize(("text", "expected"), [
    # a bare number after another / an additional counts what the sentence counts (session 50)
    ("possibly another 50 have not been described", [(50.0, "counted")]),
    ("an additional 3 were added later", [(3.0, "counted")]),
    # the negatives: a bare number elsewhere is no count; "another one" is as often "another" as a count
    ("possibly 50 have not been described", []),
    ("another one was added", []),
])
def test_a_bare_number_after_another_is_a_count(text: str, expected: list[tuple[float, str]]) -> None:
    assert [(v, unit) for v, unit, _, _ in quantities_in(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a fraction is a share, in either language (session 51, rule W)
    ("almost a third of the population", [(0.3333, "fraction")]),
    ("几乎占到人口的三分之一", [(0.3333, "fraction")]),
    ("a two-thirds majority", [(0.6667, "fraction")]),
    ("三分之二的成员", [(0.6667, "fraction")]),
    ("half of the members", [(0.5, "fraction")]),
    ("一半的成员", [(0.5, "fraction")]),
    # the negatives: "a third party" is an ordinal, 百分之 a percentage, 十分 "very"
    ("a third party", []),
    ("百分之五十", [(50.0, "%")]),
    ("十分重要", []),
])
def test_fractions_are_shares(text: str, expected: list[tuple[float, str]]) -> None:
    assert [(v, unit) for v, unit, _, _ in quantities_in(text)] == expected
