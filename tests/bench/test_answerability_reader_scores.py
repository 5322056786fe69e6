"""bench.answerability.ReaderScores: a candidate reader's scores are cached apart from the shipped reader's."""

from __future__ import annotations

import shutil

import pytest

from rag.answer.reader import CARD, WEIGHTS, sha256


def test_a_candidate_reader_gets_its_own_cache_and_reads_as_its_file(tmp_path) -> None:
    from bench.answerability import ReaderScores

    candidate = tmp_path / "candidate.safetensors"
    shutil.copy(WEIGHTS, candidate)
    shutil.copy(CARD, candidate.with_suffix(".json"))
    shipped = ReaderScores(tmp_path, "held-out")
    other = ReaderScores(tmp_path, "held-out", weights=candidate)
    assert shipped.path.name == other.path.name == f"reader-{sha256(WEIGHTS)[:12]}-held-out.pkl"  # the same bytes
    with candidate.open("r+b") as f:  # a different file: a different cache
        f.seek(-1, 2)
        last = f.read(1)
        f.seek(-1, 2)
        f.write(bytes([last[0] ^ 1]))
    candidate.with_suffix(".json").write_text(CARD.read_text(encoding="utf-8").replace(sha256(WEIGHTS), sha256(candidate)),
                                             encoding="utf-8")
    changed = ReaderScores(tmp_path, "held-out", weights=candidate)
    assert changed.path.name == f"reader-{sha256(candidate)[:12]}-held-out.pkl" != shipped.path.name
    scores = changed("When was the office set up?", ["The office was set up in February 2024."])
    assert 0.0 <= scores[0]["answers"] <= 1.0


def test_a_missing_candidate_is_a_clear_error(tmp_path) -> None:
    from bench.answerability import ReaderScores

    with pytest.raises(SystemExit, match="no reader weights"):
        ReaderScores(tmp_path, "held-out", weights=tmp_path / "absent.safetensors")
