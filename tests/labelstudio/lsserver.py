"""Start and stop a throwaway local Label Studio server (tests and the bench).

The server is started by :func:`quotes.labelstudio.server.start`, the code
behind the walkthrough's ``quotes studio start``, from the installed
``label-studio`` package (nothing is installed at run time) on 127.0.0.1 and a
free port, with its own data directory and known credentials, in its own
process group so that stopping it kills exactly the processes it started.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from quotes.labelstudio import server as studio

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


def start_server(data_dir: Path, *, timeout: float = 300.0) -> LabelStudioServer:
    """Start Label Studio for ``data_dir`` on a free port of 127.0.0.1; wait until it answers.

    Raises ``RuntimeError`` with the server log's tail when it does not come up.
    """
    try:
        found, _ = studio.start(
            data_dir, port=free_port(), username=USERNAME, password=PASSWORD, timeout=timeout
        )
    except studio.StudioError as err:
        log = Path(data_dir) / studio.LOG_FILE
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{err}; log tail:\n{tail}") from err
    return LabelStudioServer(found.url, found.token(), found.data_dir, found.pid, found.log)


def stop_server(server: LabelStudioServer) -> None:
    """Stop the server's own process group (and only it)."""
    studio.stop(server.data_dir)


@contextlib.contextmanager
def running_server(data_dir: Path) -> Iterator[LabelStudioServer]:
    """A server for the duration of the block."""
    server = start_server(data_dir)
    try:
        yield server
    finally:
        stop_server(server)
