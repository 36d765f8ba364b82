"""Push documents with pre-annotations to doccano 1.8 and pull confirmed examples back as gold.

A thin layer over doccano's REST API (``httpx``; the conversions are in
:mod:`.convert`). doccano runs from a virtual environment of its own (it pins
Django 4 and pandas 1): this module only speaks HTTP to it. Its imports and
exports run in doccano's task queue, so the server needs ``doccano task``
running beside ``doccano webserver``, as its own upload page does.

- push creates the project if absent: sequence labeling with relations,
  overlapping spans allowed (doccano's import silently drops overlapping
  spans otherwise), shared annotations (otherwise annotators never see labels
  imported by another user), offsets in code units, not graphemes; then the
  five labels and two relation types; then imports ``batch_size`` documents a
  request (an upload and an import task each). A document already there
  (same ``doc_id`` and text hash in the example's meta) is not imported again.
- pull exports the project (JSONL, confirmed examples only unless
  ``all_examples``) and converts each record; a malformed one is skipped
  with its example id and reason.

Every failure the user can fix is a :class:`DoccanoError` with a one-line
message naming the fix; the token and password never appear in a message.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..annotation import ALL_LABELS, CUE_LABEL, LINK_LABELS, SPEAKER_LABEL, AnnotationError
from ..formats import write_groups
from ..io import dump_json_line
from ..pushing import PushFeed, batches, push_extractor
from ..types import Document
from .convert import (
    DOC_ID_KEY,
    TEXT_HASH_KEY,
    document_to_record,
    record_to_document,
    text_hash,
)

if TYPE_CHECKING:
    import httpx
    from spacy.language import Language

DEFAULT_URL = "http://127.0.0.1:8000"
URL_ENV = "DOCCANO_URL"
KEY_ENV = "DOCCANO_API_KEY"
USERNAME_ENV = "DOCCANO_USERNAME"
PASSWORD_ENV = "DOCCANO_PASSWORD"
#: Documents per upload (one file, one import task).
BATCH_SIZE = 100
#: Seconds to wait for one import or export task of doccano's queue.
TASK_TIMEOUT = 600.0
#: Largest export archive read (bytes).
MAX_EXPORT_BYTES = 2 * 2**30
MODEL_VERSION_KEY = "model_version"

PROJECT_SETTINGS = {
    "project_type": "SequenceLabeling",
    "resourcetype": "SequenceLabelingProject",
    "use_relation": True,
    "allow_overlapping": True,
    "collaborative_annotation": True,
    "grapheme_mode": False,
}
#: Colours of the Label Studio config, so both tools look alike.
LABEL_COLOURS = {
    "DirectQuote": "#1f6feb",
    "IndirectQuote": "#2da44e",
    "MixedQuote": "#8250df",
    SPEAKER_LABEL: "#d97706",
    CUE_LABEL: "#cf222e",
    "said_by": "#d97706",
    "cue_of": "#cf222e",
}


class DoccanoError(RuntimeError):
    """A failure the user can fix; the message is one line and names the fix."""


@dataclass
class Connection:
    """An authenticated HTTP client and the URL it talks to."""

    client: httpx.Client
    url: str

    def close(self) -> None:
        self.client.close()


def _http_errors(url: str) -> contextlib.AbstractContextManager[None]:
    @contextlib.contextmanager
    def guard() -> Iterator[None]:
        import httpx

        try:
            yield
        except (httpx.ConnectError, httpx.ConnectTimeout) as err:
            raise DoccanoError(
                f"cannot reach doccano at {url}; start it (`doccano webserver` and `doccano task`)"
                f" or fix --url / {URL_ENV}"
            ) from err
        except httpx.HTTPStatusError as err:
            status = err.response.status_code
            if status in (401, 403):
                raise DoccanoError(
                    f"doccano at {url} refused the credentials ({status}); set {KEY_ENV}, or"
                    f" {USERNAME_ENV} and {PASSWORD_ENV} of a project admin"
                ) from err
            body = err.response.text[:200].replace("\n", " ")
            raise DoccanoError(
                f"doccano at {url} answered HTTP {status} to {err.request.method}"
                f" {err.request.url.path}: {body}"
            ) from err
        except httpx.HTTPError as err:
            raise DoccanoError(f"doccano at {url} failed: {type(err).__name__}") from err

    return guard()


def connect(
    url: str | None = None,
    api_key: str | None = None,
    username: str | None = None,
    password: str | None = None,
) -> Connection:
    """A client for the server, checked with one authenticated request.

    The token comes from ``api_key`` or ``$DOCCANO_API_KEY``; without one, the
    user logs in with ``username``/``password`` (default ``$DOCCANO_USERNAME``,
    ``$DOCCANO_PASSWORD``).
    """
    import httpx

    found = (url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")
    key = api_key or os.environ.get(KEY_ENV)
    with _http_errors(found):
        if not key:
            user = username or os.environ.get(USERNAME_ENV)
            secret = password or os.environ.get(PASSWORD_ENV)
            if not user or not secret:
                raise DoccanoError(
                    f"no doccano credentials; set {KEY_ENV}, or {USERNAME_ENV} and {PASSWORD_ENV}"
                )
            # a separate request: the login's session cookie would make doccano ask for CSRF
            answer = httpx.post(
                f"{found}/v1/auth/login/", json={"username": user, "password": secret}, timeout=60
            )
            if answer.status_code == 400:
                raise DoccanoError(
                    f"doccano at {found} refused the login of {user!r}; check {USERNAME_ENV}"
                    f" and {PASSWORD_ENV}"
                )
            answer.raise_for_status()
            key = str(answer.json()["key"])
        client = httpx.Client(
            base_url=found, headers={"Authorization": f"Token {key}"}, timeout=120
        )
        client.get("/v1/me").raise_for_status()
    return Connection(client, found)


def _get(conn: Connection, path: str, **params: Any) -> Any:
    with _http_errors(conn.url):
        answer = conn.client.get(path, params=params or None)
        answer.raise_for_status()
        return answer.json()


def _post(conn: Connection, path: str, body: Any) -> Any:
    with _http_errors(conn.url):
        answer = conn.client.post(path, json=body)
        answer.raise_for_status()
        return answer.json()


def _pages(conn: Connection, path: str, page_size: int = 500) -> Iterator[dict[str, Any]]:
    """Every item of a limit/offset paginated list."""
    offset = 0
    while True:
        page = _get(conn, path, limit=page_size, offset=offset)
        items = page.get("results", []) if isinstance(page, dict) else page
        yield from items
        if not isinstance(page, dict) or not page.get("next") or not items:
            return
        offset += len(items)


# --- projects -----------------------------------------------------------------


def find_project(conn: Connection, name: str) -> dict[str, Any] | None:
    """The project named ``name``: by exact name, or by numeric id; None when absent.

    Several projects with that name are an error listing their ids.
    """
    projects = list(_pages(conn, "/v1/projects"))
    if name.isdigit():
        by_id = [p for p in projects if str(p.get("id")) == name]
        if by_id:
            return by_id[0]
    found = [p for p in projects if p.get("name") == name]
    if len(found) > 1:
        ids = ", ".join(str(p.get("id")) for p in found)
        raise DoccanoError(
            f"{len(found)} doccano projects are named {name!r} (ids {ids}); pass an id"
        )
    return found[0] if found else None


def project_problems(project: dict[str, Any]) -> list[str]:
    """Why an existing project cannot hold our annotations (empty when it can)."""
    problems = []
    if project.get("project_type") != "SequenceLabeling":
        problems.append(f"it is a {project.get('project_type')} project, not SequenceLabeling")
    if not project.get("use_relation"):
        problems.append("relation labeling is off")
    if project.get("grapheme_mode"):
        problems.append("grapheme mode is on (offsets would count graphemes)")
    return problems


def ensure_project(conn: Connection, name: str) -> dict[str, Any]:
    """Project ``name`` with our labels: created when missing, else checked."""
    project = find_project(conn, name)
    if project is None:
        body = {"name": name, "description": "Quotes, speakers and cues", "guideline": ""}
        project = _post(conn, "/v1/projects", {**body, **PROJECT_SETTINGS})
    problems = project_problems(project)
    if problems:
        raise DoccanoError(
            f"doccano project {name!r} cannot hold quotes ({'; '.join(problems)}); use another"
            " --project and let push create it"
        )
    pid = project["id"]
    for kind, wanted in (("span-types", ALL_LABELS), ("relation-types", LINK_LABELS)):
        have = {t.get("text") for t in _get(conn, f"/v1/projects/{pid}/{kind}")}
        for label in wanted:
            if label not in have:
                colour = LABEL_COLOURS.get(label, "#888888")
                body = {"text": label, "background_color": colour, "text_color": "#ffffff"}
                _post(conn, f"/v1/projects/{pid}/{kind}", body)
    return project


@dataclass(frozen=True)
class ExistingExample:
    """An example already in the project: its id and text hash."""

    example_id: int
    text_hash: str


def existing_examples(conn: Connection, project_id: int) -> dict[str, ExistingExample]:
    """The project's examples by document id (examples without our meta are left out)."""
    found: dict[str, ExistingExample] = {}
    for example in _pages(conn, f"/v1/projects/{project_id}/examples"):
        meta = example.get("meta") or {}
        if isinstance(meta, dict) and DOC_ID_KEY in meta:
            digest = str(meta.get(TEXT_HASH_KEY) or text_hash(example.get("text") or ""))
            found[str(meta[DOC_ID_KEY])] = ExistingExample(int(example["id"]), digest)
    return found


