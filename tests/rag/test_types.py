"""rag.types: a citation shows its sentence without footnote marks and keeps the exact text and offsets."""

from __future__ import annotations

from rag.types import Citation


def cite(text: str) -> Citation:
    return Citation(n=1, doc="d.txt", title="", text=text, start=100, end=100 + len(text), page=None, score=1.0)


def test_a_citation_is_shown_without_footnote_marks_and_kept_exact() -> None:
    citation = cite("初始成员包括英国和美国31。")
    assert citation.shown == "初始成员包括英国和美国。"
    data = citation.to_json()
    assert data["shown"] == "初始成员包括英国和美国。" and data["text"] == "初始成员包括英国和美国31。"
    assert data["end"] - data["start"] == len(data["text"])  # the offsets cover the exact sentence, mark included
    plain = cite("研究所成立于2023年，有员工31人。")  # numbers that are values stay
    assert plain.shown == plain.text
