"""rag.ingest.chunking: sentence-aware, token-measured chunks whose offsets map back to the raw text exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.fakes import fake_count_tokens
from helpers.invariants import check_chunk_invariants, is_subsequence
from llama_index.core import Document
from llama_index.core.schema import TextNode

from rag.ingest.chunking import PolicyNodeParser, chunk_text, page_lookup, section_path
from rag.ingest.loaders import load_document
from rag.text.normalize import compact, normalize

PROJECT_ROOT = Path(__file__).resolve().parents[3]
CORPUS = PROJECT_ROOT / "corpus"
BIG = 1 << 30


CLEAN_ZH = (
    "第一条 为了促进生成式人工智能健康发展和规范应用，维护国家安全和社会公共利益，保护公民、法人和其他组织的合法权益，"
    "根据相关法律、行政法规，制定本办法。第二条 利用生成式人工智能技术向中华人民共和国境内公众提供生成文本、图片、"
    "音频、视频等内容的服务，适用本办法。第三条 国家坚持发展和安全并重、促进创新和依法治理相结合的原则。"
    "第四条 提供和使用生成式人工智能服务，应当遵守法律、行政法规，尊重社会公德和伦理道德。"
)
CLEAN_EN = (
    "The memorandum directs agencies to strengthen AI safety. It asks the U.S. AI Safety Institute to test "
    "frontier models before deployment. Agencies must report on their progress within 180 days. "
    "The framework sets out risk management, evaluation, accountability and transparency mechanisms. "
) * 3


@pytest.mark.parametrize("max_tokens,overlap", [(16, 0), (24, 6), (40, 10), (160, 24)])
def test_clean_text_chunks_equal_their_raw_span(max_tokens: int, overlap: int) -> None:
    raw = CLEAN_ZH + "\n" + CLEAN_EN
    norm = normalize(raw)
    assert norm.text == raw.strip()
    chunks = chunk_text(norm, fake_count_tokens, max_tokens, overlap)
    check_chunk_invariants(raw, norm, chunks, fake_count_tokens, max_tokens)
    for chunk in chunks:  # no markdown, no hyphenation: the raw span is the chunk, exactly
        assert raw[chunk.start : chunk.end] == chunk.text
    if max_tokens < 160:
        assert len(chunks) > 2


def test_overlap_carries_trailing_sentences() -> None:
    raw = "".join(f"第{n}条 本条规定第{n}项安全义务。" for n in "一二三四五六七八九十")  # ~12 tokens each
    norm = normalize(raw)
    chunks = chunk_text(norm, fake_count_tokens, 40, 14)
    check_chunk_invariants(raw, norm, chunks, fake_count_tokens, 40)
    assert len(chunks) >= 3
    for left, right in zip(chunks, chunks[1:]):
        assert left.norm_start < right.norm_start < left.norm_end  # overlapping windows
        overlap = norm.text[right.norm_start : left.norm_end]
        assert 0 < fake_count_tokens(overlap) <= 14
    no_overlap = chunk_text(norm, fake_count_tokens, 40, 0)
    for left, right in zip(no_overlap, no_overlap[1:]):
        assert right.norm_start >= left.norm_end


def test_over_long_sentence_is_cut_into_budgeted_pieces() -> None:
    sentence = "、".join(["人工智能安全评测"] * 30) + "。"  # one 240-token sentence
    raw = "前言。" + sentence + "结语。"
    norm = normalize(raw)
    chunks = chunk_text(norm, fake_count_tokens, 50, 0)
    check_chunk_invariants(raw, norm, chunks, fake_count_tokens, 50)
    assert len(chunks) >= 5
    # cut at soft breaks (the enumeration comma) when one is available
    assert all(c.text.endswith(("、", "。")) for c in chunks[:-1])


def test_carried_overlap_plus_next_unit_stays_within_budget() -> None:
    raw = "第一条规定。前言短句。" + "、".join(["安全评测"] * 20) + "。"
    norm = normalize(raw)
    chunks = chunk_text(norm, fake_count_tokens, 20, 8)
    assert [fake_count_tokens(c.text) for c in chunks if fake_count_tokens(c.text) > 20] == []


def test_carried_overlap_never_pushes_past_budget_with_real_tokenizer(real_embedder) -> None:
    count = real_embedder.count_tokens
    doc = load_document(CORPUS / "003_907a84392d48637e.txt", max_bytes=BIG)
    norm = normalize(doc.raw_text, doc.body_start)
    check_chunk_invariants(doc.raw_text, norm, chunk_text(norm, count, 48, 8), count, 48)


def test_pieces_of_a_cut_sentence_have_no_trailing_space() -> None:
    raw = " ".join(f"word{i}" for i in range(60)) + "."
    norm = normalize(raw)
    chunks = chunk_text(norm, fake_count_tokens, 20, 0)
    assert len(chunks) == 3
    for chunk in chunks:
        assert chunk.text == chunk.text.strip()
        assert not raw[chunk.end - 1].isspace()


def test_bad_parameters_rejected() -> None:
    norm = normalize("一句话。")
    with pytest.raises(ValueError):
        chunk_text(norm, fake_count_tokens, 4, 0)
    with pytest.raises(ValueError):
        chunk_text(norm, fake_count_tokens, 20, 20)
    assert chunk_text(normalize(""), fake_count_tokens) == []


SECTIONED = """# 人工智能安全研究所报告
## 一、背景
前沿人工智能展现出强大的涌现能力。两届峰会推动了研究所的设立。
### （一）英国
英国于2023年设立人工智能安全研究所。
## 二、进展
日本、新加坡、加拿大相继跟进。
#### 细节
这一层级不进入章节路径。
"""


def test_section_paths_from_headings() -> None:
    norm = normalize(SECTIONED)
    chunks = chunk_text(norm, fake_count_tokens, 160, 24)
    check_chunk_invariants(SECTIONED, norm, chunks, fake_count_tokens, 160)
    by_first_line = {c.text.splitlines()[0]: c.section for c in chunks}
    assert by_first_line["（一）英国"] == "人工智能安全研究所报告 > 一、背景 > （一）英国"
    assert by_first_line["二、进展"] == "人工智能安全研究所报告 > 二、进展"
    # h1–h3 start a new chunk, so no chunk mixes two sections' bodies
    assert not any("涌现能力" in c.text and "英国于2023年" in c.text for c in chunks)
    assert not any("英国于2023年" in c.text and "相继跟进" in c.text for c in chunks)
    # a heading is never left alone at the end of a chunk: it travels with its body
    for chunk in chunks:
        assert chunk.text.splitlines()[-1] not in {h.title for h in norm.headings}
    position = norm.text.index("这一层级")
    assert section_path(norm.headings, position) == "人工智能安全研究所报告 > 二、进展"
    assert section_path(norm.headings, position, max_level=4) == "人工智能安全研究所报告 > 二、进展 > 细节"
    assert section_path(norm.headings, 0) == "人工智能安全研究所报告"
    assert section_path([], 10) == ""


def test_section_of_chunk_opening_with_stacked_headings_is_that_of_its_body() -> None:
    norm = normalize(SECTIONED)
    chunks = chunk_text(norm, fake_count_tokens, 160, 24)
    first = chunks[0]
    assert first.text.startswith("人工智能安全研究所报告\n一、背景\n前沿")
    assert first.section == "人工智能安全研究所报告 > 一、背景"


def test_chunk_language() -> None:
    raw = (
        "中文段落说明人工智能安全研究所的职能与定位。\n\n"
        "https://www.example.gov/ai-safety-institute/report-2024 English reference list entry.\n"
    )
    norm = normalize(raw)
    chunks = chunk_text(norm, fake_count_tokens, 12, 0)
    assert chunks[0].language == "zh" and chunks[-1].language == "en"


@pytest.mark.parametrize("doc_name", sorted(p.name for p in CORPUS.glob("*.txt")))
def test_corpus_invariants_with_fake_counter(doc_name: str) -> None:
    doc = load_document(CORPUS / doc_name, max_bytes=BIG)
    norm = normalize(doc.raw_text, doc.body_start)
    chunks = chunk_text(norm, fake_count_tokens, 160, 24)
    check_chunk_invariants(doc.raw_text, norm, chunks, fake_count_tokens, 160)


@pytest.mark.parametrize("doc_name", ["003_907a84392d48637e.txt", "000_187dd3f74430c8b6.txt"])
def test_corpus_invariants_with_real_tokenizer(doc_name: str, real_embedder) -> None:
    count = real_embedder.count_tokens
    doc = load_document(CORPUS / doc_name, max_bytes=BIG)
    norm = normalize(doc.raw_text, doc.body_start)
    chunks = chunk_text(norm, count, 160, 24)
    check_chunk_invariants(doc.raw_text, norm, chunks, count, 160)
    small = chunk_text(norm, count, 64, 0)
    check_chunk_invariants(doc.raw_text, norm, small, count, 64)


def test_real_tokenizer_on_mixed_text(real_embedder) -> None:
    count = real_embedder.count_tokens
    raw = (CLEAN_ZH + "\n" + CLEAN_EN + "\n" + "、".join(["AI Safety Institute评测"] * 40) + "。") * 2
    norm = normalize(raw)
    for max_tokens, overlap in ((32, 0), (64, 16), (160, 24)):
        check_chunk_invariants(raw, norm, chunk_text(norm, count, max_tokens, overlap), count, max_tokens)


# --- llama-index node parser ------------------------------------------------------------------

FRONT = "---\ntitle: 测试文件\n---\n"


def _parse(raw: str, **meta: object) -> list:
    parser = PolicyNodeParser.from_counter(fake_count_tokens, max_tokens=20, overlap_tokens=4)
    document = Document(text=raw, metadata={"body_start": len(FRONT), **meta})
    return parser.get_nodes_from_documents([document]), document


def test_policy_node_parser_nodes_offsets_and_metadata() -> None:
    raw = FRONT + SECTIONED
    nodes, _ = _parse(raw, doc="report.md", publisher="安远AI")
    norm = normalize(raw, len(FRONT))
    expected = chunk_text(norm, fake_count_tokens, 20, 4)
    assert len(nodes) == len(expected) > 1
    for node, chunk in zip(nodes, expected):
        assert isinstance(node, TextNode)
        assert node.text == chunk.text
        assert (node.start_char_idx, node.end_char_idx) == (chunk.start, chunk.end)
        assert node.start_char_idx >= len(FRONT)
        assert is_subsequence(compact(node.text), compact(raw[node.start_char_idx : node.end_char_idx]))
        meta = node.metadata
        assert meta["doc"] == "report.md" and meta["publisher"] == "安远AI"
        assert meta["section"] == chunk.section and meta["chunk_index"] == chunk.index
        assert meta["language"] == "zh" and "latin_ratio" not in meta
    assert nodes[-1].metadata["section"] == "人工智能安全研究所报告 > 二、进展"


def test_policy_node_parser_links_nodes_to_their_document() -> None:
    nodes, document = _parse(FRONT + SECTIONED)
    assert nodes and all(node.ref_doc_id == document.id_ for node in nodes)


def test_policy_node_parser_offsets_survive_repeated_text() -> None:
    sentence = "第一条 本办法适用于境内服务。"
    raw = f"---\ntitle: {sentence}\n---\n{sentence}\n第二条 其他事项另行规定。\n"
    body_start = raw.index("---\n第一条") + 4
    parser = PolicyNodeParser.from_counter(fake_count_tokens, max_tokens=14, overlap_tokens=0)
    nodes = parser.get_nodes_from_documents([Document(text=raw, metadata={"body_start": body_start})])
    expected = chunk_text(normalize(raw, body_start), fake_count_tokens, 14, 0)
    assert [(n.start_char_idx, n.end_char_idx) for n in nodes] == [(c.start, c.end) for c in expected]
    assert all(n.start_char_idx >= body_start for n in nodes)



def test_policy_node_parser_pages_sentences_and_hints() -> None:
    body = SECTIONED * 3
    raw = FRONT + body
    page_starts = [[0, 1], [len(FRONT) + len(SECTIONED), 2], [len(FRONT) + 2 * len(SECTIONED), 3]]
    parser = PolicyNodeParser.from_counter(fake_count_tokens, max_tokens=20, overlap_tokens=4)
    nodes = parser.get_nodes_from_documents(
        [Document(text=raw, metadata={"body_start": len(FRONT), "page_starts": page_starts, "title": "报告"})])
    expected = chunk_text(normalize(raw, len(FRONT)), fake_count_tokens, 20, 4, page_at=page_lookup(page_starts))
    assert len(nodes) == len(expected) > 3
    assert {node.metadata["page"] for node in nodes} == {1, 2, 3}
    for node, chunk in zip(nodes, expected):
        assert node.metadata["page"] == chunk.page == page_lookup(page_starts)(node.start_char_idx)
        assert node.metadata["sentences"] == [[a, b, ra, rb] for (a, b), (ra, rb) in zip(chunk.sentences, chunk.sentence_raw)]
        assert node.metadata["title"] == "报告"
        assert "page_starts" not in node.metadata and "body_start" not in node.metadata  # read, not copied


def test_policy_node_parser_normalizes_as_configured() -> None:
    footer = "政策研究简报 第1页"
    raw = "".join(f"第{n}条 本条规定安全义务和评估要求。\n{footer}\n" for n in range(8))
    for repeats in (0, 5):
        parser = PolicyNodeParser.from_counter(fake_count_tokens, max_tokens=40, overlap_tokens=0,
                                               running_line_min_repeats=repeats, wrap_min_chars=30)
        nodes = parser.get_nodes_from_documents([Document(text=raw)])
        norm = normalize(raw, running_line_min_repeats=repeats, wrap_min_chars=30)
        assert [(n.text, n.start_char_idx, n.end_char_idx) for n in nodes] == [
            (c.text, c.start, c.end) for c in chunk_text(norm, fake_count_tokens, 40, 0)]
        assert any(footer in n.text for n in nodes) == (repeats == 0)  # a running footer is dropped at 5


def test_page_lookup() -> None:
    page_at = page_lookup([[0, 1], [10, 2], [25, 4]])
    assert [page_at(i) for i in (0, 9, 10, 24, 25, 999)] == [1, 1, 2, 2, 4, 4]
    assert page_lookup([[5, 1]])(4) is None


TABLE = """AISI 成立时间 机构设立 上级政府部门 资金规模
{rows}"""
ROW = """{key} 2024年5月 新成立机构
(AI评测中心)

