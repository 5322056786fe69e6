"""End-to-end generation with the real local model (marker ``llm``).

Starts ``python -m llama_cpp.server`` on the GGUF installed by ``scripts/install_local_llm.sh``,
then asks one Chinese and one English question over short real passages from ``corpus/`` and
checks that the answer cites passages that exist and share content with it.

Skipped when llama-cpp-python (with its server extra) or the GGUF is missing; CI installs both.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.app import free_port
from helpers.real_parts import skip_or_fail

from rag.answer.llm import OpenAICompatibleModel
from rag.answer.prompting import REFUSALS, build_answer_messages, parse_citations
from rag.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.llm

DEFAULT_GGUF = PROJECT_ROOT / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
CORPUS = PROJECT_ROOT / "corpus"
SERVER_START_TIMEOUT_S = 180.0
PASSAGE_MAX_CHARS = 220


def gguf_path() -> Path:
    return Path(os.environ.get("RAG_LLM_GGUF_PATH") or DEFAULT_GGUF)


def missing_requirement() -> str | None:
    """Why the test cannot run here, or None."""
    for module in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context"):
        if importlib.util.find_spec(module) is None:
            return f"{module} not installed: run scripts/install_local_llm.sh (pip install '.[local-llm]')"
    if not gguf_path().is_file():
        return f"GGUF model missing at {gguf_path()}: run scripts/install_local_llm.sh"
    return None


def wait_until_ready(proc: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    """Poll ``/v1/models`` until the server answers; fail with its log if it dies or hangs."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                if response.status == 200 and json.load(response).get("data"):
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            pass
        time.sleep(0.5)
    pytest.fail(f"llama_cpp.server not ready after {SERVER_START_TIMEOUT_S:.0f} s:\n{tail(log_path)}")


def tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return "<no log>"


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (``…/v1``) of a llama_cpp.server running the local GGUF; stopped afterwards."""
    reason = missing_requirement()
    if reason:
        skip_or_fail(reason)
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(gguf_path()),
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "4096",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
    try:
        base_url = f"http://127.0.0.1:{port}/v1"
        wait_until_ready(proc, base_url, log_path)
        yield base_url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def local_model(llm_server: str) -> OpenAICompatibleModel:
    settings = Settings(
        _env_file=None,
        llm_base_url=llm_server,
        llm_model="local",
        llm_temperature=0.0,
        llm_max_tokens=160,
        llm_timeout_s=300.0,
    )
    return OpenAICompatibleModel(settings, max_retries=0)


# --- passages from the corpus ----------------------------------------------------------------


def corpus_passage(file_prefix: str, anchor: str) -> str:
    """A short passage: the corpus line containing ``anchor`` (from its start, ≤ PASSAGE_MAX_CHARS).

    Long lines are cut at the last sentence end before the limit that still keeps the anchor.
    """
    path = next(CORPUS.glob(f"{file_prefix}*.txt"))
    line = next(row.strip() for row in path.read_text(encoding="utf-8").splitlines() if anchor in row)
    if len(line) <= PASSAGE_MAX_CHARS:
        return line
    keep_until = line.index(anchor) + len(anchor)
    ends = [
        m.end() for m in re.finditer(r"[。！？；.!?]", line) if keep_until <= m.end() <= PASSAGE_MAX_CHARS
    ]
    return line[: ends[-1]] if ends else line[: max(PASSAGE_MAX_CHARS, keep_until)]


def zh_passages() -> list[tuple[int, str, str]]:
    return [
        (
            1,
            "美国政府发布首份关于人工智能的国家安全备忘录",
            corpus_passage("000_", "美国政府10月24日公开发布"),
        ),
        (2, "对美国人工智能行动计划的思考与建议", corpus_passage("004_", "今天，白宫发布了《赢得竞赛")),
        (3, "对美国人工智能行动计划的思考与建议", corpus_passage("004_", "随着Claude Opus 4的发布")),
    ]


def en_passages() -> list[tuple[int, str, str]]:
    """English text in the corpus: reference entries of the AISI report (003)."""
    return [
        (
            1,
            "AISI report, references",
            corpus_passage("003_", "DSIT (UK), “Frontier AI Taskforce: first progress"),
        ),
        (2, "AISI report, references", corpus_passage("003_", "Initial £100 million for expert taskforce")),
        (3, "AISI report, references", corpus_passage("003_", "Introducing the AI Safety Institute”")),
    ]


# --- grounding check ---------------------------------------------------------------------------

CITATION = re.compile(r"[\[【［][\d\s,，、\-–]*[\]】］]")
STOPWORDS = {"the", "and", "for", "was", "were", "that", "this", "with", "from", "did", "its", "has", "have"}


def content_tokens(text: str) -> set[str]:
    """Lower-cased Latin words / numbers (≥ 2 chars) and Han character bigrams."""
    text = CITATION.sub(" ", text)
    words = {w.lower() for w in re.findall(r"[A-Za-z0-9£$€%]+", text) if len(w) >= 2}
    tokens = words - STOPWORDS
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def assert_grounded(answer: str, passages: list[tuple[int, str, str]], language: str, gold: int) -> None:
    """The answer cites only given passages, among them ``gold`` — the passage that holds the answer (a
    gold label of the test, not the product's own support scorer) — and shares content with what it cites."""
    assert answer.strip(), "empty answer"
    assert REFUSALS[language] not in answer, f"model refused although the passages answer it: {answer!r}"
    cited = parse_citations(answer)
    numbers = {n for n, _, _ in passages}
    assert cited, f"answer cites nothing: {answer!r}"
    assert set(cited) <= numbers, f"answer cites {cited}, passages are {sorted(numbers)}: {answer!r}"
    assert gold in cited, f"answer does not cite passage [{gold}], which holds the answer: {answer!r}"
    answer_tokens = content_tokens(answer)
    assert answer_tokens, f"answer has citations but no content: {answer!r}"
    texts = {n: f"{title} {text}" for n, title, text in passages}
    overlaps = {n: answer_tokens & content_tokens(texts[n]) for n in cited}
    best = max(overlaps.values(), key=len)
    assert len(best) >= 2, f"no cited passage shares content with {answer!r}: {overlaps}"


# --- tests -------------------------------------------------------------------------------------


def ask(
    model: OpenAICompatibleModel, question: str, language: str, passages: list[tuple[int, str, str]]
) -> str:
    settings = Settings(_env_file=None)
    answer = model.complete(build_answer_messages(settings, question, language, passages))
    print(f"\n{language} Q: {question}\nA: {answer}")
    return answer


def test_chinese_question_cites_passages(local_model: OpenAICompatibleModel) -> None:
    passages = zh_passages()
    answer = ask(local_model, "美国政府在哪一天公开发布了首份关于人工智能的国家安全备忘录？", "zh", passages)
    assert_grounded(answer, passages, "zh", gold=1)
    assert "24" in answer or "二十四" in answer


def test_english_question_cites_passages(local_model: OpenAICompatibleModel) -> None:
    passages = en_passages()
    answer = ask(
        local_model,
        "How much initial funding did the UK Government announce for the expert taskforce?",
        "en",
        passages,
    )
    assert_grounded(answer, passages, "en", gold=2)
    assert "100" in answer


def test_streaming_matches_protocol(local_model: OpenAICompatibleModel) -> None:
    passages = zh_passages()[:1]
    messages = build_answer_messages(Settings(_env_file=None), "备忘录是哪一天发布的？", "zh", passages)
    deltas = list(local_model.stream(messages))
    assert len(deltas) > 1 and "".join(deltas).strip()


def test_the_ask_pipeline_with_the_local_model_cites_the_sentence_that_answers(
        llm_server: str, tmp_path: Path, real_embedder) -> None:  # noqa: ANN001
    """The whole ask path (retrieval, refusal decision, generation, citation check) with the real model: the
    answer is not refused and cites the sentence that states the date (a gold quote of the corpus)."""
    from rag.app.service import PolicyQA
    from rag.ingest.index import Index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = next(CORPUS.glob("000_*.txt"))
    (corpus / source.name).write_bytes(source.read_bytes())
    settings = Settings(_env_file=None, index_dir=tmp_path / "index", corpus_dir=corpus, llm_base_url=llm_server,
                        llm_model="local", llm_temperature=0.0, llm_max_tokens=160, llm_timeout_s=300.0,
                        translate_queries=False)
    with Index.open(settings, real_embedder) as index:
        assert index.ingest([corpus]).ok
    with PolicyQA.open(settings, Index.open(settings, real_embedder)) as qa:
        answer = qa.ask("美国政府在哪一天公开发布了首份关于人工智能的国家安全备忘录？")
    print(f"\npipeline A: {answer.answer}\nnotes: {answer.notes}")
    assert not answer.refused and not any("extractive answer shown" in note for note in answer.notes)  # the model's
    assert any("10月24日公开发布" in c.text for c in answer.citations), [c.text for c in answer.citations]
    # The date is the source's, or the sentence stating another one is marked (the 0.5B model has answered
    # "2024年3月1日", marked "（未能在文档中核实）" beside its source; a wrong date unmarked fails here).
    marked = "未能在文档中核实" in answer.answer
    assert ("24日" in answer.answer and not marked) or (marked and any("differs from its source" in n for n in answer.notes))
