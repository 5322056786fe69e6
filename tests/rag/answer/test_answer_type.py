"""rag.answer.answer_type: refusing when the evidence lacks the kind of answer asked for (a figure, money, the
n-th event, the role or event asked about)."""

from __future__ import annotations

from typing import Any

import pytest

from rag.answer.answer_type import lacks_asked_figure, lacks_asked_ordinal, unmentioned
from rag.retrieval.query import plain_query
from rag.text.asked import (
    asked_answer_kind,
    asked_mentions,
    asked_ordinals,
    figure_sought,
)
from rag.text.lexical import tokenize
from rag.text.lexicon import BilingualLexicon
from rag.text.terms import same_language_groups, translated_groups
from rag.types import EvidenceSentence, Query, SearchHit


def q(text: str, language: str = "zh", **fields: Any) -> Query:
    """The question's Query as the analyzer builds it from its text (tokens, asked kind; ``fields`` override)."""
    return plain_query(text, language, **fields)


def sentence(text: str, language: str = "zh", passage: str | None = None) -> EvidenceSentence:
    passage = passage or text
    hit = SearchHit(doc="d.txt", title="", section="", page=None, text=passage, start=0, end=len(passage),
                    score=1.0, language=language, doc_hash="d")
    return EvidenceSentence(hit, 0, text, 0, len(text), 0)


def test_quantity_questions_need_a_figure_and_money_questions_need_money() -> None:
    assert lacks_asked_figure(q("该办法规定了多少金额的罚款？"), [sentence("违规者将被处以罚款，见第4条。")])
    assert lacks_asked_figure(q("该办法规定了多少金额的罚款？"), [sentence("共有12项规定涉及罚款。")])
    assert not lacks_asked_figure(q("该办法规定了多少金额的罚款？"), [sentence("罚款金额为10万元以下。")])
    assert not lacks_asked_figure(q("How much funding did the institute receive?"), [sentence("初始资金1亿英镑。")])
    assert not lacks_asked_figure(q("共有多少家企业签署？"), [sentence("共有16家企业签署。")])
    assert not lacks_asked_figure(q("Who signed it?"), [sentence("Sixteen companies signed.", "en")])


def test_figures_in_english_text_and_chinese_measure_words() -> None:
    def states_figure(question: str, text: str, language: str = "en") -> bool:
        return not lacks_asked_figure(q(question), [sentence(text, language)])

    assert states_figure("How many bodies were exhumed?", "They exhumed 25 bodies.")
    assert states_figure("How many nations control the basin?", "Nine nations control it.")
    assert states_figure("How many species are there?", "It holds 16,000 species.")
    assert not states_figure("How many bids were there?", "In 1915 there was a prize.")  # a year
    assert states_figure("挖出了多少具尸体？", "共挖出25具尸体。", "zh")
    assert states_figure("死亡人数有多少？", "三分之二的人口死亡。", "zh")
    assert not states_figure("共有多少家企业？", "相关规定见第4条。", "zh")  # an article number


def test_ordinals_are_read_in_both_languages() -> None:
    assert asked_ordinals("Which country hosts the second meeting?") == {2}
    assert asked_ordinals("第三届峰会在哪里举行？") == {3}
    assert asked_ordinals("首届峰会在哪里举行？") == {1}
    assert asked_ordinals("Who first used the word?") == {1}


def test_an_n_th_event_must_be_named_with_the_question_s_terms() -> None:
    question = "第二次会议在哪里举行？"
    groups = same_language_groups(tokenize(question))
    other_event = sentence("第二届首尔峰会取得进展。")
    first_meeting = sentence("首次会议在旧金山举行。")
    right = sentence("第二次会议将在东京举行。")
    assert lacks_asked_ordinal(q(question, "zh", terms=groups), [other_event, first_meeting])
    assert not lacks_asked_ordinal(q(question, "zh", terms=groups), [first_meeting, right])
    assert not lacks_asked_ordinal(q("会议在哪里举行？", "zh", terms=groups), [first_meeting])
    # Evidence that names no n-th at all does not contradict the question's ordinal (a paragraph on
    # a game's last drive need not say "fourth quarter").
    assert not lacks_asked_ordinal(q(question, "zh", terms=groups), [sentence("会议将在东京举行。")])


