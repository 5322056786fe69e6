"""bench.reader_sweep --crossfit: each reader's scores land on the rows of the bundle meant for it, a reader
that did not finish leaves its rows NaN (counted, never zero), and the full reader's weights come back in pieces."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from bench import reader_sweep
from bench.reader_folds import fold_path


class Finished:
    def wait(self, timeout: float | None = None) -> int:
        return 0


def test_crossfit_gathers_each_readers_scores_onto_its_rows(monkeypatch, tmp_path: Path) -> None:
    bundle, work, out = tmp_path / "bundle", tmp_path / "work", tmp_path / "out"
    bundle.mkdir()
    readers = [0, 1, "full", 2, 0]
    (bundle / "score_rows.json").write_text(json.dumps([{"task": "claim", "reader": r} for r in readers]))
    np.savez(bundle / "score_pairs.npz", ids=np.zeros(0, np.uint16), offsets=np.zeros(len(readers) + 1, np.int64))

    def fake_launch(args, name, recipe, extra):
        assert recipe == ("2", "2", "16", "8e-5")
        weights = work / name / "reader.safetensors"
        if name != "full":
            assert extra == ["--folds", "3", "--only-fold", name[4:]]
            weights = fold_path(weights, int(name[4:]))
        if name == "fold2":
            return Finished()  # stopped at the budget: wrote nothing
        weights.parent.mkdir(parents=True, exist_ok=True)
        weights.write_bytes(b"w" * (reader_sweep.PIECE + 10) if name == "full" else b"w")
        weights.with_suffix(".json").write_text(json.dumps({"reader": name}))
        index = [i for i, r in enumerate(readers) if str(r) == (name[4:] if name != "full" else "full")]
        value = 0.1 * (len(name) + (int(name[4:]) if name != "full" else 5))
        np.savez(weights.with_suffix(".scores.npz"), index=np.asarray(index),
                 probabilities=np.full((len(index), 3), value, np.float32))
        (work / f"{name}.log").write_text(f"{name} done\n")
        return Finished()

    (work / "fold2.log").parent.mkdir(parents=True, exist_ok=True)
    (work / "fold2.log").write_text("killed\n")
    monkeypatch.setattr(reader_sweep, "launch", fake_launch)
    monkeypatch.setattr(sys, "argv", ["reader_sweep", "--bundle", str(bundle), "--out", str(out), "--work", str(work),
                                      "--crossfit", "2:2:16:8e-5"])
    reader_sweep.main()
    with np.load(out / "scores.npz") as scored:
        got = scored["probabilities"][:, 0]
    assert np.allclose(got[[0, 4]], 0.5) and np.isclose(got[1], 0.6) and np.isclose(got[2], 0.9)
    assert np.isnan(got[3])  # negative: fold 2's row is not filled by anyone else
    summary = json.loads((out / "crossfit.json").read_text())
    assert summary["scored"] == {"rows": 5, "missing": 1} and summary["fold2"] is None
    pieces = sorted(out.glob("reader.safetensors.part-*"))
    assert len(pieces) == 2 and b"".join(p.read_bytes() for p in pieces) == b"w" * (reader_sweep.PIECE + 10)
