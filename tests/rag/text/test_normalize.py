"""rag.text.normalize: character folds, PDF line joins, boilerplate removal, headings and the exact offset map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.invariants import assert_offsets_exact

from rag.ingest.loaders import load_document
from rag.text.footnotes import confirmed_marks, note_list, read_notes
from rag.text.normalize import (
    NormalizedText,
    compact,
    fold_text,
    normalize,
    running_lines,
)

PROJECT_ROOT = Path(__file__).resolve().parents[3]
CORPUS = PROJECT_ROOT / "corpus"
DOC_003 = "003_907a84392d48637e.txt"
DEV_QA_CANDIDATES = (PROJECT_ROOT.parent / "shared" / "eval" / "dev_qa.jsonl",
                     PROJECT_ROOT / "shared" / "eval" / "dev_qa.jsonl")
DEV_QA = next((p for p in DEV_QA_CANDIDATES if p.exists()), DEV_QA_CANDIDATES[0])
BIG = 1 << 30


def quote_span(norm: NormalizedText, quote: str) -> tuple[int, int] | None:
    """Normalized span [a, b) whose text equals ``quote`` once white space is ignored on both sides."""
    positions = [i for i, ch in enumerate(norm.text) if not ch.isspace()]
    squeezed = "".join(norm.text[i] for i in positions)
    needle = compact(quote)
    k = squeezed.find(needle)
    if k < 0 or not needle:
        return None
    return positions[k], positions[k + len(needle) - 1] + 1


# --- character folds -------------------------------------------------------------------------


def test_kangxi_radicals_fold_to_ideographs() -> None:
    raw = "\u2f08\u2f2f\u667a\u80fd"  # ⼈⼯智能 written with Kangxi radical code points
    assert raw == "⼈⼯智能"
    norm = normalize(raw)
    assert norm.text == "人工智能"
    assert fold_text(raw) == "人工智能"
    assert compact("⼈⼯ 智能") == "人工智能"
    assert_offsets_exact(raw, norm)


@pytest.mark.parametrize(
    ("radical", "ideograph"),
    [("⻛", "风"), ("⻅", "见"), ("⻓", "长"), ("⻔", "门"), ("⻆", "角"), ("⺠", "民"), ("⻬", "齐")],
)
def test_cjk_radicals_supplement_fold(radical: str, ideograph: str) -> None:
    assert 0x2E80 <= ord(radical) <= 0x2EFF
    assert fold_text(radical) == ideograph
    assert normalize(f"国家{radical}").text == f"国家{ideograph}"


def test_radical_word_in_context() -> None:
    raw = "技术⻛险与⻆⾊定位"
    norm = normalize(raw)
    assert norm.text == "技术风险与角色定位"
    assert_offsets_exact(raw, norm)


def test_fullwidth_chinese_punctuation_is_kept_and_fullwidth_latin_folds() -> None:
    assert normalize("第一，安全；（二）！？").text == "第一，安全；（二）！？"
    assert normalize("ＡＩ安全").text == "AI安全"


# --- line joins ----------------------------------------------------------------------------------

LONG_ZH = "本报告分析了当前多个国家级人工智能安全研究所及其国际网络的设立背景"  # >= 24 chars, no end mark


def test_cjk_pdf_lines_join_without_space() -> None:
    raw = LONG_ZH + "\n旨在为中国在全球人工智能治理中的角色定位提供参考。"
    norm = normalize(raw)
    assert norm.text == LONG_ZH + "旨在为中国在全球人工智能治理中的角色定位提供参考。"
    assert_offsets_exact(raw, norm)


def test_cjk_pdf_lines_join_across_blank_line_when_long_and_unterminated() -> None:
    raw = LONG_ZH + "，\n\n旨在为中国提供参考。"
    norm = normalize(raw)
    assert norm.text == LONG_ZH + "，旨在为中国提供参考。"
    assert " " not in norm.text and "\n" not in norm.text
    assert_offsets_exact(raw, norm)


def test_short_or_terminated_lines_stay_separate() -> None:
    assert normalize("短行\n下一行。").text == "短行\n下一行。"
    assert normalize(LONG_ZH + "。\n\n第二段开始。").text == LONG_ZH + "。\n第二段开始。"


def test_list_items_and_headings_are_not_joined_to_a_wrapped_line() -> None:
    raw = LONG_ZH + "\n（一）加强安全评测\n# 第二章 监管"
    norm = normalize(raw)
    assert norm.text == LONG_ZH + "\n（一）加强安全评测\n第二章 监管"


def test_a_numbered_chinese_section_line_ends_its_paragraph() -> None:
    heading = "2.1继英美之后，多个国家宣布设立国家级人工智能安全研究所"
    raw = heading + "\n继2023年11月首届人工智能安全峰会上英国和美国率先成立人工智能安全研究所之后。"
    norm = normalize(raw)
    assert norm.text.split("\n") == [heading, "继2023年11月首届人工智能安全峰会上英国和美国率先成立人工智能安全研究所之后。"]
    assert_offsets_exact(raw, norm)


@pytest.mark.parametrize("line", [
    "继英美之后，多个国家宣布设立国家级人工智能安全研究所，同年",  # no section number: a wrapped line
    "2.1 Following the UK and the US, many countries announced national institutes and",  # Latin text after it
])
def test_other_long_unterminated_lines_still_join(line: str) -> None:  # the negative beside it
    assert "\n" not in normalize(line + "\n12月日本宣布设立研究所。").text


@pytest.mark.parametrize("first", ["……", "ﬁnal", "㈠"])
def test_wrapped_line_followed_by_multi_char_fold(first: str) -> None:
    raw = LONG_ZH + "\n" + first + "等要素。"
    norm = normalize(raw)
    assert norm.text.startswith(LONG_ZH) and norm.text.endswith("等要素。")
    assert_offsets_exact(raw, norm)


def test_latin_pdf_lines_join_with_one_space() -> None:
    raw = "The regulation applies to all providers of general\npurpose AI models placed on the market."
    norm = normalize(raw)
    assert norm.text == "The regulation applies to all providers of general purpose AI models placed on the market."
    assert_offsets_exact(raw, norm)


def test_latin_pdf_lines_dehyphenate() -> None:
    raw = "All providers of general-purpose models must comply with the regu-\nlation in force."
    norm = normalize(raw)
    assert norm.text == "All providers of general-purpose models must comply with the regulation in force."
    assert_offsets_exact(raw, norm)
    start = norm.text.index("regulation")
    a, b = norm.raw_span(start, start + len("regulation"))
    assert raw[a:b] == "regu-\nlation"


def test_white_space_runs_collapse() -> None:
    raw = "Risk   management\tframework  for AI."
    norm = normalize(raw)
    assert norm.text == "Risk management framework for AI."
    assert_offsets_exact(raw, norm)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" indented line", "indented line"),
        ("first\n second", "first\nsecond"),
        ("see ![fig](a.png) here", "see here"),
        ("a ** b", "a b"),
        ("page\fbreak", "page break"),
    ],
)
def test_white_space_collapses_the_same_in_ascii_and_cjk_lines(raw: str, expected: str) -> None:
    assert normalize(" 中文").text == "中文" and normalize("中 ![图](a.png) 文").text == "中 文"  # CJK lines do
    assert normalize(raw).text == expected


# --- Markdown and boilerplate ---------------------------------------------------------------


MARKDOWN = """# 第一章 总则
![封面](https://example.com/cover.png)
扫码关注公众号，获取更多资讯
第一条 为了规范**生成式人工智能**服务，制定本办法。![图1](img/fig1.png)详见[附件](https://example.com/a(1).pdf)。
长按识别二维码
点击上方蓝字关注我们
## 第一节 适用范围
第二条 本办法适用于境内服务。
Subscribe to our newsletter for updates
### 1.1 定义
本办法所称服务提供者，是指提供服务的组织。
"""


def test_markdown_images_links_and_boilerplate_dropped() -> None:
    norm = normalize(MARKDOWN)
    text = norm.text
    for gone in ("![", "](", "cover.png", "fig1", "https://", "扫码", "二维码", "点击上方", "**", "Subscribe"):
        assert gone not in text, gone
    assert "第一条 为了规范生成式人工智能服务，制定本办法。详见附件。" in text
    assert "第二条 本办法适用于境内服务。" in text
    assert_offsets_exact(MARKDOWN, norm)


def _paged(pages: list[str], footer: list[str]) -> str:
    return "\n\n".join(page + "\n\n" + "\n".join(footer) for page in pages)


FOOTER = ["欢迎关注 CISS", "ciss@mail.tsinghua.edu.cn", "<http://ciss.tsinghua.edu.cn>", "010-62771388"]
PAGES = [f"第{i}页的正文讲人工智能安全研究所的第{i}项工作，这一段在页尾被截" for i in range(1, 7)]


def test_running_footers_are_dropped_and_a_paragraph_goes_on_across_them() -> None:
    raw = _paged(PAGES, FOOTER) + "\n\n断，下一页接着说完。"
    norm = normalize(raw, running_line_min_repeats=5)
    for line in FOOTER:
        assert line not in norm.text
    assert "这一段在页尾被截断，下一页接着说完。" in norm.text  # the wrapped line joins across the footer
    assert_offsets_exact(raw, norm)
    assert "ciss@mail" in normalize(raw, running_line_min_repeats=0).text


def test_running_lines_need_repeats_and_leave_labels_and_punctuation() -> None:
    raw = "\n".join(["职能：", "负责测评。", "，", "页脚 A"] * 6 + ["页脚 B"] * 3)
    assert running_lines(raw, 5) == frozenset({"页脚 A"})
    assert running_lines(raw, 0) == frozenset()


def test_headings_recorded_with_level_and_position() -> None:
    norm = normalize(MARKDOWN)
    assert [(h.level, h.title) for h in norm.headings] == [(1, "第一章 总则"), (2, "第一节 适用范围"), (3, "1.1 定义")]
    for heading in norm.headings:
        assert norm.text[heading.start : heading.start + len(heading.title)] == heading.title
        a, b = norm.raw_span(heading.start, heading.start + len(heading.title))
        assert MARKDOWN[a:b] == heading.title
        assert MARKDOWN[:a].endswith("# ")


# --- offset map -------------------------------------------------------------------------------


def test_raw_span_of_a_substring() -> None:
    raw = "  前言\n\n⼈⼯智能**安全**研究所（AISI）成⽴于2023年。\n"
    norm = normalize(raw)
    assert norm.text == "前言\n人工智能安全研究所（AISI）成立于2023年。"
    start = norm.text.index("安全研究所")
    a, b = norm.raw_span(start, start + len("安全研究所"))
    assert raw[a:b] == "安全**研究所"
    assert compact(raw[a:b].replace("*", "")) == "安全研究所"
    start = norm.text.index("成立于")
    a, b = norm.raw_span(start, start + 3)
    assert raw[a:b] == "成⽴于"
    a, b = norm.raw_span(5, 5)  # empty span: a position, not a range
    assert a == b


def test_offsets_respect_start_and_end_arguments() -> None:
    raw = "---\ntitle: x\n---\n正文第一句。\n正文第二句。"
    body = raw.index("正文")
    norm = normalize(raw, body)
    assert norm.text == "正文第一句。\n正文第二句。"
    assert norm.starts[0] == body
    assert_offsets_exact(raw, norm)
    head = normalize(raw, body, body + 6)
    assert head.text == "正文第一句。"


def test_gbk_file_loads_and_normalizes(tmp_path: Path) -> None:
    text = (
        "第一条 为了促进生成式人工智能健康发展和规范应用，维护国家安全和社会公共利益，制定本办法。\n"
        "第二条 利用生成式人工智能技术向中华人民共和国境内公众提供服务的，适用本办法。\n"
    )
    path = tmp_path / "gbk_policy.txt"
    path.write_bytes(text.encode("gbk"))
    doc = load_document(path, max_bytes=BIG)
    assert doc.raw_text == text
    assert doc.encoding.replace("-", "").lower() in ("gb18030", "gbk", "gb2312")
    norm = normalize(doc.raw_text, doc.body_start)
    assert norm.text == text.strip()
    assert_offsets_exact(doc.raw_text, norm)


def test_real_corpus_offsets_exact() -> None:
    doc = load_document(CORPUS / DOC_003, max_bytes=BIG)
    norm = normalize(doc.raw_text, doc.body_start)
    assert "⻛" not in norm.text and "⼈" not in norm.text
    assert_offsets_exact(doc.raw_text, norm)


def _dev_quotes(doc_name: str) -> list[str]:
    if not DEV_QA.exists():
        pytest.skip(f"{DEV_QA} not available")
    quotes = []
    for line in DEV_QA.read_text(encoding="utf-8").splitlines():
        if line.strip():
            quotes += [e["quote"] for e in json.loads(line)["evidence"] if e["doc"] == doc_name]
    return quotes


@pytest.mark.parametrize("doc_name", sorted(p.name for p in CORPUS.glob("*.txt")))
def test_dev_evidence_quotes_survive_normalization(doc_name: str) -> None:
    quotes = _dev_quotes(doc_name)
    if doc_name == DOC_003:
        assert len(quotes) >= 10  # the Kangxi/radical-heavy document carries most evidence
    doc = load_document(CORPUS / doc_name, max_bytes=BIG)
    norm = normalize(doc.raw_text, doc.body_start)
    haystack = compact(norm.text)
    notes = note_list(read_notes(doc.raw_text))
    for quote in quotes:
        assert quote in doc.raw_text
        # a quote's footnote marks ("…英国和美国31。") are left out of the normalized text; the rest is there
        marks = confirmed_marks(fold_text(quote), notes)
        read = "".join(ch for i, ch in enumerate(fold_text(quote)) if not any(a <= i < b for a, b in marks))
        assert compact(read) in haystack, quote
        # and the normalized match maps back onto the raw quote (less a mark that ends it)
        span = quote_span(norm, read)
        assert span is not None
        a, b = norm.raw_span(*span)
        raw_at = doc.raw_text.find(quote)
        if doc.raw_text.count(quote) == 1:
            lead = len(quote) - len(quote.lstrip())
            tail = len(quote.rstrip())
            if marks and marks[-1][1] == tail:  # fold_text keeps these quotes' lengths (checked below)
                tail = marks[-1][0]
            assert len(fold_text(quote)) == len(quote)
            assert (a, b) == (raw_at + lead, raw_at + tail)
        # the raw span covers a mark inside the quote ("美国31。"): its text less the marks is the quote's
        cited = fold_text(doc.raw_text[a:b])
        cited_marks = confirmed_marks(cited, notes)
        assert compact(read) in compact("".join(ch for i, ch in enumerate(cited)
                                                if not any(x <= i < y for x, y in cited_marks)))


@pytest.mark.parametrize(
    "sentence",
    ["现在看来似乎只有少数人来自那里。", "美国驻联合国代表转发了该决议的全文，并呼吁各方支持。", "他在看台上点赞了这一提议并收藏了二维码设计方案的说明文件全文。"],
)
def test_sentences_with_boilerplate_words_are_kept(sentence: str) -> None:
    # Regression: such lines were dropped whole when a subscription keyword occurred anywhere in them.
    assert normalize(sentence).text == sentence


def test_short_subscription_prompts_are_dropped() -> None:
    raw = "正文第一段。\n\n点赞 在看 转发\n\n扫码关注公众号\n\n正文第二段。"
    assert normalize(raw).text == "正文第一段。\n正文第二段。"


# --- flattened tables (rag.text.tables) -------------------------------------------------------------

TABLE_ROWS = """资金对比
AISI 成立时间 机构设立 上级政府部门 资金规模

英国 2023年11月 新成立机构
(UK AISI)

科学、创新及科技
部(DSIT)

初始资金1亿英镑  ，
并承诺维持其资金至
2030年，优先使用

美国 2023年11月 新成立机构
(US AISI)

1000万美元 -总监: Elizabeth Kelly
(曾任总统经济政策特别助理)
"""


def test_a_flattened_table_becomes_one_line_per_row_with_exact_offsets() -> None:
    norm = normalize(TABLE_ROWS)
    lines = norm.text.split("\n")
    assert lines[:2] == ["资金对比", "AISI 成立时间 机构设立 上级政府部门 资金规模"]  # the header is no longer joined to row 1
    assert lines[2] == ("英国 2023年11月 新成立机构 (UK AISI)\u3000科学、创新及科技部(DSIT)\u3000"
                        "初始资金1亿英镑 ，并承诺维持其资金至 2030年，优先使用")
    assert lines[3] == "美国 2023年11月 新成立机构 (US AISI)\u30001000万美元 -总监: Elizabeth Kelly (曾任总统经济政策特别助理)"
    assert [norm.text[a:b] for a, b in norm.rows] == lines[2:]
    raw_starts = [norm.raw_span(a, b) for a, b in norm.rows]
    assert [TABLE_ROWS[a:b][:2] for a, b in raw_starts] == ["英国", "美国"]
    assert TABLE_ROWS[raw_starts[0][1] - 4:raw_starts[0][1]] == "优先使用" and TABLE_ROWS[raw_starts[1][1] - 1] == ")"
    assert_offsets_exact(TABLE_ROWS, norm)


def test_the_same_lines_without_a_header_are_joined_as_before() -> None:
    raw = TABLE_ROWS.replace("AISI 成立时间 机构设立 上级政府部门 资金规模\n", "")
    norm = normalize(raw)
    assert norm.rows == [] and "\u3000" not in norm.text
    assert "英国 2023年11月 新成立机构\n(UK AISI)\n" in norm.text  # short lines stay apart, as before tables
    assert_offsets_exact(raw, norm)


def test_prose_has_no_rows_and_no_cell_breaks() -> None:
    raw = LONG_ZH + "\n旨在为中国在全球人工智能治理中的角色定位提供参考。\n\n1. 第一项\n2. 第二项\n"
    norm = normalize(raw)
    assert norm.rows == [] and "\u3000" not in norm.text


def test_003s_uk_row_is_one_line_of_the_normalized_text() -> None:
    doc = load_document(CORPUS / DOC_003, max_bytes=BIG)
    norm = normalize(doc.raw_text, doc.body_start)
    row = next(norm.text[a:b] for a, b in norm.rows if "初始资金1亿英镑" in norm.text[a:b])
    assert row.startswith("英国 2023年11月 新成立机构 (UK AISI)\u3000科学、创新及科技部(DSIT)\u3000初始资金1亿英镑 ，并承诺")
    assert row.endswith("-超过40名技术人员和60名政策/运营人员") and f"\n{row}\n" in norm.text
    assert len(norm.rows) == 17  # 8 + 5 + 4 rows in 003's two tables (the second continues on a new page)


# --- footnote marks (rag.text.footnotes) ------------------------------------------------------------------

MARKED = """# 人工智能安全研究所

首批成员包括英国和美国31。部长级会议的参与方包括20国政府。

## 2 进展

新加坡政府宣布数字信任中心将作为人工智能安全研究所30。

30 UK Government, “Seoul Statement of Intent toward International Cooperation”, 2024-05-21,
https://www.gov.uk/government/publications/seoul.

31 U.S. Department of Commerce, “Raimondo and Blinken Announce the Network”, 2024-09-18,
https://www.commerce.gov/news/press-releases/2024/09.
"""


def test_confirmed_footnote_marks_are_left_out_and_offsets_stay_exact() -> None:
    norm = normalize(MARKED)
    assert "美国。部长级" in norm.text and "研究所。" in norm.text  # the marks are gone
    assert "包括20国政府" in norm.text  # a value stays, though 20 could be a mark by its place
    assert "\n30 UK Government" in norm.text and "\n31 U.S." in norm.text  # the notes' own numbers stay
    assert [(norm.text[:at][-3:], number) for at, number in norm.marks] == [("和美国", 31), ("研究所", 30)]
    assert_offsets_exact(MARKED, norm)
    # a sentence's raw span covers the mark inside it
    a = norm.text.index("首批")
    raw_a, raw_b = norm.raw_span(a, norm.text.index("。", a) + 1)
    assert MARKED[raw_a:raw_b] == "首批成员包括英国和美国31。"
    # headings move with the text before them
    assert [(norm.text[h.start:h.start + len(h.title)], h.level) for h in norm.headings] == [
        ("人工智能安全研究所", 1), ("2 进展", 2)]


def test_marks_without_a_note_list_follow_the_mark_rule() -> None:
    assert "英国和美国。" in normalize("首批成员包括英国和美国31。与此同时。").text
    assert "风险。[1]特别是" in normalize("导致严重的国家安全风险。[1]特别是像这样。").text  # brackets need a list


def test_a_bracketed_mark_alone_on_its_line_goes_with_its_line() -> None:
    raw = ("奠定基础。\n[4]\n峰会预计将讨论。\n\n"
           "- [4] Lang, C. (2024). *Advancing AI safety*. <https://example.org/a>\n"
           "- [5] Dafoe, A. (2018). *AI governance*. <https://example.org/b>\n")
    norm = normalize(raw)
    assert norm.text.startswith("奠定基础。\n峰会预计将讨论。")
    assert_offsets_exact(raw, norm)


UNMARKED_DIRS = (PROJECT_ROOT.parent / "shared" / "corpus" / "en", Path("/work/shared/corpus/en"))


def _unmarked_files() -> list[Path]:
    en = next((d for d in UNMARKED_DIRS if d.exists()), None)
    files = [CORPUS / name for name in ("000_187dd3f74430c8b6.txt", "001_38b74790e283ffa7.txt",
                                        "004_8935ac0b9ace9346.txt")]
    return files + (sorted(en.glob("*.md")) if en else [])


@pytest.mark.parametrize("path", _unmarked_files(), ids=lambda p: p.name[:24])
def test_documents_without_marks_normalize_as_before(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = load_document(path, max_bytes=BIG)
    now = normalize(doc.raw_text, doc.body_start)
    monkeypatch.setattr("rag.text.normalize._drop_marks", lambda *args: ((lambda at: at), []))  # before marks
    before = normalize(doc.raw_text, doc.body_start)
    assert (now.text, list(now.starts), list(now.ends), now.headings, now.rows) == (
        before.text, list(before.starts), list(before.ends), before.headings, before.rows)


@pytest.mark.parametrize(("doc_name", "marks"), [("002_4adc3ade6742d2ec.txt", 19), ("003_907a84392d48637e.txt", 61)])
def test_the_marked_documents_lose_their_marks(doc_name: str, marks: int, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = load_document(CORPUS / doc_name, max_bytes=BIG)
    now = normalize(doc.raw_text, doc.body_start)
    monkeypatch.setattr("rag.text.normalize._drop_marks", lambda *args: ((lambda at: at), []))
    before = normalize(doc.raw_text, doc.body_start)
    notes = read_notes(doc.raw_text, doc.body_start)
    starts = {note.start for note in notes}  # a note line's own number is no mark
    found = [a for a, _ in confirmed_marks(before.text, note_list(notes)) if before.starts[a] not in starts]
    assert len(found) == marks
    assert "英国和美国31" not in now.text and "风险。[1]" not in now.text
    assert len(before.text) > len(now.text) and len(now.headings) == len(before.headings)
    assert_offsets_exact(doc.raw_text, now)



@pytest.mark.parametrize(("raw", "title"), [
    ("# 一0", "一"),  # hypothesis's example: a digit after a Chinese character read as a footnote mark
    ("# 研究所28\n\n正文", "研究所"),
])
def test_a_heading_title_loses_the_marks_its_text_loses(raw: str, title: str) -> None:
    norm = normalize(raw, wrap_min_chars=8)
    [heading] = norm.headings
    assert heading.title == title
    assert norm.text[heading.start:heading.start + len(heading.title)] == heading.title


def test_a_heading_without_marks_keeps_its_digits() -> None:
    [heading] = normalize("# 2024年报告\n\n正文").headings  # the negative: a year is no mark
    assert heading.title == "2024年报告"
