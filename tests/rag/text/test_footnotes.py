"""rag.text.footnotes: glued footnote marks found and left out of reading text; values kept."""

from __future__ import annotations

import pytest

from rag.text.footnotes import footnote_marks, without_footnote_marks


@pytest.mark.parametrize(("text", "read"), [
    ("新加坡政府宣布数字信任中心将作为人工智能安全研究所26。", "新加坡政府宣布数字信任中心将作为人工智能安全研究所。"),
    ("首批成员包括英国和美国31。与此同时", "首批成员包括英国和美国。与此同时"),
    ("建立在《首尔人工智能安全科学国际合作意向书》30的基础之上", "建立在《首尔人工智能安全科学国际合作意向书》的基础之上"),
    ("成立了人工智能安全研究所国际网络”20：", "成立了人工智能安全研究所国际网络”："),
    ("前身是前沿人工智能工作组(Frontier AI Taskforce)38，于2023年4月启动", "前身是前沿人工智能工作组(Frontier AI Taskforce)，于2023年4月启动"),
])
def test_footnote_marks_are_left_out_of_reading_text(text: str, read: str) -> None:
    assert without_footnote_marks(text) == read
    assert len(footnote_marks(text)) == 1


@pytest.mark.parametrize("text", [
    "美国政府10月24日公开发布备忘录。",  # a date
    "本备忘录签署之日起180天内，各部门应提交报告。",  # a count with its unit
    "已官宣成立的8家国家级人工智能安全研究所。",
    "包括中国、美国在内的28个国家和欧盟签署了宣言。",
    "该期刊为《人工智能与国际安全研究动态》第11期，主要关注安全研究所。",
    "其初始资金为100。",  # a value after its lead-in
    "2024年5月28日，“开放原子”发布了报告。",
    "The institute received 100 million pounds in 2023.",  # not Chinese text
])
def test_values_stay(text: str) -> None:
    assert footnote_marks(text) == [] and without_footnote_marks(text) == text
