"""The statement of a claim that names its source (rag.answer.claim_frame): a frame is cut only where it is one."""

from __future__ import annotations

import pytest

from rag.answer.claim_frame import carries_negation, statement_span


def statement(claim: str, mentions: tuple[str, ...], language: str) -> str:
    start, end = statement_span(claim, mentions, language)
    return claim[start:end]


@pytest.mark.parametrize(("claim", "mention", "language", "expected"), [
    ("the Tsinghua CISS brief suggests the summit could bring in privacy frameworks", "the Tsinghua CISS brief", "en",
     "the summit could bring in privacy frameworks"),
    ("According to the Concordia AI report, the UK institute received 100 million pounds.", "the Concordia AI report",
     "en", "the UK institute received 100 million pounds."),
    ("The Concordia AI report's table shows that the US institute has 10 million dollars", "The Concordia AI report",
     "en", "the US institute has 10 million dollars"),
    ("The UK institute received 100 million pounds, according to the Concordia AI report.", "the Concordia AI report",
     "en", "The UK institute received 100 million pounds"),
    ("安远AI报告的对比表显示，美国人工智能安全研究所的资金规模为1亿美元", "安远AI报告", "zh",
     "美国人工智能安全研究所的资金规模为1亿美元"),
    ("据安远AI报告，英国研究所获得1亿英镑", "安远AI报告", "zh", "英国研究所获得1亿英镑"),
    ("安远AI报告指出英国研究所获得1亿英镑", "安远AI报告", "zh", "英国研究所获得1亿英镑"),
    ("英国研究所获得1亿英镑，据安远AI报告。", "安远AI报告", "zh", "英国研究所获得1亿英镑"),
])
def test_a_frame_naming_the_source_is_cut_off(claim: str, mention: str, language: str, expected: str) -> None:
    assert statement(claim, (mention,), language) == expected


@pytest.mark.parametrize(("claim", "mentions", "language"), [
    # the mention is the claim's subject, with a verb of its own: what the document does, not what it says
    ("The G7 statement calls for a code of conduct for AI developers", ("The G7 statement",), "en"),
    ("安远AI报告发布于2024年", ("安远AI报告",), "zh"),
    # a mention inside the claim is not a frame
    ("The UK institute, which the Concordia AI report describes, received 100 million pounds",
     ("the Concordia AI report",), "en"),
    # nothing resolved: nothing cut, whatever the claim's shape
    ("According to the Concordia AI report, the UK institute received 100 million pounds.", (), "en"),
    # a claim that is all frame keeps its text
    ("据安远AI报告，", ("安远AI报告",), "zh"),
])
def test_no_frame_no_cut(claim: str, mentions: tuple[str, ...], language: str) -> None:
    assert statement_span(claim, mentions, language) == (0, len(claim))


@pytest.mark.parametrize(("claim", "mention", "language"), [
    # a frame that describes a document says something of its own (a year, that such a report exists)
    ("据2017年发布的一份报告，当前人工智能发展的模式严重依赖计算资源。", "2017年发布的一份报告", "zh"),
    ("According to a 2017 report, the institute opened in 2023.", "a 2017 report", "en"),
    # an appositive after the subject is not a frame
    ("The International Science Report on AI Safety, chaired by Yoshua Bengio, was published in May 2024.",
     "The International Science Report on AI Safety", "en"),
    # 据 inside 证据 cites nothing
    ("委托图灵奖得主主持这份关于基于证据的先进人工智能安全科学现状的报告。", "的先进人工智能安全科学现状的报告", "zh"),
    ("The institute opened in 2023 according to the Concordia AI report.", "the Concordia AI report", "en"),
])
def test_a_describing_mention_or_an_appositive_is_no_frame(claim: str, mention: str, language: str) -> None:
    assert statement_span(claim, (mention,), language) == (0, len(claim))


@pytest.mark.parametrize(("claim", "mention", "language", "expected"), [
    ("The Concordia AI report suggests the summit could adopt a code of conduct", "The Concordia AI report", "en",
     "the summit could adopt a code of conduct"),
    ("The Concordia AI report recommends that developers publish reports", "The Concordia AI report", "en",
     "developers publish reports"),
    ("安远AI报告建议，英国研究所应增加资金", "安远AI报告", "zh", "英国研究所应增加资金"),
])
def test_a_verb_that_can_take_a_noun_phrase_frames_a_clause(claim: str, mention: str, language: str,
                                                              expected: str) -> None:
    assert statement(claim, (mention,), language) == expected


@pytest.mark.parametrize(("claim", "mention", "language"), [
    # cut there, the statement would lose its verb: "a moratorium on frontier models"
    ("The Concordia AI report recommends a moratorium on frontier models", "The Concordia AI report", "en"),
    ("The Concordia AI report proposes a code of conduct for AI developers", "The Concordia AI report", "en"),
    ("安远AI报告建议暂停前沿模型的开发", "安远AI报告", "zh"),
    # no reporting verb: "States" of a name, the 说 of 说明, the 称 of 简称
    ("The Concordia AI report States Parties must act", "The Concordia AI report", "en"),
    ("安远AI报告的说明文字较长", "安远AI报告", "zh"),
    ("安远AI报告简称报告", "安远AI报告", "zh"),
])
def test_a_verb_with_a_noun_phrase_object_or_no_reporting_verb_is_no_frame(claim: str, mention: str,
                                                                           language: str) -> None:
    assert statement_span(claim, (mention,), language) == (0, len(claim))


@pytest.mark.parametrize(("claim", "mention", "language", "cut"), [
    ("The Concordia AI report does not say that the UK institute received 100 million pounds.",
     "The Concordia AI report", "en", "The Concordia AI report says that the UK institute received 100 million pounds."),
    ("安远AI报告并未指出，英国研究所获得1亿英镑。", "安远AI报告", "zh", "安远AI报告指出，英国研究所获得1亿英镑。"),
])
def test_a_frame_that_negates_is_never_cut(claim: str, mention: str, language: str, cut: str) -> None:
    # cut off, "does not say that X" would be read as X; the same frame without its negation is cut
    assert statement(claim, (mention,), language) == claim
    assert statement(cut, (mention,), language) != cut


def test_carries_negation_reads_the_slots_negations() -> None:
    assert carries_negation("The report does not say that ")
    assert carries_negation("（不担任音乐厅指挥）。")
    assert not carries_negation("The memo from the Concordia team notes that ")
    assert not carries_negation("据安远AI的报告，")
