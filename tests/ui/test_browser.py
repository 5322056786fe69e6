"""The UI in headless Chromium: questions in both languages, cited sources, claim check, upload/remove,
language switch; screenshots land in artifacts/screenshots/ (git-ignored).

Needs node, /usr/bin/chromium and playwright-core: run ``scripts/install_browser.sh`` once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.real_parts import skip_or_fail

pytestmark = pytest.mark.browser

UI_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = UI_DIR.parents[1]
SCRIPT = UI_DIR / "browser_check.mjs"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
EXPECTED = ["zh_chat.png", "zh_claim.png", "zh_library.png", "en_chat.png", "en_claim.png", "en_library.png"]


def missing_tools() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}"
    if not (UI_DIR / "node_modules" / "playwright-core").is_dir():
        return "playwright-core is not installed in tests/ui/node_modules"
    return None


@pytest.fixture(scope="module")
def tools() -> None:
    reason = missing_tools()
    if reason:
        skip_or_fail(f"{reason}: run scripts/install_browser.sh")


def test_ui_in_chromium(tools: None, ui_app) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in EXPECTED + ["failure.png"] + [f"upload_miss_{n}.png" for n in (1, 2, 3)]:
        (SCREENSHOTS / name).unlink(missing_ok=True)
    env = {**os.environ, "CHROMIUM_PATH": str(CHROMIUM)}
    result = subprocess.run(
        ["node", str(SCRIPT), ui_app.url, str(SCREENSHOTS)],
        cwd=UI_DIR, env=env, capture_output=True, text=True, timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"browser check failed (see {SCREENSHOTS / 'failure.png'}):\n{output}"
    assert "all browser checks passed" in output
    for name in EXPECTED:
        path = SCREENSHOTS / name
        assert path.is_file() and path.stat().st_size > 10_000, f"missing screenshot {path}"
    # The uploaded test document was removed again, from the index and from the corpus folder.
    assert sorted(p.name for p in ui_app.corpus_dir.iterdir()) == sorted(ui_app.names)
