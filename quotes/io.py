"""Reading inputs (``.txt`` files, folders, JSONL) and writing JSONL atomically.

Bad input never stops a run: each unreadable file or malformed line becomes an
:class:`InputError` that names the file, the line and the fix, and the other
documents go on.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from .types import Document, SchemaError, document_id


@dataclass(frozen=True)
class InputError:
    """One input that could not be read: where, and what to do about it."""

    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


_EXTENSIONS = (".txt", ".jsonl")


def _expand(paths: Iterable[str | Path]) -> Iterator[Path | InputError]:
    """Files named by ``paths``: folders give their ``.txt`` and ``.jsonl`` files
    (``.TXT`` and ``.JSONL`` too)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _EXTENSIONS
            )
            if not found:
                yield InputError(str(path), "folder holds no .txt or .jsonl files")
            yield from found
        elif path.is_file():
            yield path
        else:
            yield InputError(str(path), "no such file or folder; check the path")


def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() == ".jsonl"


def _utf16(data: bytes) -> str | None:
    """``UTF-16LE`` or ``UTF-16BE`` when ``data`` (a file's first bytes) looks like
    UTF-16 text: a byte-order mark, or NUL bytes at every other place."""
    if data.startswith(b"\xff\xfe"):
        return "UTF-16LE"
    if data.startswith(b"\xfe\xff"):
        return "UTF-16BE"
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "UTF-16LE"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "UTF-16BE"
    return None


def _utf16_error(path: Path, encoding: str) -> InputError:
    return InputError(
        str(path), f"looks like {encoding} text; convert it, e.g. `iconv -f {encoding} -t UTF-8`"
    )


def _read_txt(path: Path, max_chars: int | None = None) -> Document | InputError:
    try:
        # a character is at most 4 bytes of UTF-8: a larger file is over the limit
        if max_chars and path.stat().st_size > 4 * max_chars + 4:
            return InputError(
                str(path),
                f"{path.stat().st_size:,} bytes, over the limit of {max_chars:,} characters;"
                " raise --max-chars or split the file",
            )
        data = path.read_bytes()
    except OSError as err:
        return InputError(str(path), f"cannot read: {err.strerror}")
    if (encoding := _utf16(data)) is not None:
        return _utf16_error(path, encoding)
    if b"\x00" in data:
        return InputError(str(path), "looks binary (NUL bytes); pass UTF-8 text files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return InputError(
            str(path),
            f"not UTF-8 (byte {err.start}); convert it, e.g. `iconv -f LATIN1 -t UTF-8`",
        )
    return Document(id=path.stem, text=text)


def _encodable(text: str) -> bool:
    """False for text that cannot be UTF-8 (a JSON "\\ud800" escape alone)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


#: Longest JSONL line read whole when no character limit is given (bytes).
MAX_LINE_BYTES = 256 * 1024 * 1024


def _read_jsonl_lines(
    path: Path, max_chars: int | None = None
) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """Parsed JSON objects of a JSONL file, each with its 1-based line number.

    A byte-order mark before the first line is dropped; a UTF-16 file is named
    as such (once); a line longer than the limit (12 bytes a character: JSON
    escapes of astral characters) is skipped without being read into memory.
    """
    try:
        handle = path.open("rb")
    except OSError as err:
        yield 0, InputError(str(path), f"cannot read: {err.strerror}")
        return
    with handle:
        if (encoding := _utf16(handle.peek(4096)[:4096])) is not None:
            yield 1, _utf16_error(path, encoding)
            return
        yield from _jsonl_records(path, handle, max_chars)


def _jsonl_records(
    path: Path, handle: IO[bytes], max_chars: int | None
) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """The lines of an open JSONL stream as JSON objects (or the error of each)."""
    limit = 12 * max_chars + 65536 if max_chars else MAX_LINE_BYTES
    number = 0
    while raw := handle.readline(limit + 1):
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # the rest of the line, in bounded reads
            yield (
                number,
                InputError(
                    str(path),
                    f"line longer than {limit:,} bytes; split the document"
                    + (" or raise --max-chars" if max_chars else ""),
                    number,
                ),
            )
            continue
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError:
            yield number, InputError(str(path), "line is not UTF-8", number)
            continue
        except (json.JSONDecodeError, RecursionError) as err:
            reason = err.msg if isinstance(err, json.JSONDecodeError) else "nested too deep"
            yield (
                number,
                InputError(str(path), f"malformed JSON ({reason}); fix or drop the line", number),
            )
            continue
        if not isinstance(record, dict):
            yield number, InputError(str(path), "a line must be a JSON object", number)
            continue
        yield number, record


class DocumentIds:
    """Where each document id was first seen, to report a repeated one (share
    one between readers to catch repeats across files and shards)."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def repeated(self, doc_id: str, source: Path, line: int | None) -> InputError | None:
        where = str(source) if line is None else f"{source}:{line}"
        first = self.seen.get(doc_id)
        if first is None:
            self.seen[doc_id] = where
            return None
        return InputError(
            str(source),
            f"duplicate id {doc_id!r} (first at {first}); ids must be unique, this one is skipped",
            line,
        )


