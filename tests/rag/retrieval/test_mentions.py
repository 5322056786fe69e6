"""rag.retrieval.mentions: the documents a question names, found by pattern and resolved by whole-document BM25."""

from __future__ import annotations

import pytest
from helpers.fakes import FakeEmbedder

from rag.ingest.index import Index
from rag.retrieval.mentions import (
    DocumentTerms,
    mention_phrases,
    mention_terms,
    strip_mentions,
)
from rag.retrieval.retriever import Retriever
from rag.retrieval.statistics import IndexStatistics
from rag.settings import Settings
from rag.text.lexical import tokenize
from rag.text.lexicon import BilingualLexicon
from rag.types import SearchResult


@pytest.mark.parametrize(("question", "phrases"), [
    ("Why did the institute open an office in Paris, according to the Northwind AI report?",
     ["the Northwind AI report"]),
    ("How does Acme's response to the Green Energy Plan describe subsidies?",
     ["Acme's response to the Green Energy Plan"]),
    ("Is it true that the Oxford policy brief calls for a licence?", ["the Oxford policy brief"]),
    ("According to the Lisbon memorandum, who pays?", ["the Lisbon memorandum"]),
    ("Which agencies will issue guidance on cybersecurity?", []),
    # a description, not a name: the question's subject, not its source
    ("What is the medical report written for?", []),
    ("The analysis of sections is done by who?", []),
])
def test_english_mentions_are_names_ending_in_a_document_noun(question: str, phrases: list[str]) -> None:
    assert mention_phrases(question, "en") == phrases


@pytest.mark.parametrize(("question", "phrases"), [
    ("据北风AI报告，英国研究所获得了多少资金？", ["北风AI报告"]),
    ("关于欧盟办公室，《全球人工智能治理》一文与北风AI的报告分别如何描述？", ["《全球人工智能治理》一文", "北风AI的报告"]),
    ("英国研究所获得了多少资金？", []),
    ("根据《苏格兰法令》的条款，议会将在何处建立？", ["《苏格兰法令》"]),
    # a bare title is the question's subject; a question word asks for the source
    ("《京都议定书》试图应对什么问题？", []),
    ("医疗报告是为谁而写？", []),
    ("这座桥的命名是根据哪两篇文章？", []),
])
def test_chinese_mentions_are_cited_titles_or_names_with_a_document_noun(question: str, phrases: list[str]) -> None:
    assert mention_phrases(question, "zh") == phrases


def test_strip_mentions_leaves_the_question_s_focus() -> None:
    question = "Why did the institute open an office, according to the Northwind AI report?"
    assert strip_mentions(question, ["the Northwind AI report"]) == "Why did the institute open an office, ?"
    assert strip_mentions("According to the Lisbon memorandum, who pays?", ["the Lisbon memorandum"]) == ", who pays?"
    assert strip_mentions(question, []) == question


def test_mention_terms_drop_generic_document_nouns_and_add_translations() -> None:
    def expand(text: str, target: str) -> list[tuple[str, float]]:
        assert "report" not in text  # the generic noun is not translated either
        return [("北风", 1.0)] if target == "zh" else []

    terms = mention_terms("the Northwind AI report", "en", expand)
    assert "report" not in terms and set(tokenize("Northwind")) <= set(terms) and "北风" in terms
    assert "备忘录" in mention_terms("里斯本备忘录", "zh", None)  # a specific document noun is evidence
    assert "报告" not in mention_terms("北风AI报告", "zh", None)


def test_resolve_names_a_document_only_when_it_clearly_leads() -> None:
    documents = DocumentTerms()
    documents.add("northwind", ["研究所", "资金", "northwind"], "institut fund northwind")
    documents.add("tsinghua", ["研究所", "资金", "清华"], "institut fund tsinghua univers")
    documents.add("other", ["资金"], "fund")
    assert documents.resolve(["northwind"], min_score=0.5, min_lead=1.25) == "northwind"
    assert documents.resolve(["institut", "fund"], min_score=0.1, min_lead=1.25) is None  # no clear leader
    assert documents.resolve(["northwind"], min_score=100.0, min_lead=1.25) is None  # too weak
    assert DocumentTerms().resolve(["northwind"], min_score=0.0, min_lead=1.0) is None


def test_document_scores_match_bm25s_lucene_up_to_its_constant_factor() -> None:
    """Parity with a reference BM25 over whole documents (bm25s's "lucene" variant leaves out the
    numerator's constant k1 + 1)."""
    import bm25s
    import numpy as np

    from rag.text.lexical import BM25_B, BM25_K1

    docs = {"a": "northwind fund fund institut", "b": "tsinghua institut", "c": "fund", "d": "institut institut iso"}
    documents = DocumentTerms()
    for name, text in docs.items():
        documents.add(name, text.split()[:2], " ".join(text.split()[2:]))
    reference = bm25s.BM25(k1=BM25_K1, b=BM25_B, method="lucene")
    reference.index([text.split() for text in docs.values()], show_progress=False)
    for terms in (["northwind", "fund"], ["institut", "iso", "absent"]):
        scores = documents.scores(terms)
        ours = np.array([scores[name] for name in docs])
        np.testing.assert_allclose(ours, (BM25_K1 + 1) * reference.get_scores(terms), rtol=1e-5)


NORTHWIND = ("# 北风AI（Northwind AI）年度报告\n\n北风AI（Northwind AI）发布人工智能安全研究所年度报告。\n\n"
             "# 资金\n\n英国人工智能安全研究所获得了1亿英镑的初始资金。\n")
TSINGHUA = "# 简报\n\n英国人工智能安全研究所获得了1000万英镑的初始资金。\n"


def test_a_named_document_is_resolved_and_its_passages_gain(backend_settings: Settings) -> None:
    settings = backend_settings
    (settings.corpus_dir / "northwind.md").write_text(NORTHWIND, encoding="utf-8")
    (settings.corpus_dir / "tsinghua.md").write_text(TSINGHUA, encoding="utf-8")
    lexicon = BilingualLexicon.load()
    question = "How much initial funding did the UK AI Safety Institute receive, according to the Northwind AI report?"
    with Index.open(settings, FakeEmbedder()) as index:
        index.ingest([settings.corpus_dir])
        assert set(IndexStatistics(index).document_terms().counts) == index.visible_hashes()
        retriever = Retriever(index, settings, expand_terms=lexicon.expand_query)

        def lead_of_northwind(result: SearchResult) -> float:
            assert result.hits[0].doc == "northwind.md" and "1亿英镑" in result.hits[0].text
            return result.hits[0].score - next(h.score for h in result.hits if h.doc == "tsinghua.md")

        named = retriever.run(question, k=3)
        assert named.named_documents == ["northwind.md"]
        unmentioned = settings.model_copy(update={"document_mentions": False})
        unnamed = Retriever(index, unmentioned, expand_terms=lexicon.expand_query).run(question, k=3)
        assert unnamed.named_documents == []
        assert lead_of_northwind(named) > lead_of_northwind(unnamed) + 1.0
        assert retriever.run(question, k=2, docs=["tsinghua.md"]).named_documents == []  # outside the user's choice
        assert retriever.run(question, k=2, docs=["northwind.md"]).named_documents == ["northwind.md"]
        # a question that names no document, or none that can be told apart, changes nothing
        assert retriever.run("How much initial funding did the institute receive?").named_documents == []
        assert retriever.run("According to the report, how much funding?").named_documents == []
