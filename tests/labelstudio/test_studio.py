"""``quotes studio`` without starting a server: what it refuses, and its messages.

Starting for real is what the session fixture does (tests/labelstudio/lsserver.py
calls the same ``start``), and the walkthrough test runs ``start``, ``env`` and
``status`` against it.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quotes.cli import app
from quotes.labelstudio import server as studio


def studio_cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["studio", *args], env=env)


@pytest.mark.parametrize("command", ["env", "status"])
def test_nothing_running_is_one_line_with_the_fix(tmp_path: Path, command: str) -> None:
    ran = studio_cli(command, "--data-dir", str(tmp_path))
    assert ran.exit_code == 1
    assert ran.output.strip() == (
        "quotes: no Label Studio running for this data dir; start it with quotes studio start"
    )


def test_stop_with_nothing_running_says_so(tmp_path: Path) -> None:
    ran = studio_cli("stop", "--data-dir", str(tmp_path))
    assert ran.exit_code == 0 and "no Label Studio was running" in ran.output


def test_a_busy_port_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    try:
        studio.label_studio_executable()
    except studio.StudioError:
        pytest.skip("label-studio is not installed")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        ran = studio_cli("start", "--data-dir", str(tmp_path / "ls"), "--port", str(port))
    assert ran.exit_code == 1
    assert f"port {port} on 127.0.0.1 is busy" in ran.output
    assert not (tmp_path / "ls").exists()


def test_a_database_without_its_token_is_refused(tmp_path: Path) -> None:
    try:
        studio.label_studio_executable()
    except studio.StudioError:
        pytest.skip("label-studio is not installed")
    (tmp_path / studio.DATABASE_FILE).write_bytes(b"")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ran = studio_cli("start", "--data-dir", str(tmp_path), "--port", str(port))
    assert ran.exit_code == 1 and "has a Label Studio database but no token file" in ran.output


def test_secrets_are_made_once_private_and_never_printed(tmp_path: Path) -> None:
    made = studio._secret(tmp_path / "token", make=True)
    assert made is not None and len(made) == 40
    assert (tmp_path / "token").stat().st_mode & 0o777 == 0o600
    assert studio._secret(tmp_path / "token", make=True) == made
    server = studio.StudioServer("http://127.0.0.1:8080", 1, tmp_path, "you@example.com")
    exports = server.exports()
    assert made not in exports
    assert f'export LABEL_STUDIO_API_KEY="$(cat {tmp_path / "token"})"' in exports


def test_default_data_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert studio.default_data_dir() == tmp_path / "quotes" / "label-studio"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert studio.default_data_dir() == tmp_path / ".local" / "share" / "quotes" / "label-studio"


def test_a_stale_state_file_is_not_a_running_server(tmp_path: Path) -> None:
    import json
    import os

    # the recorded pid is alive but is this test process, not Label Studio
    state = {"url": "http://127.0.0.1:1", "pid": os.getpid(), "username": "you@example.com"}
    (tmp_path / studio.STATE_FILE).write_text(json.dumps(state))
    assert studio.running(tmp_path) is None
    ran = studio_cli("status", "--data-dir", str(tmp_path))
    assert ran.exit_code == 1 and "no Label Studio running" in ran.output
