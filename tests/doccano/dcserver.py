"""A throwaway doccano 1.8 server (tests and the bench), from a virtual environment of its own.

doccano pins Django 4 and pandas 1, which conflict with Label Studio's: it
cannot live in the project's venv. :func:`ensure_venv` creates
``.venv-doccano`` at the project root (or ``$QUOTES_DOCCANO_VENV``) from
``requirements.txt`` beside this file, once; a stamp file records what was
installed. The server is doccano's web app under gunicorn on 127.0.0.1 and a
free port, plus its task queue (imports and exports run there), with a
temporary data directory, each in its own process group so that stopping
kills exactly what was started. The project talks to it over HTTP only.

    python tests/doccano/dcserver.py --install    # create the venv (CI does this first)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = Path(__file__).with_name("requirements.txt")
VENV_ENV = "QUOTES_DOCCANO_VENV"
USERNAME = "admin"
PASSWORD = "quotes-doccano-test"


def venv_dir() -> Path:
    return Path(os.environ.get(VENV_ENV) or ROOT / ".venv-doccano")


def ensure_venv(timeout: float = 1200.0) -> Path:
    """The doccano venv, created (under a lock) when missing or out of date."""
    venv = venv_dir()
    wanted = REQUIREMENTS.read_text(encoding="utf-8")
    stamp = venv / "quotes-requirements.txt"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.with_name(venv.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
            return venv
        subprocess.run(
            [sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=timeout
        )
        install = [str(venv / "bin" / "pip"), "install", "-q", "-r", str(REQUIREMENTS)]
        if subprocess.run(install, timeout=timeout).returncode != 0:
            time.sleep(5)  # a registry hiccup: one more try, then fail loudly
            subprocess.run(install, check=True, timeout=timeout)
        stamp.write_text(wanted, encoding="utf-8")
    return venv


@dataclass(frozen=True)
class DoccanoServer:
    """A running server: where it is, its admin's credentials, its processes and logs."""

    url: str
    username: str
    password: str
    data_dir: Path
    pids: tuple[int, ...]

    def token(self) -> str:
        """A fresh API token of the admin (login)."""
        answer = httpx.post(
            f"{self.url}/v1/auth/login/",
            json={"username": self.username, "password": self.password},
            timeout=30,
        )
        answer.raise_for_status()
        return str(answer.json()["key"])


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    """The environment doccano's ``cli.py`` would set, with our data dir."""
    env = dict(os.environ)
    for key in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
        env.pop(key, None)
    env.update(
        {
            "DOCCANO_HOME": str(data_dir),
            "STANDALONE": "True",
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": f"sqlite:///{data_dir / 'db.sqlite3'}",
            "MEDIA_ROOT": str(data_dir / "media"),
            "SECRET_KEY": secrets.token_hex(24),
            "DEBUG": "False",
            "HOME": str(data_dir),
        }
    )
    return env


def _backend(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python*/site-packages/backend"))
    if not found:
        raise RuntimeError(f"doccano is not installed in {venv}; run dcserver.py --install")
    return found[0]


def start_server(data_dir: Path, *, timeout: float = 240.0) -> DoccanoServer:
    """Initialise a data dir, then start the web app and the task queue; wait until they answer."""
    venv = ensure_venv()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(data_dir)
    bin_dir = venv / "bin"
    log = (data_dir / "doccano.log").open("ab")
    subprocess.run([str(bin_dir / "doccano"), "init"], env=env, stdout=log, stderr=log, check=True)
    subprocess.run(
        [
            str(bin_dir / "doccano"),
            "createuser",
            "--username",
            USERNAME,
            "--password",
            PASSWORD,
            "--email",
            "admin@example.com",
        ],
        env=env,
        stdout=log,
        stderr=log,
        check=True,
    )
    backend = _backend(venv)
    port = free_port()
    web = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "--chdir",
            str(backend),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "300",
            "config.wsgi",
        ],
        env=env,
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    queue = subprocess.Popen(
        [
            str(bin_dir / "celery"),
            "--app=config",
            f"--workdir={backend}",
            "worker",
            "--loglevel=warning",
            "--concurrency=1",
        ],
        cwd=backend,
        env=env,
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    server = DoccanoServer(url, USERNAME, PASSWORD, data_dir, (web.pid, queue.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if web.poll() is not None or queue.poll() is not None:
            break
        with contextlib.suppress(httpx.HTTPError):
            server.token()
            return server
        time.sleep(1.0)
    stop_server(server)
    tail = (data_dir / "doccano.log").read_text(errors="replace")[-2000:]
    raise RuntimeError(f"doccano did not start on {url}; log tail:\n{tail}")


def stop_server(server: DoccanoServer, *, timeout: float = 20.0) -> None:
    """Stop the server's own process groups (and only them)."""
    for pid in server.pids:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for pid in server.pids:
        while time.monotonic() < deadline:
            try:
                finished, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                break
            if finished:
                break
            time.sleep(0.2)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


@contextlib.contextmanager
def running_server(data_dir: Path) -> Iterator[DoccanoServer]:
    """A server for the duration of the block."""
    server = start_server(data_dir)
    try:
        yield server
    finally:
        stop_server(server)


if __name__ == "__main__":
    if sys.argv[1:] == ["--install"]:
        print(ensure_venv())
    else:
        sys.exit("usage: python tests/doccano/dcserver.py --install")
