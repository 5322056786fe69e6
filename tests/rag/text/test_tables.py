"""rag.text.tables: flattened PDF tables found again as rows, and nothing else taken for one (prose, lists,
note blocks, signature blocks); each positive beside a negative that differs in what the rule reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.text.normalize import running_lines
from rag.text.tables import (
    CELL,
    HEADER,
    ROW,
    WRAP,
    find_tables,
    group_rows,
    is_header_line,
    line_roles,
    opens_row,
)

CORPUS = Path(__file__).resolve().parents[3] / "corpus"
DOC_003 = CORPUS / "003_907a84392d48637e.txt"

# 003's table 3.1 as PDF extraction left it (three rows, the radicals folded for legibility).
TABLE_ZH = """3.1机构属性与投入规模
AISI 成立时间 机构设立 上级政府部门 资金规模 主要负责人+人员规模

英国 2023年11月 新成立机构
(UK AISI)

科学、创新及科技
部(DSIT)

初始资金1亿英镑  ，
并承诺维持其资金至
2030年，优先使用

-主席: Ian Hogarth
(投资人和企业家)

美国 2023年11月 新成立机构
(US AISI)

商务部(DOC)下属的
院(NIST)

1000万美元 -总监: Elizabeth Kelly
(曾任总统经济政策特别助理)

新加
坡

