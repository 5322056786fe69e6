"""Running the helper scripts in subprocesses."""

from __future__ import annotations

import os
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]
PROJECT_ROOT = TESTS_DIR.parent


def subprocess_env() -> dict[str, str]:
    """Environment for helper subprocesses: project + tests importable, no RAG_* overrides."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("RAG_")}
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT_ROOT), str(TESTS_DIR)])
    env["PYTHONUNBUFFERED"] = "1"
    return env
