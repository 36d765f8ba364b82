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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..io import annotator_file, write_documents
from ..pushing import PushFeed, batches, push_extractor
from ..types import Document
from .config import DOC_ID_KEY, TEXT_HASH_KEY, TEXT_KEY, config_problems, load_config
from .convert import (
    ANNOTATION_CHOICES,
    PullResult,
    prediction_for,
    task_for,
    tasks_to_documents,
    text_hash,
)

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
            f"cannot reach Label Studio at {url}; start it (`quotes studio start`) or fix --url"
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


@dataclass(frozen=True)
class ProjectRef:
    """A project found by ``--project``: its id and title."""

    id: int
    title: str

    def __str__(self) -> str:
        return f"project {self.title!r} (id {self.id})"


def find_project(conn: Connection, project: str) -> ProjectRef | None:
    """The project ``project`` names: a numeric id or an exact title; None when none does.

    Raises :class:`LabelStudioError` when the name is ambiguous: a title that
    several projects have, or a number that is one project's id and another's
    title. The error lists their ids.
    """
    matches: dict[int, ProjectRef] = {}
    with api_errors(conn.url):
        found: Any
        for found in conn.client.projects.list(title=project, page_size=100):
            if found.title == project:
                matches[int(found.id)] = ProjectRef(int(found.id), str(found.title))
        if project.isdigit() and int(project) not in matches:
            from label_studio_sdk.core.api_error import ApiError

            try:
                by_id = conn.client.projects.get(id=int(project))
            except ApiError as err:
                if err.status_code != 404:
                    raise
            else:
                matches[int(by_id.id)] = ProjectRef(int(by_id.id), str(by_id.title))  # type: ignore[arg-type]
    if len(matches) > 1:
        listed = ", ".join(
            f"{ref.id} ({ref.title!r})" for ref in sorted(matches.values(), key=lambda r: r.id)
        )
        raise LabelStudioError(
            f"--project {project!r} matches {len(matches)} projects on {conn.url}: ids {listed};"
            " pass the id of the one you mean"
        )
    return next(iter(matches.values()), None)


def ensure_project(conn: Connection, project: str, label_config: str) -> ProjectRef:
    """Project ``project`` (a title or an id): checked when found, else created with
    ``label_config`` under that title (a number that is no project's id is an error)."""
    found = find_project(conn, project)
    with api_errors(conn.url):
        if found is None:
            if project.isdigit():
                raise LabelStudioError(
                    f"no project with id {project} on {conn.url}; pass an existing id or a title"
                    " (a new project is created under a title)"
                )
            created = conn.client.projects.create(title=project, label_config=label_config)
            return ProjectRef(int(created.id), project)  # type: ignore[arg-type]
        config = conn.client.projects.get(id=found.id).label_config or ""
    problems = config_problems(config)
    if problems:
        raise LabelStudioError(
            f"{found} has an incompatible labeling config ({problems[0]}); paste"
            " labelstudio_config/quotes.xml into its Labeling Interface or use another --project"
        )
    return found


def require_project(conn: Connection, project: str) -> ProjectRef:
    """The existing project ``project`` names; :class:`LabelStudioError` when none does."""
    found = find_project(conn, project)
    if found is None:
        raise LabelStudioError(
            f"no project {project!r} on {conn.url}; check --project (a title or an id)"
            " or create it with quotes push"
        )
    return found


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
            digest = data.get(TEXT_HASH_KEY)
            if not digest and isinstance(data.get(TEXT_KEY), str):
                # a task imported by hand has our doc_id but no hash: hash its text
                digest = text_hash(data[TEXT_KEY])
            found[str(data[DOC_ID_KEY])] = ExistingTask(int(task.id), str(digest or ""), versions)
    return found


@dataclass
class PushReport:
    """What a push did."""

    project_id: int = 0
    project_title: str = ""
    read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    input_errors: list[str] = field(default_factory=list)
    #: documents the extractor could not process (id: reason): neither imported nor updated
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line of counts; the documents the extractor failed on are named."""
        line = (
            f"{self.read} document(s) read: {self.imported} imported, {self.updated} with new"
            f" predictions, {self.unchanged} already there, {len(self.conflicts)} conflicting,"
            f" {len(self.input_errors)} unreadable, {len(self.failed)} failed extraction"
        )
        if self.failed:
            names = ", ".join(f.split(":", 1)[0] for f in self.failed[:10])
            more = f" and {len(self.failed) - 10} more" if len(self.failed) > 10 else ""
            line += f" ({names}{more})"
        return line

    @property
    def ok(self) -> bool:
        """True when every input was read, extracted and imported (or already there)."""
        return not (self.input_errors or self.conflicts or self.failed)


def push(
    paths: Iterable[str | Path],
    project: str,
    *,
    url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    model_dir: str | Path | None = None,
    rules_only: bool = False,
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
    reported and left alone. Imports go ``batch_size`` tasks a request. The
    predictions carry ``model_version``, by default the extractor's
    (:func:`quotes.pipeline.model_version`: the trained model's, or ``rules``).
    """
    from tqdm import tqdm

    pipeline, version = push_extractor(
        documents,
        nlp,
        model=model,
        model_dir=model_dir,
        rules_only=rules_only,
        model_version=model_version,
    )
    if "," in version:  # Label Studio lists a task's model versions joined by commas
        raise LabelStudioError(f"model version {version!r} has a comma; choose one without")
    conn = connect(url, api_key)
    ref = ensure_project(conn, project, load_config())
    report = PushReport(project_id=ref.id, project_title=ref.title)
    known = existing_tasks(conn, report.project_id)
    feed = PushFeed(
        report,
        known={doc_id: task.text_hash for doc_id, task in known.items()},
        # a task is left alone unless asked for this version's predictions it lacks
        up_to_date=lambda doc_id: not update_predictions or version in known[doc_id].model_versions,
        paths=paths,
        documents=documents,
        pipeline=pipeline,
    )

    bar = tqdm(desc="push", unit="doc", disable=not progress, file=sys.stderr)
    with bar, api_errors(conn.url):
        for batch in batches(feed, batch_size):
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
            feed.report_failures()
            bar.update(len(batch))
        feed.report_failures()
        if report.imported or report.updated:
            # the project's model version picks the predictions annotators see first
            conn.client.projects.update(id=report.project_id, model_version=version)
    return report


