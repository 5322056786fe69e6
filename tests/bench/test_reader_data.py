"""bench.reader_data.continued_rows: the data of a continued reader is what is new, plus as much replayed."""

from __future__ import annotations

import json

from bench.reader_data import continued_rows


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
