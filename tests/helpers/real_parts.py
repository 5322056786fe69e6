"""Real parts of the suite (the browser, the local LLM) that may be missing on a developer's machine.

Locally a missing part skips its test with the reason; under ``CI=true`` it fails the run, so CI can never
be green with the browser or the real model silently left out.

Usage::

    reason = missing_tools()
    if reason:
        skip_or_fail(reason)
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip the test (a developer's machine) or fail it (``CI=true``)."""
    if in_ci():
        pytest.fail(f"{reason} — under CI=true a real part may not be skipped", pytrace=False)
    pytest.skip(reason)
