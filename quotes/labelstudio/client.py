"""Push documents with predictions to Label Studio and pull annotations back as gold.

A thin layer over ``label-studio-sdk``: the conversions are in :mod:`.convert`.
Every failure the user can fix (server unreachable, wrong key, missing project,
incompatible config) is a :class:`LabelStudioError` with a one-line message
naming the fix; the API key never appears in a message.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..io import InputError, atomic_writer, dump_json_line, iter_input_documents
from ..types import Document
from .config import DOC_ID_KEY, TEXT_HASH_KEY, config_problems, load_config
from .convert import PullResult, prediction_for, task_for, tasks_to_documents, text_hash

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio
    from spacy.language import Language

DEFAULT_URL = "http://localhost:8080"
URL_ENV = "LABEL_STUDIO_URL"
KEY_ENV = "LABEL_STUDIO_API_KEY"
#: Tasks (or predictions) per import request.
BATCH_SIZE = 100


class LabelStudioError(RuntimeError):
    """A failure the user can fix; the message is one line and names the fix."""


@dataclass(frozen=True)
class Connection:
    """An authenticated client and the URL it talks to."""

    client: LabelStudio
    url: str


def resolve(url: str | None, api_key: str | None) -> tuple[str, str]:
    """The server URL and API key from the options, else the environment."""
    found_url = url or os.environ.get(URL_ENV) or DEFAULT_URL
    key = api_key or os.environ.get(KEY_ENV)
    if not key:
        raise LabelStudioError(
            f"no API key; pass --api-key or set {KEY_ENV} (Label Studio: Account & Settings)"
        )
    return found_url.rstrip("/"), key


@contextlib.contextmanager
def api_errors(url: str) -> Iterator[None]:
    """Turn connection and HTTP failures into one-line :class:`LabelStudioError`."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout) as err:
        raise LabelStudioError(
            f"cannot reach Label Studio at {url}; start it (`label-studio start`) or fix --url"
            f" / {URL_ENV}"
        ) from err
    except httpx.HTTPError as err:
        raise LabelStudioError(f"Label Studio at {url} failed: {type(err).__name__}") from err
    except ApiError as err:
        if err.status_code in (401, 403):
            raise LabelStudioError(
                f"Label Studio at {url} refused the API key ({err.status_code}); pass the token"
                f" from Account & Settings with --api-key or {KEY_ENV}"
            ) from err
        body = json.dumps(err.body)[:200] if err.body is not None else ""
        raise LabelStudioError(
            f"Label Studio at {url} answered HTTP {err.status_code}: {body}"
        ) from err


def connect(url: str | None = None, api_key: str | None = None) -> Connection:
    """A client for the server, checked with one authenticated request."""
    from label_studio_sdk import LabelStudio

    found_url, key = resolve(url, api_key)
    with api_errors(found_url):
        client = LabelStudio(base_url=found_url, api_key=key, timeout=120)
        client.users.whoami()
    return Connection(client, found_url)


def find_project(conn: Connection, title: str) -> Any | None:
    """The project titled ``title`` (exact match), or None."""
    with api_errors(conn.url):
        project: Any
        for project in conn.client.projects.list(title=title, page_size=100):
            if project.title == title:
                return project
    return None


def ensure_project(conn: Connection, title: str, label_config: str) -> int:
    """The id of project ``title``: created with ``label_config`` if missing, else checked."""
    project = find_project(conn, title)
    with api_errors(conn.url):
        if project is None:
            created = conn.client.projects.create(title=title, label_config=label_config)
            return int(created.id)  # type: ignore[arg-type]
        config = conn.client.projects.get(id=project.id).label_config or ""
    problems = config_problems(config)
    if problems:
        raise LabelStudioError(
            f"project {title!r} has an incompatible labeling config ({problems[0]}); paste"
            " labelstudio_config/quotes.xml into its Labeling Interface or use another --project"
        )
    return int(project.id)


