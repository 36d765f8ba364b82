"""A local Label Studio server in the background: ``quotes studio start|env|status|stop``.

One server per data directory (default ``$XDG_DATA_HOME/quotes/label-studio``,
that is ``~/.local/share/quotes/label-studio``). The first start creates the
admin user, a random API token and a random password, saved next to the
database in ``token`` and ``password`` (mode 0600, never printed), and records
the running server in ``server.json``; ``env`` prints the two ``export`` lines
a terminal needs (the key as ``$(cat .../token)``, not its value). The test
fixture starts its server with :func:`start`, so the walkthrough's first step
is what the tests run.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..io import atomic_writer

STATE_FILE = "server.json"
TOKEN_FILE = "token"
PASSWORD_FILE = "password"
LOG_FILE = "label-studio.log"
DATABASE_FILE = "label_studio.sqlite3"
DEFAULT_USERNAME = "you@example.com"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
#: The Label Studio the tests and the walkthrough use (the ``test`` extra pins it).
INSTALL_HINT = ".venv/bin/pip install -e '.[test]' (or pip install 'label-studio>=1.23,<1.24')"


class StudioError(RuntimeError):
    """A failure the user can fix; the message is one line and names the fix."""


@dataclass(frozen=True)
class StudioServer:
    """A running server: its URL, its process group, and where its files are."""

    url: str
    pid: int
    data_dir: Path
    username: str

    @property
    def token_file(self) -> Path:
        return self.data_dir / TOKEN_FILE

    @property
    def password_file(self) -> Path:
        return self.data_dir / PASSWORD_FILE

    @property
    def log(self) -> Path:
        return self.data_dir / LOG_FILE

    def token(self) -> str:
        """The API token (read from its file; never print it)."""
        return self.token_file.read_text(encoding="utf-8").strip()

    def exports(self) -> str:
        """The shell lines that point ``quotes`` at this server (the key stays in its file)."""
        return (
            f"export LABEL_STUDIO_URL={self.url}\n"
            f'export LABEL_STUDIO_API_KEY="$(cat {shlex.quote(str(self.token_file))})"\n'
        )


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/quotes/label-studio`` (``~/.local/share/...`` without it)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "quotes" / "label-studio"


def label_studio_executable() -> Path:
    """The ``label-studio`` script of this environment (else the one on PATH)."""
    beside = Path(sys.executable).with_name("label-studio")
    if beside.exists():
        return beside
    found = shutil.which("label-studio")
    if found is None:
        raise StudioError(f"label-studio is not installed; {INSTALL_HINT}")
    return Path(found)


def _secret(path: Path, make: bool) -> str | None:
    """The secret stored in ``path``; a new random one written with mode 0600 when ``make``."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    if not make:
        return None
    value = secrets.token_hex(20)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def _server_env(data_dir: Path, username: str, password: str, token: str) -> dict[str, str]:
    """The environment of a quiet, local, offline Label Studio."""
    env = dict(os.environ)
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            "LABEL_STUDIO_USERNAME": username,
            "LABEL_STUDIO_PASSWORD": password,
            "LABEL_STUDIO_USER_TOKEN": token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "LATEST_VERSION_CHECK": "false",
            "COLLECT_ANALYTICS": "false",
            # lets Label Studio reach `quotes serve` on this machine (an ML backend on 127.0.0.1)
            "ML_BLOCK_LOCAL_IP": "false",
            "SSRF_PROTECTION_ENABLED": "false",
            "DJANGO_DB": "sqlite",
            "HOME": str(data_dir),
        }
    )
    return env


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a child of ours that exited is a zombie until reaped: reap it, then it is gone
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return False
    return True


def answers(url: str, token: str, timeout: float = 3.0) -> bool:
    """True when the server at ``url`` accepts ``token`` (so it is ours, not a neighbour)."""
    import httpx

    try:
        reply = httpx.get(
            f"{url}/api/projects", headers={"Authorization": f"Token {token}"}, timeout=timeout
        )
    except httpx.HTTPError:
        return False
    return reply.status_code == 200


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def running(data_dir: Path | None = None) -> StudioServer | None:
    """The server recorded in ``data_dir`` when its process is alive, else None."""
    folder = Path(data_dir or default_data_dir())
    try:
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
        server = StudioServer(str(state["url"]), int(state["pid"]), folder, str(state["username"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return server if _alive(server.pid) and _is_label_studio(server.pid) else None


def _is_label_studio(pid: int) -> bool:
    """False when ``pid`` now runs something else (a stale state file, the pid reused)."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        return b"label-studio" in cmdline.read_bytes()
    except OSError:  # no /proc (macOS): trust the pid
        return True


def start(
    data_dir: Path | None = None,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    username: str = DEFAULT_USERNAME,
    password: str | None = None,
    timeout: float = 300.0,
) -> tuple[StudioServer, bool]:
    """Start Label Studio in the background (own process group) and wait until it answers.

    Returns the server and whether it was started now (False: it was already
    running for ``data_dir``). Raises :class:`StudioError` when the port is
    busy (Label Studio would move to the next one without a word), when the
    data directory has a database but lost its token, or when the server does
    not come up (with the log's path).
    """
    folder = Path(data_dir or default_data_dir()).expanduser().resolve()
    existing = running(folder)
    if existing is not None:
        return existing, False
    exe = label_studio_executable()
    if not _port_free(host, port):
        raise StudioError(f"port {port} on {host} is busy (another server?); pass another --port")
    first = not (folder / DATABASE_FILE).exists()
    if not first and not (folder / TOKEN_FILE).exists():
        raise StudioError(
            f"{folder} has a Label Studio database but no {TOKEN_FILE} file; restore it, or"
            " use another --data-dir (a token is made on the first start only)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    token = _secret(folder / TOKEN_FILE, make=True) or ""
    if password is None:
        password = _secret(folder / PASSWORD_FILE, make=True) or ""
    url = f"http://{host}:{port}"
    command = [
        str(exe),
        "start",
        "--no-browser",
        "--internal-host",
        host,
        "--port",
        str(port),
        "--data-dir",
        str(folder),
        "--database",
        str(folder / DATABASE_FILE),
        "--log-level",
        "WARNING",
    ]
    with (folder / LOG_FILE).open("ab") as sink:
        proc = subprocess.Popen(
            command,
            env=_server_env(folder, username, password, token),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = StudioServer(url, proc.pid, folder, username)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StudioError(
                f"Label Studio exited with code {proc.returncode} while starting; see {server.log}"
            )
        if answers(url, token):
            state = {"url": url, "pid": proc.pid, "username": username}
            with atomic_writer(folder / STATE_FILE) as handle:
                handle.write(json.dumps(state) + "\n")
            return server, True
        time.sleep(1.0)
    _stop_group(proc.pid)
    raise StudioError(
        f"Label Studio did not answer on {url} within {timeout:.0f} s; see {server.log}"
    )


def _stop_group(pid: int, timeout: float = 20.0) -> None:
    """Stop the process group ``pid`` leads (TERM, then KILL after ``timeout``)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def stop(data_dir: Path | None = None) -> StudioServer | None:
    """Stop the server of ``data_dir`` (its own process group only); None when none ran."""
    folder = Path(data_dir or default_data_dir()).expanduser().resolve()
    server = running(folder)
    if server is not None:
        _stop_group(server.pid)
    with contextlib.suppress(FileNotFoundError):
        (folder / STATE_FILE).unlink()
    return server
