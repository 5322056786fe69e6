"""scripts/device_tree.sh: the large tracked files leave git's index (and are ignored) for a device call, the small
ones stay, the files themselves never move, and ``in`` puts the index and the ignore file back as they were."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "device_tree.sh"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_out_and_in_round_trip(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "t@example.org")
    git(repo, "config", "user.name", "t")
    (repo / "big.bin").write_bytes(b"x" * 4_500_000)
    (repo / "small.txt").write_text("small\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "start")
    exclude = repo / ".git" / "info" / "exclude"
    before = exclude.read_text()
    out = subprocess.run(["bash", str(SCRIPT), "out"], cwd=repo, check=True, capture_output=True, text=True).stdout
    assert "1 files" in out
    assert git(repo, "ls-files").split() == ["small.txt"]  # big.bin left the index, small.txt did not
    assert git(repo, "status", "--short", "--untracked-files=all").split() == ["D", "big.bin"]  # ignored, not untracked
    assert (repo / "big.bin").stat().st_size == 4_500_000  # the file itself stays
    # negative: a second `out` refuses rather than losing the list of what is out
    again = subprocess.run(["bash", str(SCRIPT), "out"], cwd=repo, capture_output=True, text=True)
    assert again.returncode != 0 and "already out" in again.stderr
    subprocess.run(["bash", str(SCRIPT), "in"], cwd=repo, check=True, capture_output=True)
    assert git(repo, "status", "--short") == "" and exclude.read_text() == before
