#!/usr/bin/env bash
# Installs what the browser UI test (tests/ui/test_browser.py) needs:
#   - Debian's chromium (system package; playwright downloads no browser), when /usr/bin/chromium is missing
#   - playwright-core (pinned in tests/ui/package.json) into tests/ui/node_modules
# Usage: scripts/install_browser.sh        (needs root or sudo for apt-get; node + npm on PATH)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "installing chromium (apt-get)…"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium fonts-noto-cjk
else
    echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "npm not found: install Node.js 18+ (e.g. apt-get install nodejs npm) and run this again" >&2
    exit 1
fi

echo "installing playwright-core in tests/ui…"
cd "$ROOT/tests/ui"
# playwright-core never downloads browsers; the env var is belt and braces.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund
echo "done: run  pytest -m browser tests/ui/test_browser.py"
