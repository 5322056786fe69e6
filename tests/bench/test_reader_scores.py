"""bench.reader_scores: the scores that came back are served by the fold reader that never saw a group, a pair
nobody scored is an error (never a silent 0), and the recorder notes each pair once with its group."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.reader_folds import fold_of, fold_readers
from bench.reader_scores import KEYS, SCORES, Recorder, ScoreTable

GROUP = "cmrc-dev:c0004"


def write_table(folder: Path, keys: list[dict], probabilities: np.ndarray) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / KEYS).write_text("".join(json.dumps(k, ensure_ascii=False) + "\n" for k in keys), encoding="utf-8")
    np.savez_compressed(folder / SCORES, probabilities=probabilities.astype(np.float32))


def test_each_group_is_served_by_its_own_folds_scores(tmp_path: Path) -> None:
    fold = fold_of(GROUP)
    other = (fold + 1) % 3
    keys = [{"task": "claim", "a": "c", "b": "s", "reader": fold},
            {"task": "claim", "a": "c", "b": "s", "reader": other},
            {"task": "question", "a": "q", "b": "s", "reader": fold},
            {"task": "question", "a": "q", "b": "t", "reader": fold}]
    nan = float("nan")
    write_table(tmp_path, keys, np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.7, nan], [nan, nan, nan]]))
    table = fold_readers(tmp_path)
    assert isinstance(table, ScoreTable) and table.tag().startswith("table-")
    reader = table.for_group(GROUP)
    claim = reader.claims("c", ["s"])[0]
    assert claim == pytest.approx({"entails": 0.7, "contradicts": 0.2, "neutral": 0.1})  # not the other fold's 0.8
    assert reader.questions("q", ["s"])[0] == pytest.approx({"no_answer": 0.3, "answers": 0.7})
    # negatives: a pair left unscored there (NaN) or never asked for is an error, not a score
    with pytest.raises(KeyError, match="scored no question pair"):
        reader.questions("q", ["t"])
    with pytest.raises(KeyError):
        reader.claims("c", ["another sentence"])
    with pytest.raises(ValueError):
        table.for_group("cmrc-trial:0001")  # trained on by every fold reader: no fold may score it


def test_a_table_whose_rows_do_not_match_its_keys_is_refused(tmp_path: Path) -> None:
    write_table(tmp_path, [{"task": "claim", "a": "c", "b": "s", "reader": 0}], np.zeros((2, 3)))
    with pytest.raises(SystemExit, match="2 rows for 1 keys"):
        ScoreTable(tmp_path)


def test_the_recorder_notes_each_pair_once_with_the_group_it_was_read_in() -> None:
    recorder = Recorder()
    recorder.group = "xquad:p0001"
    assert recorder("q", ["a", "b"]) == [{"no_answer": 0.5, "answers": 0.5}] * 2
    recorder.group = "xquad:p0002"
    recorder("q", ["b", "c"])
    assert recorder.pairs == {("q", "a"): "xquad:p0001", ("q", "b"): "xquad:p0001", ("q", "c"): "xquad:p0002"}