2024年5月 现有机构
(由南洋理工国

5000万新元 执行主任：林国恩
"""

TABLE_EN = """Comparison of national institutes
Country Founded Parent Funding Staff

UK Nov 2023 new body
(UK AISI)

science and technology
department (DSIT)

100 million pounds
initial funding

about 100
staff

US Nov 2023 new body
(US AISI)

part of NIST
within commerce

10 million dollars

about 30 staff
"""

PROSE_ZH = """将主要人工智能强国中国排除在更好的安全实践和科学理解之外，不仅不利于全球协调，还可

能从根本上削弱全球人工智能安全治理的成效。

英国 2023年11月成立了人工智能安全研究所，并承诺维持其资金至2030年，优先使用英国的算力资源。
"""

PROSE_EN = """Country Founded Parent Funding Staff
The institute was set up in November 2023 as the successor of the Frontier AI Taskforce and it has
a budget of 100 million pounds, which the government has promised to keep until the end of the decade
and which makes it one of the best funded public bodies working on the safety of advanced models today.
"""

LIST_EN = """The institute has four core functions
1. Test advanced AI systems
2. Promote foundational research
3. Share information
4. Build an international network
"""

BIBLIOGRAPHY = """37 Concordia AI, “China's AI Safety Evaluations Ecosystem”, 2024-09-13,
https://aisafetychina.substack.com/p/chinas-ai-safety-evaluations-ecosystem.

36 NIST, “U.S. AI Safety Institute Establishes New U.S. Government Taskforce to Collaborate on Research and Testing of AI
Models to Manage National Security Capabilities & Risks”, 2024-11-20,
https://www.nist.gov/news-events/news/2024/11/us-ai-safety-institute-establishes-new-us-government-taskforce-collab
orate.
"""

SIGNATURES = """Done at Brussels, 13 June 2024.
For the European Parliament

The President

R. METSOLA

For the Council

The President

M. MICHEL
"""


def rows_text(raw: str) -> list[str]:
    return [raw[r.start:r.end] for t in find_tables(raw) for r in t.rows]


def test_003_shaped_table_gives_one_row_per_key() -> None:
    rows = rows_text(TABLE_ZH)
    assert [r.split()[0] for r in rows] == ["英国", "美国", "新加"]
    assert rows[0].startswith("英国 2023年11月") and rows[0].endswith("(投资人和企业家)")
    assert "初始资金1亿英镑" in rows[0] and "Elizabeth Kelly" in rows[1] and rows[2].endswith("林国恩")
    header = find_tables(TABLE_ZH)[0].header
    assert TABLE_ZH[header[0]:header[1]].startswith("AISI 成立时间")


def test_the_same_cells_without_a_header_line_are_no_table() -> None:
    assert find_tables(TABLE_ZH.replace("AISI 成立时间 机构设立 上级政府部门 资金规模 主要负责人+人员规模\n", "")) == []


def test_english_table_gives_one_row_per_key() -> None:
    rows = rows_text(TABLE_EN)
    assert [r.split()[0] for r in rows] == ["UK", "US"]
    assert "100 million pounds" in rows[0] and rows[0].endswith("staff") and rows[1].endswith("about 30 staff")


def test_a_header_like_line_over_prose_is_no_table() -> None:
    assert find_tables(PROSE_EN) == []


@pytest.mark.parametrize("text", [PROSE_ZH, LIST_EN, BIBLIOGRAPHY, SIGNATURES], ids=["prose", "list", "notes", "signatures"])
def test_prose_lists_notes_and_signature_blocks_are_no_table(text: str) -> None:
    assert find_tables(text) == []


def test_short_lines_that_end_sentences_are_no_table() -> None:
    """The English table with a full stop after each of its lines: one-sentence-per-line prose."""
    head, body = TABLE_EN.split("Staff\n", 1)
    verse = head + "Staff\n" + "\n".join(f"{line}." if line else "" for line in body.split("\n")[:-1])
    assert rows_text(TABLE_EN) and find_tables(verse) == []


def test_rows_need_lines_of_their_own() -> None:
    """A signature block has the shape of rows but one or two lines each; the table's rows have more."""
    squeezed = "Country Founded Parent Funding Staff\n\nUK Nov 2023\n\nUS Nov 2023\n\nJapan Feb 2024\n"
    assert find_tables(squeezed) == []
    assert find_tables(squeezed.replace("2023\n", "2023\nnew body\n(AISI)\n").replace("2024\n", "2024\nnew body\n(AISI)\n"))


@pytest.mark.parametrize(("line", "header"), [
    ("AISI 成立时间 机构设立 上级政府部门 资金规模 主要负责人+人员规模", True),
    ("Country Founded Parent Funding Staff", True),
    ("韩国 - - - - - 将加强AISI间的合作", False),  # a row with empty cells
    ("AISI 成立时间 机构设立，上级政府部门 资金规模", False),  # punctuation: prose
    ("AISI 成立时间 机构设立", False),  # three cells
    ("37 Concordia AI China AI Safety Ecosystem", False),  # a note
    ("Country Founded Parent-institution-of-record Funding", False),  # a cell too long
])
def test_header_lines(line: str, header: bool) -> None:
    assert is_header_line(line) is header


@pytest.mark.parametrize(("block", "opens"), [
    (["英国 2023年11月 新成立机构"], True),
    (["新加", "坡"], True),  # a name the narrow first column wrapped
    (["UK Nov 2023 new body"], True),
    (["科学、创新及科技", "部(DSIT)"], False),
    (["新成立机构"], False),  # five characters: a cell
    (["1000万美元 -总监: Elizabeth Kelly"], False),
    (["职能：", "1.测试与评估"], False),
    (["about 100", "staff"], False),
])
def test_row_openings(block: list[str], opens: bool) -> None:
    assert opens_row(block) is opens


def test_003s_comparison_tables_are_found_and_its_prose_is_not() -> None:
    raw = DOC_003.read_text(encoding="utf-8")
    tables = find_tables(raw, 0, None, running_lines(raw, 5))
    keys = [[raw[r.start:r.end].split()[0] for r in t.rows] for t in tables]
    assert keys[0] == ["英国", "美国", "⽇本", "新加", "加拿", "韩国", "法国", "欧盟"]
    assert keys[1][:3] == ["英国", "美国", "⽇本"]
    uk = raw[tables[0].rows[0].start:tables[0].rows[0].end]
    assert "初始资⾦1亿英镑" in uk and uk.endswith("策/运营⼈员") and "美国" not in uk
    # everything found lies in section 3's tables; the footnotes just before them are outside
    first, last = tables[0].header[0], tables[-1].rows[-1].end
    assert raw.rfind("3.1机构属性", 0, first) > 0 and raw.find("3.3领先的", last) > last
    assert raw.rfind("https://www.nist.gov/document/joint-statement", 0, first) < first


def test_line_roles_mark_header_rows_cells_and_wrapped_lines() -> None:
    roles = line_roles(find_tables(TABLE_ZH))
    at = {TABLE_ZH[s:TABLE_ZH.index("\n", s)]: role for s, role in roles.items()}
    assert at["AISI 成立时间 机构设立 上级政府部门 资金规模 主要负责人+人员规模"] == HEADER
    assert at["英国 2023年11月 新成立机构"] == ROW and at["(UK AISI)"] == WRAP and at["科学、创新及科技"] == CELL
    assert "3.1机构属性与投入规模" not in at


def test_group_rows_gathers_the_sentences_of_one_row_only() -> None:
    spans = [(0, 5), (6, 9), (10, 12), (13, 20), (21, 25)]
    assert group_rows(spans, [(6, 12), (13, 20)]) == [[(0, 5)], [(6, 9), (10, 12)], [(13, 20)], [(21, 25)]]
    assert group_rows(spans, []) == [[s] for s in spans]
