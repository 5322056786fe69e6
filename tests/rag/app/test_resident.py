"""A resident answerer (``rag.app.resident``): ``rag search`` / ``rag ask`` answered over the index folder's socket
print what the CLI prints in process; a stale or foreign socket is not used; index changes are never missed;
a bad request is refused and the resident goes on. Real model, one indexed document (copied per test)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.proc import subprocess_env

import rag.app.resident as resident_module
from rag.app import resident_client
from rag.app.cli import main
from rag.app.resident import ResidentServer, serve_cli
from rag.app.resident_client import PROTOCOL, exchange, settings_key, socket_path
from rag.app.service import PolicyQA
from rag.ingest.index import Index
from rag.settings import Settings, get_settings

CORPUS = Path(__file__).resolve().parents[3] / "corpus"
DOC = "004_8935ac0b9ace9346.txt"
LATER = "001_38b74790e283ffa7.txt"  # indexed during a test
QUESTION = "Anthropic认为巩固美国人工智能领导地位的关键后续步骤是什么？"
LATER_QUESTION = "全球如何加快推进人工智能安全治理？"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("resident")
    (root / "corpus").mkdir()
    shutil.copyfile(CORPUS / DOC, root / "corpus" / DOC)
    settings = Settings(_env_file=None, index_dir=root / "index", corpus_dir=root / "corpus")
    with Index.open(settings) as index:
        index.ingest([root / "corpus"])
    return root / "index"


@pytest.fixture
def env(built: Path, tmp_path: Path, isolated_env: None, monkeypatch: pytest.MonkeyPatch) -> Settings:
    shutil.copytree(built, tmp_path / "index")
    (tmp_path / "corpus").mkdir(exist_ok=True)
    shutil.copyfile(CORPUS / DOC, tmp_path / "corpus" / DOC)
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(tmp_path / "corpus"))
    get_settings.cache_clear()
    return get_settings()


class Running:
    """A resident serving in a thread of this process (it holds the index lock as another process would)."""

    def __init__(self, settings: Settings, stoppable: bool) -> None:
        self.qa = PolicyQA.open(settings)
        self.server = ResidentServer(self.qa, settings, stoppable=stoppable, kind="CLI resident" if stoppable else "web app")
        self.reason: str | None = None
        self.stopped = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.reason = self.server.serve()

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.server.close()
        self.thread.join(timeout=60)
        if self.reason != "stop":
            self.qa.close()


@pytest.fixture
def resident(env: Settings) -> Iterator[Running]:
    running = Running(env, stoppable=False)
    yield running
    running.stop()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def without_timings(out: str) -> list[dict]:
    items = [json.loads(line) for line in out.splitlines() if line.strip()]
    for item in items:
        item.pop("timings_ms", None)
    return items


CALLS = [
    ("ask", QUESTION),
    ("ask", QUESTION, "--json"),
    ("ask", "--claim", "严格的出口管制和人工智能发展透明度标准仍然是巩固美国人工智能领导地位的关键后续步骤。", "--json"),
    ("ask", "--claim", "--strict", "The NSM calls for strict export controls.", "--json"),
    ("ask", "What is the capital of Peru?"),  # refused: the contexts are listed
    ("search", "出口管制", "--k", "3"),
    ("search", "出口管制", "--json", "--doc", DOC, "--lang", "zh"),
    ("search", "--k", "2", "--", "-出口管制"),  # a question that looks like an option: passed after "--"
]


def test_answers_are_the_same_in_process_and_from_the_resident(env: Settings, capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "a", "question": QUESTION}, ensure_ascii=False) + "\n", encoding="utf-8")
    calls = [*CALLS, ("ask", "--jsonl", str(questions))]
    before = [run(capsys, *call) for call in calls]
    assert all(code == 0 and out for code, out, _ in before)
    assert not socket_path(env.index_dir).exists()

    running = Running(env, stoppable=False)
    try:
        after = [run(capsys, *call) for call in calls]
        assert running.server.served == len(calls)  # every call went to the resident
    finally:
        running.stop()
    for call, (code, out, _), (code2, out2, _) in zip(calls, before, after, strict=True):
        assert code2 == code, call
        if "--json" in call or "--jsonl" in call:
            assert without_timings(out2) == without_timings(out), call  # text, citations, offsets, verdicts
        else:
            assert out2 == out, call
    answer = without_timings(after[1][1])[0]
    assert answer["citations"] and {"start", "end", "doc", "shown"} <= set(answer["citations"][0])


def test_a_stale_socket_is_not_used(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    path = socket_path(env.index_dir)
    expected = run(capsys, "ask", QUESTION)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()  # the file stays, nobody listens: a resident killed with -9
    os.chmod(path, 0o600)
    assert run(capsys, "ask", QUESTION) == expected  # answered in process, as with no socket at all
    assert exchange(path, {"protocol": PROTOCOL, "op": "ping"}) is None


class Listener:
    """A socket that counts the connections it gets and closes each at once (the CLI then answers in process)."""

    def __init__(self, path: Path, mode: int) -> None:
        self.path, self.calls = path, 0
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        os.chmod(path, mode)
        self.sock.listen(4)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.calls += 1
            conn.close()

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join(timeout=60)
        self.path.unlink()


@pytest.mark.parametrize("mode, used", [(0o660, False), (0o604, False), (0o600, True)])
def test_a_socket_others_can_open_is_not_used(env: Settings, capsys: pytest.CaptureFixture[str], mode: int,
                                              used: bool) -> None:
    """Group- or world-accessible: never connected to; the same listener at 0600 is (the mode check is what kept
    it away). The listener holds no index, so the CLI answers in process either way."""
    listener = Listener(socket_path(env.index_dir), mode)
    try:
        code, out, _ = run(capsys, "search", "出口管制", "--k", "1")
    finally:
        listener.close()
    assert code == 0 and DOC in out
    assert listener.calls == (1 if used else 0)


class AnotherUser:
    """``os`` as a module sees it when it runs as another user than the one who made the socket."""

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)

    def getuid(self) -> int:
        return os.getuid() + 1


def test_a_socket_of_another_user_is_not_used(env: Settings, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI never connects to it (the 0600 case of the test above connects)."""
    monkeypatch.setattr(resident_client, "os", AnotherUser())
    listener = Listener(socket_path(env.index_dir), 0o600)
    try:
        code, out, _ = run(capsys, "search", "出口管制", "--k", "1")
    finally:
        listener.close()
    assert code == 0 and DOC in out and listener.calls == 0


