"""bench.claims fit: out-of-fold probabilities come from models that never saw the claim's fold, and the
regularisation kept is the one with the best out-of-fold accuracy."""

from __future__ import annotations

import numpy as np

from bench.claims import choose_c, out_of_fold_probabilities


def _claims(n: int, seed: int = 0) -> tuple[list[dict[str, str]], np.ndarray, np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = np.hstack([np.eye(3)[y] + rng.normal(0, 0.8, (n, 3)), rng.normal(0, 1, (n, 20))])  # 3 signals, 20 noise
    rows = [{"label": ("supported", "contradicted", "not_found")[k]} for k in y]
    return rows, (x - x.mean(0)) / x.std(0), y, [i % 3 for i in range(n)]


def test_a_verdict_only_one_fold_has_is_never_predicted_for_that_fold() -> None:
    rows, x, y, folds = _claims(300)
    y = y.copy()
    y[np.asarray(folds) == 0] = 2  # fold 0: only "not found"; the other folds: none
    y[(np.asarray(folds) != 0) & (y == 2)] = 0
    p = out_of_fold_probabilities(x, y, folds, 1.0)
    inside = np.asarray(folds) == 0
    assert np.all(p[inside, 2] == 0.0)  # its model never saw a "not found"
    assert np.allclose(p.sum(axis=1), 1.0)
    # the negative: where every fold has every verdict, each gets some probability
    rows, x, y, folds = _claims(300)
    assert np.all(out_of_fold_probabilities(x, y, folds, 1.0)[np.asarray(folds) == 0, 2] > 0.0)


def test_the_kept_c_is_the_one_with_the_best_out_of_fold_accuracy() -> None:
    rows, x, y, folds = _claims(120, seed=1)
    c, threshold, tried = choose_c(rows, x, y, folds, [0.001, 0.1, 10.0], min_precision=0.8)
    assert set(tried) == {"0.001", "0.1", "10"}
    assert tried[f"{c:g}"] == max(tried.values())
    assert 0.3 <= threshold <= 0.95
    assert len(set(tried.values())) > 1  # the grid matters here: not every C scores alike


def test_a_held_threshold_is_the_one_every_c_is_read_at() -> None:
    rows, x, y, folds = _claims(120, seed=1)
    _, fitted, _ = choose_c(rows, x, y, folds, [0.1], min_precision=0.8)
    held = 0.9 if fitted < 0.9 else 0.4
    _, threshold, tried = choose_c(rows, x, y, folds, [0.1], min_precision=0.8, held=held)
    assert threshold == held  # held, not the lowest with the precision floor
    # the negative: without it the floor's lowest threshold is kept, and the held one reads another accuracy
    _, again, tried_free = choose_c(rows, x, y, folds, [0.1], min_precision=0.8)
    assert again == fitted != held and tried["0.1"] != tried_free["0.1"]


def test_an_unreachable_precision_gives_the_highest_threshold_not_a_low_one() -> None:
    from bench.claims import lowest_threshold

    rows = [{"label": "supported"}, {"label": "not_found"}, {"label": "supported"}, {"label": "not_found"}]
    assert lowest_threshold(rows, [0.9, 0.95, 0.4, 0.2], 0.95) == 0.99  # every threshold's precision is 0.5 or less
    assert lowest_threshold(rows, [0.9, 0.605, 0.4, 0.2], 0.95) == 0.61  # negative: a reachable target keeps its lowest


def test_a_near_miss_floor_raises_the_threshold_only_when_near_misses_get_through() -> None:
    from bench.claims import NEAR_MISS, lowest_threshold

    rows = [{"id": "a", "label": "supported"}, {"id": "b", "label": "not_found"},
            {"id": "a" + NEAR_MISS, "label": "not_found"}, {"id": "c", "label": "supported"}]
    p = [0.9, 0.2, 0.605, 0.55]
    assert lowest_threshold(rows, p, 0.95) == 0.61  # no floor: every row counts alike (strict's reading)
    assert lowest_threshold(rows, p, 0.95, 0.6) == 0.3  # the claims alone reach 0.95 at 0.3; 2 of 3 meets a 0.6 floor
    assert lowest_threshold(rows, p, 0.95, 0.9) == 0.61  # a 0.9 floor: the near miss at 0.605 must stay out
    assert lowest_threshold(rows, [0.9, 0.2, 0.505, 0.55], 0.95, 0.9) == 0.51  # negative: a near miss below 0.55 is out sooner


def test_only_the_listed_claims_and_their_near_misses_are_fitted_on() -> None:
    from bench.claims import NEAR_MISS, only_claims

    rows = [{"id": "a"}, {"id": "a" + NEAR_MISS}, {"id": "b"}, {"id": "b" + NEAR_MISS}, {"id": "ab"}]
    assert [r["id"] for r in only_claims(rows, {"a"})] == ["a", "a" + NEAR_MISS]
    assert only_claims(rows, {"c"}) == []  # negative: an id the rows lack keeps nothing


def test_the_shipped_fit_list_names_tune_claims_only() -> None:
    from bench.claims import FIT_IDS, load_claims

    ids = FIT_IDS.read_text(encoding="utf-8").split()
    tune, heldout = {c["id"] for c in load_claims("tune")}, {c["id"] for c in load_claims("heldout")}
    assert len(ids) == len(set(ids)) == 4410
    assert set(ids) <= tune
    assert not set(ids) & heldout  # negative: no held-out claim is fitted on
    assert len(tune - set(ids)) > 0  # the LLM-translated claims that joined the half later are not in it


def test_confidence_tiers_split_the_supported_verdicts_at_the_strict_threshold() -> None:
    from bench.claims import confidence_tiers
    from rag.answer.claim_model import ClaimModel

    model = ClaimModel(["x"], np.zeros(1), np.ones(1), np.zeros((3, 1)), np.zeros(3), 0.5,
                       strict_supported_min_probability=0.8)
    rows = [{"id": "a", "label": "supported"}, {"id": "b", "label": "supported"}, {"id": "b~nm", "label": "not_found"},
            {"id": "c", "label": "not_found"}]
    p = [{"supported": s, "contradicted": 0.0, "not_found": 1 - s} for s in (0.9, 0.6, 0.7, 0.1)]
    tiers = confidence_tiers(rows, p, model, [False, False, False, False])
    assert tiers["supported high"] == {"n": 1, "share": 0.333, "precision": 1.0, "precision_with_near_misses": 1.0}
    assert tiers["supported low"] == {"n": 2, "share": 0.667, "precision": 1.0, "precision_with_near_misses": 0.5}
    # the negative: a quote is a firm "supported" whatever its probability
    assert confidence_tiers(rows, p, model, [False, True, False, False])["supported high"]["n"] == 2
    # "contradicted" below its confident threshold is the low tier, above it the high one
    model.confident_contradicted_min_probability = 0.8
    p = [{"supported": 0.0, "contradicted": c, "not_found": 1 - c} for c in (0.9, 0.6, 0.7, 0.95)]
    rows[3]["label"] = "contradicted"
    tiers = confidence_tiers(rows, p, model, [False] * 4)
    assert tiers["contradicted high"]["n"] == 2 and tiers["contradicted high"]["precision"] == 0.5
    assert tiers["contradicted low"] == {"n": 2, "share": 0.5, "precision": 0.0, "precision_with_near_misses": 0.0}
    # with the claims' vectors: a confident "contradicted" whose top pairs show no difference is the low tier too
    from rag.answer.claim_model import vector_names

    vectors = np.zeros((4, len(vector_names())))
    vectors[:, vector_names().index("max_diff_quantity")] = 1.0
    assert confidence_tiers(rows, p, model, [False] * 4, vectors)["contradicted high"]["n"] == 2
    vectors[0, vector_names().index("max_diff_quantity")] = 0.0
    tiers = confidence_tiers(rows, p, model, [False] * 4, vectors)
    assert tiers["contradicted high"]["n"] == 1 and tiers["contradicted high"]["precision"] == 1.0


def test_the_confident_contradicted_threshold_is_the_lowest_reaching_the_precision() -> None:
    from bench.claims import lowest_contradicted

    rows = [{"label": label} for label in ("contradicted", "contradicted", "not_found", "supported", "contradicted")]
    p = np.array([[0.0, c, 1 - c] for c in (0.95, 0.9, 0.7, 0.6, 0.55)])
    assert lowest_contradicted(rows, p, 0.5, 0.9) == 0.71  # at 0.71 only the two right ones remain
    assert lowest_contradicted(rows, p, 0.5, 0.5) == 0.0  # the negative: a low bar keeps every verdict firm
    assert lowest_contradicted([{"label": "not_found"}] * 5, p, 0.5, 0.9) == 1.0  # never reached: all said with low confidence


def test_rows_left_out_of_the_fit_are_read_but_never_fitted_on() -> None:
    rows, x, y, folds = _claims(300, seed=2)
    fitted = np.ones(len(y), dtype=bool)
    fitted[::5] = False  # every fifth row (near misses, say) is read only
    y_flipped = y.copy()
    y_flipped[~fitted] = (y[~fitted] + 1) % 3  # labels that would pull the model if it fitted on them
    kept_out = out_of_fold_probabilities(x, y_flipped, folds, 1.0, fitted)
    without = out_of_fold_probabilities(x[fitted], y[fitted], list(np.asarray(folds)[fitted]), 1.0)
    assert np.allclose(kept_out[fitted], without)  # the read-only rows change nothing
    # the negative: fitted on, their flipped labels do change the others' probabilities
    assert not np.allclose(out_of_fold_probabilities(x, y_flipped, folds, 1.0)[fitted], without)


def test_a_near_miss_floor_keeps_near_misses_out_of_the_accuracy_and_raises_the_threshold() -> None:
    from bench.claims import NEAR_MISS

    rows, x, y, folds = _claims(300, seed=3)
    rows = [{**r, "id": f"c{i}"} for i, r in enumerate(rows)]
    # near misses: copies of true claims' vectors, labelled not found (their source left out)
    true = [i for i, k in enumerate(y) if k == 0][:60]
    rows += [{"id": f"c{i}{NEAR_MISS}", "label": "not_found"} for i in true]
    x = np.vstack([x, x[true]])
    y = np.concatenate([y, np.full(len(true), 2)])
    folds = folds + [folds[i] for i in true]
    _, plain, _ = choose_c(rows[:300], x[:300], y[:300], folds[:300], [1.0], min_precision=0.8)
    _, floored, tried = choose_c(rows, x, y, folds, [1.0], min_precision=0.8, min_with_near_misses=0.7)
    assert floored > plain  # near misses as sure as their claims can only be kept out by a higher threshold
    assert tried["1"] <= 1.0
    _, unfloored, _ = choose_c(rows, x, y, folds, [1.0], min_precision=0.8, min_with_near_misses=0.01)
    assert unfloored == plain  # the negative: a floor every threshold meets changes nothing


def test_out_of_fold_vectors_never_read_a_rows_own_fold_in_step_1() -> None:
    import bench.claims as bc
    from rag.answer.claim_features import TEXT_FEATURES

    rng = np.random.default_rng(3)
    rows = [{"id": f"c{i}", "pairs": rng.random((4, len(TEXT_FEATURES))).round(3).tolist(),
             "source": [k == i % 4 for k in range(4)]} for i in range(60)]
    folds = [i % 3 for i in range(60)]
    before = bc.out_of_fold_vectors(rows, folds, 1.0)
    for i, r in enumerate(rows):  # fold 0's source labels moved: only the other folds' step 1 sees them
        if folds[i] == 0:
            r["source"] = r["source"][1:] + r["source"][:1]
    after = bc.out_of_fold_vectors(rows, folds, 1.0)
    inside = np.array(folds) == 0
    assert np.allclose(before[inside], after[inside])
    assert not np.allclose(before[~inside, 0], after[~inside, 0])  # the negative: the folds that read them move


def test_the_cross_language_gates_are_the_largest_that_keep_the_claims() -> None:
    from bench.claims import NEAR_MISS, choose_cross_gate
    from rag.answer.claim_model import vector_names

    names = vector_names()
    vectors = np.zeros((3, len(names)))
    vectors[:, names.index("best_cross_language")] = [1.0, 1.0, 0.0]
    vectors[:, names.index("best_relevance")] = [0.5, 0.05, 0.01]
    # a false claim read across languages (relevance 0.5), a near miss across languages (0.05), a same-language false claim
    rows = [{"id": "f", "label": "contradicted"}, {"id": "t" + NEAR_MISS, "label": "not_found"},
            {"id": "g", "label": "contradicted"}]
    p = np.array([[0.1, 0.8, 0.1]] * 3)
    gate, tried = choose_cross_gate(rows, p, vectors, "contradicted", [0.1, 0.6], 0.0, 0.5)
    assert gate == 0.1 and tried == {"0": 1.0, "0.1": 1.0, "0.6": 0.5}  # 0.6 loses the first; the third stays
    gate, _ = choose_cross_gate(rows, p, vectors, "contradicted", [0.1, 0.6], 0.5, 0.5)
    assert gate == 0.6  # the negative: a loose tolerance keeps the largest gate


def test_a_cross_language_supported_gate_holds_the_threshold() -> None:
    from bench.claims import NEAR_MISS, choose_cross_gate
    from rag.answer.claim_model import vector_names

    names = vector_names()
    vectors = np.zeros((3, len(names)))
    vectors[:, names.index("best_cross_language")] = 1.0
    vectors[:, names.index("best_relevance")] = [0.6, 0.05, 0.3]
    # two true claims read across languages (P 0.9, 0.7) and a near miss whose best sentence is not about it (P 0.8)
    rows = [{"id": "a", "label": "supported"}, {"id": "a" + NEAR_MISS, "label": "not_found"}, {"id": "c", "label": "supported"}]
    p = np.array([[0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.7, 0.2, 0.1]])
    gate, tried = choose_cross_gate(rows, p, vectors, "supported", [0.1, 0.5], 0.0, 0.6)
    assert tried == {"0": 1.0, "0.1": 1.0, "0.5": 0.5}  # at the held threshold 0.6 both claims are supported until 0.5
    assert gate == 0.1  # the near miss (0.05) is kept out, the second claim (0.3) kept in
    gate, _ = choose_cross_gate(rows, p, vectors, "supported", [0.1, 0.5], 0.0, 0.75)
    assert gate == 0.5  # the negative: at a threshold the second claim misses anyway, the larger gate costs nothing


def test_a_models_recorded_fit_command_is_read_back_as_the_fit_reads_it(tmp_path) -> None:
    import json

    import pytest

    from bench.claims import ROOT, recorded_fit
    from rag.answer.claim_model import READER_MODEL_PATH

    shipped = recorded_fit(READER_MODEL_PATH)
    assert shipped["with_reader"] and shipped["grid"] == [0.03]  # C held at 0.03 since session 42 (S2d)
    assert shipped["claims"] == ROOT / "bench/data/claims/fit-tune-ids.txt" and shipped["claims"].exists()
    made = tmp_path / "model.json"
    made.write_text(json.dumps({"trained": {"command": "python -m bench.claims fit --c-grid 0.3 --min-precision 0.9"}}))
    assert recorded_fit(made)["grid"] == [0.3] and not recorded_fit(made)["with_reader"]
    assert recorded_fit(made)["min_precision"] == 0.9 and recorded_fit(made)["cross_gate_grid"] is None
    assert recorded_fit(made)["threshold"] is None  # the lowest with the floors, unless the command holds one
    made.write_text(json.dumps({"trained": {"command": "python -m bench.claims fit --c-grid 0.3 --threshold 0.57"}}))
    assert recorded_fit(made)["threshold"] == 0.57
    # the negative: a file whose command is not the fit is refused, not read with defaults
    made.write_text(json.dumps({"trained": {"command": "python -m bench.claims strict --min-precision 0.95"}}))
    with pytest.raises(ValueError):
        recorded_fit(made)


def test_step_1_out_of_fold_is_never_fitted_on_the_rows_it_only_reads() -> None:
    from bench.claims import out_of_fold_vectors
    from rag.answer.claim_features import TEXT_FEATURES

    rng = np.random.default_rng(3)

    def row(i: int, flip: bool = False) -> dict:
        pairs = rng.uniform(0, 1, (4, len(TEXT_FEATURES))).round(3)
        source = [bool(p[0] > 0.6) != flip for p in pairs]  # the source: high coverage (flipped: the opposite)
        return {"id": f"r{i}", "pairs": pairs.tolist(), "source": source}

    fitted_rows = [row(i) for i in range(60)]
    read_only = [row(100 + i, flip=True) for i in range(30)]
    folds = np.array([i % 3 for i in range(60)] + [i % 3 for i in range(30)])
    mask = np.array([True] * 60 + [False] * 30)
    alone = out_of_fold_vectors(fitted_rows, folds[:60], 1.0)
    beside = out_of_fold_vectors(fitted_rows + read_only, folds, 1.0, fitted=mask)
    assert np.allclose(beside[:60], alone)  # the read-only rows moved no step-1 fit
    # the negative: fitted on as well, their opposite flags move step 1
    assert not np.allclose(out_of_fold_vectors(fitted_rows + read_only, folds, 1.0)[:60], alone)


def test_a_top_pair_the_reader_never_read_is_counted_and_a_read_one_is_not() -> None:
    from bench.claims import unread_top_pairs
    from rag.answer.claim_features import FEATURE_NAMES, TEXT_FEATURES

    class ByCoverage:  # step 1 stand-in: the pair with more coverage is more relevant
        def pair_relevance(self, pairs: np.ndarray) -> np.ndarray:
            return pairs[:, FEATURE_NAMES.index("coverage")]

    def pair(coverage: float) -> list[float]:
        values = [0.0] * len(TEXT_FEATURES)
        values[TEXT_FEATURES.index("coverage")] = coverage
        return values

    rows = [{"id": "c1", "pairs": [pair(0.1), pair(0.2), pair(0.3), pair(0.9)]}]
    read_top_three = {"c1": {"3": [0.9, 0.05, 0.05], "2": [0.1, 0.1, 0.8], "1": [0.1, 0.1, 0.8]}}
    assert unread_top_pairs(rows, ByCoverage(), read_top_three) == 0
    # step 1 changed: pair 0 now outranks pair 1, and the reader never read it
    rows[0]["pairs"][0] = pair(0.95)
    assert unread_top_pairs(rows, ByCoverage(), read_top_three) == 1
    assert unread_top_pairs(rows, ByCoverage(), None) == 3  # no reader run: every top pair unread
    assert unread_top_pairs([{"id": "c2", "pairs": []}], ByCoverage(), read_top_three) == 0  # no pair, none to read


def test_the_bench_gives_the_verdicts_the_product_gives_quotes_and_unnamed_people() -> None:
    from bench.claims import quoted_rows, quotes_supported

    rows = [{"claim": "The institute was set up in 2023.", "sentences": ["The institute was set up in 2023."]},
            {"claim": "The chair of the institute is Jane Doe.", "sentences": ["The institute was set up in 2023."]},
            {"claim": "The chair of the institute is Jane Doe.", "sentences": ["Jane Doe chairs the institute."]}]
    quoted = quoted_rows(rows)
    assert quoted == [True, None, False]
    assert quotes_supported(["not_found", "supported", "supported"], quoted) == ["supported", "not_found", "supported"]
    # the negative: a person no sentence names keeps a "contradicted" as it is
    assert quotes_supported(["not_found", "contradicted", "contradicted"], quoted)[1] == "contradicted"
