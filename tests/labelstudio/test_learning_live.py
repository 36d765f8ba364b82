"""The learning loop against a real Label Studio: `quotes serve` connected as the
project's ML backend receives the annotation webhooks Label Studio sends,
fine-tunes in the background after every N, and serves the new model version,
while /predict keeps answering."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from quotes.cli import app

from .lsserver import LabelStudioServer, free_port
from .test_live import SEEDS, client, project_id, tasks_by_doc

pytestmark = pytest.mark.labelstudio


def wait_for(check: Any, timeout: float, what: str) -> Any:
    """Poll ``check()`` until it returns something true."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except httpx.HTTPError as err:
            last = err
        if last and not isinstance(last, Exception):
            return last
        time.sleep(1)
    raise AssertionError(f"{what} within {timeout:.0f} s; last: {last!r}")


def test_annotations_fine_tune_and_a_new_version_is_served(
    ls_env: LabelStudioServer, tmp_path: Path
) -> None:
    title = "learning"
    ran = CliRunner().invoke(app, ["push", str(SEEDS), "--project", title, "--no-progress"])
    assert ran.exit_code == 0, ran.output
    pid = project_id(ls_env, title)
    tasks = tasks_by_doc(ls_env, pid)

    port = free_port()
    backend = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("quotes")),
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--learn-every",
            "2",
            "--learn-dir",
            str(tmp_path / "learn"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "serve.log", "w"),  # noqa: SIM115 (closed with the process)
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        health = wait_for(
            lambda: httpx.get(f"{url}/health", timeout=2).json(), 180, "serve answering"
        )
        first = health["model_version"]
        assert health["learning"]["corrections"] == 0

        # connecting the backend makes Label Studio register <backend>/webhook itself
        headers = {"Authorization": f"Token {ls_env.token}"}
        made = httpx.post(
            f"{ls_env.url}/api/ml",
            headers=headers,
            json={"url": url, "project": pid, "title": "quotes"},
            timeout=60,
        )
        assert made.status_code in (200, 201), made.text
        hooks = httpx.get(f"{ls_env.url}/api/webhooks", headers=headers, timeout=30).json()
        assert any(h["url"] == f"{url}/webhook" for h in hooks), hooks

        # two annotators' submissions, as the UI makes them: the predictions accepted
        ls = client(ls_env)
        for doc_id in sorted(tasks)[:2]:
            task = tasks[doc_id]
            ls.annotations.create(id=task.id, result=[dict(r) for r in task.predictions[0].result])

        learned = wait_for(
            lambda: (
                (h := httpx.get(f"{url}/health", timeout=2).json())["learning"]["trainings"]
                and not h["learning"]["training"]
                and h
            ),
            600,
            "a training after two annotations",
        )
        state = learned["learning"]
        assert state["last_error"] is None, (tmp_path / "learn" / "training.log").read_text()
        assert state["corrections"] == 2
        assert learned["model_version"] != first and "+ft-" in learned["model_version"]

        # /predict answers with the new version
        task = tasks[sorted(tasks)[2]]
        answer = httpx.post(
            f"{url}/predict", json={"tasks": [{"id": task.id, "data": task.data}]}, timeout=120
        ).json()
        assert answer["model_version"] == learned["model_version"]
        assert answer["results"][0]["model_version"] == learned["model_version"]
        assert (tmp_path / "learn" / "corrections.jsonl").read_text().count("\n") == 2
    finally:
        os.killpg(backend.pid, signal.SIGTERM)
        backend.wait(timeout=60)
