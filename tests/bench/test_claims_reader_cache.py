"""bench.claims reader --missing: a cached score is kept only for the same claim read on the same sentence, so a
rerun of ``features`` that changes a claim's candidates never lends a score to another sentence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import claims, common


class CountingReader:
    """Scores a pair by its sentence's length, and records what it read."""

    def __init__(self) -> None:
        self.read: list[tuple[str, str]] = []

    def claims(self, claim: str, sentences: list[str]) -> list[dict[str, float]]:
        self.read += [(claim, s) for s in sentences]
        return [{"entails": len(s) / 100, "contradicts": 0.0, "neutral": 0.0} for s in sentences]


@pytest.fixture()
def half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CountingReader:
    monkeypatch.setattr(common, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(claims, "DATA", tmp_path)
    (tmp_path / "tune.jsonl").write_text(json.dumps({"id": "c1", "claim": "The claim.", "source_doc": "d"}) + "\n")
    reader = CountingReader()
    monkeypatch.setattr("rag.answer.reader.load_reader", lambda *a, **k: reader)
    return reader


def run(monkeypatch: pytest.MonkeyPatch, sentences: list[str]) -> dict[str, Any]:
    row = {"id": "c1", "claim": "The claim.", "sentences": sentences}
    monkeypatch.setattr(claims, "reader_inputs", lambda half: [(row, list(range(len(sentences))))])
    claims.compute_reader("tune", Path("unused.safetensors"), threads=1, missing=True)
    return json.loads(claims.reader_path("tune").read_text().splitlines()[0])


def test_a_changed_candidate_is_read_again_and_an_unchanged_one_kept(half: CountingReader,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first = run(monkeypatch, ["short one.", "a longer sentence here."])
    assert len(half.read) == 2 and first["sentences"] == {"0": "short one.", "1": "a longer sentence here."}
    half.read.clear()
    # the rerun moved the second sentence first and brought a new one in at index 1
    second = run(monkeypatch, ["a longer sentence here.", "brand new candidate sentence."])
    assert half.read == [("The claim.", "brand new candidate sentence.")]  # only the new one read
    assert second["scores"]["0"] == first["scores"]["1"]  # the kept score follows its sentence, not its index
    assert second["scores"]["1"][0] == pytest.approx(len("brand new candidate sentence.") / 100, abs=1e-4)


def test_without_missing_everything_is_read(half: CountingReader, monkeypatch: pytest.MonkeyPatch) -> None:
    run(monkeypatch, ["short one."])
    half.read.clear()
    row = {"id": "c1", "claim": "The claim.", "sentences": ["short one."]}
    monkeypatch.setattr(claims, "reader_inputs", lambda half: [(row, [0])])
    claims.compute_reader("tune", Path("unused.safetensors"), threads=1, missing=False)
    assert half.read == [("The claim.", "short one.")]
