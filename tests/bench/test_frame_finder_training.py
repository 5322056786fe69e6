"""Training the frame finder (bench.frame_finder): the training frames never a scored family's, the statement found
where the template put it, and the evidence gate chosen by its stated rule."""

from __future__ import annotations

import json

import pytest

from bench.frame_finder import (
    COVERAGE_GRID,
    MAX_BARE_CUT_EVIDENCE,
    TRAINING,
    GateCase,
    choose_gate,
    family_names,
    statement_in,
)


def test_no_training_template_or_generated_name_is_a_scored_familys() -> None:
    from bench.claim_frames import FAMILIES, TRAINED_ON

    templates = json.loads(TRAINING.read_text(encoding="utf-8"))["templates"]
    for family, (_, frames, _) in FAMILIES.items():
        for language in ("en", "zh"):
            shared = set(templates[language]) & set(frames[language])
            assert shared == set(TRAINED_ON.get(family, {}).get(language, ())), family  # framed2's declared five only
    assert "framed3" not in TRAINED_ON and "framed" not in TRAINED_ON
    assert "the concordia ai study" in family_names()


@pytest.mark.parametrize("framed, claim, template, span", [
    ("The report says that the EU fined Meta.", "the EU fined Meta.", "{Name} says that {claim}", (21, 39)),
    ("The EU fined Meta, the report says.", "The EU fined Meta.", "{claim_bare}, {name} says.", (0, 17)),
    ("据报告，欧盟罚款。", "欧盟罚款。", "据{name}，{claim}", (4, 9)),
])
def test_the_statement_is_found_where_the_template_put_it(framed: str, claim: str, template: str,
                                                           span: tuple[int, int]) -> None:
    assert statement_in(framed, claim, template) == span
    assert statement_in(framed, "The US fined Meta.", template) is None  # another claim is not inside


def _case(language: str, bare: bool, p: float, coverage: float) -> GateCase:
    """A ten-token example whose best prefix cut (at token 3) has probability ``p`` and frame coverage ``coverage``."""
    return GateCase(language, bare, (0, 10) if bare else (3, 10), 10, (3, p, coverage), (10, 0.0, 1.0))


def test_the_gate_admits_low_probability_cuts_only_where_the_evidence_lacks_the_frame() -> None:
    cases = []
    for language in ("en", "zh"):
        cases += [_case(language, True, 0.02, 0.0) for _ in range(400)]  # bare claims the finder barely suspects
        cases += [_case(language, True, 0.6, 0.9) for _ in range(20)]  # a document's own reporting clause
        cases += [_case(language, False, 0.4, 0.1) for _ in range(50)]  # reader's frames, unseen, not in the evidence
        cases += [_case(language, False, 0.95, 0.9) for _ in range(10)]  # a frame the evidence happens to hold
    gate, table = choose_gate(cases)
    assert set(table) == {str(c) for c in COVERAGE_GRID}
    # with the gate the reporting clauses (coverage 0.9) are never cut, so the bar can drop under 0.4 …
    assert gate["max_coverage"] < 0.9 and all(0.02 < gate["min_probability"][lang] <= 0.4 for lang in ("en", "zh"))
    for row in table.values():
        for language in ("en", "zh"):
            assert row[language]["bare_cut"] <= MAX_BARE_CUT_EVIDENCE
    # … and the framed examples the gate lets through are found (50 of 60 per language)
    assert table[str(gate["max_coverage"])]["en"]["statement_found"] == pytest.approx(50 / 60, abs=1e-4)


def test_without_room_under_the_bar_nothing_low_is_cut() -> None:
    # every bare claim is as likely a frame as the framed ones and its frame is not in the evidence either
    cases = [_case("en", True, 0.5, 0.0) for _ in range(100)] + [_case("en", False, 0.5, 0.0) for _ in range(100)]
    cases += [_case("zh", True, 0.5, 0.0) for _ in range(100)] + [_case("zh", False, 0.5, 0.0) for _ in range(100)]
    gate, table = choose_gate(cases)
    assert all(gate["min_probability"][lang] > 0.5 for lang in ("en", "zh"))
    assert table[str(gate["max_coverage"])]["zh"]["statement_found"] == 0.0
