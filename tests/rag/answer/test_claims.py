"""rag.answer.claims: the offline claim comparison (amounts with units, negation, contraries)."""

from __future__ import annotations

import pytest

from rag.answer.claims import (
    Senses,
    contrary_conflict,
    negates_claim_terms,
    numbers_conflict,
    quantities,
    quoted_sentence,
    strip_claim,
    substitutions,
)
from rag.text.lexical import tokenize
from rag.text.lexicon import BilingualLexicon
from rag.text.terms import same_language_groups, translated_groups


@pytest.mark.parametrize(("text", "expected"), [
    ("资金规模为1亿美元", {(1e8, "USD")}),
    ("1000万美元 -总监", {(1e7, "USD")}),
    ("$100 million", {(1e8, "USD")}),
    ("初始资金1亿英镑", {(1e8, "GBP")}),
    ("7 percent of turnover, 7%", {(7.0, "%")}),
    ("2024年发布，见注46", set()),  # years and footnote marks carry no unit: never compared
])
def test_quantities_normalize_scale_and_unit(text: str, expected: set[tuple[float, str]]) -> None:
    assert quantities(text) == expected


def test_numbers_conflict_only_within_one_unit() -> None:
    assert numbers_conflict("资金规模为1亿美元", "资金规模：1000万美元")
    assert not numbers_conflict("资金规模为1亿美元", "资金规模为10000万美元")  # the same amount
    assert not numbers_conflict("资金规模为1亿美元", "初始资金1亿英镑")  # another currency: not comparable
    assert not numbers_conflict("成立于2023年", "成立于2024年")  # bare numbers are not compared


def test_strip_claim_removes_the_question_wrapper() -> None:
    assert strip_claim("Is it true that the Act passed?") == "the Act passed"
    assert strip_claim("该决议一致通过，这一说法是否属实？") == "该决议一致通过"


def test_negated_terms_same_language() -> None:
    claim = "这些测试相当于政府安全认证"
    groups = same_language_groups(tokenize(claim))
    assert negates_claim_terms(claim, "zh", "但这些测试不是“政府安全认证”。", groups)
    assert not negates_claim_terms(claim, "zh", "这些测试被视为政府安全认证。", groups)
    # one shared common word after a negation is not enough
    assert not negates_claim_terms(claim, "zh", "它不是安全问题。", groups)
    # a claim that is itself negative is judged by the polarity check, not here
    assert not negates_claim_terms("这些测试不是政府安全认证", "zh", "但这些测试不是“政府安全认证”。", groups)
    # 不断/未来 are not negations
    assert not negates_claim_terms(claim, "zh", "政府不断加强安全认证，未来测试更多。", groups)


def test_negated_terms_across_languages() -> None:
    claim = "the pre-deployment tests amount to a government safety certification"
    lexicon = BilingualLexicon.load()
    groups = translated_groups(lexicon.translation_groups(claim, "zh"), tokenize(claim), None)
    assert negates_claim_terms(claim, "en", "但这些测试不是“政府安全认证”，并不作为认可。", groups)
    assert not negates_claim_terms(claim, "en", "研究所对模型进行了部署前测试。", groups)


def test_contraries() -> None:
    assert contrary_conflict("透明度要求最好由各州分别立法制定", "应由政府通过单一的国家标准来制定")
    assert not contrary_conflict("决议获得一致通过", "决议一致通过")


class FakeSenses:
    """Senses with a two-word dictionary: "biggest" and "largest" share a sense."""

    def has_synonym(self, word: str, tokens: set[str]) -> bool:
        return word in {"biggest", "largest"} and bool(tokens & {"biggest", "largest"})


@pytest.mark.parametrize(("claim", "source", "expected"), [
    ("落后的人工智能模型开发者应遵守标准", "领先的人工智能模型开发者应遵守标准", 1),  # a word swapped
    ("The party is currently the smallest in parliament.", "The party is currently the largest in parliament.", 1),
    ("DOL shall share information with the IC.", "DOD shall share information with the IC.", 1),
    ("The party is currently the biggest in parliament.", "The party is currently the largest in parliament.", 0),  # synonym
    ("领先的人工智能模型开发者应遵守标准", "领先的人工智能模型开发者应遵守标准", 0),  # the same words
    ("美国白宫还公布了框架，对指南进行了补充。", "除了该备忘录外，美国白宫还公布了框架，对指南进行了补充。", 0),  # a clause dropped
    ("It was approved after long talks by the council.", "After long talks by the council it was approved.", 0),  # reordered
])
def test_substitutions_count_swapped_words_not_dropped_reordered_or_synonymous_ones(
        claim: str, source: str, expected: int) -> None:
    assert substitutions(tokenize(claim), tokenize(source), FakeSenses()) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("claim", "source", "expected"), [
    # Synonyms the dictionary knows only as words, not as the stems the tokens are (purchas, regard, adequ):
    ("Americans who buy AI products must be protected.", "Americans who purchase AI products must be protected.", 0),
    ("A report concerning the risks is due.", "A report regarding the risks is due.", 0),
    ("Staff receive sufficient training.", "Staff receive adequate training.", 0),
    ("The office was set up in 2024.", "The office was established in 2024.", 0),
    # ... and the swaps beside them still count:
    ("The party is currently the smallest in parliament.", "The party is currently the largest in parliament.", 1),
    ("The council opposes a moratorium on the tests.", "The council supports a moratorium on the tests.", 1),
    ("DOL shall share information with the IC.", "DOD shall share information with the IC.", 1),
])
def test_substitutions_read_english_words_in_the_dictionary_not_their_stems(claim: str, source: str,
                                                                           expected: int) -> None:
    senses = Senses(BilingualLexicon.load())
    senses.learn(claim, source)
    assert substitutions(tokenize(claim), tokenize(source), senses) == expected


@pytest.mark.parametrize("claim, sentences, expected", [
    ("开发先进的人工智能系统需要大量先进的芯片", ["研究所设在伦敦。", "* 开发先进的人工智能系统需要大量先进的芯片。"], 1),
    ("The EU AI Office was set up in February 2024.", ["(2) The EU AI Office was set up in February 2024;"], 0),
    ("the eu ai office was set up in february 2024", ["The EU  AI Office was set up in February 2024."], 0),
    # negatives: a changed year, a sentence that says more, a claim that says more
    ("The EU AI Office was set up in February 2023.", ["The EU AI Office was set up in February 2024."], None),
    ("The EU AI Office was set up.", ["The EU AI Office was set up in February 2024."], None),
    ("The EU AI Office was not set up in February 2024.", ["The EU AI Office was set up in February 2024."], None),
    ("", ["。"], None),
])
def test_quoted_sentence_finds_the_sentence_a_claim_quotes_word_for_word(
    claim: str, sentences: list[str], expected: int | None,
) -> None:
    assert quoted_sentence(claim, sentences) == expected
