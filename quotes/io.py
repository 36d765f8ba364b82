"""Reading inputs (``.txt`` files, folders, JSONL) and writing JSONL atomically.

Bad input never stops a run: each unreadable file or malformed line becomes an
:class:`InputError` that names the file, the line and the fix, and the other
documents go on.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .types import Document, SchemaError


@dataclass(frozen=True)
class InputError:
    """One input that could not be read: where, and what to do about it."""

    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


def _expand(paths: Iterable[str | Path]) -> Iterator[Path | InputError]:
    """Files named by ``paths``: folders give their ``.txt`` and ``.jsonl`` files."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix in (".txt", ".jsonl")
            )
            if not found:
                yield InputError(str(path), "folder holds no .txt or .jsonl files")
            yield from found
        elif path.is_file():
            yield path
        else:
            yield InputError(str(path), "no such file or folder; check the path")


def _read_txt(path: Path) -> Document | InputError:
    try:
        data = path.read_bytes()
    except OSError as err:
        return InputError(str(path), f"cannot read: {err.strerror}")
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


def _read_jsonl_lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """Parsed JSON objects of a JSONL file, each with its 1-based line number."""
    try:
        handle = path.open("rb")
    except OSError as err:
        yield 0, InputError(str(path), f"cannot read: {err.strerror}")
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield number, InputError(str(path), "line is not UTF-8", number)
                continue
            except json.JSONDecodeError as err:
                yield (
                    number,
                    InputError(
                        str(path), f"malformed JSON ({err.msg}); fix or drop the line", number
                    ),
                )
                continue
            if not isinstance(record, dict):
                yield number, InputError(str(path), "a line must be a JSON object", number)
                continue
            yield number, record


def iter_input_documents(paths: Iterable[str | Path]) -> Iterator[Document | InputError]:
    """Documents to extract from: ``.txt`` files (id = stem), folders, JSONL files.

    JSONL lines need ``{"id", "text"}``; any quotes they carry are ignored.
    Yields an :class:`InputError` in place of each input that cannot be read.
    """
    for item in _expand(paths):
        if isinstance(item, InputError):
            yield item
        elif item.suffix == ".jsonl":
            for number, record in _read_jsonl_lines(item):
                if isinstance(record, InputError):
                    yield record
                    continue
                text, doc_id = record.get("text"), record.get("id")
                if not isinstance(text, str) or doc_id is None:
                    yield InputError(str(item), 'a line needs "id" and a string "text"', number)
                    continue
                if not _encodable(text):
                    yield InputError(
                        str(item),
                        "text holds a lone surrogate escape (e.g. \\ud800); fix its encoding",
                        number,
                    )
                    continue
                yield Document(id=str(doc_id), text=text)
        else:
            yield _read_txt(item)


def iter_annotated_documents(
    paths: Iterable[str | Path], *, check: bool = True
) -> Iterator[Document | InputError]:
    """Documents with quotes from JSONL files or folders of them (gold, predictions)."""
    for item in _expand(paths):
        if isinstance(item, InputError):
            yield item
            continue
        if item.suffix != ".jsonl":
            continue
        for number, record in _read_jsonl_lines(item):
            if isinstance(record, InputError):
                yield record
                continue
            try:
                yield Document.from_dict(record, check=check)
            except SchemaError as err:
                yield InputError(str(item), f"{err}; fix the record", number)


@contextlib.contextmanager
def atomic_writer(path: str | Path) -> Iterator[IO[str]]:
    """A text file that replaces ``path`` only when the block ends without error.

    A failed run leaves the old file as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def dump_json_line(record: dict[str, Any]) -> str:
    """One JSONL line (no trailing newline), UTF-8 kept readable."""
    return json.dumps(record, ensure_ascii=False)


def write_documents(path: str | Path, documents: Iterable[Document]) -> int:
    """Write documents as JSONL to ``path`` atomically; returns how many."""
    count = 0
    with atomic_writer(path) as handle:
        for doc in documents:
            handle.write(dump_json_line(doc.to_dict()) + "\n")
            count += 1
    return count


# --- compressed JSONL (shards) ----------------------------------------------


def _gzip_jsonl_lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """Parsed JSON objects of a ``.jsonl.gz`` file, each with its 1-based line number.

    A stream that cannot be opened or decompressed to its end gives an
    :class:`InputError` without a line number (the rest of the file is lost),
    after the lines read before the damage.
    """
    import gzip
    import zlib

    number = 0
    try:
        with gzip.open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    yield number, InputError(str(path), "line is not UTF-8", number)
                    continue
                except json.JSONDecodeError as err:
                    yield (
                        number,
                        InputError(
                            str(path), f"malformed JSON ({err.msg}); fix or drop the line", number
                        ),
                    )
                    continue
                if not isinstance(record, dict):
                    yield number, InputError(str(path), "a line must be a JSON object", number)
                    continue
                yield number, record
    except (OSError, EOFError, zlib.error) as err:
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        where = "cannot read" if number == 0 else f"corrupt after line {number}"
        yield (
            number,
            InputError(str(path), f"{where}: {reason}; re-create the .jsonl.gz file"),
        )


def iter_gzip_input_documents(path: str | Path) -> Iterator[Document | InputError]:
    """Documents to extract from one ``.jsonl.gz`` file of ``{"id", "text"}`` lines.

    The same checks as :func:`iter_input_documents` per line; a damaged
    stream ends with an :class:`InputError` that has no line number.
    """
    source = Path(path)
    for number, record in _gzip_jsonl_lines(source):
        if isinstance(record, InputError):
            yield record
            continue
        text, doc_id = record.get("text"), record.get("id")
        if not isinstance(text, str) or doc_id is None:
            yield InputError(str(source), 'a line needs "id" and a string "text"', number)
            continue
        if not _encodable(text):
            yield InputError(
                str(source),
                "text holds a lone surrogate escape (e.g. \\ud800); fix its encoding",
                number,
            )
            continue
        yield Document(id=str(doc_id), text=text)


def iter_gzip_annotated_documents(
    path: str | Path, *, check: bool = True
) -> Iterator[Document | InputError]:
    """Documents with quotes from one ``.jsonl.gz`` file (gold, predictions)."""
    source = Path(path)
    for number, record in _gzip_jsonl_lines(source):
        if isinstance(record, InputError):
            yield record
            continue
        try:
            yield Document.from_dict(record, check=check)
        except SchemaError as err:
            yield InputError(str(source), f"{err}; fix the record", number)
