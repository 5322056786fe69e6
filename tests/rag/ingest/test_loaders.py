"""Tests for rag.ingest.loaders: every fixture file is generated under tmp_path (offline, fast)."""

from __future__ import annotations

import io
import logging
import random
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from rag.ingest.chunking import page_lookup
from rag.ingest.documents import UnreadableDocumentError
from rag.ingest.loaders import (
    PDF_PAGE_SEPARATOR,
    decode_text,
    load_document,
    parse_front_matter,
)

PROJECT_ROOT = Path(__file__).resolve().parents[3]
CORPUS_FILE = PROJECT_ROOT / "corpus" / "000_187dd3f74430c8b6.txt"
RNG = random.Random(20240909)

SIMPLIFIED = "国务院关于加快推进人工智能安全治理的指导意见。各地区、各部门要高度重视数据安全和个人信息保护。"
TRADITIONAL = "行政院會議通過人工智慧基本法草案，強調資料治理與個人資料保護，並推動國際合作。"


# ----------------------------------------------------------------------------------------------
# fixture builders
# ----------------------------------------------------------------------------------------------


def make_pdf(pages: list[str], title: str | None = None, lang: str | None = None) -> bytes:
    """A minimal valid PDF: one Helvetica text line per page, with a correct xref table."""
    n = len(pages)
    font_id = 3 + 2 * n
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    lang_entry = f" /Lang ({lang})" if lang else ""
    objects = [f"<< /Type /Catalog /Pages 2 0 R{lang_entry} >>".encode(), f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    for i, text in enumerate(pages):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    info_ref = ""
    if title is not None:
        objects.append(f"<< /Title ({title}) >>".encode("latin-1"))
        info_ref = f" /Info {len(objects)} 0 R"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info_ref} >>\nstartxref\n{xref}\n%%EOF\n"
    out.write(trailer.encode())
    return out.getvalue()


def pdf_via_writer(build) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    build(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def make_docx(path: Path, title: str | None = None) -> Path:
    import docx

    doc = docx.Document()
    if title is not None:
        doc.core_properties.title = title
    doc.add_heading("人工智能安全治理", level=1)
    doc.add_paragraph("第一段：总体要求。")
    doc.add_paragraph("")
    doc.add_heading("Scope", level=2)
    doc.add_paragraph("This policy applies to all agencies.")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "条款"
    table.rows[0].cells[1].text = "内容"
    doc.save(str(path))
    return path


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def assert_unreadable(path: Path, message: str, **kwargs) -> None:
    with pytest.raises(UnreadableDocumentError, match=message):
        load_document(path, **kwargs)


# ----------------------------------------------------------------------------------------------
# decode_text
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (SIMPLIFIED, "utf-8", "utf-8"),
        (SIMPLIFIED, "utf-8-sig", "utf-8-sig"),
        (SIMPLIFIED, "utf-16", "utf-16-le"),
        ("Policy 政策 text", "utf-16-le", "utf-16-le"),  # no BOM: recognised by the NUL pattern
        ("Policy 政策 text", "utf-16-be", "utf-16-be"),
        (SIMPLIFIED, "utf-32", "utf-32-le"),
        (SIMPLIFIED, "gbk", "gb18030"),
        (SIMPLIFIED, "gb2312", "gb18030"),
        (SIMPLIFIED + "𠮷㐀", "gb18030", "gb18030"),  # 4-byte GB18030 sequences
        (TRADITIONAL, "big5", "big5"),
        (TRADITIONAL, "gbk", "gb18030"),  # GBK also holds traditional characters
        ("中华人民共和国", "gbk", "gb18030"),  # short texts fool charset detectors
        ("中華民國", "big5", "big5"),
        ("人工智能", "gb18030", "gb18030"),
        ("The committee’s naïve résumé costs €100.", "cp1252", "cp1252"),
    ],
)
def test_decode_text_detects_encoding(text: str, encoding: str, expected: str) -> None:
    data = text.encode(encoding)
    decoded, name = decode_text(data)
    assert name == expected
    assert decoded == text
    assert not decoded.startswith("\ufeff")


