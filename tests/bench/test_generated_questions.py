"""bench.generated_questions: a written question is kept only in the sentence's language, asking the kind asked,
without the answer, as a question; the prompt names the answer and its kind in the sentence's language."""

from __future__ import annotations

import pytest

from bench.generated_questions import messages, usable

FACT_ZH = {"sentence": "欧盟人工智能办公室于2024年2月成立。", "answer": "2024年2月", "kind": "date", "unit": "date", "lang": "zh"}
FACT_EN = {"sentence": "The Director of NSF shall use the results of the challenge.", "answer": "NSF", "kind": "entity",
           "unit": "org", "lang": "en"}


@pytest.mark.parametrize("fact, question, kept", [
    (FACT_ZH, "欧盟人工智能办公室是什么时候成立的？", True),
    (FACT_EN, "Which agency's director shall use the results of the challenge?", True),
    # negatives: the answer inside, the other language, another kind asked, a statement
    (FACT_ZH, "欧盟人工智能办公室是2024年2月成立的吗？", False),
    (FACT_ZH, "When was the EU AI Office set up?", False),
    (FACT_EN, "When shall the results of the challenge be used?", False),
    (FACT_EN, "Which agency's director shall use the results", False),
    (FACT_EN, None, False),
])
def test_a_question_is_kept_only_when_it_asks_the_fact(fact: dict, question: str | None, kept: bool) -> None:
    assert usable(question, fact) is kept


def test_the_prompt_gives_the_answer_and_its_kind_in_the_sentences_language() -> None:
    zh, en = messages(FACT_ZH), messages(FACT_EN)
    assert zh[-1]["content"] == "句子：欧盟人工智能办公室于2024年2月成立。\n答案（日期或时间）：2024年2月"
    assert en[-1]["content"].endswith("Answer (organization): NSF")
    assert [m["role"] for m in zh] == ["system", "user", "assistant", "user"]


def test_the_second_set_asks_each_sentences_second_fact_never_the_first() -> None:
    from bench.generated_questions import facts, stem

    first = {f["qid"]: f for f in facts("heldout")}
    second = facts("heldout", second=True)
    assert second and len(second) < len(first)  # only sentences with a second fact of another value
    for fact in second:
        assert fact["qid"] in first and fact["sentence"] == first[fact["qid"]]["sentence"]
        assert fact["answer"] != first[fact["qid"]]["answer"]  # another value than the first set asked
    assert stem("heldout") == "heldout" and stem("heldout", second=True) == "heldout-second"
