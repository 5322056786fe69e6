"""The CLI's side of a resident answerer: send ``rag search`` / ``rag ask`` to the PolicyQA process that holds
the index, over a Unix socket in the index folder, without loading anything heavy here.

Qdrant Edge locks the index folder to one process. A resident (``rag serve-cli``, or the web app,
``rag.app.resident``) holds it with the embedding model, dictionary and reader loaded, and listens on
``<index dir>/.cli.sock`` (mode 0600). This module is what a CLI call imports before deciding where to answer:
the standard library and nothing else (no pydantic, numpy, jieba, model), so a forwarded call costs the
interpreter's start, a socket round trip and the answer itself.

A socket is used only when it is a socket, owned by this user and readable by no one else; a stale one (no
process listening) or a refused one means "answer in process", as before. The resident answers only when it
runs with this call's settings: both sides compute ``settings_key`` (the ``RAG_*`` variables of the environment
and of ``./.env``, paths resolved, leaving out those that do not change an answer), and the resident refuses a
call whose key differs (the CLI then says so and stops: the resident holds the index).

Usage::

    reply = forward(["ask", "--json", "--", "What is the EU AI Office?"])   # None: no resident, answer in process
    if reply is not None: sys.stdout.write(reply.out); exit(reply.code)
    step_aside()   # before ingest / remove / docs / eval: a CLI resident releases the index (the web app does not)
"""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

SOCKET_NAME = ".cli.sock"
PROTOCOL = 1
# Settings that change no search or answer (the server, its workers, the library folder, the resident's own
# lifetime): a resident started with other values of these still answers a CLI call.
IGNORED_SETTINGS = frozenset({
    "RAG_CORPUS_DIR", "RAG_HOST", "RAG_PORT", "RAG_AUTH_USER", "RAG_AUTH_PASSWORD", "RAG_ASK_CONCURRENCY", "RAG_ANSWER_WORKERS",
    "RAG_REQUEST_MAX_KB", "RAG_LOGIN_MAX_FAILURES", "RAG_LOGIN_WINDOW_S", "RAG_UPLOAD_MAX_MB",
    "RAG_CLI_RESIDENT_IDLE_S", "RAG_CLI_RESIDENT_START_S", "RAG_CLI_RESIDENT_READ_S",
    "RAG_INTEGRITY_SAMPLE_POINTS",
})
DEFAULT_INDEX_DIR = Path(__file__).resolve().parents[2] / "index"  # rag.settings.Settings.index_dir's default


@dataclass
class Reply:
    """What the resident answered: the call's standard output, error text and exit code."""

    code: int
    out: str = ""
    err: str = ""


def read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a .env file (``export``, quotes and comments as python-dotenv reads the usual
    cases); keys upper-cased, as pydantic-settings matches them."""
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return values
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip().upper()] = value
    return values


def settings_key(environ: Mapping[str, str], cwd: Path) -> dict[str, str]:
    """The ``RAG_*`` settings a process runs with (environment over ./.env), relative paths resolved against
    ``cwd``, without ``IGNORED_SETTINGS``: equal keys, equal answers."""
    values = {k: v for k, v in read_dotenv(cwd / ".env").items() if k.startswith("RAG_")}
    values.update({k.upper(): v for k, v in environ.items() if k.upper().startswith("RAG_")})
    for key, value in values.items():
        if key.endswith(("_DIR", "_PATH")) and value and not Path(value).expanduser().is_absolute():
            values[key] = str((cwd / Path(value).expanduser()).resolve())
    return {k: values[k] for k in sorted(values) if k not in IGNORED_SETTINGS}


def index_dir(key: Mapping[str, str]) -> Path:
    """The index folder the settings ``key`` names (``RAG_INDEX_DIR`` or the default)."""
    value = key.get("RAG_INDEX_DIR")
    return Path(value).expanduser() if value else DEFAULT_INDEX_DIR


def socket_path(folder: Path) -> Path:
    return folder / SOCKET_NAME


def usable_socket(path: Path) -> bool:
    """True for a socket file owned by this user that no one else may open; a warning when one is refused."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISSOCK(info.st_mode):
        logger.warning("not using %s: not a socket", path)
        return False
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        logger.warning("not using %s: owned by uid %d with mode %o (must be yours, 0600)", path, info.st_uid,
                       stat.S_IMODE(info.st_mode))
        return False
    return True


def exchange(path: Path, request: dict[str, Any]) -> dict[str, Any] | None:
    """One request, one reply over the socket at ``path``; None when no resident listens there (stale, refused,
    gone before replying) — the caller then answers in process."""
    if not usable_socket(path):
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(str(path))
            conn.sendall(json.dumps(request, ensure_ascii=False).encode("utf-8") + b"\n")
            with conn.makefile("rb") as stream:
                line = stream.readline()
    except OSError as error:  # refused (stale socket), reset, path too long
        logger.info("no resident at %s (%s): answering in process", path, error)
        return None
    if not line:
        logger.info("the resident at %s closed without replying: answering in process", path)
        return None
    reply = json.loads(line)
    return reply if isinstance(reply, dict) else None


def _request(op: str, key: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"protocol": PROTOCOL, "op": op, "key": key, **extra}


def forward(argv: list[str], environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Reply | None:
    """``argv`` (``search …`` / ``ask …``, see ``rag.app.cli_queries.to_argv``) answered by the resident holding
    this call's index, or None when there is none to use."""
    key = settings_key(os.environ if environ is None else environ, cwd or Path.cwd())
    path = socket_path(index_dir(key))
    reply = exchange(path, _request("query", key, argv=argv))
    if reply is None:
        return None
    if reply.get("ok"):
        logger.info("answered by the resident (pid %s) at %s", reply.get("pid"), path)
        return Reply(int(reply.get("code", 0)), str(reply.get("out", "")))
    return Reply(2, err=f"rag: {reply.get('error', 'the resident could not answer')}\n")


def step_aside(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> bool:
    """Ask a CLI resident holding this call's index to stop (it closes the index first): True when one did.
    The web app refuses; the command then meets the index lock and says the index is in use."""
    key = settings_key(os.environ if environ is None else environ, cwd or Path.cwd())
    path = socket_path(index_dir(key))
    reply = exchange(path, _request("stop", key))
    if reply is None:
        return False
    if reply.get("ok"):
        logger.info("the resident (pid %s) released the index", reply.get("pid"))
        return True
    logger.info("the process holding the index stays: %s", reply.get("error"))
    return False
