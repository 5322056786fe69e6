"""rag.answer.evidence: sentence scoring (own coverage, passage context, passage retrieval score)."""

from __future__ import annotations

from rag.answer.evidence import relative_scores, score_sentences
from rag.retrieval.query import plain_query
from rag.text.lexical import tokenize
from rag.text.terms import same_language_groups
from rag.types import SearchHit


def hit(text: str, score: float, doc_hash: str) -> SearchHit:
    return SearchHit(doc=f"{doc_hash}.txt", title="", section="", page=None, text=text, start=0, end=len(text),
                     score=score, language="zh", doc_hash=doc_hash, sentences=[(0, len(text), 0, len(text))])


def test_relative_scores() -> None:
    assert relative_scores([hit("a", 3.0, "a"), hit("b", 1.0, "b"), hit("c", 2.0, "c")]) == [1.0, 0.0, 0.5]
    assert relative_scores([hit("a", 2.0, "a"), hit("b", 2.0, "b")]) == [1.0, 1.0]
    assert relative_scores([]) == []


def test_a_confident_passage_lifts_its_sentence_over_an_equally_covering_one() -> None:
    groups = same_language_groups(tokenize("国家安全机构率先开发了哪些技术"))
    sure = hit("他们率先开发了雷达等技术。", 9.0, "sure")
    weak = hit("国家安全机构开发技术。", 1.0, "weak")
    plain = score_sentences([weak, sure], plain_query("国家安全机构率先开发了哪些技术", "zh", terms=groups), max_passages=5)
    assert plain[0].hit is weak  # more of the question's words
    lifted = score_sentences([weak, sure], plain_query("国家安全机构率先开发了哪些技术", "zh", terms=groups), max_passages=5, passage_weight=1.0)
    assert lifted[0].hit is sure


def test_sentences_with_a_url_are_never_evidence() -> None:
    from rag.answer.evidence import passage_sentences

    text = "清华大学国际安全研究中心发布简报。<http://ciss.tsinghua.edu.cn> 北京市海淀区。"
    first = len("清华大学国际安全研究中心发布简报。")
    passage = hit(text, 1.0, "a")
    passage.sentences = [(0, first, 0, first), (first, len(text), first, len(text))]
    assert [s.text for s in passage_sentences(passage, 0)] == ["清华大学国际安全研究中心发布简报。"]


def test_the_rest_of_a_sentence_cut_by_a_page_is_never_evidence() -> None:
    """003: a PDF page break with the page's notes between "…这是全球首" and "个国家级人工智能安全研究所，…"."""
    from rag.answer.evidence import passage_sentences

    lines = ["10 安远AI, “前沿大模型的风险、安全与治理”, 2023-10-29, https://mp.weixin.qq.com/s/x.",
             "个国家级人工智能安全研究所，美国副总统宣布将成立美国人工智能安全研究所。", "“人工智能安全研究所”概念呈现发展势头。"]
    text = "\n".join(lines)
    passage = hit(text, 1.0, "a")
    passage.sentences = [(text.index(line), text.index(line) + len(line), 0, 0) for line in lines[1:]]
    assert [s.text for s in passage_sentences(passage, 0)] == [lines[2]]



def test_a_piece_that_neither_starts_nor_ends_a_sentence_is_never_evidence() -> None:
    from rag.answer.evidence import is_fragment, passage_sentences

    pieces = ["The Secretary shall, within 90 days", "and after consulting the agencies", "propose rules."]
    text = " ".join(pieces)
    spans, at = [], 0
    for piece in pieces:
        spans.append((at, at + len(piece), at, at + len(piece)))
        at += len(piece) + 1
    passage = hit(text, 1.0, "a")
    passage.sentences = spans
    found = passage_sentences(passage, 0)
    assert [s.text for s in found] == [pieces[0], pieces[2]]  # the middle piece stays in the passage only
    assert [s.position for s in found] == [0, 2]
    # a line of its own, or a piece that starts or ends a sentence, is no fragment
    assert not is_fragment("标题\n初始资金1亿英镑 ，\n下一行", 3, 12)
    assert not is_fragment(text, *spans[0][:2]) and not is_fragment(text, *spans[2][:2])
    assert is_fragment(text, *spans[1][:2])