def test_an_english_question_about_the_n_th_event_over_chinese_passages() -> None:
    question = "Which country is hosting the second meeting of the network?"
    tokens = tokenize(question)
    translated = translated_groups(BilingualLexicon.load().translation_groups(question, "zh"), tokens, None)
    first = sentence("美国将举办该网络第一次会议。")
    second = sentence("该网络第二次会议将由日本主办。")
    assert lacks_asked_ordinal(q(question, "en", terms=[], cross_terms=translated), [first])
    assert not lacks_asked_ordinal(q(question, "en", terms=[], cross_terms=translated), [first, second])


def test_how_long_and_how_often_need_a_duration() -> None:
    assert not lacks_asked_figure(q("数据处理者多久开展一次风险评估？"), [sentence("数据处理者每年开展一次风险评估。")])
    assert not lacks_asked_figure(q("How often are the tests run?"), [sentence("Tests are run annually.", "en")])
    assert lacks_asked_figure(q("数据处理者多久开展一次风险评估？"), [sentence("数据处理者应当开展风险评估。")])


def test_a_role_or_an_event_asked_about_must_be_mentioned() -> None:
    assert asked_mentions("Which national security adviser presented it?") == [frozenset({"adviser", "顾问"})]
    assert asked_mentions("英国研究所后来更名为什么？")[0] >= {"更名", "renamed"}
    assert asked_mentions("Which countries signed the treaty?") == []
    assert asked_mentions("When had the new sector emerged?") == []  # not "merged"
    assert asked_mentions("Which official statement was issued?") == []  # an adjective, not a role
    history = sentence("英国人工智能安全研究所的前身是前沿人工智能工作组，于2023年成立。")
    renamed = sentence("2025年，该研究所更名为人工智能安全研究所。")
    assert unmentioned(q("英国研究所后来更名为什么？"), [history]) == "更名"  # as the question words it
    assert unmentioned(q("英国研究所后来更名为什么？"), [history, renamed]) is None
    adviser = sentence("国家安全顾问沙利文在国防大学发表讲话。")
    assert unmentioned(q("Which national security adviser presented the memo?"), [adviser]) is None
    assert unmentioned(q("Which national security adviser presented the memo?"), [history]) == "adviser"


def test_asked_answer_kind() -> None:
    assert asked_answer_kind("该办法规定了多少金额的罚款？") == "money"
    assert asked_answer_kind("How often are the tests run?") == "duration"
    assert asked_answer_kind("How many staff does it employ?") == "figure"
    assert asked_answer_kind("Which countries signed?") is None


def test_figure_sought_by_a_question_or_a_claim() -> None:
    money = figure_sought("How much initial funding did the UK AI Safety Institute receive?")
    assert money is not None and money.search("初始资金1亿英镑") and not money.search("共有12项规定")
    # a statement of an amount (a claim) seeks amounts too
    claim = figure_sought("美国人工智能安全研究所的资金规模为1亿美元")
    assert claim is not None and claim.search("1000万美元 -总监")
    count = figure_sought("共有多少家企业签署？")
    assert count is not None and count.search("共有16家企业签署。")
    assert figure_sought("Who presented the memorandum?") is None


@pytest.mark.parametrize(("question", "needed"), [
    ("哪位国家安全顾问介绍了这份备忘录？", "顾问"),  # words between 哪位 and the role
    ("英国研究所后来改称什么？", "更名"),  # another word for renaming
    ("What did the UK institute change its name to?", "renamed"),
    ("Which national security adviser presented it?", "顾问"),
])
def test_roles_and_renamings_are_read_in_other_phrasings(question: str, needed: str) -> None:
    assert any(needed in words for words in asked_mentions(question))


@pytest.mark.parametrize(("question", "kind"), [
    ("英国研究所获得了多少资金？", "money"),  # money without a currency word
    ("How much funding did the institute get?", "money"),
    ("What does Article 5 of the AI Act prohibit?", None),  # a number in the question is not a figure asked
    ("第5条禁止了什么？", None),
    ("这份备忘录由哪位部门负责人签署？", None),
])
def test_the_asked_kind_is_read_from_the_question_not_from_its_numbers(question: str, kind: str | None) -> None:
    assert asked_answer_kind(question) == kind
