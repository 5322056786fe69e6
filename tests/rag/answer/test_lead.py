"""rag.answer.lead: the lead line of an answer quoted from the other language states a figure of the asked kind."""

from __future__ import annotations

import pytest

from rag.answer.lead import asked_item
from rag.retrieval.query import plain_query
from rag.types import Citation

SINGAPORE_ROW = "新加坡人工智能安全研究所：由南洋理工国家数字信任中心发展而来，政府投入超15亿英镑。"
UK_ROW = "英国人工智能安全研究所：初始资金1亿英镑，员工超过100名。"


def cite(*texts: str) -> list[Citation]:
    return [Citation(n, "d.txt", "", text, 0, len(text), None, 1.0) for n, text in enumerate(texts, start=1)]


def test_a_how_many_question_never_leads_with_a_sum_of_money() -> None:
    query = plain_query("How many staff does Singapore's AI Safety Institute employ?", "en")
    assert asked_item(query, cite(SINGAPORE_ROW)) is None  # before: "15亿英镑 (1.5 billion pounds) [1]"
    line = asked_item(query, cite(SINGAPORE_ROW, UK_ROW))
    assert line is not None and "100" in line and "英镑" not in line and line.endswith("[2]")


def test_a_money_question_leads_with_the_sum_not_the_count() -> None:
    query = plain_query("How much initial funding did the UK AI Safety Institute receive?", "en")
    line = asked_item(query, cite(UK_ROW))
    assert line is not None and line.startswith("1亿英镑") and "100名" not in line


@pytest.mark.parametrize(("question", "expected"), [
    # the negatives: a figure question that is not a count keeps its sums of money; a date question its date
    ("How much did the United States pledge?", "1亿英镑"),
    ("When was the institute founded?", None),
])
def test_other_questions_lead_as_before(question: str, expected: str | None) -> None:
    line = asked_item(plain_query(question, "en"), cite(UK_ROW))
    assert (line is None) if expected is None else (line is not None and line.startswith(expected))


THEATRE = "该剧院曾两次易主，运营了69年，观众增长了30%。"


@pytest.mark.parametrize(("question", "expected"), [
    ("How long was the theatre in operation?", "69年"),  # an amount of time, not 两次
    ("By what percentage did the audience grow?", "30%"),  # a percentage, not 两次
    ("How many times did the theatre change hands?", "两次"),  # the negative: a count question keeps its count
])
def test_a_how_long_or_what_percentage_question_leads_with_its_kind(question: str, expected: str) -> None:
    line = asked_item(plain_query(question, "en"), cite(THEATRE))
    assert line is not None and line.startswith(expected), line


def test_the_lead_comes_from_the_cited_sentence_that_holds_most_of_the_question() -> None:
    query = plain_query("How much initial funding did the UK AI Safety Institute receive?", "en")
    other = "The network's members pledged 11 million dollars."  # a sum of money, few of the question's words
    source = "The UK AI Safety Institute received initial funding of 100 million pounds."
    line = asked_item(query, cite(other, source))
    assert line is not None and line.startswith("100 million pounds") and line.endswith("[2]")
    # the negative: where both hold as much of the question, the first cited sentence leads
    assert asked_item(query, cite(source, source.replace("100", "200"))) == asked_item(query, cite(source))


@pytest.mark.parametrize(("text", "question", "leads", "left_out", "plain_question", "kept"), [
    # a how-many question never leads with a percentage; the negative: a question that is no count keeps it
    ("效率提高了30%，该发动机有5个气缸。", "How many cylinders does the engine have?", "5个", "30%",
     "How much did the efficiency improve?", "30%"),
    # a figure the question states is not its answer; the negative: a question that does not state it
    ("在最后三年里，共有10个国家加入了该网络。", "How many countries joined the network in the last three years?", "10个国家",
     "三年", "How many years did it take for the countries to join the network?", "三年"),
    # nor a year it states
    ("2019年峰会之后，该研究所于2021年正式开放。", "When did the institute open after the 2019 summit?", "2021", "2019",
     "When was the summit held?", "2019"),
])
def test_a_figure_of_another_kind_or_stated_by_the_question_does_not_lead(
        text: str, question: str, leads: str, left_out: str, plain_question: str, kept: str) -> None:
    line = asked_item(plain_query(question, "en"), cite(text))
    assert line is not None and line.startswith(leads) and left_out not in line
    line = asked_item(plain_query(plain_question, "en"), cite(text))
    assert line is not None and kept in line