@dataclass(frozen=True)
class ExistingTask:
    """A task already in the project: its id, text hash and prediction model versions."""

    task_id: int
    text_hash: str
    model_versions: frozenset[str]


def _model_versions(task: Any) -> list[str]:
    """Model versions of a listed task's predictions (Label Studio joins them with commas)."""
    joined = task.predictions_model_versions or ""
    if isinstance(joined, str):
        return [v for v in joined.split(",") if v]
    return [str(v) for v in joined]


def existing_tasks(conn: Connection, project_id: int) -> dict[str, ExistingTask]:
    """The project's tasks by document id."""
    found: dict[str, ExistingTask] = {}
    with api_errors(conn.url):
        task: Any
        # only the fields needed: task bodies with predictions would be heavy for big projects
        for task in conn.client.tasks.list(
            project=project_id,
            fields="all",
            include="id,data,predictions_model_versions",
            page_size=500,
        ):
            data = task.data or {}
            if DOC_ID_KEY not in data:
                continue
            versions = frozenset(_model_versions(task))
            found[str(data[DOC_ID_KEY])] = ExistingTask(
                int(task.id), str(data.get(TEXT_HASH_KEY, "")), versions
            )
    return found


@dataclass
class PushReport:
    """What a push did."""

    project_id: int = 0
    read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    input_errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line of counts."""
        return (
            f"{self.read} document(s) read: {self.imported} imported, {self.updated} with new"
            f" predictions, {self.unchanged} already there, {len(self.conflicts)} conflicting,"
            f" {len(self.input_errors)} unreadable"
        )


def default_model_version(model: str | None) -> str:
    """``quotes-<version>+<spaCy pipeline>``: the model version predictions carry."""
    from .. import __version__
    from ..pipeline import resolve_model_name

    return f"quotes-{__version__}+{resolve_model_name(model)}"


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def push(
    paths: Iterable[str | Path],
    project: str,
    *,
    url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    model_version: str | None = None,
    update_predictions: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: bool = True,
    nlp: Language | None = None,
    documents: Iterable[Document] | None = None,
) -> PushReport:
    """Extract quotes from ``paths`` (or take ``documents`` as given) and import them as tasks.

    Creates project ``project`` with our labeling config when missing. A document
    already there with the same text is not imported again; with
    ``update_predictions`` it gets this ``model_version``'s predictions if it
    lacks them. A document id already there with another text is a conflict:
    reported and left alone. Imports go ``batch_size`` tasks a request.
    """
    from tqdm import tqdm

    from ..pipeline import extract_documents, load_pipeline

    version = model_version or default_model_version(model)
    if "," in version:  # Label Studio lists a task's model versions joined by commas
        raise LabelStudioError(f"model version {version!r} has a comma; choose one without")
    conn = connect(url, api_key)
    report = PushReport(project_id=ensure_project(conn, project, load_config()))
    known = existing_tasks(conn, report.project_id)
    seen: dict[str, str] = {}

    def wanted(docs: Iterable[Document | InputError]) -> Iterator[Document]:
        """Readable documents that need extracting, in input order."""
        for doc in docs:
            if isinstance(doc, InputError):
                report.input_errors.append(str(doc))
                tqdm.write(f"quotes: {doc}", file=sys.stderr)
                continue
            report.read += 1
            digest = text_hash(doc.text)
            old = known.get(doc.id)
            old_hash = old.text_hash if old is not None else seen.get(doc.id)
            if old_hash is not None and old_hash != digest:
                message = f"document {doc.id}: already in the project with another text; skipped"
                report.conflicts.append(message)
                tqdm.write(f"quotes: {message}", file=sys.stderr)
                continue
            if doc.id in seen or (
                old is not None and (not update_predictions or version in old.model_versions)
            ):
                report.unchanged += 1
                continue
            seen[doc.id] = digest
            yield doc

    source: Iterable[Document | InputError] = (
        iter_input_documents(paths) if documents is None else documents
    )
    todo = wanted(source)
    if documents is None:
        todo = extract_documents(todo, nlp if nlp is not None else load_pipeline(model))
    bar = tqdm(desc="push", unit="doc", disable=not progress, file=sys.stderr)
    with bar, api_errors(conn.url):
        for batch in _batches(todo, batch_size):
            new = [doc for doc in batch if doc.id not in known]
            if new:
                tasks: Any = [task_for(doc, version) for doc in new]
                conn.client.projects.import_tasks(
                    id=report.project_id, request=tasks, commit_to_project=True
                )
                report.imported += len(new)
            old_docs = [doc for doc in batch if doc.id in known]
            if old_docs:
                predictions: Any = [
                    {"task": known[doc.id].task_id, **prediction_for(doc, version)}
                    for doc in old_docs
                ]
                conn.client.projects.import_predictions(id=report.project_id, request=predictions)
                report.updated += len(old_docs)
            bar.update(len(batch))
        if report.imported or report.updated:
            # the project's model version picks the predictions annotators see first
            conn.client.projects.update(id=report.project_id, model_version=version)
    return report


def export_tasks(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    """All tasks of a project with full annotation bodies, through a snapshot export."""
    import time

    with api_errors(conn.url):
        export = conn.client.projects.exports.create(id=project_id, title="quotes pull")
        export_id = int(export.id)  # type: ignore[arg-type]
        try:
            status = export.status
            deadline = time.monotonic() + 600
            while status not in ("completed", "failed") and time.monotonic() < deadline:
                time.sleep(0.5)
                status = conn.client.projects.exports.get(id=project_id, export_pk=export_id).status
            if status != "completed":
                raise LabelStudioError(
                    f"the snapshot export of project {project_id} did not complete ({status});"
                    " see the server log and retry"
                )
            raw = b"".join(
                conn.client.projects.exports.download(
                    id=project_id, export_pk=export_id, export_type="JSON"
                )
            )
        finally:
            with contextlib.suppress(Exception):
                conn.client.projects.exports.delete(id=project_id, export_pk=export_id)
    tasks = json.loads(raw)
    if not isinstance(tasks, list):
        raise LabelStudioError("the snapshot export is not a task list; retry the pull")
    return tasks


def resolve_annotator(conn: Connection, annotator: str | None) -> str | None:
    """The user id (as text) of ``annotator``, given as an id or an email."""
    if annotator is None or annotator.isdigit():
        return annotator
    with api_errors(conn.url):
        for user in conn.client.users.list():
            if annotator in (user.email, user.username):
                return str(user.id)
    raise LabelStudioError(f"no Label Studio user {annotator!r}; pass a user's email or id")


def pull(
    project: str,
    output: str | Path,
    *,
    url: str | None = None,
    api_key: str | None = None,
    annotator: str | None = None,
    allow_empty: bool = False,
) -> PullResult:
    """Write the project's submitted annotations to ``output`` as gold JSONL (atomically).

    Each task's latest submitted, non-cancelled annotation (of ``annotator`` when
    given) becomes one document; malformed ones are skipped and listed in the result.
    With no valid annotation, an existing ``output`` is left as it was (a
    :class:`LabelStudioError` says so) unless ``allow_empty``.
    """
    conn = connect(url, api_key)
    found = find_project(conn, project)
    if found is None:
        raise LabelStudioError(
            f"no project {project!r} on {conn.url}; check --project or create it with quotes push"
        )
    who = resolve_annotator(conn, annotator)
    result = tasks_to_documents(export_tasks(conn, int(found.id)), who)
    if not result.documents and not allow_empty:
        for skipped in result.skipped:
            print(f"quotes: skipped {skipped}", file=sys.stderr)
        raise LabelStudioError(
            f"project {project!r} has no valid annotation to write ({result.tasks} task(s),"
            f" {result.annotated} annotated, {len(result.skipped)} skipped); {output} left as"
            " it was (pass --allow-empty to write an empty file)"
        )
    with atomic_writer(output, allow_empty=allow_empty) as handle:
        for doc in result.documents:
            handle.write(dump_json_line(doc.to_dict()) + "\n")
    return result