def wait_for_task(conn: Connection, task_id: str, timeout: float = TASK_TIMEOUT) -> Any:
    """The result of a task of doccano's queue; raises :class:`DoccanoError` if it fails."""
    deadline = time.monotonic() + timeout
    delay = 0.1
    while time.monotonic() < deadline:
        status = _get(conn, f"/v1/tasks/status/{task_id}")
        if status.get("ready"):
            if status.get("error"):
                text = str(status["error"].get("text", status["error"]))[:200]
                raise DoccanoError(f"doccano's task {task_id} failed: {text}")
            return status.get("result")
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)
    raise DoccanoError(
        f"doccano's task {task_id} did not finish in {timeout:.0f} s; is `doccano task` running?"
    )


# --- push -----------------------------------------------------------------------


@dataclass
class PushReport:
    """What a push did."""

    project_id: int = 0
    read: int = 0
    imported: int = 0
    unchanged: int = 0
    requests: int = 0
    conflicts: list[str] = field(default_factory=list)
    input_errors: list[str] = field(default_factory=list)
    import_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line of counts."""
        return (
            f"{self.read} document(s) read: {self.imported} imported, {self.unchanged} already"
            f" there, {len(self.conflicts)} conflicting, {len(self.input_errors)} unreadable,"
            f" {len(self.failed)} the rules failed on, {len(self.import_errors)} refused by doccano"
        )


def import_batch(
    conn: Connection, project_id: int, documents: list[Document], model_version: str
) -> list[str]:
    """Upload one JSONL file of ``documents`` and import it; doccano's complaints, if any."""
    lines = []
    for doc in documents:
        record = document_to_record(doc)
        record[MODEL_VERSION_KEY] = model_version
        lines.append(dump_json_line(record) + "\n")
    data = "".join(lines).encode("utf-8")
    with _http_errors(conn.url):
        answer = conn.client.post(
            "/v1/fp/process/",
            files={"filepond": ("quotes.jsonl", data, "application/octet-stream")},
        )
        answer.raise_for_status()
        upload_id = answer.text.strip()
    body = {
        "uploadIds": [upload_id],
        "format": "JSONL",
        "task": "RelationExtraction",
        "column_data": "text",
        "encoding": "utf_8",
    }
    task = _post(conn, f"/v1/projects/{project_id}/upload", body)
    result = wait_for_task(conn, str(task["task_id"]))
    errors = result.get("error", []) if isinstance(result, dict) else []
    return [
        f"line {e.get('line')}: {e.get('message')}" if isinstance(e, dict) else str(e)
        for e in errors
    ]


