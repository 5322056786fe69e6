"""Answer workers: questions and claims answered in processes beside the app's, the index staying in the app's.

Answering is mostly Python under one interpreter lock, so a second thread in the app's process gains ~20 %
(bench/load.py); a second *process* answers a second question at once. Each worker loads its own embedding
model, dictionary and reader (the reader with all its threads only while no other worker is busy) and reads the index through the app's
process, which owns it (Qdrant Edge locks its folder to one process): every store read goes over a pipe
(``rag.store.remote``), and each task carries the index's state, so a worker re-reads the manifest after an
upload or a removal before answering (``IndexView.sync``) and never answers from a document the app no longer
shows. Only the offline answer path runs here (an LLM answers in the app's process). A task no worker can
take — all busy, still loading, or one just died — is answered in the app's process (``ask`` returns None),
and a worker that died is started again.

Usage::

    start_workers(qa, processes=2)   # qa.workers = AnswerWorkers(qa, 2): spawns; ready after loading (seconds)
    qa.ask("英国人工智能安全研究所获得了多少初始资金？")   # a worker answers (qa.workers.ask; None: qa answers itself)
    qa.close()                        # stops the workers too
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.ingest.bookkeeping import IngestReport
from rag.ingest.index import Index
from rag.ingest.manifest import Manifest
from rag.settings import Settings
from rag.store.embedding import Embedder
from rag.store.remote import Caller, ReadOnlyStoreError, RemoteStore, serve, store_reads
from rag.types import Answer

if TYPE_CHECKING:
    from rag.app.service import PolicyQA

logger = logging.getLogger(__name__)
State = tuple[frozenset[str], int]


class IndexView(Index):
    """The app's index as a worker reads it: the store through the app's process, the manifest and the
    visible documents as of the last ``sync`` (the state a task carries); whether the store holds only
    visible documents is asked live, as a query in the app's process would."""

    def __init__(self, settings: Settings, embedder: Embedder, call: Caller) -> None:
        super().__init__(settings, embedder, RemoteStore(call), Manifest())
        self._call = call
        self._synced: State | None = None

    def sync(self, state: State) -> None:
        """Read the app's manifest again unless it is at ``state`` already."""
        if state != self._synced:
            self._manifest, self._visible, self._write_generation = self._call("index.snapshot")
            self._synced = state

    def clean_generation(self) -> int | None:
        return self._call("index.clean_generation")

    def ingest(self, paths: Any, progress: Any = None, prune: bool = True) -> IngestReport:
        raise ReadOnlyStoreError("a worker does not index: the app's process does")

    def remove(self, name: str) -> bool:
        raise ReadOnlyStoreError("a worker does not remove documents: the app's process does")

    def remove_path(self, path: str | Path) -> bool:
        raise ReadOnlyStoreError("a worker does not remove documents: the app's process does")


def index_reads(index: Index) -> dict[str, Any]:
    """What an ``IndexView`` asks of the app's index."""
    return {**store_reads(index.store), "index.snapshot": index.snapshot,
            "index.clean_generation": index.clean_generation}


def run_worker(settings: Settings, tasks: Connection, reads: Connection, log_level: int) -> None:
    """A worker process: load, say "ready", then answer ``(state, kwargs)`` tasks until told to stop (None)."""
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s [worker]: %(message)s")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle model threads sleep, not spin (read as the engine loads)
    from rag.answer.reader import load_reader
    from rag.app.service import PolicyQA
    from rag.store.embedding import get_embedder
    from rag.text.lexicon import load_lexicon

    view = IndexView(settings, get_embedder(settings), Caller(reads))
    qa = PolicyQA(view, settings, load_lexicon())
    qa.load_reader()  # now, not on the first task
    reader = load_reader(threads=settings.reader_threads)  # the one qa reads with
    tasks.send(("ready", None))
    while True:
        try:
            task = tasks.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        state, alone, kwargs = task
        if reader is not None:  # all its threads when no other worker is busy, else one (each a core)
            reader.threads = settings.reader_threads if alone else 1
        try:
            view.sync(state)
            tasks.send(("ok", qa.ask(**kwargs)))
        except Exception as error:  # noqa: BLE001 - the app answers it itself
            tasks.send(("error", f"{type(error).__name__}: {error}"))


