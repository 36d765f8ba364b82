"""``-o`` never loses what was there: atomic replacement, empty and failed runs,
symbolic links, FIFOs and devices, modes, signals, one-line errors
(``quotes.io.atomic_writer``, which every command's ``-o`` goes through)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quotes.cli import app
from quotes.io import NothingToWrite, OutputError, atomic_writer, remove_dead_temporaries

OLD = "previous results\n"
NEW = '{"id": "a"}\n'


@pytest.fixture
def umask_027() -> Iterator[int]:
    old = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(old)


def leftovers(folder: Path) -> list[str]:
    """Hidden temporary files an interrupted write would leave."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_new_file_follows_the_umask(tmp_path: Path, umask_027: int) -> None:
    out = tmp_path / "new.jsonl"
    with atomic_writer(out) as handle:
        handle.write(NEW)
    assert out.read_text() == NEW
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask_027 == 0o640


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o664, 0o444])
def test_rewritten_file_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    out = tmp_path / "old.jsonl"
    out.write_text(OLD)
    out.chmod(mode)
    with atomic_writer(out) as handle:
        handle.write(NEW)
    assert out.read_text() == NEW
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("existing", [True, False], ids=["target exists", "dangling link"])
def test_symlink_is_written_through(tmp_path: Path, existing: bool) -> None:
    target = tmp_path / "data" / "real.jsonl"
    target.parent.mkdir()
    if existing:
        target.write_text(OLD)
        target.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    with atomic_writer(link) as handle:
        handle.write(NEW)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == NEW
    if existing:
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == [] and leftovers(target.parent) == []


