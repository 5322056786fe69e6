"""rag.ingest.gloss: a passage's terms in the other language, and the question's words scored over them."""

from __future__ import annotations

import pytest
from helpers.fakes import FakeEmbedder

from rag.ingest.gloss import GlossStatistics, passage_gloss
from rag.ingest.index import Index
from rag.retrieval.retriever import Retriever
from rag.retrieval.statistics import IndexStatistics
from rag.settings import Settings
from rag.text.english import MONTHS
from rag.text.lexical import tokenize
from rag.text.lexicon import BilingualLexicon

BODIES = "人工智能安全研究所网络将与国际标准化组织等机构合作，于2025年制定标准（ISO）。"
FUNDING = "英国人工智能安全研究所获得了1亿英镑的初始资金。"


@pytest.fixture(scope="module")
def lex() -> BilingualLexicon:
    return BilingualLexicon.load()


def test_a_chinese_passage_is_glossed_with_all_senses_of_its_terms(lex: BilingualLexicon) -> None:
    gloss = passage_gloss(BODIES, tokenize(BODIES), "zh", lex, Settings(_env_file=None)).split()
    # 机构: agency, mechanism, structure, organization, institution (its first four glosses kept)
    assert {*tokenize("agency organization"), *tokenize("standard"), *tokenize("international")} <= set(gloss)
    assert {"2025", "iso"} <= set(gloss)  # numbers and Latin names as they are
    assert not any("\u4e00" <= token[0] <= "\u9fff" for token in gloss)


def test_chinese_months_are_glossed_with_their_english_names(lex: BilingualLexicon) -> None:
    text = "2024年4月，美国和英国签署了合作备忘录；12月生效。"
    gloss = passage_gloss(text, tokenize(text), "zh", lex, Settings(_env_file=None)).split()
    month_names = {token for month in MONTHS for token in tokenize(month)}
    assert month_names & set(gloss) == {"april", *tokenize("December")}  # 2024年 is a year, not a month
    assert "2024" in gloss
    assert {"us", "uk"} <= set(gloss)  # 美国, 英国: the acronyms an English question writes


def test_an_english_passage_is_glossed_in_chinese(lex: BilingualLexicon) -> None:
    text = "The institute received initial funding of 100 million pounds in 2023."
    gloss = passage_gloss(text, tokenize(text), "en", lex, Settings(_env_file=None)).split()
    assert {"研究所", "资金", "2023"} <= set(gloss)


def test_no_gloss_without_a_lexicon_or_for_another_language(lex: BilingualLexicon) -> None:
    settings = Settings(_env_file=None)
    assert passage_gloss(BODIES, tokenize(BODIES), "zh", None, settings) == ""
    assert passage_gloss("Bonjour", ["bonjour"], "fr", lex, settings) == ""


def test_score_is_bm25_over_glosses_of_one_language() -> None:
    glosses = [("zh", "agenc organ standard"), ("zh", "fund institut"), ("zh", "institut standard"), ("en", "研究所")]
    stats = GlossStatistics.from_glosses(glosses)
    assert stats.passages == {"zh": 3, "en": 1}
    question = tokenize("Which standards bodies or organizations?")
    first, second = (stats.score(question, "zh", g) for _, g in glosses[:2])
    assert first > 0 and second == 0
    # a rarer word weighs more: "organization" is glossed once, "standard" twice
    assert stats.score(tokenize("organization"), "zh", glosses[0][1]) > stats.score(
        tokenize("standard"), "zh", glosses[0][1])
    assert stats.score(question, "en", "研究所") == 0  # other language, other statistics
    assert GlossStatistics().score(question, "zh", glosses[0][1]) == 0


def test_ingest_stores_glosses_and_search_scores_other_language_passages(backend_settings: Settings) -> None:
    settings = backend_settings.model_copy(update={"chunk_max_tokens": 40, "chunk_overlap_tokens": 0})
    (settings.corpus_dir / "brief.txt").write_text(f"{BODIES}\n{FUNDING}", encoding="utf-8")
    (settings.corpus_dir / "note.md").write_text("Standards bodies publish standards.", encoding="utf-8")
    with Index.open(settings, FakeEmbedder()) as index:
        index.ingest([settings.corpus_dir])
        statistics = IndexStatistics(index)
        assert statistics.gloss_statistics().passages == {"zh": 2, "en": 1}
        assert statistics.gloss_statistics() is statistics.gloss_statistics()  # read once per state of the index
        lexicon = BilingualLexicon.load()
        retriever = Retriever(index, settings, expand_terms=lambda text, target: lexicon.expand_query(text, target))
        hits = retriever.run("Which standards bodies will the network work with?", k=5).hits
        by_text = {h.text: h.features["passage_gloss"] for h in hits}
        assert by_text[BODIES] > by_text.get(FUNDING, 0.0)
        same_language = [h for h in hits if h.language == "en"]
        assert same_language and all(h.features["passage_gloss"] == 0.0 for h in same_language)


def test_score_matches_bm25s_lucene_up_to_its_constant_factor() -> None:
    """Parity with a reference BM25: bm25s's "lucene" variant has the same IDF and length norm and
    leaves out the numerator's (k1 + 1), a constant that does not change any ranking."""
    import bm25s
    import numpy as np

    from rag.text.lexical import BM25_B, BM25_K1

    glosses = ["agenc organ standard standard", "fund institut", "institut standard iso 2025", "organ", "2025 fund fund"]
    reference = bm25s.BM25(k1=BM25_K1, b=BM25_B, method="lucene")
    reference.index([g.split() for g in glosses], show_progress=False)
    stats = GlossStatistics.from_glosses([("zh", g) for g in glosses])
    for question in (["standard", "organ", "iso", "absent"], ["fund", "2025"], ["institut"]):
        ours = np.array([stats.score(question, "zh", g) for g in glosses])
        np.testing.assert_allclose(ours, (BM25_K1 + 1) * reference.get_scores(question), rtol=1e-5)