def test_decode_text_longer_real_text_in_legacy_encodings() -> None:
    text = CORPUS_FILE.read_text(encoding="utf-8")[:3000]
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")
    assert decode_text(text.encode("gbk", errors="ignore"))[1] == "gb18030"


def test_decode_text_tolerates_a_stray_bad_byte_in_utf8() -> None:
    data = (SIMPLIFIED * 10).encode("utf-8")[:-1]  # truncated mid-character
    text, name = decode_text(data)
    assert name == "utf-8"
    assert text.startswith(SIMPLIFIED)


def test_decode_text_honours_hint() -> None:
    assert decode_text(TRADITIONAL.encode("big5"), hint="big5") == (TRADITIONAL, "big5")
    assert decode_text(SIMPLIFIED.encode("gbk"), hint="GB2312") == (SIMPLIFIED, "gb18030")
    assert decode_text(SIMPLIFIED.encode("gbk"), hint="no-such-charset")[1] == "gb18030"


@pytest.mark.parametrize("data", [b"\x00\x01\x02\x03binary" * 10, bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_decode_text_rejects_binary(data: bytes) -> None:
    with pytest.raises(UnreadableDocumentError, match="binary file, not text"):
        decode_text(data)


@hyp_settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=200))
def test_decode_text_utf8_roundtrip(text: str) -> None:
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")


# ----------------------------------------------------------------------------------------------
# txt / markdown
# ----------------------------------------------------------------------------------------------

FRONT_MATTER_DOC = """---
title: 人工智能安全治理框架
url: https://example.gov.cn/ai.html
source: 国家网信办
date: 2024-09-09
fetch_date: 2025-10-06T18:53:32.308469
tags: [ai, safety]
---

# 标题一

正文第一段。
"""


@pytest.mark.parametrize("name", ["doc.md", "doc.markdown", "doc.txt", "DOC.MD"])
def test_front_matter_parsed_and_offsets_index_raw_file(tmp_path: Path, name: str) -> None:
    doc = load_document(write(tmp_path, name, FRONT_MATTER_DOC))
    assert doc.raw_text == FRONT_MATTER_DOC
    assert doc.raw_text[doc.body_start :].startswith("\n# 标题一")
    assert doc.raw_text[: doc.body_start].endswith("---\n")
    meta = doc.metadata
    assert meta["title"] == "人工智能安全治理框架"
    assert meta["date"] == "2024-09-09"
    assert meta["publisher"] == "国家网信办"
    assert meta["source_url"] == "https://example.gov.cn/ai.html"
    assert meta["fetch_date"] == "2025-10-06T18:53:32.308469"
    assert meta["tags"] == ["ai", "safety"]
    assert "language" not in meta
    assert doc.encoding == "utf-8"
    assert doc.pages == []


def test_front_matter_explicit_keys_win_and_language_kept(tmp_path: Path) -> None:
    text = "---\ntitle: T\npublisher: P\nsource: S\nsource_url: https://a\nurl: https://b\nlanguage: en\n---\nBody\n"
    meta = load_document(write(tmp_path, "a.md", text)).metadata
    assert (meta["publisher"], meta["source_url"], meta["language"]) == ("P", "https://a", "en")


def test_front_matter_with_crlf_and_bom(tmp_path: Path) -> None:
    text = "---\r\ntitle: Windows\r\n---\r\nBody text\r\n"
    doc = load_document(write(tmp_path, "w.md", text, encoding="utf-8-sig"))
    assert doc.encoding == "utf-8-sig"
    assert doc.metadata["title"] == "Windows"
    assert doc.raw_text[doc.body_start :] == "Body text\r\n"


def test_gbk_text_file_with_front_matter(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "gbk.txt", FRONT_MATTER_DOC, encoding="gbk"))
    assert doc.encoding == "gb18030"
    assert doc.metadata["title"] == "人工智能安全治理框架"
    assert doc.raw_text[doc.body_start :].startswith("\n# 标题一")


