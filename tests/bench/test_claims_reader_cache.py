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
    monkeypatch.setattr(claims, "reader_inputs", lambda half, every_pair=False: [(row, list(range(len(sentences))))])
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
    monkeypatch.setattr(claims, "reader_inputs", lambda half, every_pair=False: [(row, [0])])
    claims.compute_reader("tune", Path("unused.safetensors"), threads=1, missing=False)
    assert half.read == [("The claim.", "short one.")]


def test_a_near_miss_repeating_its_claims_pair_is_not_read_twice_in_one_run(half: CountingReader,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    claim = {"id": "c1", "claim": "The claim.", "sentences": ["kept sentence.", "its own passage's sentence."]}
    near = {"id": "c1" + claims.NEAR_MISS, "claim": "The claim.", "sentences": ["kept sentence."]}
    monkeypatch.setattr(claims, "reader_inputs", lambda half, every_pair=False: [(claim, [0, 1]), (near, [0])])
    claims.compute_reader("tune", Path("unused.safetensors"), threads=1, missing=False)
    assert half.read == [("The claim.", "kept sentence."), ("The claim.", "its own passage's sentence.")]
    rows = [json.loads(line) for line in claims.reader_path("tune").read_text().splitlines()]
    assert rows[1]["scores"]["0"] == rows[0]["scores"]["0"]  # the near miss has its claim's score
    # the negative: another statement on the same sentence is read (the key is the pair, not the sentence)
    other = {"id": "c2", "claim": "Another claim.", "sentences": ["kept sentence."]}
    monkeypatch.setattr(claims, "reader_inputs", lambda half, every_pair=False: [(claim, [0]), (other, [0])])
    half.read.clear()
    claims.compute_reader("tune", Path("unused.safetensors"), threads=1, missing=False)
    assert half.read == [("The claim.", "kept sentence."), ("Another claim.", "kept sentence.")]


def test_every_pair_reads_all_candidates_and_the_default_the_top_three(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.answer.claim_features import FEATURE_NAMES
    from rag.answer.claim_model import TOP_PAIRS

    monkeypatch.setattr(common, "RESULTS_DIR", tmp_path)
    pairs = [[0.1 * i] + [0.0] * (len(FEATURE_NAMES) - 1) for i in range(6)]
    row = {"id": "c1", "claim": "The claim.", "label": "supported", "pairs": pairs, "source": [False] * 6,
           "sentences": [f"sentence {i}." for i in range(6)], "claim_lang": "en", "source_lang": "en"}
    monkeypatch.setattr(claims, "read_features", lambda half, near_misses=True: [row])
    assert len(claims.reader_inputs("tune")[0][1]) == TOP_PAIRS
    every = claims.reader_inputs("tune", every_pair=True)[0][1]
    assert sorted(every) == list(range(6)) and every[:TOP_PAIRS] == claims.reader_inputs("tune")[0][1]