#: The title of the snapshot export a pull makes (and deletes when it is done).
PULL_EXPORT_TITLE = "quotes pull"
#: How long a pull waits for its snapshot export, in seconds.
EXPORT_WAIT = 600
#: A pull's export older than this was left by a pull killed outright (SIGKILL):
#: a live pull downloads its export within :data:`EXPORT_WAIT` of making it.
STALE_EXPORT_AGE = timedelta(hours=1)


def delete_stale_exports(
    conn: Connection, project_id: int, *, older_than: timedelta | None = None
) -> int:
    """Delete the snapshot exports that killed pulls left in the project; how many.

    Only exports titled :data:`PULL_EXPORT_TITLE` and older than ``older_than``
    (default :data:`STALE_EXPORT_AGE`): a user's own exports, and a pull running
    now, are left alone.
    """
    age = STALE_EXPORT_AGE if older_than is None else older_than
    now = datetime.now(UTC)
    removed = 0
    for export in conn.client.projects.exports.list(id=project_id):
        made = export.created_at
        if export.title != PULL_EXPORT_TITLE or made is None or export.id is None:
            continue
        made = made if made.tzinfo is not None else made.replace(tzinfo=UTC)
        if now - made >= age:
            conn.client.projects.exports.delete(id=project_id, export_pk=int(export.id))
            removed += 1
    return removed


def export_tasks(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    """All tasks of a project with full annotation bodies, through a snapshot export."""
    import time

    with api_errors(conn.url):
        # best effort: a leftover we cannot list or delete must not stop the pull
        with contextlib.suppress(Exception):
            delete_stale_exports(conn, project_id)
        export = conn.client.projects.exports.create(id=project_id, title=PULL_EXPORT_TITLE)
        export_id = int(export.id)  # type: ignore[arg-type]
        try:
            status = export.status
            deadline = time.monotonic() + EXPORT_WAIT
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


def user_emails(conn: Connection) -> dict[str, str]:
    """Every user's email by user id (as text): how annotators are named."""
    with api_errors(conn.url):
        return {str(user.id): str(user.email) for user in conn.client.users.list() if user.email}


def fetch_annotations(
    project: str,
    *,
    url: str | None = None,
    api_key: str | None = None,
    annotator: str | None = None,
    annotations: str = "latest",
    strict: bool = False,
) -> tuple[ProjectRef, PullResult]:
    """The project's submitted annotations as gold documents (nothing written).

    ``annotations`` chooses among several annotators (see
    :func:`~.convert.tasks_to_documents`); ``strict`` rejects a task with a
    Speaker or Cue region that belongs to no quote instead of dropping the region.
    """
    if annotations not in ANNOTATION_CHOICES:
        raise LabelStudioError(
            f"unknown --annotations {annotations!r}; use one of {', '.join(ANNOTATION_CHOICES)}"
        )
    conn = connect(url, api_key)
    ref = require_project(conn, project)
    who = resolve_annotator(conn, annotator)
    emails = user_emails(conn)
    tasks = export_tasks(conn, ref.id)
    result = tasks_to_documents(tasks, who, annotations=annotations, strict=strict, emails=emails)
    return ref, result


def write_pull(
    result: PullResult,
    output: str | Path,
    annotations: str = "latest",
    *,
    allow_empty: bool = False,
) -> list[Path]:
    """Write a pull's gold: one JSONL file (``latest``, ``ground-truth``), or one file per
    annotator in the directory ``output`` (``all``). Each file is written atomically;
    nothing is written (and the old files stay) when there is no document, unless
    ``allow_empty`` (then an empty gold file is written)."""
    if annotations != "all":
        if not result.documents and not allow_empty:
            return []
        write_documents(output, result.documents)
        return [Path(output)]
    directory = Path(output)
    if directory.exists() and not directory.is_dir():
        raise LabelStudioError(
            f"{output} is a file; with --annotations all, -o names a directory"
            " (e.g. gold/annotators/)"
        )
    written = []
    for who, docs in result.by_annotator.items():
        target = annotator_file(directory, who)
        write_documents(target, docs)
        written.append(target)
    return written


def pull(
    project: str,
    output: str | Path,
    *,
    url: str | None = None,
    api_key: str | None = None,
    annotator: str | None = None,
    annotations: str = "latest",
    strict: bool = False,
    allow_empty: bool = False,
) -> PullResult:
    """Write the project's submitted annotations to ``output`` as gold JSONL (atomically).

    ``latest`` (default) and ``ground-truth`` write one file, ``all`` one file
    per annotator into the directory ``output`` (see :func:`write_pull`). Tasks
    that cannot be read are skipped and listed in the result; with no document
    at all, nothing is written unless ``allow_empty``. The result's ``written``
    names the files written.
    """
    _, result = fetch_annotations(
        project,
        url=url,
        api_key=api_key,
        annotator=annotator,
        annotations=annotations,
        strict=strict,
    )
    written = write_pull(result, output, annotations, allow_empty=allow_empty)
    return replace(result, written=tuple(written))
