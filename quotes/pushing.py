"""What every annotation tool's push shares: which documents to send, extracted, in batches.

Label Studio and doccano differ in how they import (tasks with predictions,
uploaded JSONL); they agree on what to send. A document already in the project
with the same text is not sent again, the same id with another text is a
conflict, and a document the extractor fails on is named and left out. This
module holds that agreement; it talks to no server.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from .annotation import text_hash
from .io import InputError, iter_input_documents
from .types import Document

if TYPE_CHECKING:
    from pathlib import Path

    from spacy.language import Language


class PushCounts(Protocol):
    """The counts a tool's push report keeps about the documents it read."""

    read: int
    unchanged: int
    conflicts: list[str]
    input_errors: list[str]
    failed: list[str]


def default_model_version(model: str | None) -> str:
    """``quotes-<version>+<spaCy pipeline>``: the model version of predictions pushed as given."""
    from . import __version__
    from .pipeline import resolve_model_name

    return f"quotes-{__version__}+{resolve_model_name(model)}"


def push_extractor(
    documents: Iterable[Document] | None,
    nlp: Language | None,
    *,
    model: str | None,
    model_dir: str | Path | None,
    rules_only: bool,
    model_version: str | None,
) -> tuple[Language | None, str]:
    """The pipeline a push extracts with (None: ``documents`` come extracted) and the
    model version its predictions carry (``model_version``, else the extractor's)."""
    from .pipeline import load_pipeline
    from .pipeline import model_version as extractor_version

    pipeline = None
    if documents is None:
        pipeline = nlp or load_pipeline(model, model_dir=model_dir, rules_only=rules_only)
    version = model_version or (
        extractor_version(pipeline) if pipeline is not None else default_model_version(model)
    )
    return pipeline, version


def batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last one shorter), lazily."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class PushFeed:
    """The documents a push sends, in input order, extracted when a pipeline is given.

    ``known`` maps the ids already in the project to their text hashes;
    ``up_to_date(doc_id)`` says whether a known document needs nothing new (for
    Label Studio: it has this model version's predictions). Everything read is
    counted in ``report``; a conflict or an unreadable input is written to
    stderr when it is met, a failed extraction by :meth:`report_failures`,
    which the caller runs after each batch so messages stay near the bar.
    """

    def __init__(
        self,
        report: PushCounts,
        *,
        known: Mapping[str, str],
        up_to_date: Callable[[str], bool],
        paths: Iterable[str | Path] = (),
        documents: Iterable[Document] | None = None,
        pipeline: Language | None = None,
    ) -> None:
        self.report = report
        self.known = known
        self.up_to_date = up_to_date
        self.source: Iterable[Document | InputError] = (
            iter_input_documents(paths) if documents is None else documents
        )
        self.pipeline = pipeline
        self.failures: list[InputError] = []
        self._seen: dict[str, str] = {}

    def __iter__(self) -> Iterator[Document]:
        from .pipeline import extract_documents

        todo = self._wanted()
        if self.pipeline is not None:
            return iter(extract_documents(todo, self.pipeline, errors=self.failures))
        return todo

    def _wanted(self) -> Iterator[Document]:
        """Readable documents that are new (or need new predictions), each id once."""
        from tqdm import tqdm

        report = self.report
        for doc in self.source:
            if isinstance(doc, InputError):
                report.input_errors.append(str(doc))
                tqdm.write(f"quotes: {doc}", file=sys.stderr)
                continue
            report.read += 1
            digest = text_hash(doc.text)
            old_hash = self.known.get(doc.id, self._seen.get(doc.id))
            if old_hash is not None and old_hash != digest:
                message = f"document {doc.id}: already in the project with another text; skipped"
                report.conflicts.append(message)
                tqdm.write(f"quotes: {message}", file=sys.stderr)
                continue
            if doc.id in self._seen or (doc.id in self.known and self.up_to_date(doc.id)):
                report.unchanged += 1
                continue
            self._seen[doc.id] = digest
            yield doc

    def report_failures(self) -> None:
        """Count and name the documents the extractor failed on since the last call."""
        from tqdm import tqdm

        while self.failures:
            failure = self.failures.pop(0)
            self.report.failed.append(f"{failure.source}: {failure.message}")
            tqdm.write(f"quotes: document {failure}; not imported", file=sys.stderr)