def start_workers(qa: PolicyQA, processes: int) -> None:
    """Let ``processes`` worker processes answer for ``qa`` (none with an LLM, or with 0, or when it has them)."""
    if processes >= 1 and qa.llm is None and qa.workers is None:
        qa.workers = AnswerWorkers(qa, processes)


@dataclass
class Worker:
    process: BaseProcess
    tasks: Connection
    reads: Connection
    threads: list[threading.Thread] = field(default_factory=list)


class AnswerWorkers:
    """``processes`` worker processes answering for ``qa`` (its index stays in this process)."""

    def __init__(self, qa: PolicyQA, processes: int) -> None:
        if processes < 1:
            raise ValueError("processes must be >= 1")
        self.qa = qa
        self.settings = qa.settings
        self._context = multiprocessing.get_context("spawn")  # not fork: this process runs threads (server, OpenMP)
        self._idle: queue.SimpleQueue[Worker] = queue.SimpleQueue()
        self._closed = False
        self.answered = 0  # tasks answered by a worker (the rest: in the app's process)
        self._workers: list[Worker] = []
        self._lock = threading.Lock()
        for _ in range(processes):
            self._start()

    def _start(self) -> None:
        tasks, worker_tasks = self._context.Pipe()
        reads, worker_reads = self._context.Pipe()
        process = self._context.Process(target=run_worker, name="policyqa-answer-worker", daemon=True,
                                        args=(self.settings, worker_tasks, worker_reads, logging.getLogger().level))
        process.start()
        worker_tasks.close(), worker_reads.close()
        worker = Worker(process, tasks, reads)
        server = threading.Thread(target=serve, args=(reads, index_reads(self.qa.index)), daemon=True,
                                  name="policyqa-worker-reads")
        waiter = threading.Thread(target=self._await_ready, args=(worker,), daemon=True, name="policyqa-worker-start")
        worker.threads = [server, waiter]
        with self._lock:
            self._workers.append(worker)
        server.start(), waiter.start()

    def _await_ready(self, worker: Worker) -> None:
        try:
            message, _ = worker.tasks.recv()
        except (EOFError, OSError):
            message = "died"
        if message == "ready" and not self._closed:
            logger.info("answer worker %s ready", worker.process.pid)
            self._idle.put(worker)
        elif not self._closed:
            logger.warning("answer worker %s failed to start (exit code %s)", worker.process.pid, worker.process.exitcode)

    def ready(self) -> int:
        """How many workers are waiting for a task now."""
        return self._idle.qsize()

    def ask(self, question: str, history: list[tuple[str, str]] | None = None, docs: list[str] | None = None,
            language: str | None = None, mode: str = "answer", strict: bool | None = None) -> Answer | None:
        """The answer from an idle worker, or None when none is idle or it failed (answer here then)."""
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            return None
        kwargs = {"question": question, "history": history, "docs": docs, "language": language, "mode": mode,
                  "strict": strict}
        alone = self._idle.qsize() >= len(self._workers) - 1
        try:
            worker.tasks.send((self.qa.index.state(), alone, kwargs))
            status, value = worker.tasks.recv()
        except (EOFError, OSError, BrokenPipeError) as error:
            logger.warning("answer worker %s died (%s); starting another", worker.process.pid, error)
            self._retire(worker)
            if not self._closed:
                self._start()
            return None
        self._idle.put(worker)
        if status != "ok":
            logger.warning("answer worker failed (%s); answering in the app's process", value)
            return None
        self.answered += 1
        return value

    def _retire(self, worker: Worker) -> None:
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
        for conn in (worker.tasks, worker.reads):
            conn.close()
        worker.process.join(timeout=1)
        if worker.process.is_alive():
            worker.process.kill()

    def close(self) -> None:
        """Stop every worker (a second call does nothing)."""
        self._closed = True
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            try:
                worker.tasks.send(None)
            except (OSError, BrokenPipeError):
                pass
        for worker in workers:
            worker.process.join(timeout=5)
            self._retire(worker)
