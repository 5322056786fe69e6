"""``bench.lead_figures`` scores a lead line against the gold span (right, wrong, none), counts only what it should,
reads the generated policy questions in both languages; ``bench.lead_candidates`` (the model candidates measured,
not shipped) reads what a question asks for, finds plain numbers, and shows a value only at its threshold."""

from __future__ import annotations

import numpy as np
import pytest

from bench.lead_candidates import (
    FEATURE_NAMES,
    LeadModel,
    candidate_rows,
    fits_question,
    lead_line,
    plain_numbers,
)
from bench.lead_figures import (
    CROSS,
    evaluate,
    is_gold,
    lead_values,
    policy_questions,
    score,
)
from rag.answer.slots import extract_slots
from rag.retrieval.query import plain_query
from rag.types import Citation

ROW = "英国人工智能安全研究所于2023年11月成立，初始资金1亿英镑。"


def citation(text: str, n: int = 1) -> Citation:
    return Citation(n=n, doc="d.txt", title="", text=text, start=0, end=len(text), page=None, score=1.0)


def test_lead_values_are_the_values_as_written() -> None:
    assert lead_values("1亿英镑 (100 million pounds), 15亿英镑 (1.5 billion pounds) [1]") == ["1亿英镑", "15亿英镑"]
    assert lead_values("2023年11月（November 2023） [2]") == ["2023年11月"]
    assert lead_values(None) == [] and lead_values("") == []


@pytest.mark.parametrize(("lead", "verdict"), [
    ("1,160,000 square miles (116万英里) [1]", "right"),  # commas and the rendering do not matter
    ("587,000 square kilometres (58.7万公里) [1]", "wrong"),  # the negative beside it: another value of the sentence
    (None, "none"),
])
def test_a_lead_line_is_right_wrong_or_absent(lead: str | None, verdict: str) -> None:
    assert score({"gold": ["1,160,000"]}, lead) == verdict


def test_gold_is_matched_either_way_round_and_never_by_an_empty_span() -> None:
    assert is_gold("1943年", ["1943 年"]) and is_gold("18%", ["高 18%"])
    assert not is_gold("1900年", ["1943 年"]) and not is_gold("5", ["  "])


def test_evaluate_counts_cross_language_answers_only_and_wrong_lines_without_the_gold() -> None:
    query = plain_query("How much initial funding did the institute receive?", "en")
    records = [
        {"direction": "en→zh", "gold": ["1亿英镑"], "query": query, "citations": [citation(ROW)]},
        {"direction": "en→zh", "gold": ["5亿英镑"], "query": query, "citations": [citation("别的句子，资金1亿英镑。")]},
        {"direction": "en→en", "gold": ["1亿英镑"], "query": query, "citations": [citation(ROW)]},
        {"direction": "zh→en", "gold": ["x"], "query": query, "citations": None},  # refused: not answered
    ]
    result = evaluate(records, lambda q, c: "1亿英镑 (100 million pounds) [1]")
    assert set(result) == set(CROSS)
    assert result["en→zh"] == {"answered": 2, "gold_cited": 1, "right": 1.0, "wrong": 0.0, "none": 0.0,
                               "wrong_without_gold": 1.0, "n_wrong_without_gold": 1}
    assert result["zh→en"]["answered"] == 0


def test_policy_questions_ask_a_figure_or_date_in_both_languages() -> None:
    items = policy_questions("heldout")
    assert items and all(gold and gold[0] for _, _, _, _, gold in items)
    directions = {direction for _, direction, _, _, _ in items}
    assert {"en→zh", "zh→en"} & directions and {"zh→zh", "en→en"} & directions
    translated = [qid for qid, direction, _, _, _ in items if qid.endswith("-t")]
    assert all(direction[:2] != direction[-2:] for qid, direction, _, _, _ in items if qid in translated)


@pytest.mark.parametrize(("question", "surface", "fits"), [
    ("When was the institute set up?", "2023年11月", True),
    ("When was the institute set up?", "1亿英镑", False),
    ("How much initial funding did the institute receive?", "1亿英镑", True),
    ("How much initial funding did the institute receive?", "2023年11月", False),
    ("How many staff does the institute employ?", "100名", True),
    ("How many staff does the institute employ?", "1亿英镑", False),  # a sum of money counts no staff
    ("What percentage of the models passed the tests?", "18%", True),
    ("What percentage of the models passed the tests?", "100名", False),
])
def test_a_value_fits_what_the_question_asks(question: str, surface: str, fits: bool) -> None:
    query = plain_query(question, "en")
    slot = next(s for s in extract_slots(f"资料：{surface}。") if s.surface.strip() == surface)
    assert fits_question(slot, query) is fits


def test_plain_numbers_are_the_numbers_no_slot_reads() -> None:
    text = "The population was 17,786,419 in 2010, up 5.2% on 2000."
    found = [s.surface for s in plain_numbers(text, [s for s in extract_slots(text) if s.kind in ("quantity", "date")])]
    assert "17,786,419" in found and "5.2" not in found  # the share is a slot already


def model_reading(name: str, threshold: float) -> LeadModel:
    """A model that reads one feature only: a value of the asked kind scores high, any other low."""
    coef = np.array([4.0 if n == name else 0.0 for n in FEATURE_NAMES])
    return LeadModel(list(FEATURE_NAMES), np.zeros(len(coef)), np.ones(len(coef)), coef, -2.0, threshold)


def test_the_lead_is_the_best_candidate_and_only_at_the_threshold() -> None:
    query = plain_query("How much initial funding did the institute receive?", "en")
    rows = candidate_rows(query, [citation(ROW)])
    assert {c.slot.surface for c, _ in rows} >= {"2023年11月", "1亿英镑"}
    assert lead_line(query, [citation(ROW)], model_reading("fits_question", 0.5)) == "1亿英镑 (100 million pounds) [1]"
    assert lead_line(query, [citation(ROW)], model_reading("fits_question", 0.99)) is None  # not sure enough: none
    assert lead_line(plain_query("Why was it set up?", "en"), [citation(ROW)], model_reading("fits_question", 0.0)) is None
