"""rag.text.footnotes: glued footnote marks found and left out of reading text, values kept; the note list that confirms them."""

from __future__ import annotations

import pytest

from rag.text.footnotes import (
    confirmed_marks,
    footnote_marks,
    note_list,
    read_notes,
    without_footnote_marks,
)


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


# --- the document's note list -------------------------------------------------------------------------------

NOTE_BLOCK = """正文。

28 the European Artificial Intelligence Office，“COMMISSION DECISION”，2024-01-24，
https://ec.europa.eu/newsroom/dae/redirection/document/101625.

27 法国宣布成立人工智能评测中心是在欧洲科技创新展览会VivaTech期间，与人工智能首尔峰会同期。

26 IMDA, “Digital Trust Centre designated as Singapore's AI Safety Institute”, 2024-05-22,
https://www.imda.gov.sg/resources/press-releases.

8 OECD, G7 Hiroshima Process on Generative Artificial Intelligence (AI): Towards a G7 Common Understanding on
Generative AI, 2023-05, https://doi.org/10.1787/bf3c0c60-en.

25 Government of Canada, “Canada launches Canadian Artificial Intelligence Safety Institute”, 2024-11-12,

32NIST, “FACT SHEET: U.S. Department of Commerce & U.S. Department of State Launch the Network”, 2024-09-18,

- [5] Dafoe, A. (2018). *AI governance: a research agenda*. Oxford. <https://www.fhi.ox.ac.uk/govaiagenda>
[14] Roberts, H., Hine, E. (2024). Global AI governance. *International Affairs*, 100(3), 1275-1286.
"""


def test_note_lines_that_cite_a_source_are_notes() -> None:
    notes = read_notes(NOTE_BLOCK)
    # 8's date and URL are on its wrapped line; 27 explains rather than cites, between notes 26 and 28
    assert [n.number for n in notes] == [28, 27, 26, 8, 25, 32, 5, 14]
    assert note_list(notes) == frozenset({5, 8, 14, 25, 26, 27, 28, 32})
    assert NOTE_BLOCK[notes[2].start:].startswith("26 IMDA")
    assert notes[2].text.endswith("press-releases.")  # the entry runs on over its wrapped lines


@pytest.mark.parametrize("text", [
    "2. 进展\n\n2进展\n\n1背景\n\n1、首先，建立安全研究所\n\n2、其次，加强合作",  # headings and list items
    "3 英国 2023年11月 新成立机构 初始资金1亿英镑\n4 美国 2024年2月 现有机构 1000万美元",  # a flattened table
    "12月时任日本首相岸田文雄明确表示将设立日本人工智能安全研究所，并于2024年2月正式成立。",  # a date
    "24/seoul-statement-of-intent-toward-international-cooperation, 2024-05-21, https://www.gov.uk/x",  # a URL's rest
    "1 “人工智能+”行动\n2 前沿模型的风险评测",  # a numbered list with a quote: one signal, no note
    "1. Executive Order 14110, “Safe, Secure”, 2023-10-30, https://www.whitehouse.gov/x",  # a numbered list item
])
def test_headings_list_items_and_table_rows_are_not_notes(text: str) -> None:
    assert read_notes(text) == []


def test_a_single_note_is_no_note_list() -> None:
    assert note_list(read_notes("7 G20, “G20 New Delhi Leaders' Declaration”, 2023-09-10, https://x.org/g20.")) == frozenset()


# --- marks confirmed by the note list -----------------------------------------------------------------------

def spans_text(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[a:b] for a, b in spans]


@pytest.mark.parametrize(("text", "notes", "marks"), [
    ("首批成员包括英国和美国31。与此同时", {30, 31}, ["31"]),
    ("首批成员包括英国和美国31。与此同时", {30, 32}, []),  # 31 is no note of this document
    ("其人工智能安全研究所26。法国政府", {26}, ["26"]),
    ("部长级会议的参与方包括20国政府。", {20}, []),  # a count before its unit, though 20 is a note
    ("其初始资金为100。", {100}, []),  # a value after its lead-in
    ("导致严重的公共安全和国家安全风险。[1]特别是像", {1, 2}, ["[1]"]),
    ("导致严重的公共安全和国家安全风险。[3]特别是像", {1, 2}, []),  # not in the list
    ("见[1](https://example.org)。", {1, 2}, []),  # a Markdown link
    ("风险。[1]特别是", set(), []),  # a bracketed number without a note list: not a mark
    ("首批成员包括英国和美国31。", set(), ["31"]),  # without a note list the mark rule stands
])
def test_marks_are_confirmed_by_the_note_list(text: str, notes: set[int], marks: list[str]) -> None:
    assert spans_text(text, confirmed_marks(text, frozenset(notes))) == marks


def test_a_note_lines_own_number_is_no_mark() -> None:
    text = "这是全球首\n15 UK Government, “Policy paper”, 2024-01-17,"
    at = text.index("15")
    assert confirmed_marks("研究所15。", frozenset({15}), skip={3}) == []
    assert read_notes(text)[0].start == at


def test_an_explanatory_line_is_a_note_only_between_its_neighbours() -> None:
    explained = "27 法国宣布成立人工智能评测中心是在VivaTech期间。"
    after_the_list = NOTE_BLOCK + "\n" + explained + "\n"  # a second 27, after the list: not between 26 and 28
    assert [n.number for n in read_notes(after_the_list)].count(27) == 1
    no_neighbour = NOTE_BLOCK.replace("28 the European", "29 the European")  # 26 and 29 around it: no note
    assert 27 not in note_list(read_notes(no_neighbour))


def test_a_reference_list_is_citations_and_body_text_is_not() -> None:
    from rag.text.footnotes import citation_share

    references = ("75 Anka Reuel et al., “Open Problems in Technical AI Governance”, 2024-07-20, https://arxiv.org/abs/2407.14981\n"
                  "- [5] Dafoe, A. (2018). *AI governance: a research agenda*. Oxford.")
    assert citation_share(references) == 1.0
    body = "英国人工智能安全研究所获得初始资金1亿英镑。该研究所于2023年11月成立。"
    assert citation_share(body) == 0.0
    # a long sentence of body text with an inline citation (a year and a quoted phrase) is body text
    inline = ("AI actors are defined by the Organisation for Economic Co-operation and Development (OECD) as “those who play "
              "an active role in the AI system lifecycle, including organizations and individuals that deploy or operate AI” "
              "[OECD (2019) Artificial Intelligence in Society]")
    assert citation_share(inline) == 0.0
    mixed = citation_share(body + "\n" + references)
    assert 0.5 < mixed < 1.0
    assert citation_share("") == 0.0
