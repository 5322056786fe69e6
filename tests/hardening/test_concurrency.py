"""Many users at once: simultaneous /ask calls, and questions asked while an upload is being indexed.

Runs against the shared app of conftest.py (real embedding model, 2-file corpus, temp index).
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hardening_helpers import ProgressRecorder, component, dev_questions, ui_function

from rag.ingest.bookkeeping import content_hash

pytestmark = pytest.mark.slow

ZH_QUESTION = "美国国家安全备忘录对联邦政府使用人工智能提出了哪些要求？"
EN_QUESTION = "What does the US AI national security memorandum direct agencies to do?"
FALLBACK = [  # used when shared/eval/dev_qa.jsonl is not around
    {"question": "据《全球加快推进人工智能安全治理》一文，欧盟对违规销售和使用明显威胁人们安全、生计的人工智能技术的公司，可处以多高的罚款？",
     "type": "factoid"},
    {"question": "Which agreement does the article on global AI safety governance call the first international "
                 "agreement on AI?", "type": "factoid"},
]
CALL_TIMEOUT_S = 180  # hang guard, not a speed check: all simultaneous calls together (the queue may serialize them)
HANG_GUARD_S = 600  # hang guard for the asks during an upload: only a deadlock should ever reach it

# The uploaded document: ~150 chunks (default chunk settings, real tokenizer) about a made-up
# "implementing rule" of the memorandum, so that BULK_QUESTION finds it once it is indexed.
BULK_NAME = "zz_memo_implementing_rules.txt"
BULK_LINES = 300
BULK_QUESTION = "根据国家安全备忘录实施细则，首席人工智能官应当多久向国家安全委员会报告一次人工智能风险评估结果？"


# Dev items the default pipeline refuses on the full dev index too (false refusals in BENCHMARKS.md's dev table,
# measured by `rag eval`, not here): still asked and checked for valid, deterministic answers, but whether they
# are refused is a matter of the refusal model (db-03 was answered on this two-document index only until the
# learned rerank and the refitted answerability models of session 15).
KNOWN_FALSE_REFUSALS = {"db-03"}


def questions() -> list[tuple[str, bool]]:
    """(question, answerable) — answerable: a factoid or list question whose answer is in the corpus."""
    items = dev_questions(["000_187dd3f74430c8b6.txt", "001_38b74790e283ffa7.txt"]) or FALLBACK
    found = [(item["question"], item["type"] in ("factoid", "list") and item.get("id") not in KNOWN_FALSE_REFUSALS)
             for item in items]
    return [(ZH_QUESTION, True), (EN_QUESTION, True)] + found


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    """An answer without its timings (the only field allowed to differ between two runs)."""
    return {k: v for k, v in result.items() if k != "timings_ms"}


def check_answer(result: Any, names: list[str], answerable: bool, question: str) -> None:
    assert isinstance(result, dict), (question, result)
    json.loads(json.dumps(result, ensure_ascii=False))  # plain JSON all the way down
    assert set(result) >= {"answer", "refused", "verdict", "citations", "contexts", "timings_ms"}, result
    assert isinstance(result["answer"], str) and result["answer"].strip()
    if answerable:
        assert result["refused"] is False, (question, result["answer"])
        assert result["citations"], question
    for citation in result["citations"]:
        assert citation["doc"] in names, (question, citation)
        assert citation["text"].strip()
        assert f"[{citation['n']}]" in result["answer"]
    for context in result["contexts"]:
        assert context["doc"] in names, (question, context["doc"])


def test_simultaneous_asks_are_valid_and_deterministic(hardening_app, app_client) -> None:
    cases = questions()
    assert len(cases) >= 4
    # sequential baseline, one call per distinct question
    baseline = {}
    for question, answerable in cases:
        result = app_client.predict(question, api_name="/ask")
        check_answer(result, hardening_app.names, answerable, question)
        baseline[question] = comparable(result)

    calls = [cases[i % len(cases)] for i in range(20)]
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[str] = []

    def call(slot: int, question: str) -> None:
        try:
            barrier.wait(timeout=60)
            results[slot] = app_client.submit(question, api_name="/ask").result(timeout=CALL_TIMEOUT_S)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(f"{question[:30]}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=call, args=(i, q), daemon=True) for i, (q, _) in enumerate(calls)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, CALL_TIMEOUT_S + 60 - (time.monotonic() - started)))
    assert not any(t.is_alive() for t in threads), "simultaneous /ask calls did not finish in time"
    assert errors == []
    for (question, answerable), result in zip(calls, results, strict=True):
        check_answer(result, hardening_app.names, answerable, question)
        assert comparable(result) == baseline[question], f"answer changed under concurrency: {question}"

    # the same, in-process from several threads at once (the HTTP queue may run /ask one at a time)
    qa = hardening_app.qa
    with ThreadPoolExecutor(max_workers=6) as pool:
        direct = list(pool.map(lambda q: qa.ask(q).to_json(), [q for q, _ in calls], timeout=CALL_TIMEOUT_S))
    for (question, _), result in zip(calls, direct, strict=True):
        assert comparable(json.loads(json.dumps(result))) == baseline[question], question


# --- asking while an upload is indexed --------------------------------------------------------


def write_bulk_document(path: Path) -> None:
    lines = ["# 人工智能国家安全备忘录实施细则", ""]
    for i in range(1, BULK_LINES + 1):
        lines.append(
            f"第{i}条 根据国家安全备忘录实施细则，首席人工智能官应当每季度向国家安全委员会报告人工智能风险评估结果，"
            f"报告编号为NSM-{i:04d}，并由第{i % 7 + 1}工作组复核。Under implementing rule {i}, the chief AI officer "
            "reports AI risk assessments to the National Security Council every quarter."
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_questions_during_an_upload_never_see_the_half_indexed_document(
    hardening_app, app_client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upload (through the Library tab's upload function) a ~150-chunk document. The ingest is held after
    its first batch of points is in the store, 5 /ask calls go out, and the ingest is let go once two of
    them have answered. All must complete; none may cite or show the document unless it was published
    (manifest + visible set swapped) before that call ended."""
    qa = hardening_app.qa
    index = qa.index
    source = tmp_path / BULK_NAME
    write_bulk_document(source)
    doc_hash = content_hash(source.read_bytes())
    names = hardening_app.names + [BULK_NAME]

    # hold the ingest between its 1st and 2nd batch: the 1st batch's points are in the store, unpublished
    original_upsert = index.store.upsert
    batches = {"n": 0}
    half_indexed = threading.Event()
    release = threading.Event()

    def gated_upsert(points):  # type: ignore[no-untyped-def]
        batches["n"] += 1
        if batches["n"] == 2:
            half_indexed.set()
            release.wait(timeout=CALL_TIMEOUT_S)
        return original_upsert(points)

    monkeypatch.setattr(index.store, "upsert", gated_upsert)

    # note when the document becomes visible (time taken *before* the publish that shows it)
    original_publish = index._publish
    published_at: dict[str, float] = {}

    def timed_publish() -> None:
        before = time.monotonic()
        original_publish()
        if doc_hash in index.visible_hashes() and "t" not in published_at:
            published_at["t"] = before

    monkeypatch.setattr(index, "_publish", timed_publish)

    upload_files = ui_function(hardening_app.demo, "upload_files")
    library_msg = component(hardening_app.demo, "pqa-library-msg")
    recorder = ProgressRecorder()
    outcome: dict[str, Any] = {}

    def upload() -> None:
        try:
            outcome["result"] = upload_files([str(source)], "en", [], progress=recorder)
        except Exception as error:  # noqa: BLE001
            outcome["error"] = error
        finally:
            outcome["ended"] = time.monotonic()

    uploader = threading.Thread(target=upload, daemon=True)
    uploader.start()
    try:
        assert half_indexed.wait(timeout=CALL_TIMEOUT_S), f"ingest never reached its 2nd batch: {outcome}"
        stored = index.store.doc_chunk_counts()
        assert stored.get(doc_hash, 0) > 0 and doc_hash not in index.visible_hashes()  # truly half-indexed

        asks = [BULK_QUESTION, ZH_QUESTION, BULK_QUESTION, EN_QUESTION, "首席人工智能官 国家安全委员会 报告"]
        timings: list[tuple[float, float]] = [(0.0, 0.0)] * len(asks)
        answers: list[Any] = [None] * len(asks)
        finished = threading.Semaphore(0)

        def ask(slot: int, question: str) -> None:
            start = time.monotonic()
            try:
                answers[slot] = app_client.submit(question, api_name="/ask").result(timeout=CALL_TIMEOUT_S)
            except Exception as error:  # noqa: BLE001
                answers[slot] = error
            timings[slot] = (start, time.monotonic())
            finished.release()

        askers = [threading.Thread(target=ask, args=(i, q), daemon=True) for i, q in enumerate(asks)]
        for thread in askers:
            thread.start()
        deadline = time.monotonic() + HANG_GUARD_S
        for _ in range(2):  # two answers while the document is half in the store (the upload is held there)
            assert finished.acquire(timeout=max(0.1, deadline - time.monotonic())), "asks blocked by the ingest"
        release.set()
        for thread in askers:
            thread.join(timeout=max(0.1, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in askers), f"asks hung (> {HANG_GUARD_S} s) during an upload"
    finally:
        release.set()
        uploader.join(timeout=300)
    assert not uploader.is_alive(), "the upload did not finish"
    assert "error" not in outcome, outcome.get("error")

    publish_time = published_at.get("t")
    assert publish_time is not None, "the uploaded document was never published"
    during = 0
    for question, answer, (start, end) in zip(asks, answers, timings, strict=True):
        assert not isinstance(answer, Exception), f"{question}: {answer!r}"
        check_answer(answer, names, False, question)
        shown = {c["doc"] for c in answer["citations"]} | {c["doc"] for c in answer["contexts"]}
        if end < publish_time:
            during += 1
            assert BULK_NAME not in shown, f"half-indexed {BULK_NAME} leaked into {question!r}"
    assert during >= 2  # the scenario really was exercised

    # the upload itself went through: progress counted up, the library message reports it
    message = outcome["result"][library_msg]
    assert message.startswith("- Indexed: 1 added"), message
    assert recorder.steps and recorder.steps[-1] == (1, 1) and recorder.steps == sorted(recorder.steps)
    record = index.record(doc_hash)
    assert record is not None and record.names == [BULK_NAME] and record.chunks >= 120
    assert (hardening_app.corpus_dir / BULK_NAME).exists()
    # and once published, the same question does find it (so the leak check above was not vacuous)
    try:
        after = app_client.predict(BULK_QUESTION, api_name="/ask")
        assert BULK_NAME in {c["doc"] for c in after["citations"]} | {c["doc"] for c in after["contexts"]}
    finally:  # leave the shared app with its 2-file library
        (hardening_app.corpus_dir / BULK_NAME).unlink(missing_ok=True)
        qa.remove(BULK_NAME)
