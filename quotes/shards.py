"""Sharded input and output: finding shards, reading them, writing output shards, the manifest.

A *shard* is the unit of work one process (or one Dask worker) handles whole:
one ``.jsonl`` or ``.jsonl.gz`` file, or a run of at most ``texts_per_shard``
``.txt`` files of one folder. Shards come in the order a single-process run
reads its inputs (each argument in turn, folders searched recursively in
sorted order), so the output shards, concatenated in manifest order, are the
single-process output.

``quotes extract ... -o DIR/`` writes one output shard per input shard under
``DIR`` (``part-07.jsonl.gz`` → ``DIR/part-07.jsonl``, or ``.jsonl.gz`` with
``--gzip``; a run of ``.txt`` files of folder ``news`` → ``news-txt-00000.jsonl``)
and a manifest, ``DIR/manifest.ndjson``: one JSON object a line per shard
(``shard``, ``status``, ``documents``, ``quotes``, ``failures``,
``model_version``, ``sha256`` of the output file, ...). During a run the
manifest is a journal: a line is appended as each shard completes (the last
line of a shard wins; a torn last line is ignored); at the start and the end of
a run it is rewritten atomically with one line per shard in input order.

I/O lives here; nothing in this module imports Dask.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from .io import (
    DocumentIds,
    InputError,
    atomic_writer,
    dump_json_line,
    iter_annotated_documents,
    iter_gzip_annotated_documents,
    iter_gzip_input_documents,
    iter_input_documents,
)
from .types import Document

ShardKind = Literal["jsonl", "jsonl.gz", "txt"]
ShardStatus = Literal["pending", "complete", "failed"]

#: The manifest of a sharded output folder (JSON lines; not read as data).
MANIFEST_NAME = "manifest.ndjson"
#: Default number of ``.txt`` files in one shard.
DEFAULT_TEXTS_PER_SHARD = 200
_GLOB_MAGIC = frozenset("*?[")


def shard_kind(path: Path) -> ShardKind | None:
    """The kind of data file ``path`` is by its name, or None for other files."""
    name = path.name
    if name.endswith(".jsonl.gz"):
        return "jsonl.gz"
    if name.endswith(".jsonl"):
        return "jsonl"
    if name.endswith(".txt"):
        return "txt"
    return None


@dataclass(frozen=True)
class Shard:
    """One unit of work: its name (relative, POSIX), kind, and input file(s)."""

    name: str
    kind: ShardKind
    paths: tuple[str, ...]

    def output_name(self, *, gzip: bool = False) -> str:
        """The output shard's name: the input's with ``.jsonl`` (or ``.jsonl.gz``)."""
        stem = self.name
        for suffix in (".jsonl.gz", ".jsonl"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        return stem + (".jsonl.gz" if gzip else ".jsonl")

    def fingerprint(self) -> str:
        """Size and modification time of each input file, hashed: changes when an input does."""
        digest = hashlib.sha256()
        for path in self.paths:
            try:
                stat = os.stat(path)
                digest.update(f"{path}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
            except OSError:
                digest.update(f"{path}\tmissing\n".encode())
        return digest.hexdigest()[:32]


# --- finding shards -----------------------------------------------------------


def _expand_argument(raw: str | Path) -> tuple[list[Path], list[InputError]]:
    """A path argument as existing paths: itself, or the sorted matches of a glob."""
    path = Path(raw)
    if path.exists():
        return [path], []
    text = str(raw)
    if _GLOB_MAGIC & set(text):
        matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
        if matches:
            return matches, []
        return [], [InputError(text, "the pattern matches no file or folder; check it")]
    return [], [InputError(text, "no such file or folder; check the path")]


def _manifest_files(folder: Path) -> tuple[list[Path], list[InputError]]:
    """The complete output shards of a folder written by ``quotes extract -o DIR/``,
    in manifest order; other data files of the folder are reported and skipped."""
    order, latest = read_manifest(folder)
    complete = [latest[n] for n in order if latest[n].status == "complete" and latest[n].output]
    files = [folder / e.output for e in complete if e.output]
    listed = {f.resolve() for f in files}
    errors = [
        InputError(
            str(p),
            f"not marked complete in {folder / MANIFEST_NAME} (a failed or unfinished shard);"
            " rerun `quotes extract` into this folder, or move the file",
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file() and shard_kind(p) is not None and p.resolve() not in listed
    ]
    missing = [
        InputError(str(f), "listed as complete in the manifest but missing; rerun the extraction")
        for f in files
        if not f.is_file()
    ]
    return [f for f in files if f.is_file()], errors + missing


def _is_within(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


def find_shards(
    paths: Iterable[str | Path],
    *,
    texts: bool = True,
    texts_per_shard: int = DEFAULT_TEXTS_PER_SHARD,
    exclude: str | Path | None = None,
    other_files: ShardKind = "txt",
) -> tuple[list[Shard], list[InputError]]:
    """The shards of ``paths`` in reading order, and the inputs that could not be used.

    ``paths`` are files, folders (searched recursively, sorted) or glob
    patterns (``'archive/2024-*/*.jsonl.gz'``, ``**`` allowed). A folder written
    by ``quotes extract -o DIR/`` (it holds a manifest) gives its complete
    shards in manifest order. ``.txt`` files are grouped into runs of
    consecutive files of one folder, at most ``texts_per_shard`` each; with
    ``texts=False`` they are left out (scoring reads JSONL only). Files under
    ``exclude`` (the output folder) are never inputs. A file named directly
    whose name ends in none of these is read as ``other_files`` (text for
    extraction, JSONL for the speaker table). Names are relative to the
    deepest folder holding every input.
    """
    if texts_per_shard < 1:
        raise ValueError("texts_per_shard must be at least 1")
    skip = Path(exclude).resolve() if exclude is not None else None
    errors: list[InputError] = []
    files: list[Path] = []
    roots: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        found, problems = _expand_argument(raw)
        errors.extend(problems)
        for path in found:
            if path.is_dir():
                roots.append(path.resolve())
                unlisted: list[InputError] = []
                if (path / MANIFEST_NAME).is_file() and not _is_within(path, skip):
                    listed, unlisted = _manifest_files(path)
                    errors.extend(unlisted)
                else:
                    listed = sorted(
                        p
                        for p in path.rglob("*")
                        if p.is_file() and shard_kind(p) is not None and not _is_within(p, skip)
                    )
                if not listed and not unlisted:
                    errors.append(
                        InputError(str(path), "folder holds no .txt, .jsonl or .jsonl.gz files")
                    )
                candidates = listed
            else:
                roots.append(path.resolve().parent)
                candidates = [path]
            for candidate in candidates:
                resolved = candidate.resolve()
                if resolved in seen:
                    errors.append(InputError(str(candidate), "given more than once; read once"))
                    continue
                seen.add(resolved)
                files.append(candidate)
    base = Path(os.path.commonpath(roots)) if roots else Path.cwd()
    shards = _group(
        files, base, texts=texts, texts_per_shard=texts_per_shard, other_files=other_files
    )
    return shards, errors


def _group(
    files: list[Path], base: Path, *, texts: bool, texts_per_shard: int, other_files: ShardKind
) -> list[Shard]:
    """Files as shards: one per JSONL file, runs of ``.txt`` files of one folder."""
    shards: list[Shard] = []
    run: list[Path] = []
    runs_per_folder: dict[Path, int] = {}

    def name_of(path: Path) -> str:
        try:
            return path.resolve().relative_to(base).as_posix()
        except ValueError:  # outside base (a symlinked folder): keep it readable and unique
            return path.resolve().as_posix().lstrip("/")

    def close_run() -> None:
        if not run:
            return
        folder = run[0].resolve().parent
        index = runs_per_folder.get(folder, 0)
        runs_per_folder[folder] = index + 1
        relative = name_of(folder)
        stem = f"{folder.name or 'root'}-txt-{index:05d}"
        name = stem if relative in ("", ".") else f"{relative}/{stem}"
        shards.append(Shard(name, "txt", tuple(str(p) for p in run)))
        run.clear()

    for path in files:
        kind = shard_kind(path) or other_files
        if kind == "txt":
            if not texts:
                continue
            if run and (
                run[0].resolve().parent != path.resolve().parent or len(run) >= texts_per_shard
            ):
                close_run()
            run.append(path)
            continue
        close_run()
        shards.append(Shard(name_of(path), kind, (str(path),)))
    close_run()
    return shards


# --- reading shards -----------------------------------------------------------


def read_input_shard(
    shard: Shard, *, max_chars: int | None = None, ids: DocumentIds | None = None
) -> Iterator[Document | InputError]:
    """The documents to extract from one shard (an :class:`InputError` per bad input;
    ``max_chars`` and ``ids`` as for :func:`quotes.io.iter_input_documents`)."""
    if shard.kind == "jsonl.gz":
        yield from iter_gzip_input_documents(shard.paths[0], max_chars=max_chars, ids=ids)
    else:
        yield from iter_input_documents(shard.paths, max_chars=max_chars, ids=ids)


def read_annotated_shard(
    shard: Shard, *, check: bool = True, ids: DocumentIds | None = None
) -> Iterator[Document | InputError]:
    """The documents with quotes of one JSONL shard (extractor output, gold); with
    ``ids``, a repeated id is reported (the first document is kept)."""
    if shard.kind == "jsonl.gz":
        yield from iter_gzip_annotated_documents(shard.paths[0], check=check, ids=ids)
    elif shard.kind == "jsonl":
        yield from iter_annotated_documents(shard.paths, check=check, ids=ids)
    else:
        raise ValueError(f"shard {shard.name} holds .txt files: extract them first")


def is_shard_failure(shard: Shard, error: InputError) -> bool:
    """True when ``error`` means the shard cannot be read (to its end), not one bad line.

    A JSONL shard's error without a line number is its file failing to open or
    to decompress; a ``.txt`` file that cannot be read is one bad document.
    """
    return shard.kind != "txt" and error.line is None


def iter_input(
    paths: Iterable[str | Path],
    *,
    texts_per_shard: int = DEFAULT_TEXTS_PER_SHARD,
    max_chars: int | None = None,
) -> Iterator[Document | InputError]:
    """Every document of ``paths`` (files, folders, globs, ``.jsonl.gz``) in reading
    order; a repeated id is reported across all of them (the first is kept)."""
    shards, errors = find_shards(paths, texts_per_shard=texts_per_shard)
    yield from errors
    ids = DocumentIds()
    for shard in shards:
        yield from read_input_shard(shard, max_chars=max_chars, ids=ids)


def iter_annotated(
    paths: Iterable[str | Path], *, unique_ids: bool = False
) -> Iterator[Document | InputError]:
    """Every document with quotes of JSONL ``paths`` (files, folders, globs,
    ``.jsonl.gz``); with ``unique_ids``, a repeated id across them is reported
    (the first document is kept)."""
    shards, errors = find_shards(paths, texts=False)
    yield from errors
    ids = DocumentIds() if unique_ids else None
    for shard in shards:
        yield from read_annotated_shard(shard, ids=ids)


# --- writing output shards ----------------------------------------------------


class _HashingWriter:
    """A binary sink that hashes what it passes on (the output shard's checksum)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


@dataclass
class ShardSink:
    """Where an output shard's documents go; counts them and checksums the bytes."""

    _out: Any
    documents: int = 0
    quotes: int = 0
    sha256: str = ""

    def write(self, doc: Document) -> None:
        """Append one document as a JSONL line."""
        self._out.write((dump_json_line(doc.to_dict()) + "\n").encode("utf-8"))
        self.documents += 1
        self.quotes += len(doc.quotes)


@contextlib.contextmanager
def shard_writer(path: str | Path, *, gzip: bool = False) -> Iterator[ShardSink]:
    """An output shard written atomically (through :func:`quotes.io.atomic_writer`).

    With ``gzip`` the file is a gzip stream with a fixed header (no name, time
    zero), so the same documents always give the same bytes and checksum.
    """
    import gzip as gzip_module

    with atomic_writer(path, allow_empty=True) as handle:  # a shard may hold no document
        hashing = _HashingWriter(handle.buffer)  # type: ignore[attr-defined]
        if gzip:
            stream = gzip_module.GzipFile(
                filename="", mode="wb", fileobj=hashing, mtime=0, compresslevel=6
            )
            sink = ShardSink(stream)
            yield sink
            stream.close()  # writes the gzip trailer; the file itself stays open
        else:
            sink = ShardSink(hashing)
            yield sink
        sink.sha256 = hashing.digest.hexdigest()


def file_sha256(path: str | Path) -> str | None:
    """The SHA-256 of a file's bytes, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def remove_stale_temporaries(out_dir: Path, output_names: Iterable[str]) -> int:
    """Delete temporary files a killed run left next to these output shards; how many.

    A leftover of output ``NAME`` is ``.NAME.<anything>.tmp`` beside it. Each
    folder is listed once (a run of thousands of shards in one folder must not
    list it thousands of times) and each entry checked against its folder's
    output names.
    """
    names_by_folder: dict[Path, set[str]] = {}
    for name in output_names:
        target = out_dir / name
        names_by_folder.setdefault(target.parent, set()).add(target.name)
    removed = 0
    for folder, names in names_by_folder.items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if _leftover_of(entry.name) & names:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _leftover_of(filename: str) -> set[str]:
    """The output names whose temporary file ``filename`` could be
    (``.part-01.jsonl.x7k.tmp`` → ``{"part-01.jsonl", "part-01", ...}``): every
    ``NAME`` with ``filename == "." + NAME + "." + rest + ".tmp"``."""
    if not (filename.startswith(".") and filename.endswith(".tmp")):
        return set()
    inner = filename[1:-4]  # NAME.<rest>; <rest> may be empty
    return {inner[:i] for i, char in enumerate(inner) if char == "."}


@contextlib.contextmanager
def locked_output(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out_dir`` so two runs never write one folder at once."""
    import fcntl

    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OSError(
                f"{out_dir}: another `quotes extract` is writing to this folder;"
                " wait for it to finish or choose another -o folder"
            ) from None
        yield
    finally:
        os.close(fd)


# --- the manifest -------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """One document or line of a shard that gave no output, and why."""

    source: str
    message: str
    line: int | None = None

    @classmethod
    def of(cls, error: InputError) -> Failure:
        return cls(error.source, error.message, error.line)

    def to_error(self) -> InputError:
        return InputError(self.source, self.message, self.line)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class ManifestEntry:
    """One line of the manifest: a shard, its state and what it produced."""

    shard: str
    status: ShardStatus
    inputs: tuple[str, ...] = ()
    input_fingerprint: str = ""
    output: str | None = None
    documents: int = 0
    quotes: int = 0
    failures: tuple[Failure, ...] = ()
    model_version: str = ""
    options: str = ""
    sha256: str | None = None
    error: str | None = None
    seconds: float | None = None
    worker: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The manifest line: counts first, then provenance."""
        return {
            "shard": self.shard,
            "status": self.status,
            "documents": self.documents,
            "quotes": self.quotes,
            "failures": len(self.failures),
            "output": self.output,
            "sha256": self.sha256,
            "model_version": self.model_version,
            "options": self.options,
            "inputs": list(self.inputs),
            "input_fingerprint": self.input_fingerprint,
            "error": self.error,
            "failure_details": [f.to_dict() for f in self.failures],
            "seconds": self.seconds,
            "worker": self.worker,
            **dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ManifestEntry:
        """Read a manifest line; raises ``ValueError`` (or ``KeyError``/``TypeError``) if bad."""
        status = data["status"]
        if status not in ("pending", "complete", "failed"):
            raise ValueError(f"unknown status {status!r}")
        known = {
            "shard",
            "status",
            "documents",
            "quotes",
            "failures",
            "output",
            "sha256",
            "model_version",
            "options",
            "inputs",
            "input_fingerprint",
            "error",
            "failure_details",
            "seconds",
            "worker",
        }
        return cls(
            shard=str(data["shard"]),
            status=status,
            inputs=tuple(str(p) for p in data.get("inputs", ())),
            input_fingerprint=str(data.get("input_fingerprint", "")),
            output=data.get("output"),
            documents=int(data.get("documents", 0)),
            quotes=int(data.get("quotes", 0)),
            failures=tuple(
                Failure(str(f["source"]), str(f["message"]), f.get("line"))
                for f in data.get("failure_details", ())
            ),
            model_version=str(data.get("model_version", "")),
            options=str(data.get("options", "")),
            sha256=data.get("sha256"),
            error=data.get("error"),
            seconds=data.get("seconds"),
            worker=data.get("worker"),
            extra={k: v for k, v in data.items() if k not in known},
        )


def read_manifest(out_dir: str | Path) -> tuple[list[str], dict[str, ManifestEntry]]:
    """Shard names in manifest order (first line of each) and the latest entry of each.

    Lines that do not parse (a torn last line after a crash) are ignored: their
    shard is simply not complete.
    """
    path = Path(out_dir) / MANIFEST_NAME
    order: list[str] = []
    latest: dict[str, ManifestEntry] = {}
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return order, latest
    with handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # torn by a crash mid-write
            try:
                entry = ManifestEntry.from_dict(json.loads(raw))
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            if entry.shard not in latest:
                order.append(entry.shard)
            latest[entry.shard] = entry
    return order, latest


def write_manifest(out_dir: str | Path, entries: Iterable[ManifestEntry]) -> None:
    """Rewrite the manifest atomically with ``entries`` (one line each, in order)."""
    with atomic_writer(Path(out_dir) / MANIFEST_NAME) as handle:
        for entry in entries:
            handle.write(dump_json_line(entry.to_dict()) + "\n")


def append_manifest(out_dir: str | Path, entry: ManifestEntry) -> None:
    """Append one entry to the manifest journal and flush it to disk."""
    line = (dump_json_line(entry.to_dict()) + "\n").encode("utf-8")
    fd = os.open(Path(out_dir) / MANIFEST_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def stale_reason(
    entry: ManifestEntry | None,
    shard: Shard,
    out_dir: Path,
    *,
    output: str,
    model_version: str,
    options: str,
) -> str | None:
    """Why ``shard`` must be (re)done, or None when its manifest entry is complete and verified.

    Verified: complete, same input files unchanged (size and time), same
    output name, model version and load options, and the output file's
    SHA-256 equal to the one recorded.
    """
    if entry is None:
        return "not done yet"
    if entry.status != "complete":
        return f"{entry.status} in the last run"
    checks = (
        (entry.input_fingerprint == shard.fingerprint(), "its input changed"),
        (entry.output == output, "the output format changed"),
        (entry.model_version == model_version, "the model version changed"),
        (entry.options == options, "the pipeline options changed"),
    )
    for ok, reason in checks:
        if not ok:
            return reason
    actual = file_sha256(out_dir / output)
    if actual is None:
        return "its output file is missing"
    if actual != entry.sha256:
        return "its output file does not match its checksum"
    return None


def pending_entry(shard: Shard, output: str) -> ManifestEntry:
    """The entry of a shard about to run."""
    return ManifestEntry(
        shard.name,
        "pending",
        inputs=shard.paths,
        input_fingerprint=shard.fingerprint(),
        output=output,
    )


def options_key(options: Mapping[str, Any] | None) -> str:
    """Load options as canonical JSON: what the manifest compares across runs."""
    return json.dumps(dict(options or {}), sort_keys=True, default=str)
