"""Limits of the running app (issue 19, items 3 and 7): request size at the server, wrongly shaped API
arguments, throttled logins. Runs against the shared app of conftest.py (a second app with a login is
started over the same PolicyQA for the login test).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from helpers.app import free_port
from pydantic import SecretStr

pytestmark = pytest.mark.slow

QUESTION = "美国国家安全备忘录有哪些要求"


def post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def test_a_10_mb_request_is_refused_before_it_is_read(hardening_app) -> None:
    """Refused by its Content-Length: the answer comes before a byte of the body is sent."""
    parts = urllib.parse.urlsplit(hardening_app.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest("POST", "/gradio_api/call/ask")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(10 * 1024 * 1024))
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413 and "larger than" in response.read().decode()
    finally:
        connection.close()
    url = hardening_app.url.rstrip("/") + "/gradio_api/call/ask"
    status, text = post(url, json.dumps({"data": [QUESTION * 100]}).encode())  # under the limit: served
    assert status == 200 and "event_id" in text


@pytest.mark.parametrize(("docs", "says"), [(5, "got int"), ("a.txt", '["a.txt"]'), ({"x": 1}, "got dict")],
                         ids=["int", "string", "dict"])
@pytest.mark.parametrize("api_name", ["/ask", "/check_claim"])
def test_docs_of_the_wrong_shape_get_a_clear_error(app_client, docs, says: str, api_name: str) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as caught:
        app_client.predict(QUESTION, docs, None, api_name=api_name)
    message = str(caught.value)
    assert "docs must be a list of file names" in message and says in message, message
    assert "not iterable" not in message


def test_a_list_of_names_still_filters(app_client, hardening_app) -> None:
    name = hardening_app.names[0]
    result = app_client.predict(QUESTION, [name], None, api_name="/ask")
    assert {c["doc"] for c in result["citations"]} <= {name}


def login(url: str, user: str, password: str) -> int:
    body = urllib.parse.urlencode({"username": user, "password": password}).encode()
    return post(url.rstrip("/") + "/login", body, "application/x-www-form-urlencoded")[0]


def test_login_attempts_are_throttled(hardening_app) -> None:
    from rag.app.ui import launch_app

    settings = hardening_app.settings.model_copy(update={
        "auth_user": "alice", "auth_password": SecretStr("s3cret"), "port": free_port(),
        "login_max_failures": 5, "login_window_s": 60.0})
    demo, _ = launch_app(settings, block=False, qa=hardening_app.qa)
    try:
        url = demo.local_url
        assert login(url, "alice", "s3cret") == 200
        assert [login(url, "alice", f"guess{i}") for i in range(50)] == [400] * 50
        assert login(url, "alice", "s3cret") == 400  # locked: 5 guesses a minute, not 50 in a blink
        status, _ = post(url.rstrip("/") + "/gradio_api/call/ask", json.dumps({"data": [QUESTION]}).encode())
        assert status in (401, 403)  # the data routes still need the login
    finally:
        demo.close()
