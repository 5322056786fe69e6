"""The candidate veto of ``bench.answerability_veto`` (measured, not shipped): across languages a how-many / how-much
question about a named country or organisation needs a figure of the asked kind in a sentence naming it; a count
is never a sum of money; ``cross_only`` leaves questions answered in their own language alone."""

from __future__ import annotations

import pytest

from bench.answerability_veto import (
    constraint_conflict,
    lacks_figure_about,
    states_asked_figure,
)
from rag.retrieval.query import plain_query
from rag.types import EvidenceSentence, SearchHit

SINGAPORE_ROW = "新加坡　2024年5月 现有机构 (由南洋理工国家数字信任中心(DTC)承担)　5000万新元 执行主任：林国恩"
UK_ROW = "英国 2023年11月 新成立机构 (UK AISI)　初始资金1亿英镑 ，员工超过100名"


def sentence(text: str) -> EvidenceSentence:
    hit = SearchHit(doc="d.txt", title="", section="", page=None, text=text, start=0, end=len(text), score=1.0,
                    language="zh", doc_hash="d")
    return EvidenceSentence(hit, 0, text, 0, len(text), 0)


@pytest.mark.parametrize(("question", "rows", "cross", "lacks"), [
    # Singapore's row states a sum of money, the UK's a staff count: no staff count about Singapore
    ("How many staff does Singapore's AI Safety Institute employ?", [SINGAPORE_ROW, UK_ROW], True, True),
    ("How many staff does the UK AI Safety Institute employ?", [SINGAPORE_ROW, UK_ROW], True, False),
    ("How much initial funding did the UK AI Safety Institute receive?", [UK_ROW], True, False),
    ("How much funding does Canada's AI Safety Institute have?", [UK_ROW, SINGAPORE_ROW], True, True),
    # a count question is not answered by a sum of money, even with no name asked about
    ("How many people work there?", [SINGAPORE_ROW], True, True),
    ("How many people work there?", [UK_ROW], True, False),
    # not a how-many / how-much question, or neither a name nor a count asked: the rule says nothing
    ("Who heads Singapore's AI Safety Institute?", [UK_ROW], True, False),
    ("How much funding was set aside?", [UK_ROW], True, False),
])
def test_a_figure_must_be_about_what_is_asked(question: str, rows: list[str], cross: bool, lacks: bool) -> None:
    assert lacks_figure_about(plain_query(question, "en"), [sentence(row) for row in rows], cross) is lacks


def test_cross_only_leaves_a_question_in_its_own_language_alone() -> None:
    query = plain_query("新加坡人工智能安全研究所有多少名员工？", "zh")
    rows = [sentence(SINGAPORE_ROW), sentence(UK_ROW)]
    assert lacks_figure_about(query, rows, cross=False)  # all groups: no staff count about Singapore
    assert not lacks_figure_about(query, rows, cross=False, cross_only=True)


def test_a_sum_of_money_counts_nothing() -> None:
    count = plain_query("How many staff does it employ?", "en")
    assert not states_asked_figure(count, "5000万新元") and not states_asked_figure(count, "£100m in funding")
    assert states_asked_figure(count, "员工超过100名")
    assert states_asked_figure(plain_query("How much funding did it receive?", "en"), "初始资金1亿英镑")


@pytest.mark.parametrize(("question", "rows", "vetoed"), [
    # every chosen sentence names another year / ordinal / body than the question, and none of the question's
    ("哪个组织在2025年1月23日成立？", ["本备忘录履行了2023年10月30日第14110号行政命令第4.8节中规定的指令。"], True),
    ("Which country hosts the second meeting of the network?", ["美国将举办人工智能安全研究所国际网络第一次会议。"], True),
    # the negatives: a sentence that states the question's own value, or states none of its kind
    ("Which country hosts the first meeting of the network?", ["美国将举办人工智能安全研究所国际网络第一次会议。"], False),
    ("哪个组织在2023年10月30日发布了行政命令？", ["本备忘录履行了2023年10月30日第14110号行政命令第4.8节中规定的指令。"], False),
    ("Who hosts the network's meeting?", ["美国将举办人工智能安全研究所国际网络第一次会议。"], False),
    # one chosen sentence with the question's value is enough
    ("哪个组织在2025年1月23日成立？", ["本备忘录履行了2023年10月30日的指令。", "该机构于2025年1月23日成立。"], False),
])
def test_a_question_answered_only_by_another_instance_is_vetoed(question: str, rows: list[str], vetoed: bool) -> None:
    assert constraint_conflict(plain_query(question, "zh" if "哪" in question else "en"),
                               [sentence(row) for row in rows], cross=False) is vetoed
