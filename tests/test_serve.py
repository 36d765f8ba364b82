"""``quotes serve`` that one request cannot stall: a bounded pool of workers off
the event loop, 413 on large bodies, per-task limits and error objects, /docs off,
token authentication, the non-loopback warning, a model swap while requests run,
and a fuzz test of every route. Real servers (uvicorn on 127.0.0.1), real pipelines.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotes import load_pipeline
from quotes.labelstudio.backend import (
    LoadedModel,
    ModelSlot,
    ServeSettings,
    create_app,
    is_loopback,
)
from quotes.labelstudio.convert import result_to_quotes
from quotes.pieces import Limits

from .synthetic import crafted_text

QUOTED = "“We will rebuild the bridge,” Mayor Tom Hale said."
TOKEN = "a-made-up-token-for-tests"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def pipelines(nlp: Any) -> list[Any]:
    """Two pipelines: one per worker (a second load of the same model)."""
    return [nlp, load_pipeline()]


@contextmanager
def serving(pipelines: list[Any], version: str = "v1", **options: Any) -> Iterator[str]:
    """A real server on a free port of 127.0.0.1, in a thread; its URL."""
    import uvicorn

    slot = ModelSlot(LoadedModel(pipelines, version))
    app = create_app(slot, settings=ServeSettings(workers=len(pipelines), **options))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def url(pipelines: list[Any]) -> Iterator[str]:
    with serving(pipelines, max_request_bytes=200_000, limits=Limits(max_chars=5_000)) as found:
        yield found


def predict(base: str, tasks: Any, **kwargs: Any) -> httpx.Response:
    # as JSON escapes: a lone surrogate ("\ud800") is valid JSON, not valid UTF-8
    body = json.dumps({"tasks": tasks}, ensure_ascii=True)
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return httpx.post(f"{base}/predict", content=body, headers=headers, timeout=120, **kwargs)


# --- routes, sizes, per-task errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/health", 200),
        ("GET", "/", 200),
        ("GET", "/versions", 200),
        ("GET", "/docs", 404),
        ("GET", "/redoc", 404),
        ("GET", "/openapi.json", 404),
        ("POST", "/predict", 400),  # no body
        ("GET", "/predict", 405),
    ],
)
def test_routes(url: str, method: str, path: str, status: int) -> None:
    assert httpx.request(method, url + path).status_code == status


def test_docs_only_when_asked(pipelines: list[Any]) -> None:
    with serving(pipelines[:1], docs=True) as base:
        assert httpx.get(f"{base}/openapi.json").status_code == 200
        assert httpx.get(f"{base}/docs").status_code == 200


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "streamed"])
def test_large_body_is_413(url: str, chunked: bool) -> None:
    body = json.dumps({"tasks": [{"data": {"text": "x" * 300_000}}]}).encode()
    content: Any = (body[i : i + 65536] for i in range(0, len(body), 65536)) if chunked else body
    answer = httpx.post(
        f"{url}/predict", content=content, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert "over 200000 bytes" in answer.json()["detail"]
    assert httpx.get(f"{url}/health").json()["status"] == "UP"


def test_each_malformed_task_gets_an_error_in_its_place(url: str) -> None:
    tasks = [
        {"id": 1, "data": {"text": QUOTED}},
        {"id": 2, "data": "a string, not an object"},
        {"id": 3, "data": {"text": "Hi \ud800 there, she said: “It works.”"}},
        "not a task",
        {"id": 5, "data": {"text": "x " * 4_000}},  # over max_chars (5,000)
        {"id": 6, "data": {"text": 42}},
        {"id": 7},
        {"id": 8, "data": {"text": QUOTED}},
    ]
    answer = predict(url, tasks)
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert len(results) == len(tasks)
    for k in (0, 7):
        assert result_to_quotes(results[k]["result"], QUOTED)
    assert "result" in results[2]  # a lone surrogate is escaped in the answer, not a 500
    errors = {k: r["error"] for k, r in enumerate(results) if "error" in r}
    assert set(errors) == {1, 3, 4, 5, 6}
    assert "over the limit of 5,000" in errors[4] and "raise --max-chars" in errors[4]
    assert all('no string "text"' in errors[k] for k in (1, 3, 5, 6))
    assert [r.get("task") for r in results if "error" in r] == [2, None, 5, 6, 7]


def test_task_over_its_time_limit_gets_an_error(pipelines: list[Any]) -> None:
    with serving(pipelines[:1], limits=Limits(time_budget=0.001)) as base:
        results = predict(base, [{"id": 9, "data": {"text": QUOTED * 20}}]).json()["results"]
    assert results[0]["task"] == 9 and "too costly" in results[0]["error"]


# --- the pool: a long request does not stall the others ----------------------------------------


def test_small_request_answered_while_a_long_one_runs(url: str) -> None:
    long_text = crafted_text(4_900)  # one long task under the limit
    done: dict[str, float] = {}

    def long_request() -> None:
        predict(url, [{"id": k, "data": {"text": long_text}} for k in range(12)])
        done["long"] = time.monotonic()

    worker = threading.Thread(target=long_request)
    worker.start()
    time.sleep(0.5)  # the long request is in a worker now
    started = time.monotonic()
    assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    small = predict(url, [{"id": 1, "data": {"text": QUOTED}}])
    done["small"] = time.monotonic()
    worker.join(timeout=300)
    assert small.status_code == 200 and "result" in small.json()["results"][0]
    assert done["small"] < done["long"], (done["small"] - started, done["long"] - started)


def test_requests_beyond_the_queue_get_503(pipelines: list[Any]) -> None:
    with serving(pipelines[:1], queue=0) as base:
        busy = threading.Thread(
            target=predict, args=(base, [{"data": {"text": crafted_text(20_000)}}])
        )
        busy.start()
        time.sleep(1.0)
        answer = predict(base, [{"data": {"text": QUOTED}}])
        busy.join(timeout=300)
        assert answer.status_code == 503 and "retry later" in answer.json()["detail"]
        assert predict(base, [{"data": {"text": QUOTED}}]).status_code == 200


def test_model_swap_while_requests_run(pipelines: list[Any]) -> None:
    import uvicorn

    slot = ModelSlot(LoadedModel(pipelines[:1], "v1"))
    app = create_app(slot)
    assert app.state.models is slot
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        answers: list[httpx.Response] = []
        running = threading.Thread(
            target=lambda: answers.append(predict(base, [{"data": {"text": crafted_text(8_000)}}]))
        )
        running.start()
        time.sleep(0.5)
        old = slot.replace(LoadedModel(pipelines[1:], "v2"))
        assert old.version == "v1"
        assert httpx.get(f"{base}/health").json()["model_version"] == "v2"
        assert predict(base, [{"data": {"text": QUOTED}}]).json()["model_version"] == "v2"
        running.join(timeout=300)
        assert answers[0].json()["model_version"] == "v1"  # it kept the model it started with
    finally:
        server.should_exit = True
        thread.join(timeout=30)


# --- authentication ---------------------------------------------------------------------------


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (None, 401),
        ("Bearer wrong", 401),
        (f"Bearer {TOKEN}", 200),
        (f"bearer {TOKEN}", 200),
        (basic("label-studio", TOKEN), 200),  # what Label Studio's Basic auth setting sends
        (basic("label-studio", "wrong"), 401),
        ("Basic !!!", 401),
        (TOKEN, 401),
    ],
)
def test_token(pipelines: list[Any], header: str | None, status: int) -> None:
    with serving(pipelines[:1], auth_token=TOKEN) as base:
        headers = {} if header is None else {"Authorization": header}
        answer = predict(base, [{"data": {"text": QUOTED}}], headers=headers)
        assert answer.status_code == status
        if status == 401:
            assert "Bearer" in answer.headers["www-authenticate"]
            assert TOKEN not in answer.text
        assert httpx.get(f"{base}/health").status_code == 200  # health stays open


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("example.org", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("token", [None, TOKEN])
def test_public_bind_without_token_warns(token: str | None, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "quotes"
    env = {k: v for k, v in os.environ.items() if k != "QUOTES_SERVE_TOKEN"}
    if token:
        env["QUOTES_SERVE_TOKEN"] = token
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(script), "serve", "--host", "0.0.0.0", "--port", str(port), "--workers", "1"],
            stderr=out,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        warned = "without a token" in log.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert warned is (token is None)
    assert TOKEN not in log.read_text()


# --- fuzz: arbitrary JSON to every route, the server stays up ------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
TASK = st.fixed_dictionaries(
    {"id": JSON, "data": JSON | st.fixed_dictionaries({"text": st.text(max_size=200)})}
)
TASKISH = st.fixed_dictionaries({"tasks": st.lists(TASK, max_size=3)})
ROUTES = ["/predict", "/setup", "/validate", "/webhook", "/health", "/versions", "/", "/docs"]
ALLOWED = {200, 400, 404, 405, 413, 422}


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(route=st.sampled_from(ROUTES), body=JSON | TASKISH, raw=st.binary(max_size=64))
def test_fuzz_every_route(url: str, route: str, body: Any, raw: bytes) -> None:
    for content in (json.dumps(body).encode(), raw):
        for method in ("POST", "GET"):
            answer = httpx.request(method, url + route, content=content, timeout=60)
            assert answer.status_code in ALLOWED, (route, method, content[:200], answer.text)
            answer.json()  # always a JSON answer
    assert httpx.get(f"{url}/health", timeout=5).json()["status"] == "UP"
