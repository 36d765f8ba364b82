"""``quotes export`` and ``quotes import``: our JSONL to and from annotation tools' files.

Formats:

- ``brat``: a folder of ``<id>.txt`` + ``<id>.ann`` with ``annotation.conf``
  and ``visual.conf`` (:mod:`quotes.brat`; scheme ``quotes`` or ``polnear``);
- ``doccano-jsonl``: the JSONL doccano imports (sequence labeling with
  relations) and exports (:mod:`quotes.doccano.convert`);
- ``labelstudio-json``: a JSON list of Label Studio tasks. Export writes each
  document's quotes as a prediction (import the file in Label Studio's UI to
  get pre-annotated tasks); import reads each task's latest submitted
  annotation, or with ``predictions=True`` its latest prediction.

Import gives one list of documents per annotator (None when the files carry
no annotator); every unreadable input is reported and the rest comes through.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .brat import Scheme
from .io import (
    InputError,
    _read_jsonl_lines,
    annotator_file,
    atomic_writer,
    dump_json_line,
    iter_annotated_documents,
    write_documents,
)
from .types import Document

Format = Literal["brat", "doccano-jsonl", "labelstudio-json"]
FORMATS: tuple[Format, ...] = ("brat", "doccano-jsonl", "labelstudio-json")
#: Largest doccano JSONL or Label Studio JSON file read (bytes).
MAX_FILE_BYTES = 2 * 2**30


@dataclass
class ImportResult:
    """Documents per annotator (None: no annotator), and what could not be read."""

    documents: dict[str | None, list[Document]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(docs) for docs in self.documents.values())


@dataclass
class ExportResult:
    """How many documents were written, and the inputs or documents that were not."""

    written: int = 0
    errors: list[str] = field(default_factory=list)


def read_documents(paths: Iterable[str | Path], errors: list[str]) -> list[Document]:
    """Our JSONL documents (gold or predictions) from ``paths``; bad lines into ``errors``."""
    docs: list[Document] = []
    for item in iter_annotated_documents(paths):
        if isinstance(item, InputError):
            errors.append(str(item))
        else:
            docs.append(item)
    return docs


# --- export ---------------------------------------------------------------------


def labelstudio_tasks(documents: Iterable[Document], model_version: str) -> list[dict[str, Any]]:
    """Label Studio tasks with each document's quotes as a prediction."""
    from .labelstudio.convert import task_for

    return [task_for(doc, model_version) for doc in documents]


