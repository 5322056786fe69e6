"""rag.text.sentences.split_sentences: Chinese and English sentence ends, as spans of the unchanged text."""

from __future__ import annotations

import pytest

from rag.text.sentences import (
    ends_sentence,
    is_heading,
    opens_mid_sentence,
    quote_form,
    refers_back,
    split_sentences,
)
from rag.text.tables import CELL_BREAK


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第一条 总则。第二条 适用范围！是否适用？适用；不适用",
         ["第一条 总则。", "第二条 适用范围！", "是否适用？", "适用；", "不适用"]),
        ("是否属实？！下一句。", ["是否属实？！", "下一句。"]),
        ("第一行\n第二行", ["第一行", "第二行"]),
    ],
)
def test_chinese_sentence_ends(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他说：“这是规定。”然后离开了。", ["他说：“这是规定。”", "然后离开了。"]),
        ("《办法》（试行）。下一句。", ["《办法》（试行）。", "下一句。"]),
        ("引用「原文如此。」其后。", ["引用「原文如此。」", "其后。"]),
        ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
        ("(See the annex.) Next.", ["(See the annex.)", "Next."]),
    ],
)
def test_closing_quotes_and_brackets_stay_with_their_sentence(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. Congress passed it.",
        "See Sec. 4 for details.",
        "Rules apply, e.g. to vendors.",
        "Rules apply, i.e. to vendors.",
        "Growth was 1.5 percent in 2024.",
        "Mr. Smith met Dr. Jones.",
        "Visit example.com today.",
        "It applies to the U.K. and the U.S. markets.",
        "“AI” has the meaning set forth in 15 U.S.C. 9401(3).",
        "The term has the meaning provided in 50 U.S.C. 3003.",
    ],
)
def test_abbreviations_and_decimals_do_not_split(text: str) -> None:
    assert sentences(text) == [text]


def test_english_sentences_split() -> None:
    text = "The U.S. government issued it. See Sec. 4 for details. Growth was 1.5 percent. Next one."
    assert sentences(text) == [
        "The U.S. government issued it.", "See Sec. 4 for details.", "Growth was 1.5 percent.", "Next one."
    ]


def test_a_sentence_after_an_initialism_at_a_sentence_end_still_splits() -> None:  # the negative beside it
    assert sentences("It is codified at 15 U.S.C. The Act also applies.") == [
        "It is codified at 15 U.S.C.", "The Act also applies."]


def test_mixed_language_paragraph() -> None:
    text = "美国设立了AI Safety Institute (AISI)。It was founded in 2023. 英国随后跟进！"
    assert sentences(text) == ["美国设立了AI Safety Institute (AISI)。", "It was founded in 2023.", "英国随后跟进！"]


def test_spans_are_trimmed_ordered_and_respect_bounds() -> None:
    text = "  前言。 \n\n 第一句。第二句。  "
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["前言。", "第一句。", "第二句。"]
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))
    start = text.index("第一句")
    assert [text[a:b] for a, b in split_sentences(text, start, start + 4)] == ["第一句。"]
    assert split_sentences("   \n ") == []
    assert split_sentences("") == []


@pytest.mark.parametrize(
    ("sentence", "leans_back"),
    [("例如英国人工智能安全研究所近期在旧金山设立了办公室。", True), ("此外，欧盟也设立了办公室。", True),
     ("● 这些指南将于明年发布。", True), ("然而，美国的做法不同。", True), ("For example, the UK opened an office.", True),
     ("However, the EU differs.", True), ("This memorandum directs agencies.", True),
     ("该NSM指示各机构采取行动。", False), ("其他国家也在跟进。", False), ("人工智能安全研究所成立于2023年。", False),
     ("Thistle is a plant.", False), ("Itself a new body, the office …", False)],
)
def test_refers_back(sentence: str, leans_back: bool) -> None:
    assert refers_back(sentence) is leans_back