def _input_document(
    source: Path, number: int, record: dict[str, Any], ids: DocumentIds
) -> Document | InputError:
    """The document of one JSONL input line, or what is wrong with it."""
    text, raw_id = record.get("text"), record.get("id")
    if not isinstance(text, str) or raw_id is None:
        return InputError(str(source), 'a line needs "id" and a string "text"', number)
    try:
        doc_id = document_id(raw_id)
    except SchemaError as err:
        return InputError(str(source), f"{err}; fix the line", number)
    if not _encodable(text):
        return InputError(
            str(source),
            "text holds a lone surrogate escape (e.g. \\ud800); fix its encoding",
            number,
        )
    return ids.repeated(doc_id, source, number) or Document(id=doc_id, text=text)


def iter_input_documents(
    paths: Iterable[str | Path],
    *,
    max_chars: int | None = None,
    ids: DocumentIds | None = None,
) -> Iterator[Document | InputError]:
    """Documents to extract from: ``.txt`` files (id = stem), folders, JSONL files.

    JSONL lines need ``{"id", "text"}`` (an id is a string or an integer); any
    quotes they carry are ignored. Yields an :class:`InputError` in place of each
    input that cannot be read, and of each repeated id (the first one is kept;
    pass ``ids`` to catch repeats across calls). With ``max_chars``, files and
    lines far over it are not read into memory.
    """
    ids = ids if ids is not None else DocumentIds()
    for item in _expand(paths):
        if isinstance(item, InputError):
            yield item
        elif _is_jsonl(item):
            for number, record in _read_jsonl_lines(item, max_chars):
                if isinstance(record, InputError):
                    yield record
                else:
                    yield _input_document(item, number, record, ids)
        else:
            found = _read_txt(item, max_chars)
            if isinstance(found, Document) and (repeated := ids.repeated(found.id, item, None)):
                yield repeated
                continue
            yield found


def iter_annotated_documents(
    paths: Iterable[str | Path],
    *,
    check: bool = True,
    unique_ids: bool = False,
    ids: DocumentIds | None = None,
) -> Iterator[Document | InputError]:
    """Documents with quotes from JSONL files or folders of them (gold, predictions).

    Every record's shape is checked (:meth:`Document.from_dict`): a bad one is an
    :class:`InputError` naming the file, the line and what is wrong. With
    ``unique_ids`` (or ``ids``, shared across calls), a repeated id is one too
    (the first document is kept).
    """
    unique_ids = unique_ids or ids is not None
    ids = ids if ids is not None else DocumentIds()
    for item in _expand(paths):
        if isinstance(item, InputError):
            yield item
            continue
        if not _is_jsonl(item):
            continue
        yield from _annotated_documents(
            item, _read_jsonl_lines(item), check=check, ids=ids if unique_ids else None
        )


def _annotated_documents(
    source: Path,
    lines: Iterable[tuple[int, dict[str, Any] | InputError]],
    *,
    check: bool,
    ids: DocumentIds | None,
) -> Iterator[Document | InputError]:
    """The documents of one file's numbered records, each bad record or (with
    ``ids``) repeated id an :class:`InputError` naming ``source`` and the line."""
    for number, record in lines:
        if isinstance(record, InputError):
            yield record
            continue
        try:
            doc = Document.from_dict(record, check=check)
        except SchemaError as err:
            yield InputError(str(source), f"{err}; fix the record", number)
            continue
        if ids is not None and (repeated := ids.repeated(doc.id, source, number)) is not None:
            yield repeated
            continue
        yield doc


#: The ``-o`` value that means standard output.
STDOUT = "-"

_WRITE_ERRORS = {
    errno.EACCES: "permission denied; choose another -o or fix the folder's permissions",
    errno.EPERM: "permission denied; choose another -o or fix the folder's permissions",
    errno.ENOSPC: "the disk is full; free some space or choose another -o",
    errno.EDQUOT: "the disk quota is exceeded; free some space or choose another -o",
    errno.EROFS: "the file system is read-only; choose another -o",
    errno.ENOTDIR: "a part of the path is not a folder; check the path",
    errno.EISDIR: "it is a folder; give a file path",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter -o",
    errno.EPIPE: "the reader closed it before the end",
}


