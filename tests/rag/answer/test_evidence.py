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