@pytest.mark.parametrize(("sentence", "mid"), [
    ("个国家级人工智能安全研究所，美国副总统宣布将成立美国人工智能安全研究所。", True),  # "…全球首|个…" across a page's notes
    ("● 的风险", True), ("等国家也签署了宣言。", True), ("，并在两个月后宣布成立联盟。", True), (", 2024-09.", True),
    ("个人数据保护法于2021年施行。", False), ("种种迹象表明风险在上升。", False), ("位于旧金山的办公室于2024年开放。", False),
    ("了解风险是第一步。", False), ("2）在可公开访问的模型上进行测试；", False), ("《宣言》签署国一致认为。", False),
    ("the office opened in 2024.", False), ("", False),
])
def test_a_sentence_opening_with_what_cannot_open_one_opens_mid_sentence(sentence: str, mid: bool) -> None:
    assert opens_mid_sentence(sentence) is mid


@pytest.mark.parametrize("line", [
    "3.3.2 美国人工智能安全研究所（US AISI）",  # numbered section head
    "对美国人工智能行动计划的思考",  # a title line
    "人工智能安全研究所国际网络会议前瞻",  # the cover title
    "2024 年第 1 期（总第 11 期）",  # a cover line
    "（b） To promote equitable administration of public benefits",
    "统的新方法",  # a fragment of a flattened table
    "欧盟 目标：",  # a label
    "职能：",
    "Managing Risks to Safety and Security",
    "",
])
def test_headings_titles_lead_ins_and_fragments_are_not_statements(line: str) -> None:
    assert is_heading(line)


@pytest.mark.parametrize("line", [
    "The EU AI Office was set up in February 2024.",
    "此外，新加坡政府宣布位于南洋理工大学的国家级数字信任中心将作为新加坡人工智能安全研究所26。",
    "● 新加坡人工智能安全研究所：侧重研发，职责兼顾安全与发展 ○ 由南洋理工国家数字信任中心(DTC)发展而来，旨在“解决全球人工智能安全科学方面的差距”。",
    "今天，白宫发布了《赢得竞赛：美国人工智能行动计划》——这是一项旨在保持美国在人工智能发展领域优势的全面战略",  # long, unended: a statement
    "Is the institute funded by the government?",
    "“该决议获得一致通过。”",
    "Such a program shall:",  # a list's lead-in
    "我们特别支持政府在以下三个方面的投入：",
    "政策制定、风险评估、国际合作3个方向",  # a fragment that lists: content
])
def test_statements_are_not_headings(line: str) -> None:
    assert not is_heading(line)


def test_a_table_row_of_several_cells_is_not_a_heading_though_its_cells_are_short() -> None:
    cells = ["加拿大", "2024年11月 新成立机构 (CAISI)", "5000万加元 -"]
    assert is_heading(" ".join(cells))  # the same text without the row's cell breaks reads as a heading
    assert not is_heading(CELL_BREAK.join(cells))


def test_the_heading_lengths_are_read_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.settings import Settings

    line = "人工智能安全研究所国际网络"  # 13 Han characters, no sentence end
    assert is_heading(line)
    monkeypatch.setattr("rag.text.sentences.get_settings", lambda: Settings(_env_file=None, heading_max_han=12))
    assert not is_heading(line)
    assert is_heading("人工智能安全研究所")  # 9 ≤ 12: still a heading


def test_a_sentence_end_is_told_from_a_cut() -> None:
    assert ends_sentence("It opened in 2023.") and ends_sentence("研究所成立了。") and ends_sentence("他说：“成立了。”")
    assert not ends_sentence("这是全球首") and not ends_sentence("the heads of the agencies") and not ends_sentence("")


@pytest.mark.parametrize("a, b", [
    ("* 开发先进的人工智能系统需要大量先进的芯片。", "开发先进的人工智能系统需要大量先进的芯片"),
    ("（1）确保美国在安全、可靠和值得信赖的人工智能发展方面处于世界领先地位；", "确保美国在安全、可靠和值得信赖的人工智能发展方面处于世界领先地位。"),
    ("2. The Office was set up in 2024.", "the office was set up in 2024"),
    ("一、⼈工智能", "人工智能"),  # a list marker and the radical fold
])
def test_quote_form_leaves_out_list_markers_case_space_and_closing_marks(a: str, b: str) -> None:
    assert quote_form(a) == quote_form(b)


@pytest.mark.parametrize("a, b", [
    ("2.5 million people.", "5 million people."),  # a decimal is not a list marker
    ("The Office was set up in 2024.", "The Office was set up in 2023."),
    ("不承担责任。", "承担责任。"),
])
def test_quote_form_keeps_what_changes_a_statement(a: str, b: str) -> None:
    assert quote_form(a) != quote_form(b)