def test_the_resident_refuses_a_caller_of_another_user(resident: Running, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, _ = run(capsys, "search", "出口管制", "--k", "1")
    assert code == 0 and resident.server.served == 1
    monkeypatch.setattr(resident_module, "os", AnotherUser())  # the peer's uid is no longer the resident's
    code, out, err = run(capsys, "search", "出口管制", "--k", "1")
    assert code == 2 and not out and "another user" in err and resident.server.served == 1


def test_the_web_app_resident_sees_what_it_indexes(resident: Running, env: Settings,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "search", LATER_QUESTION, "--doc", LATER, "--json")
    assert json.loads(out)["hits"] == []  # not indexed yet
    shutil.copyfile(CORPUS / LATER, env.corpus_dir / LATER)
    resident.qa.ingest([env.corpus_dir])  # as the app's upload does, in the app's process
    _, out, _ = run(capsys, "search", LATER_QUESTION, "--doc", LATER, "--json")
    assert json.loads(out)["hits"] and {h["doc"] for h in json.loads(out)["hits"]} == {LATER}
    _, out, _ = run(capsys, "search", LATER_QUESTION, "--k", "20", "--json")
    assert LATER in {h["doc"] for h in json.loads(out)["hits"]}
    assert resident.server.served == 3


def test_ingest_while_a_cli_resident_holds_the_index(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """The resident closes the index and stops; ingest runs; the next call sees the new document."""
    running = Running(env, stoppable=True)
    try:
        code, _, _ = run(capsys, "search", "初始资金", "--k", "1")
        assert code == 0 and running.server.served == 1
        shutil.copyfile(CORPUS / LATER, env.corpus_dir / LATER)
        code, out, err = run(capsys, "ingest", str(env.corpus_dir))
        assert code == 0, err
        running.thread.join(timeout=60)
        assert running.reason == "stop" and not socket_path(env.index_dir).exists()
    finally:
        running.stop()
    code, out, _ = run(capsys, "search", LATER_QUESTION, "--doc", LATER, "--json")
    assert code == 0 and json.loads(out)["hits"] and {h["doc"] for h in json.loads(out)["hits"]} == {LATER}


def test_ingest_while_the_web_app_holds_the_index_is_refused(resident: Running, env: Settings,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    manifest = (env.index_dir / "manifest.json").read_bytes()
    shutil.copyfile(CORPUS / LATER, env.corpus_dir / LATER)
    code, _, err = run(capsys, "ingest", str(env.corpus_dir))
    assert code == 2 and "in use by another PolicyQA process" in err
    assert (env.index_dir / "manifest.json").read_bytes() == manifest
    code, out, _ = run(capsys, "search", "出口管制", "--k", "1")
    assert code == 0 and DOC in out and resident.server.served == 1  # still answering


def _raw(path: Path, payload: bytes) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(str(path))
        conn.sendall(payload)
        return json.loads(conn.makefile("rb").readline())


def test_a_bad_request_is_refused_and_the_resident_goes_on(resident: Running, env: Settings,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = socket_path(env.index_dir)
    key = settings_key(os.environ, Path.cwd())
    bad = [b"not json\n", b"[1, 2]\n", b"\xff\xfe\n", json.dumps({"protocol": 99, "op": "query"}).encode() + b"\n",
           json.dumps({"protocol": PROTOCOL, "op": "rm -rf"}).encode() + b"\n",
           json.dumps({"protocol": PROTOCOL, "op": "query", "key": key, "argv": ["ask", "--bogus"]}).encode() + b"\n",
           json.dumps({"protocol": PROTOCOL, "op": "query", "key": key, "argv": ["ingest", "/"]}).encode() + b"\n",
           json.dumps({"protocol": PROTOCOL, "op": "query", "key": "RAG", "argv": ["ask", "x"]}).encode() + b"\n",
           json.dumps({"protocol": PROTOCOL, "op": "query", "key": key, "argv": 7}).encode() + b"\n",
           json.dumps({"protocol": PROTOCOL, "op": "query", "key": key, "argv": ["ask", ["x"]]}).encode() + b"\n"]
    for payload in bad:
        reply = _raw(path, payload)
        assert reply["ok"] is False and reply["error"].startswith("bad request"), payload
    good = {"protocol": PROTOCOL, "op": "query", "key": key, "argv": ["search", "--k", "1", "--", "出口管制"]}
    reply = _raw(path, json.dumps(good).encode() + b"\n")
    assert reply["ok"] is True and reply["code"] == 0 and DOC in reply["out"]
    assert _raw(path, json.dumps({"protocol": PROTOCOL, "op": "stop"}).encode() + b"\n")["ok"] is False  # the app stays
    assert resident.thread.is_alive() and resident.server.served == 1


def test_other_settings_are_refused_with_their_names(resident: Running, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_PORT", "9999")  # changes no answer: still served
    assert run(capsys, "search", "出口管制", "--k", "1")[0] == 0 and resident.server.served == 1
    monkeypatch.setenv("RAG_ANSWER_CONTEXTS", "3")
    code, out, err = run(capsys, "search", "出口管制", "--k", "1")
    assert code == 2 and not out and "RAG_ANSWER_CONTEXTS" in err and resident.server.served == 1


def test_the_forwarded_call_imports_nothing_heavy(resident: Running, env: Settings) -> None:
    environment = subprocess_env() | {k: v for k, v in os.environ.items() if k.startswith("RAG_")}
    code = ("import sys; from rag.app.cli import main; c = main(['search', '出口管制', '--k', '1']); "
            "print(c, sorted(m for m in ('numpy', 'jieba', 'llama_index', 'pydantic', 'rag.settings') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], env=environment, cwd=Path.cwd(), capture_output=True,
                          text=True, timeout=300, check=True)
    assert done.stdout.splitlines()[-1] == "0 []" and resident.server.served == 1
    resident.stop()  # the same call answered in process loads them (the check can see them)
    done = subprocess.run([sys.executable, "-c", code], env=environment, cwd=Path.cwd(), capture_output=True,
                          text=True, timeout=300, check=True)
    assert done.stdout.splitlines()[-1] == "0 ['jieba', 'numpy', 'pydantic', 'rag.settings']"


def test_serve_cli_ends_when_idle_and_releases_the_index(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")  # what serve_cli sets, undone after the test
    assert serve_cli(env, idle_s=0.01) == 0
    assert not socket_path(env.index_dir).exists()
    Index.open(env).close()  # the lock is free


def test_detached_resident_answers_and_stops(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "serve-cli", "--detach", "--idle", "300")
    assert code == 0, (env.index_dir / ".cli.log").read_text()
    try:
        reply = exchange(socket_path(env.index_dir), {"protocol": PROTOCOL, "op": "ping"})
        assert reply is not None and reply["pid"] != os.getpid()  # another process holds the index
        code, out, _ = run(capsys, "ask", QUESTION)
        assert code == 0 and "[1]" in out
    finally:
        code, out, _ = run(capsys, "serve-cli", "--stop")
    assert code == 0 and "stopped" in out and not socket_path(env.index_dir).exists()
    Index.open(env).close()


def test_no_socket_for_settings_made_in_code(env: Settings) -> None:
    """A caller's settings key describes the environment's settings: a server built with others would answer
    calls it cannot vouch for, so it refuses to listen (the same settings from the environment listen)."""
    other = env.model_copy(update={"answer_contexts": env.answer_contexts + 1})
    with PolicyQA.open(env) as qa:
        with pytest.raises(ValueError, match="not the environment's"):
            ResidentServer(qa, other, stoppable=True, kind="CLI resident")
        assert not socket_path(env.index_dir).exists()
        server = ResidentServer(qa, env, stoppable=True, kind="CLI resident")
        assert socket_path(env.index_dir).exists()
        server.close()
