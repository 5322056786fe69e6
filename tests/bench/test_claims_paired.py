"""bench.claims_paired: a paired bootstrap over documents of a candidate's verdicts against its control's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest


def test_the_interval_is_zero_for_the_same_verdicts_and_clear_for_a_gain_everywhere() -> None:
    from bench.claims_paired import paired_interval

    right = np.array([1, 0, 1, 1, 0, 1] * 10)
    groups = [f"d{i % 12}" for i in range(60)]
    assert paired_interval(right, right, groups) == (0.0, 0.0, 0.0)
    better = np.ones(60)
    diff, low, high = paired_interval(right, better, groups)
    assert diff == (better - right).mean() and 0 < low <= diff <= high


def test_a_difference_from_one_document_is_not_called_clear() -> None:
    """The negative: one document's 10 claims all turned wrong among 11 documents — a difference, but a resample
    without that document shows none, so the interval reaches 0."""
    from bench.claims_paired import paired_interval

    control = np.ones(110)
    candidate = control.copy()
    candidate[:10] = 0
    groups = [f"d{i // 10}" for i in range(110)]
    diff, low, high = paired_interval(control, candidate, groups)
    assert diff < 0 and low < diff and high == 0.0


def test_the_table_reads_claims_both_files_hold_per_pair(tmp_path: Path) -> None:
    from bench.claims_paired import paired_table, read_verdicts

    def write(name: str, verdicts: list[str]) -> Path:
        path = tmp_path / name
        rows = [{"id": f"c{i}", "label": "supported", "pair": "zh/en" if i % 2 else "en/zh", "document": f"d{i % 3}",
                 "fitted": v} for i, v in enumerate(verdicts)]
        rows.append({"id": "c0~nm", "label": "not_found", "pair": "en/zh", "document": "d0", "fitted": "supported"})
        path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
        return path

    control = read_verdicts(write("control.jsonl", ["supported"] * 6))
    candidate = read_verdicts(write("cand.jsonl", ["supported", "not_found"] * 3))  # every zh/en claim lost
    with pytest.raises(SystemExit, match="no 'matched' reading"):  # the candidate must hold the reading asked for
        paired_table(control, candidate, at="matched", resamples=200)
    for row in candidate.values():
        row["matched"] = row["fitted"]
    table = {t["slice"]: t for t in paired_table(control, candidate, at="matched", resamples=200)}  # control: fitted
    assert table["all"]["claims"] == 6  # the near miss is not a claim
    assert table["zh/en"]["difference"] == -1.0 and table["en/zh"]["difference"] == 0.0  # and the negative beside it
    assert set(table) == {"all", "en/zh", "zh/en"}


def test_written_verdicts_are_what_the_table_reads(tmp_path: Path) -> None:
    """``compare --verdicts`` and ``heldout --verdicts`` write through ``write_verdicts``: one record per row, its
    document and each named verdict; a row the other file lacks is not compared."""
    from bench.claims_candidate import write_verdicts
    from bench.claims_paired import paired_table, read_verdicts

    rows = [{"id": f"c{i}", "label": "contradicted", "claim_lang": "en", "source_lang": "zh"} for i in range(4)]
    documents = {f"c{i}": f"d{i % 2}" for i in range(4)}
    write_verdicts(tmp_path / "a.jsonl", rows, documents, {"fitted": ["contradicted"] * 4})
    write_verdicts(tmp_path / "b.jsonl", rows[:3], documents, {"fitted": ["contradicted", "supported", "contradicted"]})
    a, b = read_verdicts(tmp_path / "a.jsonl"), read_verdicts(tmp_path / "b.jsonl")
    assert a["c1"] == {"id": "c1", "label": "contradicted", "pair": "en/zh", "document": "d1", "fitted": "contradicted"}
    table = {t["slice"]: t for t in paired_table(a, b, resamples=100)}
    assert table["all"]["claims"] == 3 and abs(table["en/zh"]["difference"] + 1 / 3) < 1e-9  # c3 not compared