class OutputError(OSError):
    """An output that cannot be written; the message names the path the user
    gave (never a temporary file) and the fix."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")


class NothingToWrite(OutputError):
    """A run with nothing to write: an existing output is left as it was."""

    def __init__(self, path: str | Path) -> None:
        OSError.__init__(
            self,
            f"nothing to write; {path} left as it was (pass --allow-empty to write an empty file)",
        )


def output_error(path: str | Path, err: OSError) -> OutputError:
    """``err`` as an :class:`OutputError` naming ``path`` (itself when it is one already)."""
    return err if isinstance(err, OutputError) else OutputError(path, _reason(err))


def _reason(err: OSError) -> str:
    """A short, fixable reason for a failed write (no errno, no temporary path)."""
    return _WRITE_ERRORS.get(err.errno or 0, (err.strerror or type(err).__name__).lower())


class _Output:
    """The text stream handed to the caller: writes go to ``handle``, and a
    failed write names the user's path instead of raising a bare errno."""

    def __init__(self, handle: IO[str], path: str | Path) -> None:
        self._handle = handle
        self._path = path

    def write(self, text: str) -> int:
        try:
            return self._handle.write(text)
        except OSError as err:
            raise OutputError(self._path, _reason(err)) from err

    def flush(self) -> None:
        try:
            self._handle.flush()
        except OSError as err:
            raise OutputError(self._path, _reason(err)) from err

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


_UMASK_LOCK = threading.Lock()


