"""bench.answerability.choose_threshold: the operating rule of the refusal model, on synthetic rows."""

from __future__ import annotations

import numpy as np

from bench.answerability import choose_threshold


def rows_and_p(answerable_p: list[float], paragraphs: list[int], near_p: list[float]) -> tuple[list[dict], np.ndarray]:
    rows = [{"dataset": "xquad", "direction": "en→en", "paragraph": f"p{k}", "indexed": True, "holds": True,
             "group": "same-en"} for k in paragraphs]
    rows += [{"dataset": "xquad", "direction": "en→en", "paragraph": f"q{k}", "indexed": False, "holds": False,
              "group": "same-en"} for k in range(len(near_p))]
    return rows, np.asarray(answerable_p + near_p)


def test_the_point_rule_stops_where_the_tune_false_refusal_passes_the_limit() -> None:
    # 100 answerable questions, one per paragraph; five of them scored low (0.1 … 0.3)
    p = [0.1, 0.15, 0.2, 0.25, 0.3] + [0.9] * 95
    rows, probabilities = rows_and_p(p, list(range(100)), [0.05] * 20)
    t = choose_threshold(rows, probabilities, "same-en", among="all", bound="point", limit=0.05)
    refused = sum(x < t for x in p) / len(p)
    assert refused <= 0.05 and t > 0.3  # all five may be refused: 5 %
    assert choose_threshold(rows, probabilities, "same-en", among="all", bound="point", limit=0.03) <= 0.25  # three of five


def test_the_upper_bound_is_stricter_when_low_scores_cluster_in_a_few_paragraphs() -> None:
    # the same five low scores, all about one paragraph: a resample that draws it twice refuses more
    p = [0.1, 0.15, 0.2, 0.25, 0.3] + [0.9] * 95
    paragraphs = [0] * 5 + list(range(1, 96))
    rows, probabilities = rows_and_p(p, paragraphs, [0.05] * 20)
    point = choose_threshold(rows, probabilities, "same-en", among="all", bound="point", limit=0.05)
    upper = choose_threshold(rows, probabilities, "same-en", among="all", bound="upper", limit=0.05)
    assert upper < point


def test_questions_without_evidence_count_as_refused_at_every_threshold() -> None:
    # p = -1 (no evidence, or a veto): refused even at threshold 0, so they use up the bound
    p = [-1.0] * 6 + [0.9] * 94
    rows, probabilities = rows_and_p(p, list(range(100)), [0.05] * 20)
    assert choose_threshold(rows, probabilities, "same-en", among="all", bound="point", limit=0.05) == 0.0
    assert choose_threshold(rows, probabilities, "same-en", among="all", bound="point", limit=0.06) > 0.05


def _grouped_rows(seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for group, signal in (("same-en", 2.0), ("cross-zh", 0.7)):  # one group reads well, the other poorly
        for k in range(160):
            indexed = k % 2 == 0
            x = [float(indexed) * signal + rng.normal(), *rng.normal(size=6)]  # one signal, six noise features
            rows.append({"dataset": "xquad", "direction": group, "paragraph": f"{group}-p{k}", "indexed": indexed,
                         "holds": indexed, "group": group, "has_evidence": True, "veto": False,
                         "features": {f"f{i}": v for i, v in enumerate(x)}})
    return rows


def test_each_group_keeps_the_c_that_refuses_most_near_misses_out_of_fold() -> None:
    from bench.answerability import choose_group_c, out_of_fold

    rows = _grouped_rows()
    names = [f"f{i}" for i in range(7)]
    chosen, p, tried = choose_group_c(rows, names, [0.001, 0.1, 10.0], "held", "point", 0.05)
    assert set(chosen) == {"same-en", "cross-zh"}
    for group, c in chosen.items():
        assert tried[group][f"{c:g}"] == max(tried[group].values())
        mine = [i for i, r in enumerate(rows) if r["group"] == group]
        assert np.allclose(p[mine], out_of_fold(rows, names, c)[mine])  # the group's probabilities are at its own C
    assert tried["same-en"] != tried["cross-zh"]  # the negative: the groups are scored apart


def test_a_split_too_small_to_resolve_the_bound_does_not_bind_it() -> None:
    from bench.answerability import MIN_SPLIT

    rows, probabilities = rows_and_p([0.9] * 100, list(range(100)), [0.05] * 20)

    def with_split(n: int) -> float:  # a second split of n answerable questions, one of them scored 0.3
        extra = [{"dataset": "policy-removal", "direction": "en→en", "paragraph": f"r{k}", "indexed": True,
                  "holds": True, "group": "same-en"} for k in range(n)]
        extra_p = np.asarray([0.3] + [0.9] * (n - 1))
        return choose_threshold(rows + extra, np.concatenate([probabilities, extra_p]), "same-en", among="all",
                                bound="point", limit=0.02)

    alone = choose_threshold(rows, probabilities, "same-en", among="all", bound="point", limit=0.02)
    assert alone > 0.3
    assert with_split(MIN_SPLIT - 1) == alone  # 1 of 39 is 2.6 % > 2 %, but the split is too small to say so
    assert with_split(MIN_SPLIT) <= 0.3  # negative: 1 of 40 = 2.5 % > 2 %, and the split binds
