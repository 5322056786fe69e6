"""A tiny OpenAI-compatible HTTP server for offline tests (stdlib ``http.server`` in a thread).

Endpoints: ``GET /v1/models`` and ``POST /v1/chat/completions`` (JSON, or SSE when the body has
``"stream": true``: ``data: {chunk}`` events ending with ``data: [DONE]``).

Every chat request body is recorded in ``server.requests`` so tests can inspect prompts. Replies
come, in order of precedence, from the queue (``server.replies.append(...)``) or from
``server.responder(body) -> reply``; a reply is a string (the assistant text) or a
:class:`FakeError` (an HTTP error status). Default reply: ``"ok"``.

Usage in a test module::

    from tests.fakes.openai_server import fake_llm  # noqa: F401  (pytest fixture)

    def test_x(fake_llm):
        fake_llm.replies.append("hello [1]")
        settings = Settings(llm_base_url=fake_llm.base_url, ...)
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

MODEL_ID = "fake-model"


@dataclass
class FakeError:
    """Make the server answer with an HTTP error instead of a completion."""

    status: int = 500
    message: str = "internal error"


Reply = str | FakeError


def split_deltas(text: str, size: int = 3) -> list[str]:
    """Cut ``text`` into stream deltas of ``size`` characters (at least one delta)."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class FakeOpenAIServer:
    """A threaded fake of the OpenAI chat-completions API on 127.0.0.1 and a free port."""

    def __init__(self, stream_chunk_chars: int = 3) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.replies: deque[Reply] = deque()
        self.responder: Callable[[dict[str, Any]], Reply] | None = None
        self.stream_chunk_chars = stream_chunk_chars
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._serve, name="fake-openai", daemon=True)

    def _serve(self) -> None:
        self._httpd.serve_forever(poll_interval=0.05)  # short poll: quick shutdown in teardown

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The ``/v1`` base URL to give an OpenAI client."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)

    def next_reply(self, body: dict[str, Any]) -> Reply:
        """The queued reply, else the responder's, else ``"ok"``."""
        with self._lock:
            if self.replies:
                return self.replies.popleft()
        if self.responder is not None:
            return self.responder(body)
        return "ok"

    @property
    def last_messages(self) -> list[dict[str, str]]:
        """The ``messages`` of the most recent chat request."""
        return list(self.requests[-1]["messages"])


def completion_json(text: str, model: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{time.time_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chunk_json(delta: dict[str, str], model: str, finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stream",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def stream_events(text: str, model: str, chunk_chars: int) -> Iterator[bytes]:
    """SSE events: a role chunk, one chunk per delta, a finish chunk, then ``[DONE]``."""
    yield _sse(chunk_json({"role": "assistant", "content": ""}, model))
    for delta in split_deltas(text, chunk_chars):
        yield _sse(chunk_json({"content": delta}, model))
    yield _sse(chunk_json({}, model, finish="stop"))
    yield b"data: [DONE]\n\n"


def _sse(payload: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()


def _make_handler(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # close after each response: no keep-alive bookkeeping

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr
            return

        def _send_json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status >= 400:
                self.send_header("retry-after-ms", "1")  # keep client retries fast
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            if self.path.rstrip("/") == "/v1/models":
                self._send_json(200, {"object": "list", "data": [{"id": MODEL_ID, "object": "model"}]})
            else:
                self._send_json(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:  # noqa: N802
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send_json(404, {"error": {"message": "not found"}})
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            server.record(body, {k.lower(): v for k, v in self.headers.items()})
            reply = server.next_reply(body)
            if isinstance(reply, FakeError):
                self._send_json(reply.status, {"error": {"message": reply.message, "type": "server_error"}})
                return
            model = str(body.get("model") or MODEL_ID)
            if body.get("stream"):
                self._stream(reply, model)
            else:
                self._send_json(200, completion_json(reply, model))

        def _stream(self, text: str, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            for event in stream_events(text, model, server.stream_chunk_chars):
                self.wfile.write(event)
                self.wfile.flush()

    return Handler


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAIServer]:
    """A running :class:`FakeOpenAIServer`, stopped after the test."""
    with FakeOpenAIServer() as server:
        yield server
