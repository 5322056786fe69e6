"""A resident answerer: the process holding the index answers ``rag search`` / ``rag ask`` for the CLI, the way
a dmypy or gradle daemon answers its client.

Qdrant Edge locks the index folder to one process, and a CLI call spends most of its second loading what that
process has loaded already (dictionary, jieba, model, reader, term statistics). ``ResidentServer`` listens on
``<index dir>/.cli.sock`` (created 0600; a peer of another user is refused) and answers one call at a time with
``rag.app.cli_queries.run_query`` on its ``PolicyQA``, sending back exactly what the call prints. Two kinds:

* ``rag serve-cli`` (``serve_cli``): a process of its own. It exits after ``cli_resident_idle_s`` without a call,
  on SIGTERM / Ctrl-C, or when a CLI command that writes or reads the index itself (``rag ingest``, ``remove``,
  ``docs``, ``eval``) asks it to step aside: it closes its index (the lock is released) and then replies, so
  that command runs as it would with no resident — the index and the files never disagree, and the resident
  never answers from an index it no longer holds. The next ``rag ask`` answers in process (or start another).
* the web app (``serve_beside_app``): a thread in the app's process; it answers from the app's live index, so
  what the app indexes or removes is seen by the next call, and it never steps aside (``rag ingest`` then
  meets the index lock and says the index is in use, as before).

Each call carries its settings key (``rag.app.resident_client.settings_key``); a call whose key differs from
the resident's is refused with the names of the differing settings. A malformed request gets an error reply
and the resident goes on.

Usage::

    rag serve-cli [--idle SECONDS] [--detach]      # serve_cli(settings, idle_s)
    rag serve-cli --stop                            # resident_client.step_aside()
    serve_beside_app(qa, settings)                  # the web app: its answer workers and this socket
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from rag.app.cli_queries import QueryArgumentError, query_parser, run_query
from rag.app.resident_client import PROTOCOL, exchange, settings_key, socket_path
from rag.settings import Settings

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1 << 20  # a question is at most a few KB; a JSONL file is sent by its path


class ResidentServer:
    """Answers CLI calls for ``qa`` on ``<index dir>/.cli.sock`` (bound here: the caller holds the index lock, so
    a socket file already there is stale and is replaced)."""

    def __init__(self, qa: Any, settings: Settings, stoppable: bool, kind: str) -> None:
        if settings != type(settings)():  # a caller's key describes the environment's settings: they must be these
            raise ValueError("these settings are not the environment's (RAG_* and ./.env): a CLI call could not tell")
        self.qa = qa
        self.kind = kind
        self.stoppable = stoppable
        self.path = socket_path(settings.index_dir)
        self.key = settings_key(os.environ, Path.cwd())
        self.served = 0
        self.read_s = settings.cli_resident_read_s
        self._closed = False
        self.path.unlink(missing_ok=True)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)  # the socket is born 0600: no moment in which another user could connect
        try:
            self._listener.bind(str(self.path))
        finally:
            os.umask(old_umask)
        os.chmod(self.path, 0o600)
        self._listener.listen(16)
        logger.info("answering CLI calls on %s (%s, pid %d)", self.path, kind, os.getpid())

    def serve(self, idle_s: float | None = None) -> str:
        """Answer calls until closed, stopped by a call ("stop"), or ``idle_s`` without one ("idle")."""
        last = time.monotonic()
        while not self._closed:
            left = None if idle_s is None else idle_s - (time.monotonic() - last)
            if left is not None and left <= 0:
                return "idle"
            self._listener.settimeout(left)
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed from another thread
                return "closed"
            with conn:
                conn.settimeout(self.read_s)  # a caller that connects and sends nothing holds up no one for long
                try:
                    if self._handle(conn):
                        return "stop"
                except Exception:  # noqa: BLE001 - one call's failure; the resident goes on
                    logger.exception("a CLI call failed")
            last = time.monotonic()
        return "closed"

    def close(self) -> None:
        """Stop listening and remove the socket file (a second call does nothing)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.path.unlink(missing_ok=True)
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes an accept() blocked in another thread
        except OSError:
            pass
        self._listener.close()

    def _reply(self, conn: socket.socket, **reply: Any) -> None:
        try:
            conn.sendall(json.dumps({"pid": os.getpid(), "kind": self.kind, **reply}, ensure_ascii=False).encode() + b"\n")
        except OSError as error:  # the caller went away: nothing to tell it
            logger.info("a CLI caller left before its reply (%s)", error)

    def _handle(self, conn: socket.socket) -> bool:
        """One call; True when it asked this resident to stop (then the index is closed before the reply)."""
        try:
            with conn.makefile("rb") as stream:  # read before any reply: unread data would reset the connection
                line = stream.readline(MAX_REQUEST_BYTES + 1)
            if not same_user(conn):
                self._reply(conn, ok=False, error="refused: the caller is another user")
                return False
            request = json.loads(line)
            if not isinstance(request, dict) or request.get("protocol") != PROTOCOL:
                raise ValueError(f"expected a JSON object with protocol {PROTOCOL}")
            op, key, argv = request.get("op"), request.get("key") or {}, request.get("argv") or []
            if op not in ("query", "stop", "ping"):
                raise ValueError(f"unknown op {op!r}")
            if not isinstance(key, dict) or not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
                raise ValueError("key must be an object, argv a list of strings")
            conn.settimeout(None)  # answering may take long (an LLM)
        except (ValueError, OSError) as error:  # not JSON, not a request (UnicodeDecodeError is a ValueError)
            logger.warning("bad CLI request: %s", error)
            self._reply(conn, ok=False, error=f"bad request: {error}")
            return False
        if op == "ping":
            self._reply(conn, ok=True)
            return False
        if op == "stop":
            if not self.stoppable:
                self._reply(conn, ok=False, error=f"the {self.kind} holds the index and does not stop for the CLI")
                return False
            self.close()
            self.qa.close()  # the lock is free before the caller hears back
            self._reply(conn, ok=True, stopped=True)
            return True
        differing = sorted(k for k in set(self.key) | set(key) if self.key.get(k) != key.get(k))
        if differing:
            self._reply(conn, ok=False, error=f"the PolicyQA process holding the index (pid {os.getpid()}, {self.kind}) "
                        f"runs with other settings ({', '.join(differing)}); use its settings"
                        + (", or stop it (`rag serve-cli --stop`)" if self.stoppable else ""))
            return False
        try:
            args = query_parser().parse_args(argv)
            out = io.StringIO()
            code = run_query(self.qa, args, out)
        except QueryArgumentError as error:
            self._reply(conn, ok=False, error=f"bad request: {error}")
            return False
        except Exception as error:  # noqa: BLE001 - told to the caller; the resident goes on
            logger.exception("a CLI call failed")
            self._reply(conn, ok=False, error=f"{type(error).__name__}: {error}")
            return False
        self.served += 1
        self._reply(conn, ok=True, code=code, out=out.getvalue())
        return False