def export_documents(
    documents: Iterable[Document],
    fmt: Format,
    output: str | Path,
    *,
    brat_scheme: Scheme = "quotes",
    model_version: str = "quotes-export",
    progress: bool = False,
    brat_zips: bool = False,
) -> ExportResult:
    """Write ``documents`` in ``fmt`` to ``output`` (a folder for brat, else a file), atomically.

    ``progress`` shows a bar on stderr.
    """
    import sys

    from tqdm import tqdm

    documents = tqdm(documents, desc="export", unit="doc", disable=not progress, file=sys.stderr)
    result = ExportResult()
    if fmt == "brat":
        from .brat import SCHEMES, write_brat

        if brat_scheme not in SCHEMES:
            raise ValueError(
                f"unknown brat scheme {brat_scheme!r}; use one of {', '.join(SCHEMES)}"
            )
        written, problems = write_brat(documents, output, brat_scheme, zips=brat_zips)
        result.written = written
        result.errors.extend(problems)
    elif fmt == "doccano-jsonl":
        from .doccano.convert import document_to_record

        with atomic_writer(output) as handle:
            for doc in documents:
                handle.write(dump_json_line(document_to_record(doc)) + "\n")
                result.written += 1
    elif fmt == "labelstudio-json":
        tasks = labelstudio_tasks(documents, model_version)
        with atomic_writer(output) as handle:
            json.dump(tasks, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        result.written = len(tasks)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return result


# --- import ---------------------------------------------------------------------


def _files(paths: Iterable[str | Path], suffixes: tuple[str, ...], errors: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in suffixes)
            if not inside:
                errors.append(f"{path}: folder holds no {' or '.join(suffixes)} files")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            errors.append(f"{path}: no such file or folder; check the path")
    return found


def _bar(files: list[Path], progress: bool) -> Iterable[Path]:
    """``files`` with a progress bar on stderr when ``progress``."""
    import sys

    from tqdm import tqdm

    return tqdm(files, desc="import", unit="file", disable=not progress, file=sys.stderr)


def _too_big(path: Path, errors: list[str]) -> bool:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        errors.append(f"{path}: {size} bytes is over the {MAX_FILE_BYTES}-byte limit; split it")
        return True
    return False


def import_doccano(
    paths: Iterable[str | Path], result: ImportResult, *, progress: bool = False
) -> None:
    """Documents from doccano JSONL exports (or our own doccano-jsonl files)."""
    from .annotation import AnnotationError
    from .doccano.convert import record_to_document

    docs = result.documents.setdefault(None, [])
    for path in _bar(_files(paths, (".jsonl",), result.errors), progress):
        if _too_big(path, result.errors):
            continue
        for number, record in _read_jsonl_lines(path):
            if isinstance(record, InputError):
                result.errors.append(str(record))
                continue
            try:
                doc, dropped = record_to_document(record)
            except AnnotationError as err:
                result.errors.append(f"{path}:{number}: {err}; fix or drop the line")
                continue
            result.warnings.extend(f"{path}:{number}: {d}" for d in dropped)
            docs.append(doc)


def import_labelstudio(
    paths: Iterable[str | Path],
    result: ImportResult,
    *,
    predictions: bool = False,
    progress: bool = False,
    annotations: str = "latest",
) -> None:
    """Documents from Label Studio JSON exports (a list of tasks per file).

    ``annotations`` chooses among several annotators as ``quotes pull`` does
    (``latest``, ``ground-truth``, or ``all``: one gold per annotator).
    """
    from .labelstudio.convert import tasks_to_documents

    for path in _bar(_files(paths, (".json",), result.errors), progress):
        if _too_big(path, result.errors):
            continue
        try:
            tasks = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
            reason = "nested too deep" if isinstance(err, RecursionError) else err
            result.errors.append(
                f"{path}: not a Label Studio JSON export ({reason}); export as JSON"
            )
            continue
        if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
            result.errors.append(f"{path}: not a list of tasks; export the project as JSON")
            continue
        if predictions:
            tasks = [_prediction_as_annotation(t) for t in tasks]
        pulled = tasks_to_documents(tasks, annotations="latest" if predictions else annotations)
        result.errors.extend(f"{path}: {s}" for s in pulled.skipped)
        result.warnings.extend(f"{path}: {s}" for s in (*pulled.dropped, *pulled.left_out))
        if annotations == "all" and not predictions:
            for who, found in pulled.by_annotator.items():
                result.documents.setdefault(who, []).extend(found)
        else:
            result.documents.setdefault(None, []).extend(pulled.documents)


def _prediction_as_annotation(task: dict[str, Any]) -> dict[str, Any]:
    """``task`` with its last prediction in place of its annotations."""
    found = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    return {**task, "annotations": [{"id": 0, "result": found[-1].get("result")}] if found else []}


def import_documents(
    paths: Iterable[str | Path],
    fmt: Format,
    *,
    predictions: bool = False,
    progress: bool = False,
    annotations: str = "latest",
) -> ImportResult:
    """Read annotation files of ``fmt`` back into documents, one list per annotator.

    ``progress`` shows a bar of the files read on stderr; ``predictions`` and
    ``annotations`` are for Label Studio files (see :func:`import_labelstudio`).
    """
    result = ImportResult()
    if fmt == "brat":
        from .brat import read_brat_paths

        found = read_brat_paths(paths, progress=progress)
        result.documents = found.documents
        result.errors = found.errors
        result.warnings = found.warnings
    elif fmt == "doccano-jsonl":
        import_doccano(paths, result, progress=progress)
    elif fmt == "labelstudio-json":
        import_labelstudio(
            paths, result, predictions=predictions, progress=progress, annotations=annotations
        )
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return result


def write_groups(documents: dict[str | None, list[Document]], output: str | Path) -> list[Path]:
    """Write one gold JSONL (``output``), or one per annotator into folder ``output``.

    Each file is written atomically and named by :func:`quotes.io.annotator_file`
    (a name never leads out of the folder); documents of no annotator among
    others go to ``shared.jsonl``.
    """
    if set(documents) <= {None}:
        targets: dict[str | None, Path] = {None: Path(output)}
    else:
        targets = {a: annotator_file(output, a or "shared") for a in documents}
    for annotator, path in targets.items():
        write_documents(path, documents.get(annotator, []))
    return list(targets.values())
