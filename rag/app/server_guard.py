"""Limits the web server enforces before any app code runs: request body size, and login attempts.

Usage::

    demo.launch(app_kwargs=server_app_kwargs(settings), auth=login_checker(settings), ...)

* ``RequestSizeLimit`` (ASGI middleware): a request body over ``settings.request_max_kb`` gets HTTP 413
  before it is read (by its Content-Length; a chunked body is read up to the limit first). File uploads
  (Gradio's ``…/upload`` route) are exempt: Gradio checks each file against ``upload_max_mb``.
* ``login_checker``: Gradio's ``auth`` callable. After ``login_max_failures`` wrong passwords within
  ``login_window_s`` seconds every attempt is refused, the right password too, until the oldest failure
  is older than the window (Gradio gives the callable no client address, so the count is global: it
  slows guessing by anyone, at the price that a guesser can keep the real user out while guessing).
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.middleware import Middleware

from rag.settings import Settings

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestSizeLimit:
    """ASGI middleware: HTTP 413 for request bodies over ``max_bytes`` (upload routes exempt)."""

    def __init__(self, app: ASGIApp, max_bytes: int, exempt_suffixes: tuple[str, ...] = ("/upload",)) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_suffixes = exempt_suffixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").rstrip("/").endswith(self.exempt_suffixes):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._too_large(scope, send)
            return
        if length is None and b"transfer-encoding" in headers:  # chunked: read it (up to the limit) first
            messages: list[Message] = []
            seen = 0
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    await self._too_large(scope, send)
                    return
                if not message.get("more_body", False):
                    break
            replay = iter(messages)

            async def replaying_receive() -> Message:
                return next(replay, None) or await receive()

            await self.app(scope, replaying_receive, send)
            return
        await self.app(scope, receive, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        logger.warning("refused a request body over %d bytes to %s", self.max_bytes, scope.get("path"))
        body = f"Request body larger than {self.max_bytes} bytes.".encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def server_app_kwargs(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for Gradio's FastAPI app (``launch(app_kwargs=…)``): the size limit."""
    return {"middleware": [Middleware(RequestSizeLimit, max_bytes=settings.request_max_kb * 1024)]}


def login_checker(settings: Settings, clock: Callable[[], float] = time.monotonic) -> Callable[[str, str], bool] | None:
    """Gradio's ``auth`` callable for the configured user, throttled; None when no login is configured."""
    if not (settings.auth_user and settings.auth_password):
        return None
    user = settings.auth_user.encode("utf-8")
    password = settings.auth_password.get_secret_value().encode("utf-8")
    failures: deque[float] = deque()
    lock = threading.Lock()

    def check(username: str, given: str) -> bool:
        now = clock()
        with lock:
            while failures and now - failures[0] > settings.login_window_s:
                failures.popleft()
            if len(failures) >= settings.login_max_failures:
                logger.warning("login refused: %d failed attempts in the last %.0f s", len(failures),
                               settings.login_window_s)
                return False
            ok = hmac.compare_digest(str(username).encode("utf-8"), user) & hmac.compare_digest(
                str(given).encode("utf-8"), password)
            if not ok:
                failures.append(now)
            return ok

    return check
