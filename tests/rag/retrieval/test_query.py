"""rag.retrieval.query: the question analysed once (QueryAnalyzer → Query), and clean_question: a huge question is cut before any other work (issue 19, item 3).

Measured by the work done (how many characters reach the folding step), not by the clock: a 10 MB
question must cost what its first ``max_chars`` characters cost.
"""

from __future__ import annotations

import pytest

from rag.retrieval import query as query_module
from rag.retrieval.query import clean_question

LIMIT = 2000
HUGE = "美国国家安全备忘录\x00要求\u3000什么？ " * 650_000  # 10.4 M characters (~27 MB of UTF-8)


@pytest.fixture
def folded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of every text clean_question folds."""
    lengths: list[int] = []
    real = query_module.fold_text

    def spy(text: str) -> str:
        lengths.append(len(text))
        return real(text)

    monkeypatch.setattr(query_module, "fold_text", spy)
    return lengths


def test_a_huge_question_is_cut_before_it_is_cleaned(folded: list[int]) -> None:
    assert len(HUGE) > 10_000_000
    cleaned = clean_question(HUGE, LIMIT)
    assert folded == [LIMIT]  # folded once, the first LIMIT characters only (not 10 M)
    assert 0 < len(cleaned) <= LIMIT and "\x00" not in cleaned and "  " not in cleaned
    assert cleaned == clean_question(HUGE[:LIMIT], LIMIT)  # the same work and result as a 2,000-character one
    assert folded == [LIMIT, LIMIT]


def test_short_questions_are_cleaned_as_before(folded: list[int]) -> None:
    assert clean_question("  美国\x07国家安全备忘录\n\n要求？ ", LIMIT) == "美国 国家安全备忘录 要求？"
    assert clean_question(None, LIMIT) == "" and clean_question(12, LIMIT) == "12"
    assert len(clean_question("ｘ" * 5000, 100)) == 100  # folded (full width → ASCII) and capped
    assert max(folded) <= LIMIT


# --- QueryAnalyzer: one analysis per question -------------------------------------------------------
from helpers.fakes import FakeEmbedder  # noqa: E402

from rag.retrieval.query import QueryAnalyzer, plain_query  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.text.lexical import tokenize  # noqa: E402

FUNDING_ZH = "英国人工智能安全研究所获得了多少初始资金？"


class RecordingEmbedder(FakeEmbedder):
    """The fake embedder, recording each batch of query texts it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def embed_queries(self, texts):  # type: ignore[no-untyped-def]
        self.batches.append(list(texts))
        return super().embed_queries(texts)


def dictionary(text: str, target: str) -> list[frozenset[str]]:
    """A two-word dictionary for the tests: per source word, its translations."""
    return [frozenset({"funding", "funds"})] if "资金" in text else []


def test_the_query_holds_what_every_stage_reads() -> None:
    query = QueryAnalyzer(Settings(_env_file=None)).run(f"  {FUNDING_ZH}\x07 ")
    assert query.text == FUNDING_ZH and query.language == "zh" and query.other_language == "en"
    assert query.tokens == tuple(tokenize(FUNDING_ZH)) and query.focus == query.text
    assert query.answer_kind == "money" and not query.asks_date and query.sought is not None
    assert query.terms and all(w > 0 for _, w in query.terms)
    assert query.cross_terms == [] and query.translated_terms == {} and query.vector is None  # no dictionary, no model
    other = QueryAnalyzer(Settings(_env_file=None)).run("When was the AI Office set up?")
    assert other.language == "en" and other.answer_kind is None and other.asks_date  # negative: another kind asked


def test_dictionary_groups_are_one_kind_and_the_vectors_are_embedded_in_one_batch() -> None:
    embedder = RecordingEmbedder()
    analyzer = QueryAnalyzer(Settings(_env_file=None), embed_queries=embedder.embed_queries,
                             expand_terms=lambda text, target: [("funding", 1.0), ("funds", 0.6)],
                             search_translations=dictionary, evidence_groups=dictionary)
    query = analyzer.run(FUNDING_ZH)
    assert query.translated_terms == {"funding": 1.0, "funds": 0.6}
    # one kind of group for retrieval and evidence: per source word its translations, same weight
    weight = Settings(_env_file=None).coverage_cross_group_weight
    assert query.search_groups == query.cross_terms == [((frozenset({"fund"}), frozenset({"fund"})), weight)]
    assert embedder.batches == [[FUNDING_ZH, query.gloss]] and query.gloss  # the question and its gloss, once
    assert query.vector is not None and query.cross_vector is query.gloss_vector is not None
    assert query.translation_vector is None
    english = analyzer.run("How much AI funding did the UK give?")
    bonus = [g for g in english.search_groups if g[1] < 0]  # its Latin words count where a passage holds them
    assert bonus and bonus == [g for g in english.cross_terms if g[1] < 0]


def test_an_llm_translation_replaces_the_gloss() -> None:
    embedder = RecordingEmbedder()
    settings = Settings(_env_file=None, translate_queries=True)
    analyzer = QueryAnalyzer(settings, embed_queries=embedder.embed_queries,
                             expand_terms=lambda text, target: [("funding", 1.0)],
                             translate=lambda text, target: "How much initial funding did the UK institute get?")
    query = analyzer.run(FUNDING_ZH)
    assert query.gloss is None and embedder.batches == [[FUNDING_ZH, query.translation]]
    assert query.cross_vector is query.translation_vector is not None
    assert {"initial", "institut"} & set(query.translated_terms)  # its words join the translated terms


def test_an_empty_question_is_analysed_to_nothing() -> None:
    embedder = RecordingEmbedder()
    query = QueryAnalyzer(Settings(_env_file=None), embed_queries=embedder.embed_queries).run(" \x00 ")
    assert query.text == "" and query.tokens == () and embedder.batches == []


def test_plain_query_matches_the_analyzer_without_a_dictionary() -> None:
    analysed = QueryAnalyzer(Settings(_env_file=None)).run(FUNDING_ZH)
    plain = plain_query(FUNDING_ZH, "zh")
    assert (plain.tokens, plain.terms, plain.answer_kind) == (analysed.tokens, analysed.terms, analysed.answer_kind)
    assert plain_query(FUNDING_ZH, "zh", terms=[]).terms == []  # a field given overrides


def test_dictionary_groups_follow_the_longest_dictionary_entry() -> None:
    from rag.text.lexicon import BilingualLexicon

    lexicon = BilingualLexicon.load()
    analyzer = QueryAnalyzer(Settings(_env_file=None), search_translations=lexicon.translation_groups,
                             evidence_groups=lexicon.translation_groups)

    def translations(question: str) -> list[frozenset[str]]:
        return [frozenset(w for alt in alts for w in alt) for alts, weight in analyzer.run(question).search_groups
                if weight > 0]

    joined = translations("哪位研究人员首先使用氧气这个词？")  # jieba: 研究 / 人员; the dictionary: 研究人员
    assert joined[0] >= {"research", "worker"} and not any("staff" in g or "crew" in g for g in joined)
    apart = translations("研究的人员是谁？")  # negative: no entry spans the stop word, so two groups
    assert any("studi" in g for g in apart) and any("staff" in g for g in apart)
