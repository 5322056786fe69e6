"""bench.reader_data: the data of a continued reader is what is new, plus as much replayed; a near miss's retrieved
sentences are neutral rows, and only a near miss's."""

from __future__ import annotations

import json

from bench.reader_data import continued_rows, near_miss_rows


def line(a: str, label: str = "entails") -> str:
    return json.dumps({"task": "claim", "a": a, "b": "s", "label": label, "group": "g"}) + "\n"


def test_new_rows_then_as_many_replayed_from_the_base() -> None:
    base = [line(f"old{i}") for i in range(10)]
    lines = base[:6] + [line("new1"), line("new2"), line("old3", "neutral")]  # a relabelled pair is new too
    out = continued_rows(lines, base, seed=1)
    assert out[:3] == [line("new1"), line("new2"), line("old3", "neutral")]
    assert len(out) == 6 and all(r in base for r in out[3:]) and len(set(out[3:])) == 3
    assert continued_rows(lines, base, seed=1) == out  # the draw is fixed by the seed
    # negative: nothing new, nothing replayed
    assert continued_rows(base[:4], base, seed=1) == []


def test_a_near_miss_is_read_against_its_retrieved_sentences_as_neutral() -> None:
    from rag.answer.claim_features import FEATURE_NAMES

    def pairs(*cross: int) -> list[list[float]]:
        out = []
        for c in cross:
            p = [0.0] * len(FEATURE_NAMES)
            p[FEATURE_NAMES.index("cross_language")] = float(c)
            out.append(p)
        return out

    claim = {"id": "c1", "claim": "The institute got £100m.", "claim_lang": "en", "pairs": pairs(0, 1, 0),
             "sentences": ["It got £100m.", "研究所获得1亿英镑。", "Other."]}
    miss = {**claim, "id": "c1~nm", "pairs": pairs(1, 0, 0), "sentences": ["研究所成立于2023年。", "It opened.", "Staff."]}
    rows = list(near_miss_rows([(claim, [0, 1]), (miss, [1, 0])], {"c1~nm": "uk.md"}))
    assert [(r["b"], r["pair"]) for r in rows] == [("It opened.", "en/en"), ("研究所成立于2023年。", "en/zh")]
    assert {r["label"] for r in rows} == {"neutral"} and {r["group"] for r in rows} == {"uk.md"}
    assert {r["kind"] for r in rows} == {"retrieved_near_miss"} and {r["a"] for r in rows} == {claim["claim"]}
    # negative: a claim with its source (not a near miss) gives no row
    assert list(near_miss_rows([(claim, [0, 1])], {})) == []
