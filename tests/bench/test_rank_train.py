"""bench.rank_train: the pairwise fit learns which feature marks the gold candidate, and only that one."""

from __future__ import annotations

import numpy as np

from bench import rank_train
from rag.retrieval.rerank import FEATURES

N = len(FEATURES)
COVERAGE, QUESTION_TERMS = FEATURES.index("coverage"), FEATURES.index("question_terms")


def synthetic(rng: np.random.Generator, questions: int, same: bool, signal: int) -> list[dict]:
    """Pools of 20 candidates; the gold one is higher on feature ``signal`` only (by 4 standard deviations) (the others are noise)."""
    rows = []
    for q in range(questions):
        x = rng.normal(size=(20, N))
        gold = int(rng.integers(20))
        x[gold, signal] += 4.0
        extra = np.column_stack([np.full(20, float(same)), np.zeros(20), np.zeros(20)])  # bench.rank_data.EXTRA
        rows.append({"source": "xquad", "direction": "en→en" if same else "en→zh", "split": "tune", "group": f"p{q}",
                     "rows": np.hstack([x, extra]).tolist(), "gold": [gold]})
    return rows


def test_the_fit_finds_the_informative_feature_per_language_block() -> None:
    rng = np.random.default_rng(0)
    rows = synthetic(rng, 150, True, COVERAGE) + synthetic(rng, 150, False, QUESTION_TERMS)
    coef = rank_train.fit(rows, N, c=1.0)
    same, cross = coef[:N], coef[N:2 * N]
    assert np.argmax(same) == COVERAGE and np.argmax(cross) == QUESTION_TERMS
    # noise features get far smaller weights than the signal
    assert np.abs(np.delete(same, COVERAGE)).max() < 0.3 * same[COVERAGE]
    learned = rank_train.r_at_1(rows, rank_train.scaled(coef, N), N)
    hand = rank_train.r_at_1(rows, rank_train.hand_vector(N), N)
    assert learned["mean"] > 0.9 and learned["mean"] > hand["mean"] + 0.2


def test_with_no_signal_nothing_is_learned() -> None:
    rng = np.random.default_rng(1)
    rows = synthetic(rng, 200, True, COVERAGE)
    for row in rows:  # take the signal out again: the gold is now a random candidate
        x = np.asarray(row["rows"])
        x[row["gold"][0], COVERAGE] -= 4.0
        row["rows"] = x.tolist()
    coef = rank_train.fit(rows, N, c=1.0)
    assert rank_train.r_at_1(rows, coef, N)["mean"] < 0.2


def test_folds_keep_a_group_together() -> None:
    rows = [{"source": "claims", "group": g} for g in ["a", "b", "a", "c", "a"]]
    fold = rank_train.folds(rows)
    assert fold[0] == fold[2] == fold[4]


def test_a_dropped_feature_gets_no_weight_and_the_fit_then_misses_its_signal() -> None:
    rng = np.random.default_rng(1)
    rows = synthetic(rng, 150, True, COVERAGE)
    kept = rank_train.fit(rows, N, c=1.0)
    dropped = rank_train.fit(rank_train.without(rows, ["coverage"]), N, c=1.0)
    assert kept[COVERAGE] > 0.5  # the signal is learned when the feature is there
    assert dropped[COVERAGE] == 0.0
    assert rank_train.r_at_1(rank_train.without(rows, ["coverage"]), rank_train.scaled(dropped, N), N)["mean"] < 0.3
    assert rank_train.without(rows, []) is rows and rows[0]["rows"][0][COVERAGE] != 0.0  # the input is not changed
