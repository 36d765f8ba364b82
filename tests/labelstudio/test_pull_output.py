"""``quotes pull`` against the real server: snapshot exports deleted after the
download (also when the pull stops on SIGTERM), and a pull with nothing to
write leaving an existing gold as it was."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quotes.cli import app
from quotes.labelstudio.client import push
from quotes.types import Document

from .lsserver import LabelStudioServer
from .test_live import client, project_id

pytestmark = pytest.mark.labelstudio

OLD = '{"id": "old", "text": "kept"}\n'


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def exports(server: LabelStudioServer, pid: int) -> list[Any]:
    return list(client(server).projects.exports.list(id=pid))


def test_pull_of_a_project_without_annotations_keeps_the_gold(
    ls_env: LabelStudioServer, tmp_path: Path
) -> None:
    title = "nothing annotated"
    push([], title, documents=[Document("a", "“We will win,” she said.")], progress=False)
    pid = project_id(ls_env, title)
    out = tmp_path / "gold.jsonl"
    out.write_text(OLD)
    ran = cli("pull", "--project", title, "-o", str(out))
    assert ran.exit_code == 1
    assert f"no annotation to write; {out} left as it was" in ran.stderr
    assert out.read_text() == OLD
    assert exports(ls_env, pid) == []  # the snapshot export made for the pull is gone
    ran = cli("pull", "--project", title, "-o", str(out), "--allow-empty")
    assert ran.exit_code == 0 and out.read_text() == ""
    assert exports(ls_env, pid) == []


# the real `quotes` entry point, its download held up (as on a large project)
# so that a signal lands while the export is on the server
SLOW_PULL = (
    "import sys, time\n"
    "from label_studio_sdk.projects.exports.client import ExportsClient\n"
    "download = ExportsClient.download\n"
    "def slow(self, *args, **kwargs):\n"
    "    print('waiting', flush=True)\n"
    "    time.sleep(60)\n"
    "    return download(self, *args, **kwargs)\n"
    "ExportsClient.download = slow\n"
    "from quotes.cli import run\n"
    "sys.argv = ['quotes', 'pull', '--project', sys.argv[1], '-o', sys.argv[2]]\n"
    "run()\n"
)


def test_pull_stopped_by_sigterm_deletes_its_export(
    ls_env: LabelStudioServer, tmp_path: Path
) -> None:
    """SIGTERM while the pull waits for its export: the export is still deleted."""
    title = "stopped pull"
    push([], title, documents=[Document("b", "“We will win,” she said.")], progress=False)
    pid = project_id(ls_env, title)
    out = tmp_path / "gold.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_PULL, title, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "waiting"
        deadline = time.monotonic() + 30
        while not exports(ls_env, pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert exports(ls_env, pid), "the pull's export should exist while it waits"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
    assert exports(ls_env, pid) == []
    assert not out.exists()


def test_the_next_pull_deletes_the_export_a_killed_pull_left(
    ls_env: LabelStudioServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL cannot be caught: the export stays until a later pull finds it stale."""
    import quotes.labelstudio.client as ls_client

    title = "killed pull"
    push([], title, documents=[Document("c", "“We will win,” she said.")], progress=False)
    pid = project_id(ls_env, title)
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_PULL, title, str(tmp_path / "gold.jsonl")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "waiting"
        proc.kill()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert [e.title for e in exports(ls_env, pid)] == ["quotes pull"]
    client(ls_env).projects.exports.create(id=pid, title="my own export")
    out = tmp_path / "gold.jsonl"
    # a leftover younger than the stale age may be a pull running now: kept
    assert cli("pull", "--project", title, "-o", str(out)).exit_code == 1
    assert sorted(e.title for e in exports(ls_env, pid)) == ["my own export", "quotes pull"]
    # once stale it is deleted; the user's own export stays
    monkeypatch.setattr(ls_client, "STALE_EXPORT_AGE", timedelta(0))
    assert cli("pull", "--project", title, "-o", str(out)).exit_code == 1
    assert [e.title for e in exports(ls_env, pid)] == ["my own export"]
