"""rag.app.safety and rag.app.server_guard without a running app (issue 19, items 3 and 7): API argument
checks, the request size limit (as ASGI middleware on a bare Starlette app) and the login throttle.
"""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from rag.app.safety import ApiArgumentError, api_filters
from rag.app.server_guard import login_checker, server_app_kwargs
from rag.settings import Settings


@pytest.mark.parametrize(("docs", "language", "expected"), [
    (None, None, {"docs": None, "language": None}),
    ([], "zh", {"docs": None, "language": "zh"}),
    (["a.txt", "b.pdf"], "en", {"docs": ["a.txt", "b.pdf"], "language": "en"}),
    (("a.txt",), "fr", {"docs": ["a.txt"], "language": None}),
    (["a.txt"], 5, {"docs": ["a.txt"], "language": None}),
])
def test_well_formed_filters(docs, language, expected) -> None:
    assert api_filters(docs, language) == expected


@pytest.mark.parametrize(("docs", "says"), [
    (5, "docs must be a list of file names, e.g. [\"report.pdf\"], or null for all documents; got int"),
    ("a.txt", "docs must be a list of file names, e.g. [\"a.txt\"], or null for all documents; got str"),
    ({"a.txt": 1}, "got dict"),
    (["a.txt", 5], "it holds a int"),
    ([None], "it holds a NoneType"),
], ids=["int", "string", "dict", "list-with-int", "list-with-null"])
def test_wrongly_shaped_docs_are_an_error_that_says_so(docs, says: str) -> None:
    with pytest.raises(ApiArgumentError) as caught:
        api_filters(docs, None)
    assert says in str(caught.value)
    assert "not iterable" not in str(caught.value)


# --- request size -------------------------------------------------------------------------------


@pytest.fixture
def limited_app() -> TestClient:
    async def echo(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(len(await request.body())))

    routes = [Route("/gradio_api/call/ask", echo, methods=["POST"]), Route("/gradio_api/upload", echo, methods=["POST"])]
    settings = Settings(_env_file=None, request_max_kb=4)
    return TestClient(Starlette(routes=routes, **server_app_kwargs(settings)))


def test_request_bodies_over_the_limit_get_413(limited_app: TestClient) -> None:
    assert limited_app.post("/gradio_api/call/ask", content=b"x" * 4096).text == "4096"
    refused = limited_app.post("/gradio_api/call/ask", content=b"x" * 4097)
    assert refused.status_code == 413 and "larger than 4096 bytes" in refused.text
    assert limited_app.post("/gradio_api/call/ask", content=b"x" * 10_000_000).status_code == 413


def test_a_chunked_body_is_cut_off_at_the_limit(limited_app: TestClient) -> None:
    def chunks():
        for _ in range(100):
            yield b"x" * 1000

    refused = limited_app.post("/gradio_api/call/ask", content=chunks())
    assert refused.status_code == 413
    small = limited_app.post("/gradio_api/call/ask", content=iter([b"x" * 1000, b"y" * 1000]))
    assert small.status_code == 200 and small.text == "2000"


def test_uploads_are_exempt(limited_app: TestClient) -> None:
    assert limited_app.post("/gradio_api/upload", content=b"x" * 100_000).text == "100000"


# --- login throttle -------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_no_login_configured_means_no_checker() -> None:
    assert login_checker(Settings(_env_file=None)) is None


def test_wrong_passwords_lock_every_login_for_the_window() -> None:
    settings = Settings(_env_file=None, auth_user="alice", auth_password=SecretStr("s3cret"), login_max_failures=5,
                        login_window_s=60)
    clock = Clock()
    check = login_checker(settings, clock)
    assert check("alice", "s3cret") is True
    results = [check("alice", f"guess{i}") for i in range(50)]  # 50 wrong passwords in a burst
    assert results == [False] * 50
    assert check("alice", "s3cret") is False  # the right one too: guessing is throttled to 5 a minute
    clock.now += 30
    assert check("alice", "s3cret") is False
    clock.now += 31  # the window has passed since the fifth failure
    assert check("alice", "s3cret") is True
    assert check("bob", "s3cret") is False and check("alice", "S3cret") is False


def test_a_few_typos_do_not_lock_the_user_out() -> None:
    settings = Settings(_env_file=None, auth_user="alice", auth_password=SecretStr("s3cret"))
    clock = Clock()
    check = login_checker(settings, clock)
    for _ in range(settings.login_max_failures - 1):
        assert check("alice", "typo") is False
    assert check("alice", "s3cret") is True
