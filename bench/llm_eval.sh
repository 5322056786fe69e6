#!/usr/bin/env bash
# Dev-set evaluation of the LLM answer path (llama.cpp server + GGUF) next to the offline generator.
#
#   bench/llm_eval.sh [GGUF_PATH] [PORT]
#   bench/llm_eval.sh models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf 8765      # the defaults
#
# Steps (each timed; timings go to stderr and to $OUT_DIR/llm_eval_timings_$TAG.txt):
#   1. index corpus/ alone into $INDEX_DIR            (rag ingest corpus, incremental)
#   2. start python -m llama_cpp.server on 127.0.0.1:$PORT, wait for /v1/models
#   3. rag eval --qa $QA --json with RAG_LLM_BASE_URL set  -> $OUT_DIR/dev_eval_llm_$TAG.json
#      and the plain table                                -> $OUT_DIR/dev_eval_llm_$TAG.md
#   4. rag eval --qa $QA (offline generator, no LLM)       -> $OUT_DIR/dev_eval_offline.{md,json}
# The server is stopped on exit (trap), whatever happens.
#
# Environment knobs:
#   QA=../shared/eval/dev_qa.jsonl      QA file
#   LIMIT=                              if set, use only the first LIMIT lines of $QA (written to
#                                       /tmp/dev$LIMIT.jsonl); outputs then get a _first$LIMIT suffix
#   INDEX_DIR=/tmp/llmidx               index location (RAG_INDEX_DIR)
#   OUT_DIR=bench/results               where results go
#   TAG=qwen0.5b                        label in the LLM result file names
#   N_CTX=4096                          llama.cpp context window
#   LLM_PLAIN_RERUN=0                   1: run the LLM eval a second time without --json for the .md
#                                       (doubles the slow part, and the numbers of the two runs can
#                                       differ); 0: render the .md from the --json report with the same
#                                       rag.app.evaluate.format_table + latency line that `rag eval` prints
#   SKIP_OFFLINE=0                      1: skip step 4
#   RAG_CMD=rag                         how to call the CLI, e.g. "python -m rag" to use the rag/ package
#                                       of this checkout (a pinned snapshot) rather than the installed one
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

GGUF="${1:-models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf}"
PORT="${2:-8765}"
QA="${QA:-$(cd "$(dirname "$0")/../.." && pwd)/shared/eval/dev_qa.jsonl}"
LIMIT="${LIMIT:-}"
INDEX_DIR="${INDEX_DIR:-/tmp/llmidx}"
OUT_DIR="${OUT_DIR:-bench/results}"
TAG="${TAG:-qwen0.5b}"
N_CTX="${N_CTX:-4096}"
LLM_PLAIN_RERUN="${LLM_PLAIN_RERUN:-0}"
SKIP_OFFLINE="${SKIP_OFFLINE:-0}"
PYTHON="${PYTHON:-python}"
read -r -a RAG <<< "${RAG_CMD:-rag}"

if [[ -z "${VIRTUAL_ENV:-}" && -f "$ROOT/.venv/bin/activate" ]]; then
    # shellcheck disable=SC1091
    . "$ROOT/.venv/bin/activate"
fi

exec 3>&2  # the script's own stderr, kept apart from the per-command stderr logs
log() { printf '[llm_eval %(%H:%M:%S)T] %s\n' -1 "$*" >&3; }
die() { log "ERROR: $*"; exit 1; }

[[ -f "$GGUF" ]] || die "GGUF not found: $GGUF (run scripts/install_local_llm.sh)"
[[ -f "$QA" ]] || die "QA file not found: $QA"
mkdir -p "$OUT_DIR"

SUFFIX=""
if [[ -n "$LIMIT" ]]; then
    head -n "$LIMIT" "$QA" > "/tmp/dev${LIMIT}.jsonl"
    QA="/tmp/dev${LIMIT}.jsonl"
    SUFFIX="_first${LIMIT}"
