"""Start and stop a throwaway local Label Studio server (tests and the bench).

The server runs from the installed ``label-studio`` package (nothing is
installed at run time) on 127.0.0.1 and a free port, with its own data
directory and known credentials, in its own process group so that stopping it
kills exactly the processes it started.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

USERNAME = "annotator@example.com"
PASSWORD = "quotes-test-password"


@dataclass(frozen=True)
class LabelStudioServer:
    """A running server: where it is, its API token and its process."""

    url: str
    token: str
    data_dir: Path
    pid: int
    log: Path


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, token: str) -> dict[str, str]:
    """The environment a quiet, local, offline Label Studio needs."""
    env = dict(os.environ)
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            "LABEL_STUDIO_USERNAME": USERNAME,
            "LABEL_STUDIO_PASSWORD": PASSWORD,
            "LABEL_STUDIO_USER_TOKEN": token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "LATEST_VERSION_CHECK": "false",
            "COLLECT_ANALYTICS": "false",
            # the ML backend under test listens on 127.0.0.1
            "ML_BLOCK_LOCAL_IP": "false",
            "SSRF_PROTECTION_ENABLED": "false",
            "DJANGO_DB": "sqlite",
            "HOME": str(data_dir),
        }
    )
    return env


def start_server(data_dir: Path, *, timeout: float = 180.0) -> LabelStudioServer:
    """Start ``label-studio`` on a free port of 127.0.0.1 and wait until it answers.

    Raises ``RuntimeError`` with the server log's tail when it does not come up.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(20)
    port = free_port()
    log = data_dir / "label-studio.log"
    exe = Path(sys.executable).with_name("label-studio")
    command = [
        str(exe),
        "start",
        "--no-browser",
        "--internal-host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--database",
        str(data_dir / "label_studio.sqlite3"),
        "--log-level",
        "WARNING",
    ]
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            command,
            env=server_env(data_dir, token),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    server = LabelStudioServer(url, token, data_dir, proc.pid, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        with contextlib.suppress(httpx.HTTPError):
            # a busy port makes Label Studio move silently to port + 1: check it is ours
            answer = httpx.get(
                f"{url}/api/projects", headers={"Authorization": f"Token {token}"}, timeout=2
            )
            if answer.status_code == 200:
                return server
        time.sleep(1.0)
    stop_server(server)
    tail = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"Label Studio did not start on {url}; log tail:\n{tail}")


def stop_server(server: LabelStudioServer, *, timeout: float = 20.0) -> None:
    """Stop the server's own process group (and only it)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(server.pid, os.WNOHANG)
        except ChildProcessError:
            return
        if finished:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(server.pid, 0)


@contextlib.contextmanager
def running_server(data_dir: Path) -> Iterator[LabelStudioServer]:
    """A server for the duration of the block."""
    server = start_server(data_dir)
    try:
        yield server
    finally:
        stop_server(server)
