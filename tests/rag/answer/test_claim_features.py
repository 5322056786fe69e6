"""rag.answer.claim_features: the numbers a claim and a passage state, compared as amounts across scales and
languages (a claim of "100 million pounds" read against "初始资金1亿英镑" states no other number)."""

from __future__ import annotations

import pytest

from rag.answer.claim_features import amounts_in, numbers_in


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
