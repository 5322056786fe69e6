#!/usr/bin/env bash
# The one test command (README, CI): installs what the tests need, then runs the whole suite:
# unit + ingestion + retrieval + answer tests, the Gradio API test, the browser test in headless
# Chromium, and the integration test against the real local Qwen2.5 GGUF through llama.cpp's
# OpenAI-compatible server. Builds are cached (pip's wheel cache, models/), so re-runs are quick.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] && .venv/bin/python -c "import rag" 2>/dev/null || bash scripts/setup.sh
. .venv/bin/activate
python -m pip install --quiet -e ".[test]"
[ -f scripts/install_browser.sh ] && bash scripts/install_browser.sh || echo "browser test dependencies not installed"
[ -f scripts/install_local_llm.sh ] && bash scripts/install_local_llm.sh || echo "local LLM not installed"
export HF_HUB_OFFLINE=1
python -m pytest "$@"