def test_big5_text_file(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "tw.txt", f"# 人工智慧基本法\n\n{TRADITIONAL}\n", encoding="big5"))
    assert doc.encoding == "big5"
    assert doc.metadata == {"title": "人工智慧基本法"}


def test_title_falls_back_to_heading_then_stem(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "a.md", "intro\n\n## sub\n\n#  Main Title  \n\ntext\n"))
    assert doc.metadata["title"] == "Main Title"
    assert doc.body_start == 0
    doc = load_document(write(tmp_path, "my_policy.txt", "plain text without headings\n#hashtag\n"))
    assert doc.metadata == {"title": "my_policy"}


def test_malformed_yaml_is_ignored_with_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = "---\ntitle: [unclosed\n  : : bad\n---\n# Heading\nbody\n"
    with caplog.at_level(logging.WARNING, logger="rag.ingest.loaders"):
        doc = load_document(write(tmp_path, "bad.md", text))
    assert "malformed YAML" in caplog.text
    assert doc.body_start == 0
    assert doc.raw_text == text
    assert doc.metadata["title"] == "Heading"


def test_non_mapping_front_matter_is_not_metadata() -> None:
    assert parse_front_matter("---\njust a sentence\n---\nmore\n") == ({}, 0)
    assert parse_front_matter("no front matter\n---\nx: 1\n---\n") == ({}, 0)
    meta, start = parse_front_matter("---\n---\nbody")
    assert (meta, start) == ({}, 8)


def test_real_corpus_file_loads_with_title() -> None:
    doc = load_document(CORPUS_FILE)
    assert doc.metadata["title"] == "美国政府发布首份关于人工智能的国家安全备忘录"
    assert doc.metadata["publisher"] == "安全内参"
    assert doc.metadata["date"] == "2024-10-26"
    assert doc.metadata["source_url"].startswith("https://mp.weixin.qq.com/")
    assert doc.raw_text[doc.body_start :].lstrip().startswith("# 美国政府发布首份关于人工智能的国家安全备忘录")
    assert doc.raw_text == CORPUS_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "corpus").glob("*.txt")), ids=lambda p: p.name)
def test_every_bundled_corpus_file_loads(path: Path) -> None:
    doc = load_document(path)
    assert doc.metadata["title"]
    assert doc.raw_text[doc.body_start :].strip()


# ----------------------------------------------------------------------------------------------
# unreadable inputs
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.pdf", "empty.docx", "empty.html"])
def test_zero_byte_file(tmp_path: Path, name: str) -> None:
    assert_unreadable(write(tmp_path, name, b""), "empty file")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ws.txt", b"  \n\t\r\n  "),
        ("ws.md", "\u3000\n \n".encode()),  # ideographic space
        ("ws16.txt", "   \n".encode("utf-16")),
        ("fm_only.md", b"---\ntitle: x\n---\n\n"),
        ("blank.html", b"<html><head><title>t</title><script>x()</script></head><body> </body></html>"),
    ],
)
def test_whitespace_only_file(tmp_path: Path, name: str, data: bytes) -> None:
    assert_unreadable(write(tmp_path, name, data), "empty file")


def test_binary_renamed_to_txt(tmp_path: Path) -> None:
    assert_unreadable(write(tmp_path, "image.txt", RNG.randbytes(2048) + b"\x00"), "binary file, not text")
    assert_unreadable(write(tmp_path, "doc.md", make_pdf(["x"]).replace(b"%PDF", b"\x00\x01")), "binary")


@pytest.mark.parametrize(("name", "shown"), [("sheet.xyz", ".xyz"), ("archive.ZIP", ".zip"), ("README", "(none)")])
def test_unsupported_suffix(tmp_path: Path, name: str, shown: str) -> None:
    assert_unreadable(write(tmp_path, name, b"hello"), re.escape(f"unsupported file type {shown}"))


def test_unsupported_suffix_checked_before_reading(tmp_path: Path) -> None:
    assert_unreadable(tmp_path / "missing.xyz", "unsupported file type .xyz")