fi
LLM_BASE="$OUT_DIR/dev_eval_llm_${TAG}${SUFFIX}"
OFF_BASE="$OUT_DIR/dev_eval_offline${SUFFIX}"
TIMINGS="$OUT_DIR/llm_eval_timings_${TAG}${SUFFIX}.txt"
SERVER_LOG="${SERVER_LOG:-/tmp/llm_eval_server_${PORT}.log}"
: > "$TIMINGS"

timed() {  # timed LABEL CMD... : run CMD, record its wall time
    local label="$1"; shift
    local start=$SECONDS rc=0
    "$@" || rc=$?
    local line="$label: $((SECONDS - start)) s (rc $rc)"
    log "$line"; echo "$line" >> "$TIMINGS"
    return "$rc"
}

SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        log "stopping llama.cpp server (pid $SERVER_PID)"
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 20); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
    fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# 1. index
log "1. indexing corpus/ into $INDEX_DIR"
timed "ingest" env RAG_INDEX_DIR="$INDEX_DIR" "${RAG[@]}" ingest corpus

# 2. server
if curl -sf "http://127.0.0.1:${PORT}/v1/models" >/dev/null 2>&1; then
    die "port $PORT already answers /v1/models; stop that server or pass another port"
fi
log "2. starting llama.cpp server on 127.0.0.1:$PORT (log: $SERVER_LOG)"
"$PYTHON" -m llama_cpp.server --model "$GGUF" --host 127.0.0.1 --port "$PORT" --n_ctx "$N_CTX" \
    > "$SERVER_LOG" 2>&1 &
SERVER_PID=$!
start=$SECONDS
until curl -sf "http://127.0.0.1:${PORT}/v1/models" >/dev/null 2>&1; do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$SERVER_LOG" >&2; die "server exited"; }
    (( SECONDS - start < 180 )) || { tail -n 30 "$SERVER_LOG" >&2; die "server not ready after 180 s"; }
    sleep 1
done
echo "server ready: $((SECONDS - start)) s" >> "$TIMINGS"
log "server ready after $((SECONDS - start)) s"

# 3. LLM path
LLM_ENV=(env RAG_INDEX_DIR="$INDEX_DIR" RAG_LLM_BASE_URL="http://127.0.0.1:${PORT}/v1" RAG_LLM_MODEL=qwen)
log "3. LLM eval on $QA ($(wc -l < "$QA") lines) -> ${LLM_BASE}.json"
timed "llm eval --json" "${LLM_ENV[@]}" "${RAG[@]}" eval --qa "$QA" --json > "${LLM_BASE}.json" 2> "${LLM_BASE}.stderr.log"
if [[ "$LLM_PLAIN_RERUN" == 1 ]]; then
    timed "llm eval (table)" "${LLM_ENV[@]}" "${RAG[@]}" eval --qa "$QA" > "${LLM_BASE}.md" 2>> "${LLM_BASE}.stderr.log"
else
    "$PYTHON" - "${LLM_BASE}.json" > "${LLM_BASE}.md" <<'PY'
import json, sys
from rag.app.evaluate import format_table
report = json.loads(open(sys.argv[1], encoding="utf-8").read())
print(format_table(report["table"]))
print(f"answer latency: p50 {report['latency_ms']['p50']:.0f} ms, p95 {report['latency_ms']['p95']:.0f} ms")
PY
fi
stop_server
SERVER_PID=""

# 4. offline generator (no LLM configured)
if [[ "$SKIP_OFFLINE" != 1 ]]; then
    log "4. offline eval -> ${OFF_BASE}.{md,json}"
    OFF_ENV=(env -u RAG_LLM_BASE_URL -u RAG_LLM_GGUF_PATH RAG_INDEX_DIR="$INDEX_DIR")
    timed "offline eval (table)" "${OFF_ENV[@]}" "${RAG[@]}" eval --qa "$QA" > "${OFF_BASE}.md" 2> "${OFF_BASE}.stderr.log"
    timed "offline eval --json" "${OFF_ENV[@]}" "${RAG[@]}" eval --qa "$QA" --json > "${OFF_BASE}.json" 2>> "${OFF_BASE}.stderr.log"
fi

log "done; timings in $TIMINGS"
cat "$TIMINGS" >&3
