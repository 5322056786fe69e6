"""tests/helpers/real_parts.py: a missing browser or local model skips locally and fails under CI=true."""

from __future__ import annotations

import pytest
from helpers.real_parts import skip_or_fail


def test_a_missing_real_part_skips_on_a_developer_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        skip_or_fail("no Chromium")


def test_a_missing_real_part_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="may not be skipped"):
        skip_or_fail("no Chromium")
