"""rag.app.evaluate: a gold quote copied with its footnote marks is found in a passage indexed without them."""

from __future__ import annotations

from rag.app.evaluate import holds_quote

DOC = "003.txt"
NOTES = {DOC: frozenset({31, 63})}  # the document's note numbers (its record's note list)
QUOTE = "○ 与欧洲⼈⼯智能办公室展开技术对话63：聚焦于合成内容的⽔印和内容认证、"  # as the source file has it
INDEXED = "○ 与欧洲人工智能办公室展开技术对话：聚焦于合成内容的水印和内容认证、政府计算基础设施"  # the mark left out


def test_a_quote_is_compared_without_the_marks_its_documents_note_list_confirms() -> None:
    assert not holds_quote(DOC, INDEXED, DOC, QUOTE)  # literally, the mark "63" is missing from the passage
    assert holds_quote(DOC, INDEXED, DOC, QUOTE, notes=NOTES)
    kept = INDEXED.replace("对话：", "对话63：")  # an index whose passages keep the marks: found as well
    assert holds_quote(DOC, kept, DOC, QUOTE, notes=NOTES) and holds_quote(DOC, kept, DOC, QUOTE)


def test_a_number_that_is_no_mark_is_compared_as_it_stands() -> None:
    quote = "部长级会议的参与方包括31国政府。"  # 31 is a note of the document, but here a count before its unit
    assert holds_quote(DOC, quote, DOC, quote, 1.0, notes=NOTES)
    assert not holds_quote(DOC, quote.replace("31", ""), DOC, quote, 1.0, notes=NOTES)
    assert not holds_quote("other.txt", INDEXED, DOC, QUOTE, notes=NOTES)