由国立计算机及自
动化研究院合作。该中心
负责评测。

初始资金1亿欧元
"""


def test_a_table_row_that_fits_is_one_unit_and_stays_in_one_chunk() -> None:
    raw = "前言。\n" + TABLE.format(rows="\n".join(ROW.format(key=k) for k in ["法国", "德国", "意大利", "西班牙"]))
    norm = normalize(raw)
    rows = [norm.text[a:b] for a, b in norm.rows]
    assert len(rows) == 4 and all("。" in row for row in rows)  # two sentence ends inside each row
    row_tokens = fake_count_tokens(rows[0])
    chunks = chunk_text(norm, fake_count_tokens, row_tokens + 5, 0)
    check_chunk_invariants(raw, norm, chunks, fake_count_tokens, row_tokens + 5)
    units = [c.text[a:b] for c in chunks for a, b in c.sentences]
    assert all(row in units for row in rows)  # each row one unit, whole in one chunk
    assert sum(any(row in c.text for row in rows) for c in chunks) == 4


def test_a_table_row_too_long_for_a_chunk_falls_back_to_its_sentences() -> None:
    raw = "前言。\n" + TABLE.format(rows="\n".join(ROW.format(key=k) for k in ["法国", "德国"]))
    norm = normalize(raw)
    row = norm.text[norm.rows[0][0]:norm.rows[0][1]]
    budget = fake_count_tokens(row) - 1
    chunks = chunk_text(norm, fake_count_tokens, budget, 0)
    check_chunk_invariants(raw, norm, chunks, fake_count_tokens, budget)
    units = [c.text[a:b] for c in chunks for a, b in c.sentences]
    assert row not in units and any(u.endswith("该中心负责评测。") for u in units)


def test_a_table_rows_passage_is_headed_by_its_header_line_and_prose_is_not() -> None:
    raw = "# 对比\n\n前言。\n" + TABLE.format(rows="\n".join(ROW.format(key=k) for k in ["法国", "德国"]))
    norm = normalize(raw)
    chunks = chunk_text(norm, fake_count_tokens, fake_count_tokens(norm.text[slice(*norm.rows[0])]) + 2, 0)
    sections = {key: [c.section for c in chunks if c.text.startswith(key)] for key in ("对比", "法国", "德国")}
    assert sections["法国"] == sections["德国"] == ["对比 > AISI 成立时间 机构设立 上级政府部门 资金规模"]
    assert sections["对比"] == ["对比"]  # the preface and the header line: prose, under its heading only


def test_a_chunk_keeps_where_its_footnote_marks_stood() -> None:
    raw = ("首批成员包括英国和美国31。部长级会议的参与方包括20国政府。\n\n"
           "新加坡政府宣布数字信任中心将作为人工智能安全研究所30。\n\n"
           "30 UK Government, “Seoul Statement of Intent”, 2024-05-21, https://www.gov.uk/a.\n\n"
           "31 U.S. Department of Commerce, “The Network”, 2024-09-18, https://www.commerce.gov/b.\n")
    norm = normalize(raw)
    chunks = chunk_text(norm, fake_count_tokens, 400, 0)
    marks = [(chunk.text, at, number) for chunk in chunks for at, number in chunk.marks]
    assert [(text[:at][-3:], number) for text, at, number in marks] == [("和美国", 31), ("研究所", 30)]
    parser = PolicyNodeParser.from_counter(fake_count_tokens, max_tokens=400, overlap_tokens=0)
    nodes = parser.get_nodes_from_documents([Document(text=raw)])
    assert [m for node in nodes for m in node.metadata["marks"]] == [[at, n] for _, at, n in marks]
