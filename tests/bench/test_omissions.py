"""Tests of the within-clause omissions (bench/omissions.py): what is left out, and what never is."""

from __future__ import annotations

import random

import pytest

from bench import omissions as om


def rng() -> random.Random:
    return random.Random(0)


def test_an_alternative_is_left_out_with_its_figure() -> None:
    result = om.drop_alternative("违规公司可能被处以其全球年营业额的7%或4000万欧元的罚款。", "zh", rng())
    assert result is not None and result.text == "违规公司可能被处以其全球年营业额的7%的罚款。"


def test_an_alternative_under_a_negation_or_whether_is_kept() -> None:  # the negative beside it
    assert om.drop_alternative("The agency does not regulate firms or universities in any country.", "en", rng()) is None
    assert om.drop_alternative("It is unclear whether the office or the board decides on the rules.", "en", rng()) is None


def test_an_aside_in_brackets_is_left_out() -> None:
    result = om.drop_parenthesis("The AI Office will oversee general-purpose models (GPAI) across the Union.", "en", rng())
    assert result is not None and result.text == "The AI Office will oversee general-purpose models across the Union."
    assert om.drop_parenthesis("The AI Office will oversee general-purpose models across the Union.", "en", rng()) is None


def test_an_inner_list_item_is_left_out_but_not_the_first() -> None:
    text = "Members include the UK, Canada, Japan, and Kenya, according to the joint statement."
    results = {om.drop_list_item(text, "en", random.Random(seed)).text for seed in range(20)}
    assert results <= {"Members include the UK, Japan, and Kenya, according to the joint statement.",
                       "Members include the UK, Canada, and Kenya, according to the joint statement."}
    assert om.drop_list_item("In 2024, the office, which is new, set up a board of experts.", "en", rng()) is None


@pytest.mark.parametrize("text", [
    "英国人工智能安全研究所在旧金山设立了新的办公室，以便吸引更多的技术人才。",
    "Companies may be fined 7% of global annual turnover for the most serious breaches.",
])
def test_a_modifier_is_left_out(text: str) -> None:
    result = om.drop_modifier(text, "zh" if "英国" in text else "en", rng())
    assert result is not None and len(result.text) < len(text)
    assert "7%" in result.text if "7%" in text else "旧金山" in result.text


@pytest.mark.parametrize("text,lang,kept", [
    ("该机构不再负责监管所有的人工智能模型的安全测试工作。", "zh", ["不再", "所有"]),
    ("The institute has only tested two models so far in its first year.", "en", ["only"]),
])
def test_negation_quantifiers_and_hedges_are_never_left_out(text: str, lang: str, kept: list[str]) -> None:
    for seed in range(20):
        result = om.drop_modifier(text, lang, random.Random(seed))
        assert result is None or all(word in result.text for word in kept), result


def test_a_modifier_inside_a_name_is_kept() -> None:
    text = "英国人工智能安全研究所获得了大量的初始资金支持，用于开展前沿模型评估。"
    for seed in range(20):
        result = om.drop_modifier(text, "zh", random.Random(seed))
        assert result is None or "英国人工智能安全研究所" in result.text, result