def test_missing_file(tmp_path: Path) -> None:
    assert_unreadable(tmp_path / "missing.txt", "cannot read file")


def test_oversized_file(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", "a" * 2048)
    assert_unreadable(path, r"too large.*limit \(1024 bytes\)", max_bytes=1024)
    assert load_document(path, max_bytes=2048).raw_text == "a" * 2048


def test_default_limit_comes_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rag import settings as settings_module

    monkeypatch.setattr(settings_module, "get_settings", lambda: settings_module.Settings(max_file_mb=0.001))
    assert_unreadable(write(tmp_path, "big.md", "x" * 5000), "too large")
    assert load_document(write(tmp_path, "small.md", "x" * 100)).raw_text == "x" * 100


# ----------------------------------------------------------------------------------------------
# pdf
# ----------------------------------------------------------------------------------------------


def test_pdf_two_pages(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "report.pdf", make_pdf(["Hello page one", "Second (page) two"], title="AI Report")))
    assert doc.raw_text == "Hello page one" + PDF_PAGE_SEPARATOR + "Second (page) two"
    assert [(p.number, p.start) for p in doc.pages] == [(1, 0), (2, len("Hello page one") + len(PDF_PAGE_SEPARATOR))]
    second = doc.raw_text.index("Second")
    assert doc.pages[1].start == second
    page_at = page_lookup(doc.page_starts)
    assert page_at(0) == 1 and page_at(second + 3) == 2
    assert doc.metadata == {"title": "AI Report"}
    assert doc.body_start == 0


def test_pdf_title_falls_back_to_stem_and_blank_pages_keep_numbering(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "no_title.pdf", make_pdf(["", "Only text here"])))
    assert doc.metadata["title"] == "no_title"
    assert [p.number for p in doc.pages] == [1, 2]
    assert page_lookup(doc.page_starts)(doc.raw_text.index("Only")) == 2


def test_pdf_declared_language(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "en.pdf", make_pdf(["English text"], lang="en-US")))
    assert doc.metadata == {"title": "en", "language": "en-US"}


def test_pdf_page_that_fails_to_extract_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PageObject

    original = PageObject.extract_text

    def flaky(self, *args, **kwargs):
        if "Broken" in self.get_contents().get_data().decode("latin-1"):
            raise ValueError("bad content stream")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PageObject, "extract_text", flaky)
    doc = load_document(write(tmp_path, "partly.pdf", make_pdf(["Good page", "Broken page"])))
    assert doc.raw_text == "Good page" + PDF_PAGE_SEPARATOR
    assert [p.number for p in doc.pages] == [1, 2]
    assert_unreadable(write(tmp_path, "broken.pdf", make_pdf(["Broken page"])), "corrupt PDF: bad content stream")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (RNG.randbytes(1024), "corrupt PDF"),
        (b"%PDF-1.4\n" + RNG.randbytes(512), "corrupt PDF"),
        (make_pdf(["Hello page one", "Second"])[:300], "corrupt PDF"),
        (make_pdf(["Hello page one", "Second"])[:-60], "corrupt PDF"),
    ],
    ids=["random", "header-then-garbage", "truncated-early", "truncated-late"],
)
def test_corrupt_pdf(tmp_path: Path, data: bytes, message: str) -> None:
    assert_unreadable(write(tmp_path, "bad.pdf", data), message)


def test_encrypted_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader

    source = PdfReader(io.BytesIO(make_pdf(["secret text"])))

    def build(writer) -> None:
        writer.append(source)
        writer.encrypt("pw")

    assert_unreadable(write(tmp_path, "locked.pdf", pdf_via_writer(build)), "encrypted PDF")


def test_pdf_with_empty_user_password_is_readable(tmp_path: Path) -> None:
    from pypdf import PdfReader

    source = PdfReader(io.BytesIO(make_pdf(["open text"])))

    def build(writer) -> None:
        writer.append(source)
        writer.encrypt(user_password="", owner_password="owner")

    assert load_document(write(tmp_path, "restricted.pdf", pdf_via_writer(build))).raw_text == "open text"


