"""rag.answer: refusing when the evidence lacks the kind of answer asked for (a figure, money, the n-th)."""

from __future__ import annotations

from rag.answer import asked_ordinals, lacks_asked_figure, lacks_asked_ordinal
from rag.evidence import EvidenceSentence, same_language_groups, translated_groups
from rag.lexical import tokenize
from rag.lexicon import BilingualLexicon
from rag.retrieve import SearchHit


def sentence(text: str, language: str = "zh", passage: str | None = None) -> EvidenceSentence:
    passage = passage or text
    hit = SearchHit(doc="d.txt", title="", section="", page=None, text=passage, start=0, end=len(passage),
                    score=1.0, language=language, doc_hash="d")
    return EvidenceSentence(hit, 0, text, 0, len(text), 0)


def test_quantity_questions_need_a_figure_and_money_questions_need_money() -> None:
    assert lacks_asked_figure("该办法规定了多少金额的罚款？", [sentence("违规者将被处以罚款，见第4条。")])
    assert lacks_asked_figure("该办法规定了多少金额的罚款？", [sentence("共有12项规定涉及罚款。")])
    assert not lacks_asked_figure("该办法规定了多少金额的罚款？", [sentence("罚款金额为10万元以下。")])
    assert not lacks_asked_figure("How much funding did the institute receive?", [sentence("初始资金1亿英镑。")])
    assert not lacks_asked_figure("共有多少家企业签署？", [sentence("共有16家企业签署。")])
    assert not lacks_asked_figure("Who signed it?", [sentence("Sixteen companies signed.", "en")])


def test_ordinals_are_read_in_both_languages() -> None:
    assert asked_ordinals("Which country hosts the second meeting?") == {2}
    assert asked_ordinals("第三届峰会在哪里举行？") == {3}
    assert asked_ordinals("The first meeting, 第一次会议") == set()  # "first" is too common to require


def test_an_n_th_event_must_be_named_with_the_question_s_terms() -> None:
    question = "第二次会议在哪里举行？"
    groups = same_language_groups(tokenize(question))
    other_event = sentence("第二届首尔峰会取得进展。")
    first_meeting = sentence("首次会议在旧金山举行。")
    right = sentence("第二次会议将在东京举行。")
    assert lacks_asked_ordinal(question, [other_event, first_meeting], "zh", groups, [])
    assert not lacks_asked_ordinal(question, [first_meeting, right], "zh", groups, [])
    assert not lacks_asked_ordinal("会议在哪里举行？", [first_meeting], "zh", groups, [])


def test_an_english_question_about_the_n_th_event_over_chinese_passages() -> None:
    question = "Which country is hosting the second meeting of the network?"
    tokens = tokenize(question)
    translated = translated_groups(BilingualLexicon.load().translation_groups(question, "zh"), tokens, None)
    first = sentence("美国将举办该网络第一次会议。")
    second = sentence("该网络第二次会议将由日本主办。")
    assert lacks_asked_ordinal(question, [first], "en", [], translated)
    assert not lacks_asked_ordinal(question, [first, second], "en", [], translated)


def test_how_long_and_how_often_need_a_duration() -> None:
    assert not lacks_asked_figure("数据处理者多久开展一次风险评估？", [sentence("数据处理者每年开展一次风险评估。")])
    assert not lacks_asked_figure("How often are the tests run?", [sentence("Tests are run annually.", "en")])
    assert lacks_asked_figure("数据处理者多久开展一次风险评估？", [sentence("数据处理者应当开展风险评估。")])