def _umask() -> int:
    """The process's umask (read from /proc where it can be, without changing it)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


@contextlib.contextmanager
def signals_as_exit() -> Iterator[None]:
    """SIGTERM and SIGHUP end the run as ``SystemExit`` while the block runs, so
    that ``finally`` blocks run on the way out (temporary files removed, a
    Label Studio snapshot export deleted); the main thread only, and only where
    they would otherwise kill the process outright."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, Any] = {}

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) is signal.SIG_DFL:
            previous[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


#: Folders whose leftovers this process has swept (once per folder: a run that
#: writes thousands of shards into one folder must not list it thousands of times).
_SWEPT: set[str] = set()
_SWEPT_LOCK = threading.Lock()


def _temporary_prefix(name: str) -> str:
    """The prefix of a temporary file for output ``name``: it names this host and
    process, so that a later run can tell a dead run's leftover from a live write."""
    return f".{name}.{_hostname()}-{os.getpid()}."


def _hostname() -> str:
    import socket

    return socket.gethostname().replace("/", "_") or "localhost"


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or a check this system refuses
        return True
    return True


def remove_dead_temporaries(folder: Path) -> int:
    """Delete the temporary files that outputs killed with SIGKILL left in ``folder``; how many.

    Only files named by :func:`atomic_writer` on this host for a process that no
    longer runs: another host's write on a shared folder, or a live process's,
    is left alone (a reused process id only keeps a leftover a little longer).
    """
    import re

    pattern = re.compile(rf"\..+\.{re.escape(_hostname())}-(\d+)\.[^./]+\.tmp")
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or _process_alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed += 1
    return removed


def _sweep_once(folder: Path) -> None:
    key = str(folder)
    with _SWEPT_LOCK:
        if key in _SWEPT:
            return
        _SWEPT.add(key)
    remove_dead_temporaries(folder)


@contextlib.contextmanager
def atomic_writer(path: str | Path, *, allow_empty: bool = True) -> Iterator[IO[str]]:
    """A text output that replaces ``path`` only when the block ends without
    error (and, unless ``allow_empty``, something was written).

    * a regular file (or none yet) is written to a temporary file next to it
      and renamed over it at the end: a failed or killed run (SIGINT, SIGTERM,
      SIGHUP) leaves the old file as it was and no temporary file behind; what
      a run killed outright (SIGKILL) leaves, the next write in that folder
      deletes (:func:`remove_dead_temporaries`);
    * nothing written and ``allow_empty=False`` (what a command's ``-o`` uses
      unless ``--allow-empty``): :class:`NothingToWrite`, the old file untouched;
    * a symbolic link is written through: its target is replaced, the link stays;
    * ``-`` (standard output), a FIFO or a character device (``/dev/null``) is
      written directly, never replaced;
    * a new file gets the mode the umask gives; a rewritten file keeps its mode
      (and its owner, where the process may keep it).

    Errors are :class:`OutputError`, one line naming ``path`` and the fix.
    """
    if str(path) == STDOUT:
        out = _Output(sys.stdout, "standard output")
        yield cast(IO[str], out)
        out.flush()
        return
    target = Path(path)
    try:
        info = target.stat()  # follows symbolic links
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise OutputError(path, _reason(err)) from err
    if info is not None and (stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
        try:
            handle = target.open("w", encoding="utf-8", newline="\n")
        except OSError as err:
            raise OutputError(path, _reason(err)) from err
        with handle:
            out = _Output(handle, path)
            yield cast(IO[str], out)
            out.flush()
        return
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError(path, "it is a folder; give a file path")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputError(path, "it is not a regular file, a FIFO or a character device")
    real = Path(os.path.realpath(target))  # a symbolic link: write its target
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=_temporary_prefix(real.name), suffix=".tmp", dir=real.parent
        )
    except OSError as err:
        raise OutputError(path, _reason(err)) from err
    _sweep_once(real.parent)
    try:
        with signals_as_exit():
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                yield cast(IO[str], _Output(handle, path))
                try:
                    handle.flush()
                    # (the size, not the text writes: a writer may use the binary buffer)
                    if not allow_empty and os.fstat(handle.fileno()).st_size == 0:
                        raise NothingToWrite(path)
                    os.fsync(handle.fileno())
                except NothingToWrite:
                    raise
                except OSError as err:
                    raise OutputError(path, _reason(err)) from err
            try:
                if info is None:
                    os.chmod(tmp, 0o666 & ~_umask())
                else:
                    os.chmod(tmp, stat.S_IMODE(info.st_mode))
                    if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                        with contextlib.suppress(OSError):
                            os.chown(tmp, info.st_uid, info.st_gid)
                os.replace(tmp, real)
            except OSError as err:
                raise OutputError(path, _reason(err)) from err
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def dump_json_line(record: dict[str, Any]) -> str:
    """One JSONL line (no trailing newline), UTF-8 kept readable."""
    return json.dumps(record, ensure_ascii=False)


def annotator_file(directory: str | Path, annotator: str) -> Path:
    """The gold file of one annotator in ``directory``: named by the annotator's email
    (or user name).

    Characters that are not safe in a file name become ``_``, so a name never
    leads out of ``directory`` (``ann@example.com`` → ``ann@example.com.jsonl``).
    """
    safe = re.sub(r"[^A-Za-z0-9@._+-]", "_", annotator).strip(".") or "unknown"
    return Path(directory) / f"{safe}.jsonl"


def write_documents(
    path: str | Path, documents: Iterable[Document], *, allow_empty: bool = True
) -> int:
    """Write documents as JSONL to ``path`` atomically; returns how many."""
    count = 0
    with atomic_writer(path, allow_empty=allow_empty) as handle:
        for doc in documents:
            handle.write(dump_json_line(doc.to_dict()) + "\n")
            count += 1
    return count


# --- compressed JSONL (shards) ----------------------------------------------


def _gzip_jsonl_lines(
    path: Path, max_chars: int | None = None
) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """Parsed JSON objects of a ``.jsonl.gz`` file, each with its 1-based line number
    (the same checks as a plain JSONL file's).

    A stream that cannot be opened or decompressed to its end gives an
    :class:`InputError` without a line number (the rest of the file is lost),
    after the lines read before the damage.
    """
    import gzip
    import zlib

    number = 0
    try:
        with gzip.open(path, "rb") as handle:
            for number, record in _jsonl_records(path, cast(IO[bytes], handle), max_chars):
                yield number, record
    except (OSError, EOFError, zlib.error) as err:
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        where = "cannot read" if number == 0 else f"corrupt after line {number}"
        yield (
            number,
            InputError(str(path), f"{where}: {reason}; re-create the .jsonl.gz file"),
        )


def iter_gzip_input_documents(
    path: str | Path, *, max_chars: int | None = None, ids: DocumentIds | None = None
) -> Iterator[Document | InputError]:
    """Documents to extract from one ``.jsonl.gz`` file of ``{"id", "text"}`` lines.

    The same checks as :func:`iter_input_documents` per line; a damaged
    stream ends with an :class:`InputError` that has no line number.
    """
    source = Path(path)
    ids = ids if ids is not None else DocumentIds()
    for number, record in _gzip_jsonl_lines(source, max_chars):
        if isinstance(record, InputError):
            yield record
        else:
            yield _input_document(source, number, record, ids)


def iter_gzip_annotated_documents(
    path: str | Path, *, check: bool = True, ids: DocumentIds | None = None
) -> Iterator[Document | InputError]:
    """Documents with quotes from one ``.jsonl.gz`` file (gold, predictions); with
    ``ids``, a repeated id is reported (the first document is kept)."""
    source = Path(path)
    yield from _annotated_documents(source, _gzip_jsonl_lines(source), check=check, ids=ids)
