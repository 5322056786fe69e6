"""rag.text.asked.asks_source: a question about a source itself."""

from __future__ import annotations

import pytest

from rag.text.asked import asks_source


@pytest.mark.parametrize("question", ["这一说法的出处是哪里？", "报告引用了哪些参考文献？", "What sources does the report cite?",
                                      "Give me the link to the NIST framework.", "Which reference supports this?"])
def test_questions_about_sources(question: str) -> None:
    assert asks_source(question)


@pytest.mark.parametrize("question", ["英国人工智能安全研究所获得了多少初始资金？", "What does the EU AI Office do?",
                                      "How many countries joined the network?", "Who resourced the institute?"])
def test_other_questions_are_not(question: str) -> None:
    assert not asks_source(question)
