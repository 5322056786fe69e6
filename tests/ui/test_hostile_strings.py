"""Hostile titles, file names, sections, publishers and questions in everything the UI builds (issue 19, item 2).

A document's title (front matter) ``<b>x</b><a href=…>[y](…)</a><img src=http://…>`` and a file named
``<i>n</i>[z](q).md`` go through the real Blocks (built over a fake-embedder index, no server): every
Markdown / HTML output (library messages, chat echo, status line, sources, claim view) must show them as
text — no tag, no Markdown link or image survives — and tables and dropdowns, which Gradio renders as
text, must hold them unchanged (escaping them there would show ``&lt;`` to the user).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
import pytest
from helpers.corpus import policy_text
from helpers.fakes import FakeEmbedder

from rag.app.safety import esc
from rag.app.service import PolicyQA
from rag.app.ui import build_ui
from rag.app.ui_render import (
    answer_message,
    claim_html,
    records_by_name,
    status_markdown,
)
from rag.ingest.index import Index
from rag.ingest.manifest import DocumentRecord
from rag.settings import Settings
from rag.types import Answer, Citation

TITLE = ('<b>x</b><a href="http://evil.example/a">[y](http://evil.example/l)</a>'
         "<img src=http://evil.example/i.png>![p](http://evil.example/p.png)")
PUBLISHER = "<img src=http://evil.example/pub.png>*pub* `code`"
FILE = "<i>n<i>[z](q)*s*.md"  # no "/": a file name cannot hold one
QUESTION = "<img src=http://evil.example/q.png>![q](http://evil.example/q2.png) [l](http://evil.example/l) 备忘录？"
LIVE = ("<b>x", "<i>n", "<a href=\"http://evil", "<img", "](http", "[y]", "[z]", "[l]", "![", "*pub*", "`code`")


def assert_inert(markup: str, *raw: str) -> None:
    """No hostile tag or Markdown link/image in ``markup``; each of ``raw`` appears escaped."""
    for fragment in LIVE:
        assert fragment not in markup, f"live {fragment!r} in {markup[:300]!r}"
    for text in raw:
        assert esc(text) in markup


def fn(demo: gr.Blocks, name: str) -> Any:
    fns = demo.fns.values() if isinstance(demo.fns, dict) else demo.fns
    return next(block_fn.fn for block_fn in fns if getattr(block_fn.fn, "__name__", "") == name)


def component(demo: gr.Blocks, elem_id: str) -> Any:
    return next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == elem_id)


@pytest.fixture
def hostile_ui(settings: Settings) -> tuple[gr.Blocks, PolicyQA, Path]:
    corpus = settings.corpus_dir
    (corpus / FILE).write_text(f"---\ntitle: '{TITLE}'\npublisher: '{PUBLISHER}'\n---\n\n{policy_text(1)}\n",
                               encoding="utf-8")
    for folder, number in (("sub1", 2), ("sub2", 3)):
        (corpus / folder).mkdir()
        (corpus / folder / "same.txt").write_text(policy_text(number), encoding="utf-8")
    qa = PolicyQA(Index.open(settings, FakeEmbedder()), settings)
    qa.ingest([corpus])
    record = next(r for r in qa.documents() if r.names == [FILE])
    assert record.title == TITLE and record.publisher == PUBLISHER  # the loader kept them as written
    yield build_ui(qa, settings), qa, corpus
    qa.close()


def choices_of(update: Any) -> list[tuple[str, str]]:
    return [tuple(c) for c in (update["choices"] if isinstance(update, dict) else update.choices)]


def test_library_table_and_pickers_hold_raw_text(hostile_ui) -> None:
    demo, _, _ = hostile_ui
    table = component(demo, "pqa-docs")
    assert table.datatype == "str"  # Gradio shows "str" cells as text (escape_html), never as HTML/Markdown
    frame = pd.DataFrame(table.value["data"], columns=table.value["headers"])
    assert TITLE in frame.iloc[:, 0].tolist() and PUBLISHER in frame.iloc[:, 4].tolist()
    assert FILE in frame.iloc[:, 5].tolist()
    assert sorted(f for f in frame.iloc[:, 5] if "same" in f) == ["sub1/same.txt", "sub2/same.txt"]
    for elem_id in ("pqa-doc-filter", "pqa-remove-choice"):
        labels = [label for label, _ in choices_of(component(demo, elem_id))]
        assert f"{TITLE} ({FILE})" in labels  # dropdown labels are rendered as text by Gradio
        assert not any("&lt;" in label or "&#" in label for label in labels)


def test_removed_message_escapes_title_and_path(hostile_ui) -> None:
    demo, qa, corpus = hostile_ui
    remove_document = fn(demo, "remove_document")
    key = next(v for label, v in choices_of(component(demo, "pqa-remove-choice")) if label.startswith(TITLE))
    out = remove_document(key, "en", [])
    message = out[component(demo, "pqa-library-msg")]
    assert_inert(message, TITLE, FILE)
    assert message.startswith("Removed “") and "deleted too" in message
    assert not (corpus / FILE).exists() and all(FILE not in r.names for r in qa.documents())
    # The refreshed library: no hostile document, the twins still told apart.
    assert [label for label, _ in choices_of(out[component(demo, "pqa-remove-choice")])] == [
        f"{r.title} (sub{i}/same.txt)" for i, r in ((1, _title(qa, "sub1")), (2, _title(qa, "sub2")))]
    assert_inert(out[component(demo, "pqa-status")])
    assert_inert(remove_document(key, "zh", [])[component(demo, "pqa-library-msg")])  # already gone


def _title(qa: PolicyQA, folder: str) -> DocumentRecord:
    doc_hash = next(h for p, h in qa.paths().items() if f"/{folder}/" in p)
    return next(r for r in qa.documents() if r.doc_hash == doc_hash)


def test_upload_messages_escape_file_names(hostile_ui, tmp_path: Path) -> None:
    demo, _, _ = hostile_ui

    class Progress:
        def __call__(self, *args: Any, **kwargs: Any) -> None: ...

    binary = tmp_path / "[z](q) ![w](x).txt"
    binary.write_bytes(bytes(range(256)) * 64)
    wrong_type = tmp_path / "[z](q)*b*.exe"
    wrong_type.write_bytes(b"MZ")
    out = fn(demo, "upload_files")([str(binary), str(wrong_type)], "en", [], progress=Progress())
    message = out[component(demo, "pqa-library-msg")]
    assert_inert(message, "[z](q) ![w](x).txt")
    assert message.count("\n") == 1 and "could not be indexed: binary file" in message


def test_chat_echoes_the_question_as_text(hostile_ui) -> None:
    demo, _, _ = hostile_ui
    messages, _, _ = next(fn(demo, "respond")(QUESTION, [], [], "all", "en"))  # the echo, before answering
    assert messages[0]["role"] == "user"
    assert_inert(messages[0]["content"], QUESTION)


def test_chat_cuts_a_huge_question_before_echoing_it(hostile_ui) -> None:
    demo, qa, _ = hostile_ui
    limit = qa.settings.max_question_chars
    messages, _, _ = next(fn(demo, "respond")("问" * 10_000_000, [], [], "all", "en"))
    assert messages[0]["content"] == "问" * limit  # not 10 M characters echoed back to the browser
    for elem_id in ("pqa-question", "pqa-claim"):
        assert component(demo, elem_id).max_length == limit  # the browser stops typing/pasting there


def test_status_line_escapes_the_model_names() -> None:
    status = {"embedding_model": TITLE, "generator": "<img src=x>", "documents": 1, "chunks": 2, "store": "s"}
    assert_inert(status_markdown(status, "en"), TITLE)


def hostile_citation(n: int = 1) -> Citation:
    return Citation(n=n, doc=FILE, title=TITLE, text="[l](http://evil.example/l) 句子。", start=0, end=5, page=1,
                    score=1.0, section=TITLE, date="2024-01-01", passage="<img src=x> [l](http://evil.example/l) 句子。")


def test_sources_and_claim_view_escape_titles_sections_and_publishers() -> None:
    record = DocumentRecord(doc_hash="h", names=[FILE], title=TITLE, language="zh", chunks=1, size_bytes=1,
                            publisher=PUBLISHER, source_url="javascript:alert(1)")
    answer = Answer(QUESTION, "en", "[l](http://evil.example/l) <img src=x> answer [1]", False, [hostile_citation()],
                    named_documents=[FILE])
    message = answer_message(answer, records_by_name([record]), "en", turn=1)
    assert_inert(message, TITLE, PUBLISHER, FILE)
    assert '<a class="pqa-cite" href="#src-1-1">[1]</a>' in message  # our own citation link still works
    assert "javascript:" not in message
    claim = Answer(QUESTION, "en", "The documents support this claim. Supporting: [1].", False,
                   [hostile_citation()], verdict="supported", notes=["for: [1]", "against: []"])
    assert_inert(claim_html(claim, records_by_name([record]), "en"), TITLE, PUBLISHER, FILE)


def test_an_opened_passage_escapes_its_footnotes() -> None:
    note = f"{TITLE} [l](http://evil.example/n) \" onmouseover=\"alert(1)"  # a note list is the document's text
    record = DocumentRecord(doc_hash="h", names=[FILE], title=TITLE, language="zh", chunks=1, size_bytes=1,
                            notes={"7": note})
    cited = Citation(**{**hostile_citation().__dict__, "passage_marks": [(3, 7)]})
    message = answer_message(Answer(QUESTION, "en", "answer [1]", False, [cited]), records_by_name([record]), "en", 1)
    assert_inert(message, note)
    assert f'title="{esc(note)}">7</a></sup>' in message and 'onmouseover="' not in message


def test_esc_shows_exactly_the_text() -> None:
    import html
    import re

    for text in (TITLE, PUBLISHER, FILE, QUESTION, "a_b*c*`d`|e|~f~ $x$ # h \\ & ' \""):
        assert html.unescape(esc(text)) == text
        outside_entities = re.sub(r"&#\d+;|&[a-z]+;", "", esc(text))
        assert not set(outside_entities) & set("<>\"'`*_[]~|$#\\&")
