"""Learning from corrections inside Label Studio: ``quotes serve``'s webhook side.

Label Studio sends an ML backend an event each time an annotation is created
or updated (it registers ``<backend>/webhook`` when the backend is connected
to a project). :class:`Learner` keeps the latest submitted annotation of each
task as a gold document and, after ``every`` new ones, fine-tunes the model it
started from on all the corrections so far, in a process of its own (the
predictions go on in the server meanwhile, and a crash stays in that
process). The new model is written under ``store/models/<version>`` and handed
to ``on_model``, which swaps it in; a failed training keeps the old model and
says why in the log and in :meth:`Learner.status`.

What is kept on disk, under ``store``: ``corrections.jsonl`` (the gold, one
document per task, rewritten atomically), ``models/`` and ``training.log``.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..annotation import AnnotationError
from ..io import InputError, iter_annotated_documents, write_documents
from ..types import Document
from .config import DOC_ID_KEY
from .convert import task_to_document

logger = logging.getLogger(__name__)

#: The events that carry an annotator's work.
LEARN_ACTIONS = frozenset({"ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_CREATED"})
#: Events that take work away.
FORGET_ACTIONS = frozenset({"ANNOTATIONS_DELETED", "TASKS_DELETED"})


def default_learn_dir() -> Path:
    """Where ``quotes serve`` keeps corrections and models by default:
    ``$XDG_DATA_HOME/quotes/serve`` (``~/.local/share/quotes/serve``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "quotes" / "serve"


@dataclass
class LearnerState:
    """What :meth:`Learner.status` reports."""

    corrections: int = 0  # tasks with a usable annotation
    new: int = 0  # annotations since the last training started
    training: bool = False
    trainings: int = 0
    last_version: str | None = None
    last_error: str | None = None
    last_seconds: float | None = None
    skipped: list[str] = field(default_factory=list)  # events that could not be read (latest 20)


def _train(corrections: str, base: str | None, output: str, log_path: str) -> None:
    """Fine-tune ``base`` (None: the shipped model) on ``corrections`` into ``output``.

    Runs in a process of its own; its lines go to ``log_path``.
    """
    from ..model.training import train_model

    with open(log_path, "a", encoding="utf-8") as log:

        def write(line: str) -> None:
            log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
            log.flush()

        try:
            result = train_model([corrections], output, base_dir=base, progress=False, log=write)
        except Exception as err:
            write(f"training failed: {type(err).__name__}: {err}")
            raise SystemExit(1) from err
        write(f"wrote model {result.version} to {output}")


class Learner:
    """Gold from Label Studio's annotation events, and fine-tuning after every ``every``."""

    def __init__(
        self,
        store: str | Path,
        *,
        every: int,
        base_dir: str | Path | None,
        on_model: Callable[[Path, str], None],
        timeout: float = 3600.0,
    ) -> None:
        if every < 1:
            raise ValueError("learning needs every >= 1 (0 turns it off: no Learner)")
        self.store = Path(store)
        self.store.mkdir(parents=True, exist_ok=True)
        self.every = every
        self.base_dir = None if base_dir is None else str(base_dir)
        self.on_model = on_model
        self.timeout = timeout
        self.state = LearnerState()
        self._documents: dict[str, Document] = self._load()
        self.state.corrections = len(self._documents)
        self._lock = threading.Lock()

    @property
    def corrections_path(self) -> Path:
        return self.store / "corrections.jsonl"

    @property
    def log_path(self) -> Path:
        return self.store / "training.log"

    def _load(self) -> dict[str, Document]:
        """The corrections kept by an earlier run of the server."""
        found: dict[str, Document] = {}
        if self.corrections_path.is_file():
            # the JSONL reader, not str.splitlines: a text may hold U+2028, which
            # dump_json_line writes as it is and splitlines would cut a line at
            for doc in iter_annotated_documents([self.corrections_path]):
                if isinstance(doc, InputError):
                    raise ValueError(f"{doc}; fix or move the file to start afresh")
                found[doc.id] = doc
        return found

    def status(self) -> dict[str, Any]:
        """The learner's state for ``/health``: corrections, training, last version or error."""
        with self._lock:
            state = self.state
            return {
                "every": self.every,
                "corrections": state.corrections,
                "new": state.new,
                "training": state.training,
                "trainings": state.trainings,
                "last_version": state.last_version,
                "last_error": state.last_error,
                "last_seconds": state.last_seconds,
                "skipped": list(state.skipped),
            }

    # --- events ---------------------------------------------------------------

    def observe(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Take one webhook event; returns what was done with it. Never raises."""
        action = payload.get("action")
        if action in FORGET_ACTIONS:
            return {"learn": "ignored", "reason": "deletions keep the corrections made so far"}
        if action not in LEARN_ACTIONS:
            return {"learn": "ignored"}
        annotations = payload.get("annotation")
        tasks = payload.get("task")
        # one annotation and its task, or (ANNOTATIONS_CREATED) lists of both
        pairs = (
            list(zip(annotations, tasks, strict=False))
            if isinstance(annotations, list) and isinstance(tasks, list)
            else [(annotations, tasks)]
        )
        taken = 0
        for annotation, task in pairs:
            reason = self._take(annotation, task)
            if reason is None:
                taken += 1
            else:
                with self._lock:
                    self.state.skipped = [*self.state.skipped, reason][-20:]
                logger.warning("learn: %s", reason)
        started = self._maybe_train() if taken else False
        return {"learn": "taken" if taken else "skipped", "taken": taken, "training": started}

    def _take(self, annotation: Any, task: Any) -> str | None:
        """Keep one annotation as its task's gold; the reason when it cannot be."""
        if not isinstance(annotation, Mapping) or not isinstance(task, Mapping):
            return "an event without an annotation and its task"
        if annotation.get("was_cancelled"):
            return f"task {task.get('id')}: annotation {annotation.get('id')} was skipped"
        data = task.get("data")
        if isinstance(data, Mapping) and DOC_ID_KEY not in data:
            # a task imported by hand: its Label Studio id stands for the document id
            task = {**task, "data": {**data, DOC_ID_KEY: f"task-{task.get('id')}"}}
        try:
            document, _ = task_to_document(task, annotation)
        except AnnotationError as err:
            return f"task {task.get('id')}: annotation {annotation.get('id')}: {err}"
        with self._lock:
            self._documents[document.id] = document
            self.state.corrections = len(self._documents)
            self.state.new += 1
        return None

    # --- training ---------------------------------------------------------------

    def _maybe_train(self) -> bool:
        """Start a training when enough new corrections came and none runs."""
        with self._lock:
            if self.state.training or self.state.new < self.every:
                return False
            self.state.training = True
            self.state.new = 0
            documents = list(self._documents.values())
        write_documents(self.corrections_path, documents)
        thread = threading.Thread(target=self._train, name="quotes-learn", daemon=True)
        thread.start()
        return True

    def _train(self) -> None:
        started = time.perf_counter()
        output = self.store / "models" / f"run-{int(time.time() * 1000)}"
        version: str | None = None
        error: str | None = None
        try:
            process = multiprocessing.get_context("spawn").Process(
                target=_train,
                args=(str(self.corrections_path), self.base_dir, str(output), str(self.log_path)),
                name="quotes-train",
                daemon=True,
            )
            process.start()
            process.join(self.timeout)
            if process.is_alive():
                process.kill()
                error = f"training took over {self.timeout:.0f} s and was stopped"
            elif process.exitcode != 0:
                error = f"training failed (exit {process.exitcode}); see {self.log_path}"
            else:
                settings = json.loads((output / "settings.json").read_text(encoding="utf-8"))
                version = str(settings["version"])
                self.on_model(output, version)
        except Exception as err:  # a failed training keeps the old model
            error = f"{type(err).__name__}: {err}"
        seconds = time.perf_counter() - started
        if error is not None:
            logger.error("learn: %s; the model in use stays", error)
        else:
            logger.info("learn: now serving %s (trained in %.0f s)", version, seconds)
        with self._lock:
            self.state.training = False
            self.state.trainings += 1
            self.state.last_seconds = round(seconds, 1)
            if error is None:
                self.state.last_version, self.state.last_error = version, None
            else:
                self.state.last_error = error
        self._maybe_train()  # corrections that came during this training
