"""Bad input through the public API (/ask, /check_claim) and the Library tab's upload function.

Each case pins down what the user sees. Runs against the shared app of conftest.py; uploads made here
are removed again (files deleted, index re-synced) so later tests see the 2-file library.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hardening_helpers import CORPUS_FILES, ProgressRecorder, component, ui_function
from helpers.corpus import policy_text

pytestmark = pytest.mark.slow

MEMO = "000_187dd3f74430c8b6.txt"
MEMO_QUESTION = "美国国家安全备忘录有哪些要求"
REFUSAL_ZH = "文档中没有找到能回答这个问题的内容。下面是最接近的段落，供参考。"
REFUSAL_EN = "The documents do not say. The closest passages are listed below for reference."
SUFFIXES = ".txt, .md, .markdown, .pdf, .docx, .html, .htm"
REPORT = re.compile(r"^- Indexed: (\d+) added, (\d+) updated, (\d+) unchanged, (\d+) duplicate\(s\) in [\d.]+ s\.$")


# --- /ask and /check_claim ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "refused", "answer"),
    [
        ("", True, "请输入问题。"),
        (" \t\n ", True, "请输入问题。"),
        ("🤖🤖🤖", True, REFUSAL_EN),
        ("？？？！！！...", True, REFUSAL_EN),
        ("qwzx plorb vint", True, REFUSAL_EN),
        ("2023年法国的葡萄酒产量是多少？", True, REFUSAL_ZH),
        ("\x00美国\x07国家安全备忘录\u202e\ufeff要求？", False, None),  # control / bidi / BOM characters
        ("<script>alert(1)</script>" + MEMO_QUESTION, False, None),
        (MEMO_QUESTION * 3000, False, None),  # 39,000 characters (cut to max_question_chars)
        ("Что требует меморандум о национальной безопасности США?", None, None),  # Cyrillic
        ("アメリカの国家安全保障覚書は何を要求していますか？", None, None),  # Japanese
    ],
    ids=["empty", "white-space", "emoji", "punctuation", "nonsense", "off-topic", "control-chars", "html",
         "39k-chars", "russian", "japanese"],
)
def test_ask_with_odd_questions(app_client, question: str, refused: bool | None, answer: str | None) -> None:
    result = app_client.predict(question, api_name="/ask")
    assert set(result) >= {"answer", "refused", "citations", "contexts"}
    assert result["answer"].strip() and "Traceback" not in result["answer"]
    if refused is not None:
        assert result["refused"] is refused, result["answer"]
    if answer is not None:
        assert result["answer"] == answer
    if result["refused"]:
        assert result["citations"] == []
    for citation in result["citations"]:
        assert citation["doc"] in CORPUS_FILES


@pytest.mark.parametrize(
    ("docs", "language", "refused", "allowed"),
    [
        (["no-such-file.txt"], None, True, set()),
        (["../../etc/passwd"], None, True, set()),
        ([], None, False, set(CORPUS_FILES)),  # empty list = all documents
        (None, "fr", False, set(CORPUS_FILES)),  # unknown language = no language filter
        ([MEMO], "zh", False, {MEMO}),
    ],
    ids=["unknown-doc", "path-as-doc", "empty-list", "unknown-language", "memo-only"],
)
def test_ask_with_odd_filters(app_client, docs: Any, language: Any, refused: bool, allowed: set[str]) -> None:
    result = app_client.predict(MEMO_QUESTION, docs, language, api_name="/ask")
    assert result["refused"] is refused, result["answer"]
    assert {c["doc"] for c in result["citations"]} <= allowed
    if refused:
        assert result["answer"] == REFUSAL_ZH and result["citations"] == [] and result["contexts"] == []


@pytest.mark.parametrize(
    ("claim", "verdict", "answer"),
    [("", None, "请输入问题。"), ("🤖", "not_found",
                                          "The documents do not state this claim. The closest passages are listed below for reference.")],
    ids=["empty", "emoji"],
)
def test_check_claim_with_odd_claims(app_client, claim: str, verdict: str | None, answer: str) -> None:
    result = app_client.predict(claim, api_name="/check_claim")
    assert result["verdict"] == verdict and result["refused"] is True and result["answer"] == answer


def test_ask_with_a_null_question_is_answered_politely(app_client) -> None:
    from gradio_client.exceptions import AppError

    try:
        result = app_client.predict(None, api_name="/ask")
    except AppError as error:
        pytest.fail(f"/ask(None) raised AppError: {error}")
    assert result["refused"] is True and result["answer"] == "请输入问题。"


# --- uploads ----------------------------------------------------------------------------------


@pytest.fixture
def upload(hardening_app) -> Iterator[Any]:
    """upload(paths, lang) -> the library message; removes what the test uploaded afterwards."""
    upload_files = ui_function(hardening_app.demo, "upload_files")
    library_msg = component(hardening_app.demo, "pqa-library-msg")

    def run(paths: list[Path] | None, lang: str = "en") -> str:
        result = upload_files([str(p) for p in paths] if paths is not None else None, lang, [],
                              progress=ProgressRecorder())
        return result[library_msg]

    yield run
    corpus = hardening_app.corpus_dir
    for path in corpus.iterdir():
        if path.name not in CORPUS_FILES:
            path.unlink()
    hardening_app.qa.ingest([corpus])  # prune what was uploaded
    assert sorted(n for r in hardening_app.qa.documents() for n in r.names) == sorted(CORPUS_FILES)


def test_upload_with_nothing_chosen(upload) -> None:
    assert upload(None, "en") == "Choose the files to upload first."
    assert upload([], "zh") == "请先选择要上传的文件。"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", f"- “tool.exe” has an unsupported file type (supported: {SUFFIXES})."),
        ("README", "人工智能".encode(), f"- “README” has an unsupported file type (supported: {SUFFIXES})."),
        ("huge.txt", "人工智能。".encode() * 80_000, "- “huge.txt” is larger than the 1 MB limit; not uploaded."),
        ("...", b"x", "- The file name “...” is not usable; not uploaded."),
    ],
    ids=["exe", "no-suffix", "over-upload-limit", "unusable-name"],
)
def test_upload_rejected_before_saving(hardening_app, upload, tmp_path: Path, name: str, content: bytes,
                                       message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert upload([path]) == message
    assert sorted(p.name for p in hardening_app.corpus_dir.iterdir()) == sorted(CORPUS_FILES)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file."),
        ("blank.txt", b"   \n\n\t  \n", "empty file."),
        ("image.txt", bytes(range(256)) * 64, "binary file, not text."),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\ngarbage",
         "corrupt PDF: Stream has ended unexpectedly"),
    ],
    ids=["empty", "blank", "binary", "corrupt-pdf"],
)
def test_upload_unreadable_file_is_reported_and_not_kept(hardening_app, upload, tmp_path: Path, name: str,
                                                          content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    message = upload([path])
    # Checked before it is saved: nothing is written, nothing is indexed.
    assert message == f"- “{name}” could not be indexed: {reason}", message
    assert not (hardening_app.corpus_dir / name).exists()
    assert hardening_app.qa.index.hash_for_name(name) is None


def test_upload_of_an_indexed_document_under_a_new_name(hardening_app, upload, tmp_path: Path) -> None:
    copy = tmp_path / "备忘录 副本 (2).txt"
    copy.write_bytes((hardening_app.corpus_dir / MEMO).read_bytes())
    chunks_before = hardening_app.qa.index.chunk_count()
    message = upload([copy])
    assert REPORT.match(message).groups() == ("0", "0", "0", "1"), message
    record = hardening_app.qa.index.record(hardening_app.qa.index.hash_for_name(MEMO))
    assert record.names == [MEMO, copy.name]
    assert hardening_app.qa.index.chunk_count() == chunks_before  # not embedded again
    assert len(hardening_app.qa.documents()) == len(CORPUS_FILES)


def test_unreadable_new_version_does_not_destroy_the_indexed_file(hardening_app, upload, tmp_path: Path) -> None:
    good = tmp_path / "good" / "victim_policy.txt"
    good.parent.mkdir()
    good.write_text(policy_text(77, sentences=8), encoding="utf-8")
    assert REPORT.match(upload([good])).groups() == ("1", "0", "0", "0")
    bad = tmp_path / "bad" / "victim_policy.txt"
    bad.parent.mkdir()
    bad.write_bytes(bytes(range(256)) * 64)  # e.g. the wrong file picked, or a truncated download
    message = upload([bad])
    # Names are escaped for Markdown (rag.app.safety.esc: "_" is "&#95;"); the reader sees them as typed.
    assert html.unescape(message).endswith("- “victim_policy.txt” could not be indexed: binary file, not text.")
    kept = hardening_app.corpus_dir / "victim_policy.txt"
    assert kept.exists() and kept.read_bytes() == good.read_bytes(), "the indexed file was deleted"
    hardening_app.qa.ingest([hardening_app.corpus_dir])  # what the next app start does
    assert hardening_app.qa.index.hash_for_name("victim_policy.txt") is not None
