"""Property-based tests (hypothesis): normalize's offset map and chunk_text's invariants on arbitrary text."""

from __future__ import annotations

from helpers.fakes import fake_count_tokens
from helpers.invariants import assert_offsets_exact, check_chunk_invariants
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.ingest.chunking import chunk_text
from rag.text.normalize import RADICAL_FOLD, compact, fold_text, normalize
from rag.text.sentences import split_sentences

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CJK = "人工智能安全研究所国家风险管理框架第一条规定数据保护标准评测"
RADICALS = "".join(sorted(RADICAL_FOLD)) + "".join(chr(c) for c in range(0x2F00, 0x2F20))  # + Kangxi
LATIN = "abcdefghijklmnopqrstuvwxyzAISUEN0123456789"
PUNCT = "。，！？；：、“”（）《》「」.,!?;:'\"()-…%/"
SPACES = " \t\n\n\r\u3000\u00a0"
ODD = "\u200b\ufeff\u00adﬁＡＩ１２①²ｶ\u0301é"
MARKDOWN = ["# ", "## ", "### ", "**", "__", "*", "`", "![img](http://x.y/a.png)", "[link](http://x.y/(b))",
            "- ", "1. ", "（一）", "第二章 ", "---", "扫码关注公众号", "Subscribe now", "U.S. ", "Sec. 4 ", "1.5",
            "regu-\nlation", "风险\n\n管理", "\f"]

pieces = st.one_of(
    st.text(alphabet=CJK + PUNCT + SPACES, min_size=1, max_size=12),
    st.text(alphabet=LATIN + " .,-\n", min_size=1, max_size=12),
    st.text(alphabet=RADICALS + CJK, min_size=1, max_size=6),
    st.text(alphabet=ODD + CJK + LATIN, min_size=1, max_size=4),
    st.sampled_from(MARKDOWN),
    st.just("本报告分析了当前多个国家级人工智能安全研究所及其国际网络的设立背景"),  # a long wrapped line
    st.just("The regulation applies to all providers of general purpose models"),
)
documents = st.lists(pieces, max_size=40).map("".join)



@PROPERTY
@given(raw=documents, wrap=st.sampled_from([8, 24, 80]))
def test_normalize_offsets_are_exact(raw: str, wrap: int) -> None:
    norm = normalize(raw, wrap_min_chars=wrap)
    assert_offsets_exact(raw, norm)
    text = norm.text
    assert text == text.strip()
    assert "  " not in text and "\n\n" not in text and " \n" not in text and "\n " not in text
    for heading in norm.headings:
        assert text[heading.start : heading.start + len(heading.title)] == heading.title
    # every span maps to a raw span that holds its characters, in order
    for a in range(0, len(text), 7):
        b = min(len(text), a + 9)
        start, end = norm.raw_span(a, b)
        assert 0 <= start <= end <= len(raw)
        folded = compact(raw[start:end])
        it = iter(folded)
        assert all(ch in it for ch in compact(text[a:b])), (text[a:b], raw[start:end])


@PROPERTY
@given(prefix=st.text(alphabet=CJK + SPACES, max_size=10), raw=documents)
def test_normalize_respects_start_offset(prefix: str, raw: str) -> None:
    whole = prefix + raw
    norm = normalize(whole, len(prefix))
    assert_offsets_exact(whole, norm)
    assert all(s >= len(prefix) for s in norm.starts)
    assert norm.text == normalize(raw).text


@PROPERTY
@given(raw=documents)
def test_normalize_is_idempotent_on_folded_characters(raw: str) -> None:
    text = normalize(raw).text
    assert fold_text(text) == text


@PROPERTY
@given(text=documents)
def test_sentence_spans_partition_non_space_text(text: str) -> None:
    spans = split_sentences(text)
    covered = bytearray(len(text))
    previous_end = 0
    for a, b in spans:
        assert previous_end <= a < b <= len(text)
        assert not text[a].isspace() and not text[b - 1].isspace()
        covered[a:b] = b"\x01" * (b - a)
        previous_end = b
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text))


@PROPERTY
@given(raw=documents, max_tokens=st.integers(8, 60), overlap_share=st.sampled_from([0, 0, 1, 3]))
def test_chunk_text_invariants(raw: str, max_tokens: int, overlap_share: int) -> None:
    overlap = max_tokens * overlap_share // 8
    norm = normalize(raw)
    chunks = chunk_text(norm, fake_count_tokens, max_tokens, overlap)
    check_chunk_invariants(raw, norm, chunks, fake_count_tokens, max_tokens)
    if norm.text.strip():
        assert chunks
    else:
        assert chunks == []


@PROPERTY
@given(raw=documents)
def test_chunk_text_is_deterministic(raw: str) -> None:
    norm = normalize(raw)
    first = chunk_text(norm, fake_count_tokens, 20, 4)
    second = chunk_text(normalize(raw), fake_count_tokens, 20, 4)
    assert [(c.start, c.end, c.text, c.section) for c in first] == [(c.start, c.end, c.text, c.section) for c in second]
