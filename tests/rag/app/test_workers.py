"""rag.app.workers: answers from a worker process are the app's own answers, follow the index through an
upload and a removal, and a dead worker costs no answer (real model, real corpus documents, real processes)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.app.service import PolicyQA
from rag.app.workers import IndexView, start_workers
from rag.ingest.index import Index
from rag.settings import Settings
from rag.store.remote import ReadOnlyStoreError

CORPUS = Path(__file__).resolve().parents[3] / "corpus"
DOCS = ["001_38b74790e283ffa7.txt", "004_8935ac0b9ace9346.txt"]
QUESTIONS = [("欧盟人工智能办公室是什么时候成立的？", "answer"), ("What does the EU AI Act regulate?", "answer"),
             ("今天天气怎么样？", "answer"), ("欧盟人工智能办公室成立于2019年。", "claim")]
NEW_FACT = "Zorblat Institute for Machine Safety received an initial budget of 42 million euros in 2031."
NEW_QUESTION = "How much initial budget did the Zorblat Institute for Machine Safety receive?"
READY_WITHIN_S = 180  # loading a worker (model, dictionary, reader) takes seconds; CI machines are slow and shared


def wait_ready(qa: PolicyQA, count: int) -> None:
    deadline = time.monotonic() + READY_WITHIN_S
    while qa.workers is not None and qa.workers.ready() < count:
        assert time.monotonic() < deadline, "answer workers did not start"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def qa(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Iterator[PolicyQA]:  # noqa: ANN001
    root = tmp_path_factory.mktemp("workers")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in DOCS:
        shutil.copyfile(CORPUS / name, corpus / name)
    settings = Settings(_env_file=None, index_dir=root / "index", corpus_dir=corpus)
    index = Index.open(settings, real_embedder)
    assert index.ingest([corpus]).ok
    with PolicyQA.open(settings, index) as service:
        start_workers(service, 1)
        wait_ready(service, 1)
        yield service


def here(qa: PolicyQA, question: str, mode: str):  # noqa: ANN201
    """The answer from the app's own process (the workers set aside for one call)."""
    workers, qa.workers = qa.workers, None
    try:
        return qa.ask(question, mode=mode)
    finally:
        qa.workers = workers


def citations(answer) -> list[tuple[str, int, int, str]]:  # noqa: ANN001
    return [(c.doc, c.start, c.end, c.text) for c in answer.citations]


@pytest.mark.parametrize(("question", "mode"), QUESTIONS)
def test_a_worker_answers_as_the_app_does(qa: PolicyQA, question: str, mode: str) -> None:
    assert qa.workers is not None
    before = qa.workers.answered
    remote = qa.ask(question, mode=mode)
    assert qa.workers.answered == before + 1, "the worker, not the app, must have answered"
    local = here(qa, question, mode)
    assert qa.workers.answered == before + 1
    assert (remote.answer, remote.refused, remote.verdict) == (local.answer, local.refused, local.verdict)
    assert citations(remote) == citations(local)
    assert [(h.doc_hash, h.chunk) for h in remote.contexts] == [(h.doc_hash, h.chunk) for h in local.contexts]


def test_a_worker_follows_an_upload_and_a_removal(qa: PolicyQA) -> None:
    assert qa.workers is not None
    new = qa.settings.corpus_dir / "zorblat.txt"
    new.write_text(f"Zorblat Institute annual report\n\n{NEW_FACT}\n", encoding="utf-8")
    before = qa.workers.answered
    assert not any("zorblat" in c[0] for c in citations(qa.ask(NEW_QUESTION))), "not indexed yet: no citation of it"
    assert qa.ingest([new], prune=False).ok
    answer = qa.ask(NEW_QUESTION)
    assert not answer.refused and any(c.doc == "zorblat.txt" and "42 million euros" in c.text for c in answer.citations)
    only = qa.ask(NEW_QUESTION, docs=["zorblat.txt"])  # the filter reads the worker's copy of the manifest
    assert not only.refused and {c.doc for c in only.citations} == {"zorblat.txt"}
    assert qa.remove_path(str(new))
    after = qa.ask(NEW_QUESTION)
    assert not any(c.doc == "zorblat.txt" for c in after.citations), "a removed document must not be cited"
    assert qa.workers.answered == before + 4, "each answer must have come from the worker"


def test_a_dead_worker_costs_no_answer_and_is_replaced(qa: PolicyQA) -> None:
    assert qa.workers is not None
    question = QUESTIONS[0][0]
    expected = citations(here(qa, question, "answer"))
    (worker,) = qa.workers._workers  # noqa: SLF001 - the test kills it
    worker.process.kill()
    worker.process.join(timeout=10)
    answered = qa.workers.answered
    answer = qa.ask(question)  # the worker's pipe is closed: answered here instead
    assert citations(answer) == expected and qa.workers.answered == answered
    wait_ready(qa, 1)
    assert citations(qa.ask(question)) == expected and qa.workers.answered == answered + 1


def test_a_worker_cannot_write_to_the_index(qa: PolicyQA) -> None:
    view = IndexView.__new__(IndexView)  # the refusals need no connection
    with pytest.raises(ReadOnlyStoreError):
        view.ingest([qa.settings.corpus_dir])
    with pytest.raises(ReadOnlyStoreError):
        view.remove(DOCS[0])
