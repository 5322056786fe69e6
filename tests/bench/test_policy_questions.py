"""bench.policy_questions: a fact asked in place makes a question whose answer it no longer holds; a slot inside a
name, a year naming a law, a number inside a code are not asked; reference lines and table rows are never sources."""

from __future__ import annotations

import pytest

from bench.policy_questions import REFERENCE, ask, passages
from rag.answer.slots import extract_slots


def asked(sentence: str, kind: str) -> str | None:
    slot = next(s for s in extract_slots(sentence) if s.kind == kind)
    return ask(sentence, slot)


@pytest.mark.parametrize("sentence, kind, question", [
    ("欧盟人工智能办公室于2024年2月成立。", "date", "欧盟人工智能办公室于什么时候成立？"),
    ("The report is due within 180 days.", "quantity", "The report is due within how many days?"),
    ("The office was established in February 2024.", "date", "The office was established when?"),
    ("英国人工智能安全研究所获得初始资金1亿英镑。", "quantity", "英国人工智能安全研究所获得初始资金多少英镑？"),
])
def test_a_fact_is_asked_in_place(sentence: str, kind: str, question: str) -> None:
    assert asked(sentence, kind) == question


@pytest.mark.parametrize("sentence, kind", [
    ("The CHIPS Act of 2022 funds semiconductor plants.", "date"),  # the year names a law
    ("Visas for J-1 research scholars are renewed at home.", "quantity"),  # a number inside a code
])
def test_what_is_not_a_fact_of_the_sentence_is_not_asked(sentence: str, kind: str) -> None:
    slots = [s for s in extract_slots(sentence) if s.kind == kind]
    assert slots and all(ask(sentence, s) is None for s in slots)


def test_reference_lines_are_recognised_and_sentences_are_not() -> None:
    assert REFERENCE.search("[13] Wyckoff, A. (2024).")
    assert REFERENCE.search("32NIST, “FACT SHEET: U.S. Department of Commerce”, 2024-11-20, https://www.nist.gov/x")
    assert not REFERENCE.search("The report is due within 180 days.")  # negative


def test_passages_are_merged_to_a_minimum_and_skip_front_matter() -> None:
    raw = "---\ntitle: T\n---\n" + "\n\n".join(f"第{i}段。" + "内容" * 30 for i in range(6))
    out = passages(raw)
    assert out and all(len(p) >= 60 for p in out) and not any("title" in p for p in out)
    assert sum(p.count("段。") for p in out) == 6  # every piece kept once


@pytest.mark.parametrize("question, kind, asks", [
    ("欧盟人工智能办公室于什么时候成立？", "date", True),
    ("When was the AI Office set up?", "date", True),
    ("英国人工智能安全研究所获得初始资金多少英镑？", "quantity", True),
    ("How much funding did the institute receive?", "quantity", True),
    ("Which organization published the framework?", "entity", True),
    ("哪个机构发布了该框架？", "entity", True),
    # a rewording that lost the asked kind asks something else (negatives)
    ("美国国家安全局应该何时发布指导？", "entity", False),
    ("What NSM has developed to strengthen cooperation?", "entity", False),
    ("The institute received funding.", "quantity", False),
])
def test_a_rewording_still_asks_the_kind_asked(question: str, kind: str, asks: bool) -> None:
    from bench.policy_questions import asks_kind

    assert asks_kind(question, kind) is asks


@pytest.mark.parametrize("half", ["tune", "heldout"])
def test_the_stored_translations_belong_to_the_half_and_never_name_the_answer(half: str) -> None:
    import json

    from bench.policy_questions import TRANSLATED, questions, translations

    lines = (TRANSLATED / f"{half}.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["made_by"].startswith(f"python -m bench.policy_questions --half {half} --translate")
    _, items, _ = questions(half)
    asked = {it["qid"]: it for it in items}
    stored = translations(half)
    assert stored and set(stored) <= set(asked)  # the same template questions, made again from the documents
    for qid, texts in stored.items():
        for text in filter(None, texts.values()):
            assert asked[qid]["spans"][0] not in text and text != asked[qid]["question"]
    # negative: the raw outputs the filter dropped include ones that do name the answer or repeat the question
    rows = [json.loads(line) for line in lines[1:]]
    assert any(r["raw"] and not r["translation"] for r in rows) or any(r["back_raw"] and not r["back"] for r in rows)


def test_questions_are_made_with_their_own_gazetteer_and_the_product_keeps_its_own() -> None:
    from bench.policy_questions import question_gazetteer
    from rag.answer.slots import extract_slots

    def people(text: str) -> list[str]:
        return [s.value for s in extract_slots(text) if s.kind == "entity" and s.unit == "person"]

    text = "President Biden signed the memorandum."
    with question_gazetteer():
        assert people(text) == []  # Biden came into the product's gazetteer after the questions were made
    assert people(text) == ["joe_biden"]  # and is there again outside the block
    unlisted = "The chair of the institute is Jane Doe."  # a person read beside a role (rag.answer.person_names)
    with question_gazetteer():
        assert people(unlisted) == []  # read only since session 49, after the questions were made
    assert people(unlisted) == ["name:doe"]