def test_blank_page_pdf(tmp_path: Path) -> None:
    data = pdf_via_writer(lambda w: (w.add_blank_page(612, 792), w.add_blank_page(612, 792)))
    assert_unreadable(write(tmp_path, "scan.pdf", data), r"no extractable text \(scanned/image-only PDF\?\)")


# ----------------------------------------------------------------------------------------------
# docx
# ----------------------------------------------------------------------------------------------


def test_docx_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "policy.docx"))
    assert doc.raw_text.split("\n") == [
        "# 人工智能安全治理",
        "第一段：总体要求。",
        "## Scope",
        "This policy applies to all agencies.",
        "条款 | 内容",
    ]
    assert doc.metadata["title"] == "人工智能安全治理"
    assert doc.pages == [] and doc.body_start == 0


def test_docx_title_from_core_properties(tmp_path: Path) -> None:
    assert load_document(make_docx(tmp_path / "p.docx", title="Core Title")).metadata["title"] == "Core Title"


def test_docx_title_falls_back_to_stem(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Just a paragraph.")
    d.save(str(tmp_path / "memo_2024.docx"))
    doc = load_document(tmp_path / "memo_2024.docx")
    assert doc.metadata["title"] == "memo_2024"
    assert doc.raw_text == "Just a paragraph."


def test_docx_without_text(tmp_path: Path) -> None:
    import docx

    docx.Document().save(str(tmp_path / "blank.docx"))
    assert_unreadable(tmp_path / "blank.docx", "empty file")


def test_corrupt_docx(tmp_path: Path) -> None:
    assert_unreadable(write(tmp_path, "bad.docx", RNG.randbytes(600)), "corrupt DOCX")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a word document")
    assert_unreadable(write(tmp_path, "zip.docx", buf.getvalue()), "corrupt DOCX")
    good = (make_docx(tmp_path / "good.docx")).read_bytes()
    assert_unreadable(write(tmp_path, "truncated.docx", good[: len(good) // 2]), "corrupt DOCX")


# ----------------------------------------------------------------------------------------------
# html
# ----------------------------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>网络安全法 | 政府网</title>
<style>body { color: red }</style><script>var tracking = "SECRET";</script></head>
<body><nav><a href="/">首页</a> 导航菜单</nav>
<h1>中华人民共和国网络安全法</h1>
<p>第一条　为了保障网络安全，
维护网络空间主权。</p>
<h2>第二章 <em>网络安全支持</em></h2>
<ul><li>第一项</li><li>Item <b>two</b></li></ul>
<div>Plain <span>inline</span> text.<br>Next line</div>
<footer>版权所有 footer text</footer></body></html>
"""


def test_html_page(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "law.html", HTML_PAGE))
    lines = doc.raw_text.split("\n")
    assert lines == [
        "# 中华人民共和国网络安全法",
        "第一条　为了保障网络安全，维护网络空间主权。",
        "## 第二章 网络安全支持",
        "- 第一项",
        "- Item two",
        "Plain inline text.",
        "Next line",
    ]
    for dropped in ("SECRET", "color", "导航菜单", "footer text"):
        assert dropped not in doc.raw_text
    assert doc.metadata == {"title": "网络安全法 | 政府网", "language": "zh-CN"}
    assert doc.encoding == "utf-8"


def test_html_meta_charset_gbk_and_h1_title(tmp_path: Path) -> None:
    html = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><h1>通知</h1><p>{SIMPLIFIED}</p></body></html>'
    doc = load_document(write(tmp_path, "notice.htm", html, encoding="gbk"))
    assert doc.encoding == "gb18030"
    assert doc.metadata == {"title": "通知"}
    assert doc.raw_text == f"# 通知\n{SIMPLIFIED}"


def test_html_big5_without_declaration_and_stem_title(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "tw_page.html", f"<p>{TRADITIONAL}</p>", encoding="big5"))
    assert doc.encoding == "big5"
    assert doc.raw_text == TRADITIONAL
    assert doc.metadata == {"title": "tw_page"}
