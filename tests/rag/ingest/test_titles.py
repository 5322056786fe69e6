"""rag.ingest.titles: a display title from a document's own title line when its file declares none; it is
shown to people and kept out of the embeddings and the evidence scoring."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.fakes import FakeEmbedder

from rag.ingest.index import Index
from rag.ingest.loaders import load_document
from rag.ingest.titles import subject_line, title_line
from rag.settings import Settings

COVER = """2024 年第 1 期（总第 11 期）

人工智能与国际安全研究动态

ARTIFICIAL INTELLIGENCE
AND INTERNATIONAL SECURITY STUDIES

人工智能安全研究所国际网络会议前瞻

清华大学战略与安全研究中心

人工智能安全研究所国际网络会议前瞻

编者按：为推进人工智能与国际安全领域的相关研究，研究团队定期跟踪最新国际研究动态。
"""


def test_the_line_the_cover_repeats_on_the_title_page_is_the_title() -> None:
    assert title_line(COVER) == "人工智能安全研究所国际网络会议前瞻"  # not the issue line, the series or the caps


@pytest.mark.parametrize(("body", "title"), [
    ("执行摘要\n自英国和美国率先成立国家级人工智能安全研究所以来，安远AI始终密切关注。\n1. 背景\n", None),  # generic, numbered
    ("ARTIFICIAL INTELLIGENCE REVIEW\n\nThe institute was set up in 2023.\n", None),  # a capitals cover line
    ("plain text without headings\n", None),  # running text, not a title
    ("3.3.2 美国人工智能安全研究所（US AISI）\n美国人工智能安全研究所设在NIST。\n", None),  # a section head
    ("全球人工智能安全治理报告\n\n第一章 总则\n本报告分析了各国的做法。\n", "全球人工智能安全治理报告"),
])
def test_only_a_title_like_line_is_taken(body: str, title: str | None) -> None:
    assert title_line(body) == title


def test_a_text_file_without_front_matter_shows_its_title_line(tmp_path: Path) -> None:
    plain = tmp_path / "002_4adc3ade6742d2ec.txt"
    plain.write_text(COVER, encoding="utf-8")
    meta = load_document(plain).metadata
    assert meta == {"title": "002_4adc3ade6742d2ec", "display_title": "人工智能安全研究所国际网络会议前瞻"}
    declared = tmp_path / "declared.txt"
    declared.write_text("---\ntitle: 声明的标题\n---\n" + COVER, encoding="utf-8")
    assert load_document(declared).metadata["title"] == "声明的标题"  # front matter wins
    assert "display_title" not in load_document(declared).metadata


def test_the_shown_title_reaches_people_not_the_scoring(settings: Settings, tmp_path: Path) -> None:
    corpus = tmp_path / "lib"
    corpus.mkdir()
    (corpus / "002_4adc3ade6742d2ec.txt").write_text(COVER, encoding="utf-8")
    embedder = FakeEmbedder()
    with Index.open(settings, embedder) as index:
        assert index.ingest([corpus]).ok
        assert [r.title for r in index.documents()] == ["人工智能安全研究所国际网络会议前瞻"]
        payloads = [p.payload for p in index.store.scroll(["title", "context_title"])]
    assert {p["title"] for p in payloads} == {"人工智能安全研究所国际网络会议前瞻"}
    assert {p["context_title"] for p in payloads} == {"002_4adc3ade6742d2ec"}  # what embeddings and scoring read


OPENING = ("执⾏摘要\n⾃英国和美国率先成⽴国家级⼈⼯智能安全研究所以来，\n\n安远AI始终密切关注和分析其演进过程。本⽂分析了当前多个"
           "国家级⼈⼯智能安全研究所及其\n\n国际⽹络的设⽴背景、进展、对⽐和挑战，旨在为中国提供参考。\n\n1. 背景\n")


@pytest.mark.parametrize(("body", "subject"), [
    (OPENING, "多个国家级人工智能安全研究所及其国际网络的设立背景、进展、对比和挑战"),  # joined across the PDF's lines, folded
    ("Summary\n\nThis report examines the funding of national AI safety institutes. It finds…\n",
     "Funding of national AI safety institutes"),
    ("执行摘要\n安远AI始终密切关注和分析其演进过程。\n1. 背景\n", None),  # no statement of the subject: the file name stands
    ("This report was prepared by the secretariat.\n", None),  # "this report" without a verb of analysis
])
def test_the_subject_the_opening_states_is_the_title_when_there_is_no_title_line(body: str, subject: str | None) -> None:
    assert subject_line(body) == subject


def test_a_title_line_wins_over_the_stated_subject(tmp_path: Path) -> None:
    path = tmp_path / "brief.txt"
    path.write_text(COVER + "本文介绍了人工智能安全研究所国际网络首次会议的背景和议程。\n", encoding="utf-8")
    assert load_document(path).metadata["display_title"] == "人工智能安全研究所国际网络会议前瞻"
    path.write_text(OPENING, encoding="utf-8")
    assert load_document(path).metadata["display_title"] == "多个国家级人工智能安全研究所及其国际网络的设立背景、进展、对比和挑战"


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parents[3] / "corpus").glob("*.txt")), ids=lambda p: p.name)
def test_every_bundled_document_has_a_real_title(path: Path) -> None:
    meta = load_document(path).metadata
    shown = str(meta.get("display_title") or meta.get("title"))
    assert shown != path.stem and len(shown) >= 8 and not shown.startswith(("#", "title:"))


def test_a_document_without_title_or_subject_keeps_its_file_name(tmp_path: Path) -> None:  # the negative beside it
    path = tmp_path / "003_notes.txt"
    path.write_text("执行摘要\n安远AI始终密切关注和分析其演进过程。\n1. 背景\n", encoding="utf-8")
    meta = load_document(path).metadata
    assert str(meta.get("display_title") or meta.get("title")) == "003_notes"