def push(
    paths: Iterable[str | Path],
    project: str,
    *,
    url: str | None = None,
    api_key: str | None = None,
    username: str | None = None,
    password: str | None = None,
    model: str | None = None,
    model_dir: str | Path | None = None,
    rules_only: bool = False,
    model_version: str | None = None,
    batch_size: int = BATCH_SIZE,
    progress: bool = True,
    nlp: Language | None = None,
    documents: Iterable[Document] | None = None,
) -> PushReport:
    """Extract quotes from ``paths`` (or take ``documents`` as given) and import them as examples.

    Creates project ``project`` when missing. A document already there with the
    same text is not imported again; the same id with another text is a
    conflict, reported and left alone. Imports go ``batch_size`` documents a
    request. Extraction is :func:`quotes.pipeline.extract_documents`, as for
    Label Studio.
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
    conn = connect(url, api_key, username, password)
    try:
        found = ensure_project(conn, project)
        report = PushReport(project_id=int(found["id"]))
        if not found.get("collaborative_annotation"):
            # labels belong to their author: annotators would start from an empty page
            message = (
                f"project {project!r} does not share annotations among its members: annotators"
                " will not see the pre-annotations; turn on 'Share annotations across all users'"
                " in its settings"
            )
            report.warnings.append(message)
            tqdm.write(f"quotes: warning: {message}", file=sys.stderr)
        known = existing_examples(conn, report.project_id)
        feed = PushFeed(
            report,
            known={doc_id: example.text_hash for doc_id, example in known.items()},
            # doccano keeps no separate predictions: an example there is never sent again
            up_to_date=lambda doc_id: True,
            paths=paths,
            documents=documents,
            pipeline=pipeline,
        )

        bar = tqdm(desc="push", unit="doc", disable=not progress, file=sys.stderr)
        with bar:
            for batch in batches(feed, batch_size):
                feed.report_failures()
                problems = import_batch(conn, report.project_id, batch, version)
                report.requests += 1
                report.import_errors.extend(problems)
                for problem in problems:
                    tqdm.write(f"quotes: doccano refused a record: {problem}", file=sys.stderr)
                report.imported += len(batch) - len(problems)
                bar.update(len(batch))
            feed.report_failures()
    finally:
        conn.close()
    return report


# --- pull -----------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """An example that pull could not turn into a gold document, and why."""

    example_id: Any
    reason: str

    def __str__(self) -> str:
        return f"example {self.example_id}: {self.reason}"


@dataclass
class PullResult:
    """What a pull found: gold documents per annotator (None: shared annotations)."""

    documents: dict[str | None, list[Document]] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    examples: int = 0

    @property
    def written(self) -> int:
        return sum(len(docs) for docs in self.documents.values())


def export_records(
    conn: Connection, project_id: int, *, confirmed_only: bool = True
) -> dict[str | None, list[dict[str, Any]]]:
    """The project's examples as doccano exports them (JSONL), by annotator.

    A shared project gives one file (annotator None); a project without shared
    annotations gives one file per member, named after the user.
    """
    task = _post(
        conn,
        f"/v1/projects/{project_id}/download",
        {"format": "JSONL", "exportApproved": confirmed_only},
    )
    task_id = str(task["task_id"])
    wait_for_task(conn, task_id)
    with _http_errors(conn.url):
        chunks = []
        size = 0
        with conn.client.stream(
            "GET", f"/v1/projects/{project_id}/download", params={"taskId": task_id}
        ) as answer:
            answer.raise_for_status()
            for chunk in answer.iter_bytes():
                size += len(chunk)
                if size > MAX_EXPORT_BYTES:
                    raise DoccanoError(
                        f"the export of project {project_id} is over {MAX_EXPORT_BYTES} bytes;"
                        " split the project"
                    )
                chunks.append(chunk)
    try:
        archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    except zipfile.BadZipFile as err:
        raise DoccanoError(f"the export of project {project_id} is not a zip file; retry") from err
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_EXPORT_BYTES:
        raise DoccanoError(
            f"the export of project {project_id} unpacks to {unpacked} bytes, over the"
            f" {MAX_EXPORT_BYTES}-byte limit; split the project"
        )
    out: dict[str | None, list[dict[str, Any]]] = {}
    for name in archive.namelist():
        if not name.endswith(".jsonl"):
            continue
        stem = Path(name).stem
        annotator = None if stem == "all" else stem
        records = out.setdefault(annotator, [])
        with archive.open(name) as handle:
            for raw in io.TextIOWrapper(handle, encoding="utf-8"):
                if raw.strip():
                    records.append(json.loads(raw))
    return out


def records_to_documents(
    groups: dict[str | None, list[dict[str, Any]]],
) -> PullResult:
    """Gold documents from exported records; malformed ones are skipped with their reason."""
    result = PullResult()
    for annotator, records in groups.items():
        if annotator is not None and not records:
            continue  # a member who marked nothing done
        docs: list[Document] = []
        seen: dict[str, Any] = {}
        for record in records:
            result.examples += 1
            example_id = record.get("id")
            try:
                doc, dropped = record_to_document(record)
            except AnnotationError as err:
                result.skipped.append(Skipped(example_id, str(err)))
                continue
            if doc.id in seen:
                reason = f"document {doc.id} is also example {seen[doc.id]}"
                result.skipped.append(Skipped(example_id, reason))
                continue
            seen[doc.id] = example_id
            result.dropped.extend(f"example {example_id}: {d}" for d in dropped)
            docs.append(doc)
        result.documents[annotator] = docs
    return result


def pull(
    project: str,
    output: str | Path,
    *,
    url: str | None = None,
    api_key: str | None = None,
    username: str | None = None,
    password: str | None = None,
    all_examples: bool = False,
) -> PullResult:
    """Write the project's confirmed examples to ``output`` as gold JSONL (atomically).

    ``all_examples`` takes every example, confirmed or not (pre-annotations
    nobody reviewed are not gold: use it to inspect a project).
    """
    conn = connect(url, api_key, username, password)
    try:
        found = find_project(conn, project)
        if found is None:
            raise DoccanoError(
                f"no doccano project {project!r} on {conn.url}; check --project or create it"
                " with quotes push --tool doccano"
            )
        problems = project_problems(found)
        if problems:
            raise DoccanoError(f"doccano project {project!r} cannot hold quotes ({problems[0]})")
        groups = export_records(conn, int(found["id"]), confirmed_only=not all_examples)
    finally:
        conn.close()
    result = records_to_documents(groups)
    if not result.documents:
        result.documents[None] = []
    write_groups(result.documents, output)
    return result