def test_fifo_is_written_directly(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    with atomic_writer(fifo) as handle:
        handle.write(NEW)
    reader.join(timeout=10)
    assert received == [NEW.encode()]
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a FIFO, not a file put in its place
    assert leftovers(tmp_path) == []


def test_character_device_is_written_directly() -> None:
    before = os.stat("/dev/null")
    with atomic_writer("/dev/null") as handle:
        handle.write(NEW)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert not [p for p in os.listdir("/dev") if p.startswith(".null.")]


def test_dash_is_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with atomic_writer("-") as handle:
        handle.write(NEW)
    assert capsys.readouterr().out == NEW


@pytest.mark.parametrize("existing", [True, False])
def test_empty_run_leaves_the_output_as_it_was(tmp_path: Path, existing: bool) -> None:
    out = tmp_path / "keep.jsonl"
    if existing:
        out.write_text(OLD)
    expected = r"nothing to write; .*keep.jsonl left as it was"
    with pytest.raises(NothingToWrite, match=expected), atomic_writer(out, allow_empty=False):
        pass
    assert (out.read_text() if existing else out.exists()) == (OLD if existing else False)
    assert leftovers(tmp_path) == []


def test_allow_empty_writes_an_empty_file(tmp_path: Path) -> None:
    """The library default (a brat .ann without annotations is a file to write);
    commands' -o ask for allow_empty=False unless --allow-empty."""
    out = tmp_path / "keep.jsonl"
    out.write_text(OLD)
    with atomic_writer(out):
        pass
    assert out.read_text() == ""


def test_writes_through_the_binary_buffer_count(tmp_path: Path) -> None:
    out = tmp_path / "shard.jsonl"
    with atomic_writer(out, allow_empty=False) as handle:
        handle.buffer.write(b"{}\n")  # type: ignore[attr-defined]
    assert out.read_bytes() == b"{}\n"


def test_failed_run_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "keep.jsonl"
    out.write_text(OLD)
    with pytest.raises(KeyError), atomic_writer(out) as handle:
        handle.write(NEW * 1000)
        raise KeyError("a failure half-way")
    assert out.read_text() == OLD
    assert leftovers(tmp_path) == []


def _bad_outputs(tmp_path: Path) -> list[tuple[Path, str]]:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("x")
    return [
        (tmp_path / "folder", "it is a folder; give a file path"),
        (tmp_path / "file.txt" / "out.jsonl", "not a folder; check the path"),
        (Path("/dev/full"), "the disk is full"),
    ]


def test_write_errors_are_one_line_naming_the_path(tmp_path: Path) -> None:
    for path, reason in _bad_outputs(tmp_path):
        with pytest.raises(OutputError) as err, atomic_writer(path) as handle:
            handle.write(NEW * 10_000)
        message = str(err.value)
        assert message.startswith(f"cannot write {path}: ") and reason in message, message
        assert "\n" not in message and "Errno" not in message and ".tmp" not in message
    assert leftovers(tmp_path) == []


# a write that is killed half-way, in a process of its own
WRITER = textwrap.dedent(
    """
    import sys, time
    from quotes.io import atomic_writer
    with atomic_writer(sys.argv[1]) as handle:
        handle.write("partial\\n" * 1000)
        handle.flush()
        print("writing", flush=True)
        time.sleep(60)
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_killed_write_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    out = tmp_path / "keep.jsonl"
    out.write_text(OLD)
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        assert len(leftovers(tmp_path)) == 1  # the temporary file, while it writes
        proc.send_signal(signum)
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code != 0
    assert out.read_text() == OLD
    assert leftovers(tmp_path) == []


def test_the_next_write_removes_what_sigkill_left(tmp_path: Path) -> None:
    out = tmp_path / "keep.jsonl"
    out.write_text(OLD)
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        proc.kill()  # SIGKILL: nothing runs in the writer after this
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert out.read_text() == OLD
    assert len(leftovers(tmp_path)) == 1, "SIGKILL cannot be caught: the temporary file stays"
    with atomic_writer(out) as handle:
        handle.write(NEW)
    assert out.read_text() == NEW
    assert leftovers(tmp_path) == []


def finished_pid() -> int:
    """The id of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=30)
    return proc.pid


@pytest.mark.parametrize(
    ("whose", "removed"),
    [
        ("dead here", True),  # a run on this host that no longer runs
        ("live here", False),  # a write in progress in another process
        ("this process", False),
        ("dead elsewhere", False),  # another host's write on a shared folder
        ("not ours", False),  # a file that only looks like one
    ],
)
def test_only_dead_runs_temporaries_are_removed(tmp_path: Path, whose: str, removed: bool) -> None:
    import socket

    host = socket.gethostname()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        name = {
            "dead here": f".out.jsonl.{host}-{finished_pid()}.abc_12.tmp",
            "live here": f".out.jsonl.{host}-{sleeper.pid}.abc_12.tmp",
            "this process": f".out.jsonl.{host}-{os.getpid()}.abc_12.tmp",
            "dead elsewhere": f".out.jsonl.{host}x-{finished_pid()}.abc_12.tmp",
            "not ours": ".out.jsonl.notes.tmp",
        }[whose]
        (tmp_path / name).write_text("half")
        assert remove_dead_temporaries(tmp_path) == int(removed)
        assert (tmp_path / name).exists() is not removed
    finally:
        sleeper.kill()
        sleeper.wait(timeout=30)


# --- the commands --------------------------------------------------------------------------


@pytest.fixture
def cli(nlp: Any, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setattr("quotes.pipeline.load_pipeline", lambda model=None, **options: nlp)
    return CliRunner()


def test_extract_of_a_missing_file_keeps_the_output(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "keep.jsonl"
    out.write_text(OLD)
    result = cli.invoke(
        app, ["extract", str(tmp_path / "typo.txt"), "-o", str(out), "--no-progress"]
    )
    assert result.exit_code == 1
    assert out.read_text() == OLD
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"quotes: {tmp_path / 'typo.txt'}: no such file or folder; check the path"
    assert lines[-1] == (
        f"quotes: nothing to write; {out} left as it was"
        " (pass --allow-empty to write an empty file)"
    )


def test_extract_to_dash_writes_stdout(cli: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("“We will win,” she said.")
    result = cli.invoke(app, ["extract", str(source), "-o", "-", "--no-progress"])
    assert result.exit_code == 0, result.stderr
    assert '"id": "a"' in result.stdout and not (tmp_path / "-").exists()


def test_speakers_with_no_quote_keeps_the_output(cli: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "No quote here.", "quotes": []}\n')
    out = tmp_path / "table.csv"
    out.write_text(OLD)
    result = cli.invoke(app, ["speakers", str(source), "-o", str(out)])
    assert result.exit_code == 1 and out.read_text() == OLD
    assert "nothing to write" in result.stderr
    result = cli.invoke(app, ["speakers", str(source), "-o", str(out), "--allow-empty"])
    assert result.exit_code == 0 and out.read_text() == "name,type,quotes,documents,variants\n"


def test_sigterm_is_not_swallowed_outside_a_write() -> None:
    """The handlers are only there while a file is written."""
    script = "import signal, quotes.io; print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "True"
