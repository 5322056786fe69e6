"""bench.claims_candidate: the slot columns recomputed from cached rows, and the metrics a candidate is read by."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.claims_candidate import metrics, read_as, recompute, slot_columns, splice
from rag.answer.claim_features import FEATURE_NAMES


def test_slot_columns_see_a_changed_figure_and_not_its_true_form() -> None:
    changed = slot_columns("The institute received 500 million pounds", "该研究所获得初始资金1亿英镑")
    true = slot_columns("The institute received 100 million pounds", "该研究所获得初始资金1亿英镑")
    assert changed["diff_quantity"] == 1.0
    assert true["diff_quantity"] == 0.0 and true["matched"] >= 1.0  # the negative


def test_recompute_rewrites_only_stale_slot_cells_and_copies_the_reader_scores(tmp_path: Path) -> None:
    pair = [0.0] * len(FEATURE_NAMES)
    pair[FEATURE_NAMES.index("diff_quantity")] = 0.0  # stale: the figure differs
    pair[FEATURE_NAMES.index("cosine")] = 0.83  # not a slot column: kept as cached
    row = {"id": "c1", "claim": "Is it true that the institute received 500 million pounds?", "pairs": [pair],
           "sentences": ["该研究所获得初始资金1亿英镑"]}
    (tmp_path / "claims-features-tune.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "claims-reader-tune.jsonl").write_text("{}\n", encoding="utf-8")
    changed = recompute("tune", tmp_path / "out", source=tmp_path)
    (written,) = [json.loads(x) for x in (tmp_path / "out" / "claims-features-tune.jsonl").read_text(encoding="utf-8").splitlines()]
    assert changed["diff_quantity"] == 1 and changed["diff_date"] == 0
    assert written["pairs"][0][FEATURE_NAMES.index("diff_quantity")] == 1.0
    assert written["pairs"][0][FEATURE_NAMES.index("cosine")] == 0.83
    assert (tmp_path / "out" / "claims-reader-tune.jsonl").exists()


def rows() -> list[dict[str, str]]:
    base = {"claim_lang": "en", "source_lang": "zh", "claim": "The office opened.", "sentences": ["该办公室已开设。"]}
    return [
        {**base, "id": "a", "label": "supported", "transform": "restate_cross"},
        {**base, "id": "a~nm", "label": "not_found", "transform": "source_removed"},
        {**base, "id": "b", "label": "contradicted", "transform": "number"},
        {**base, "id": "c", "label": "not_found", "transform": "unsupported_detail"},
    ]


@pytest.mark.parametrize(("near_miss_p", "precision_with", "near_supported"), [
    (0.2, 1.0, 0.0),  # the near miss not called supported
    (0.9, 0.5, 1.0),  # the negative: called supported, it costs precision once near misses count
])
def test_metrics_count_near_misses_apart_from_the_claims(near_miss_p: float, precision_with: float,
                                                         near_supported: float) -> None:
    p = np.array([[0.9, 0.05, 0.05], [near_miss_p, 0.1, 1 - near_miss_p - 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
    m = metrics(rows(), p, 0.5)
    assert m["claims"] == 1.0 and m["precision"] == 1.0  # the three claims right either way
    assert m["precision_with_near_misses"] == precision_with
    assert m["near_misses_supported"] == near_supported
    assert m["en/zh"] == 1.0 and "zh/en" not in m


def test_a_higher_threshold_turns_a_weak_supported_into_another_verdict() -> None:
    p = np.array([[0.55, 0.4, 0.05], [0.2, 0.1, 0.7], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
    assert metrics(rows(), p, 0.5)["claims"] == 1.0
    assert metrics(rows(), p, 0.6)["claims"] < 1.0  # the negative: at 0.6 the true claim is no longer supported


def test_the_matched_threshold_is_the_lowest_reaching_the_controls_precision() -> None:
    from bench.claims_candidate import matched_threshold

    # the false claim "c" leans supported at 0.45: below it "supported" is half wrong, from 0.46 all right
    p = np.array([[0.7, 0.2, 0.1], [0.2, 0.1, 0.7], [0.1, 0.8, 0.1], [0.45, 0.05, 0.5]])
    assert matched_threshold(rows(), p, 1.0) == 0.46
    assert metrics(rows(), p, 0.45)["precision"] == 0.5 and metrics(rows(), p, 0.46)["precision"] == 1.0
    assert matched_threshold(rows(), p, 0.5) == 0.3  # the negative: a lower target is met from the lowest tried
    assert matched_threshold(rows(), np.array([[0.1, 0.1, 0.8]] * 3 + [[0.95, 0.0, 0.05]]), 1.0) == 0.99  # never


def test_a_quoted_claim_counts_as_supported_as_the_product_says_and_not_with_the_model_alone() -> None:
    quoted = rows()
    quoted[0] = {**quoted[0], "claim": "The office opened in 2024.", "sentences": ["* The office opened in 2024."]}
    p = np.array([[0.2, 0.7, 0.1], [0.2, 0.1, 0.7], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
    assert metrics(quoted, p, 0.5)["claims"] == 1.0
    assert metrics(quoted, p, 0.5, quotes=False)["claims"] < 1.0  # the model alone calls the quote contradicted
    assert metrics(rows(), p, 0.5)["claims"] < 1.0  # the negative: no quote, the model's verdict stands


def test_insert_takes_a_new_column_from_a_rerun_and_keeps_every_cached_one(tmp_path: Path, monkeypatch) -> None:
    from bench import claims_candidate
    from bench.claims import COSINE
    from rag.answer import claim_features

    names = (*claim_features.TEXT_FEATURES[:3], "passage_thing", *claim_features.TEXT_FEATURES[3:])
    monkeypatch.setattr(claim_features, "TEXT_FEATURES", names)  # a column the candidate's code adds at index 3

    def pair(cosine: float, value: float | None = None) -> list[float]:
        cells = [0.5] * (len(names) - 1)
        cells[COSINE] = cosine
        return cells if value is None else cells[:3] + [value] + cells[3:]

    cached = {"id": "c1", "pairs": [pair(0.81), pair(0.81), pair(0.77), pair(0.70)],
              "sentences": ["s1", "s2 (its passage-mate s1 kept)", "s3 (dropped, no mate)", "s4"]}
    rerun = {"id": "c1", "pairs": [pair(0.8101, 0.9), pair(0.7, 0.4), pair(0.6, 0.2)],
             "sentences": ["s1", "s4", "s5 (new in the rerun)"]}
    for folder, row in (("cached", cached), ("rerun", rerun)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "claims-features-tune.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    (tmp_path / "cached" / "claims-reader-tune.jsonl").write_text("{}\n", encoding="utf-8")
    counts = claims_candidate.insert("tune", tmp_path / "rerun", "passage_thing", tmp_path / "out", tmp_path / "cached")
    (written,) = [json.loads(x) for x in (tmp_path / "out" / "claims-features-tune.jsonl").read_text().splitlines()]
    assert [p[3] for p in written["pairs"]] == [0.9, 0.9, 0.0, 0.4]
    assert [p[:3] + p[4:] for p in written["pairs"]] == cached["pairs"]  # the cached cells as they were (cosines too)
    assert written["sentences"] == cached["sentences"]
    assert counts == {"rows": 1, "changed": 1, "left_at_zero": 1}
    assert (tmp_path / "out" / "claims-reader-tune.jsonl").exists()
    # the negative: rows that already hold the column are refused, not shifted twice
    with pytest.raises(ValueError):
        claims_candidate.insert("tune", tmp_path / "rerun", "passage_thing", tmp_path / "again", tmp_path / "out")


def _write(folder: Path, name: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_splice_takes_only_the_claims_the_candidate_reads_otherwise(tmp_path: Path) -> None:
    control, rerun, out = tmp_path / "ctl", tmp_path / "rerun", tmp_path / "out"
    _write(control, "claims-features-h.jsonl", [
        {"id": "a", "statement": "X says that the fund is 5", "pairs": [[0.1]]},
        {"id": "b", "statement": "the fund is 6", "pairs": [[0.2]]}])
    _write(rerun, "claims-features-h.jsonl", [
        {"id": "a", "statement": "the fund is 5", "pairs": [[0.9]]},  # a frame cut off: taken
        {"id": "b", "statement": "the fund is 6", "pairs": [[0.3]]}])  # read alike, rerun noise: not taken
    _write(control, "claims-reader-h.jsonl", [{"id": "a", "s": 1}, {"id": "a~nm", "s": 1}, {"id": "b", "s": 1}])
    _write(rerun, "claims-reader-h.jsonl", [{"id": "a", "s": 2}, {"id": "a~nm", "s": 2}, {"id": "b", "s": 2}])
    out.mkdir()
    (out / "claims-features-h.jsonl").symlink_to(control / "claims-features-h.jsonl")  # a link is replaced, not written through
    counts = splice("h", control, rerun, out)
    assert counts == {"rows": 2, "changed": 1, "missing_in_rerun": 0}
    assert "0.1" in (control / "claims-features-h.jsonl").read_text(encoding="utf-8")  # the control is untouched
    features = [json.loads(line) for line in (out / "claims-features-h.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["pairs"] for r in features] == [[[0.9]], [[0.2]]]
    reader = [json.loads(line) for line in (out / "claims-reader-h.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["id"]: r["s"] for r in reader} == {"a": 2, "a~nm": 2, "b": 1}


def test_a_row_cached_before_statements_were_recorded_reads_as_its_claim_uncut() -> None:
    assert read_as({"claim": "Is it true that the fund is 5?"}) == read_as({"claim": "x", "statement": "the fund is 5"})
    assert read_as({"claim": "X says that the fund is 5"}) != read_as({"claim": "x", "statement": "the fund is 5"})


def write_model(folder: Path, intercept: list[float]) -> None:
    """A claim model file that reads nothing but its intercepts (supported, contradicted, not found)."""
    from rag.answer.claim_model import ClaimModel, vector_names

    n = len(vector_names())
    model = ClaimModel(vector_names(), np.zeros(n), np.ones(n), np.zeros((3, n)), np.array(intercept), 0.5)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "claim_model_reader.json").write_text(json.dumps(model.to_json()), encoding="utf-8")


def test_heldout_reads_each_folder_as_the_product_reads_a_claim(tmp_path: Path) -> None:
    from bench.claims_candidate import heldout_metrics

    pair = [0.0] * len(FEATURE_NAMES)
    base = {"claim_lang": "en", "source_lang": "zh", "corpus": "policy", "rule_verdict": None}
    held = [
        {**base, "id": "a", "claim": "The office opened.", "label": "supported", "transform": "restate_cross",
         "pairs": [pair], "source": [True], "sentences": ["该办公室已开设。"]},
        {**base, "id": "b", "claim": "The office closed.", "label": "supported", "transform": "restate_cross",
         "pairs": [], "source": [], "sentences": []},  # nothing to read it against: not found, as the product says
        {**base, "id": "c", "claim": "The office moved.", "label": "not_found", "transform": "unsupported_detail",
         "pairs": [pair], "source": [False], "sentences": ["该办公室已开设。"]},
    ]
    rows_dir = tmp_path / "rows"
    rows_dir.mkdir()
    (rows_dir / "claims-features-heldout.jsonl").write_text("".join(json.dumps(r) + "\n" for r in held), encoding="utf-8")
    (rows_dir / "claims-reader-heldout.jsonl").write_text("", encoding="utf-8")
    write_model(tmp_path / "says-supported", [3.0, 0.0, 0.0])
    write_model(tmp_path / "says-not-found", [0.0, 0.0, 3.0])
    supported = heldout_metrics(rows_dir, models=tmp_path / "says-supported")
    assert supported["right"] == 1.0 and supported["claims"] == round(1 / 3, 4)  # a right; b not found; c wrongly supported
    assert supported["precision"] == 0.5
    unstated = heldout_metrics(rows_dir, models=tmp_path / "says-not-found")  # the negative: another model, other verdicts
    assert unstated["right"] == 1.0 and unstated["label not_found"] == 1.0 and unstated["label supported"] == 0.0


def test_refresh_takes_passage_columns_from_the_rerun_by_sentence_or_passage_mate(tmp_path: Path) -> None:
    from bench.claims import COSINE
    from bench.claims_candidate import refresh

    at = FEATURE_NAMES.index("passage_diff_date")

    def pair(cosine: float, date: float, coverage: float = 0.5) -> list[float]:
        row = [0.0] * len(FEATURE_NAMES)
        row[COSINE], row[at], row[FEATURE_NAMES.index("coverage")] = cosine, date, coverage
        return row

    cached = {"id": "c1", "claim": "x", "pairs": [pair(0.8, 0.0), pair(0.8, 0.0), pair(0.7, 0.0)],
              "sentences": ["s1", "s2 (its passage-mate)", "s3 (not in the rerun)"]}
    rerun = {"id": "c1", "claim": "x", "pairs": [pair(0.80001, 1.0, coverage=0.9)], "sentences": ["s1"]}
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "claims-features-tune.jsonl").write_text(json.dumps(cached) + "\n", encoding="utf-8")
    (tmp_path / "rerun").mkdir()
    (tmp_path / "rerun" / "claims-features-tune.jsonl").write_text(json.dumps(rerun) + "\n", encoding="utf-8")
    counts = refresh("tune", tmp_path / "rerun", tmp_path / "out", source=tmp_path / "src")
    row = json.loads((tmp_path / "out" / "claims-features-tune.jsonl").read_text(encoding="utf-8"))
    assert [p[at] for p in row["pairs"]] == [1.0, 1.0, 0.0]  # by sentence, by passage-mate; the third kept
    assert counts["passage_diff_date"] == 2 and counts["kept"] == 1
    assert [p[FEATURE_NAMES.index("coverage")] for p in row["pairs"]] == [0.5, 0.5, 0.5]  # the negative: other columns kept


def test_a_control_read_by_other_code_gives_the_precision_to_match() -> None:
    from bench.claims_candidate import match_target

    control = {"fitted": {"precision": 0.96}}
    assert match_target(True, None, control) == 0.96  # the first folder's
    assert match_target(True, 0.952, control) == 0.952  # given: every folder matched at it, the first one too
    assert match_target(True, 0.952, None) == 0.952
    assert match_target(True, None, None) is None  # the negatives: the control itself, and not matched
    assert match_target(False, None, control) is None
