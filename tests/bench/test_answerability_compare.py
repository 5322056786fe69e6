"""bench.answerability_compare.paired: the same decisions differ by exactly 0; one more refusal in every answerable
paragraph is a difference whose interval excludes 0; a difference carried by one paragraph gets a wide interval."""

from __future__ import annotations

import numpy as np

from bench.answerability_compare import paired


def rows(paragraphs: int, per: int) -> list[dict]:
    out = []
    for k in range(paragraphs):
        for j in range(per):
            out.append({"dataset": "xquad", "direction": "en→en", "paragraph": f"p{k}", "indexed": k % 2 == 0,
                        "holds": k % 2 == 0})
    return out


def test_identical_decisions_differ_by_nothing() -> None:
    data = rows(40, 5)
    base = np.asarray([i % 7 == 0 for i in range(len(data))])
    result = paired(data, base, base.copy(), resamples=200)["xquad en→en"]
    for rate in ("false_refusal", "false_refusal_evidence_held", "correct_refusal"):
        assert result[rate]["diff"] == result[rate]["low"] == result[rate]["high"] == 0.0


def test_one_more_refusal_in_every_paragraph_is_a_clear_difference() -> None:
    data = rows(40, 5)
    base = np.zeros(len(data), dtype=bool)
    new = base.copy()
    for i, r in enumerate(data):
        if r["indexed"] and i % 5 == 0:  # one of five answerable questions in each answerable paragraph
            new[i] = True
    result = paired(data, base, new, resamples=500)["xquad en→en"]
    assert result["false_refusal"]["diff"] == 0.2 and result["false_refusal"]["low"] > 0.1
    assert result["correct_refusal"]["diff"] == 0.0  # negative: the near misses were not touched


def test_a_difference_from_one_paragraph_is_uncertain() -> None:
    data = rows(40, 5)
    base = np.zeros(len(data), dtype=bool)
    new = base.copy()
    new[:5] = True  # all five questions of paragraph p0 (answerable)
    result = paired(data, base, new, resamples=1000)["xquad en→en"]["false_refusal"]
    assert result["diff"] == 0.05 and result["low"] == 0.0 and result["high"] > 0.09