def same_user(conn: socket.socket) -> bool:
    """The peer runs as this user (SO_PEERCRED; where the platform lacks it, the socket's 0600 mode decides)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    return uid == os.getuid()


def warm(qa: Any) -> None:
    """Load now what the first call would (the reader, jieba, term statistics, the answer path's modules)."""
    qa.load_reader()
    for question in ("What is the EU AI Office?", "人工智能安全研究所的资金是多少？"):
        try:
            qa.ask(question)
        except Exception as error:  # noqa: BLE001 - a cold first call then, not a resident that never starts
            logger.warning("warming up failed (%s)", error)


def serve_cli(settings: Settings, idle_s: float) -> int:
    """``rag serve-cli``: hold the index and answer CLI calls until idle, stopped or signalled."""
    from rag.app.service import PolicyQA

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle between calls: model threads sleep, not spin (as workers')
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0)) if main else None  # unwinds the finally below
    qa = PolicyQA.open(settings)
    server: ResidentServer | None = None
    reason = "signal"
    try:
        warm(qa)
        server = ResidentServer(qa, settings, stoppable=True, kind="CLI resident")
        reason = server.serve(idle_s)
    except KeyboardInterrupt:
        reason = "interrupted"
    finally:
        if server is not None:
            server.close()
        if reason != "stop":  # a stop closed the index before replying
            qa.close()
        logger.info("resident stopped (%s) after %d calls", reason, server.served if server else 0)
        if main:
            signal.signal(signal.SIGTERM, previous)
    return 0


def start_detached(settings: Settings, idle_s: float) -> int:
    """``rag serve-cli --detach``: start a resident in a session of its own (log: ``<index dir>/.cli.log``) and
    return once it answers (0) or has failed (1)."""
    running = exchange(socket_path(settings.index_dir), {"protocol": PROTOCOL, "op": "ping"})
    if running is not None:
        logger.warning("a resident (pid %s, %s) already answers for %s", running.get("pid"), running.get("kind"),
                       settings.index_dir)
        return 0
    log = settings.index_dir / ".cli.log"
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as sink:
        process = subprocess.Popen([sys.executable, "-m", "rag", "-v", "serve-cli", "--idle", str(idle_s)],
                                   stdin=subprocess.DEVNULL, stdout=sink, stderr=sink, start_new_session=True)
    deadline = time.monotonic() + settings.cli_resident_start_s
    while time.monotonic() < deadline and process.poll() is None:
        reply = exchange(socket_path(settings.index_dir), {"protocol": PROTOCOL, "op": "ping"})
        if reply is not None and reply.get("pid") == process.pid:
            logger.info("resident %d answers on %s", process.pid, socket_path(settings.index_dir))
            return 0
        time.sleep(0.1)
    logger.error("the resident did not start (see %s)", log)
    return 1


def serve_beside_app(qa: Any, settings: Settings) -> None:
    """The web app's helpers: its answer workers (``rag.app.workers``) and this socket, in a thread, both
    stopped by ``qa.close()``."""
    from rag.app.workers import start_workers

    start_workers(qa, settings.answer_workers)
    try:
        server = ResidentServer(qa, settings, stoppable=False, kind="web app")
    except (OSError, ValueError) as error:  # a path too long for a Unix socket, settings made in code (tests)
        logger.info("no CLI socket in %s (%s)", settings.index_dir, error)
        return
    qa.on_close.append(server.close)
    threading.Thread(target=server.serve, daemon=True, name="policyqa-cli-socket").start()
