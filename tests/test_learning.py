"""Learning from Label Studio's annotation events (quotes/labelstudio/learning.py),
without a server: the events are built with the project's own converters, as
Label Studio sends them (tests/labelstudio/test_learning_live.py sends them for real)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("label_studio_sdk")

from quotes.labelstudio.config import DOC_ID_KEY, TEXT_KEY
from quotes.labelstudio.convert import quotes_to_result
from quotes.labelstudio.learning import Learner
from quotes.model import QuoteModel
from quotes.types import Document

from .training_docs import documents


def event(record: dict[str, Any], task_id: int, action: str = "ANNOTATION_CREATED") -> dict:
    """The webhook payload of one submitted annotation of ``record``."""
    doc = Document.from_dict(record)
    return {
        "action": action,
        "task": {"id": task_id, "data": {TEXT_KEY: doc.text, DOC_ID_KEY: doc.id}},
        "annotation": {
            "id": 100 + task_id,
            "result": quotes_to_result(doc.quotes, scores=False),
            "was_cancelled": False,
        },
        "project": {"id": 1},
    }


class Swaps:
    """What the learner handed over, and when."""

    def __init__(self) -> None:
        self.models: list[tuple[Path, str]] = []
        self.done = threading.Event()

    def __call__(self, path: Path, version: str) -> None:
        self.models.append((path, version))
        self.done.set()


def wait_idle(learner: Learner, timeout: float = 300.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = learner.status()
        if not status["training"] and status["trainings"]:
            return status
        time.sleep(0.5)
    raise AssertionError(f"no training ended in {timeout} s: {learner.status()}")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"action": "PROJECT_UPDATED"}, None),
        ({"action": "ANNOTATION_CREATED"}, "an event without an annotation and its task"),
        (
            {
                "action": "ANNOTATION_CREATED",
                "task": {"id": 7, "data": {TEXT_KEY: "abc", DOC_ID_KEY: "d"}},
                "annotation": {"id": 1, "result": [], "was_cancelled": True},
            },
            "was skipped",
        ),
        (
            {
                "action": "ANNOTATION_UPDATED",
                "task": {"id": 7, "data": {TEXT_KEY: "abc", DOC_ID_KEY: "d"}},
                "annotation": {"id": 1, "result": "not a list"},
            },
            "annotation has no result list",
        ),
    ],
)
def test_events_that_carry_no_correction(tmp_path: Path, payload: dict, reason: str | None) -> None:
    swaps = Swaps()
    learner = Learner(tmp_path, every=1, base_dir=None, on_model=swaps)
    answer = learner.observe(payload)
    assert answer["learn"] in ("ignored", "skipped") and not answer.get("training")
    status = learner.status()
    assert status["corrections"] == 0 and not swaps.models
    if reason is not None:
        assert any(reason in line for line in status["skipped"])


def test_corrections_fine_tune_and_hand_over_a_new_model(tmp_path: Path) -> None:
    """After ``every`` new annotations a training starts (one at a time) and the
    fine-tuned model is handed over; the corrections stay on disk for a restart."""
    swaps = Swaps()
    learner = Learner(tmp_path, every=3, base_dir=None, on_model=swaps)
    records = documents(4, seed=11)
    answers = [learner.observe(event(r, k)) for k, r in enumerate(records[:3])]
    assert [a["training"] for a in answers] == [False, False, True]
    # an update of a task already kept replaces its gold
    learner.observe(event(records[0], 0, action="ANNOTATION_UPDATED"))
    status = wait_idle(learner)
    assert status["last_error"] is None, status
    ((path, version),) = swaps.models
    assert "+ft-" in version and status["last_version"] == version
    assert QuoteModel.from_disk(path).version == version
    assert status["corrections"] == 3
    lines = (tmp_path / "corrections.jsonl").read_text().splitlines()
    assert len(lines) == 3
    assert Learner(tmp_path, every=3, base_dir=None, on_model=swaps).status()["corrections"] == 3


def test_a_failed_training_keeps_the_old_model_and_says_why(tmp_path: Path) -> None:
    swaps = Swaps()
    not_a_model = tmp_path / "not-a-model"
    not_a_model.mkdir()
    learner = Learner(tmp_path / "store", every=1, base_dir=not_a_model, on_model=swaps)
    assert learner.observe(event(documents(1, seed=12)[0], 1))["training"]
    status = wait_idle(learner)
    assert not swaps.models
    assert "training failed" in status["last_error"] and status["last_version"] is None
    assert "not a quotes model directory" in (tmp_path / "store" / "training.log").read_text()


def test_kept_corrections_load_whatever_their_text_holds(tmp_path: Path) -> None:
    """A text with a line or paragraph separator (U+2028, U+2029, U+0085) is one
    JSONL line as written; a restart reads it back whole."""
    from quotes.io import write_documents

    kept = [
        Document("a", "The mayor said\u2028the bridge would reopen."),
        Document("b", "Officials said\u2029the road\u0085was closed."),
        Document("c", "Nobody said anything."),
    ]
    write_documents(tmp_path / "corrections.jsonl", kept)
    learner = Learner(tmp_path, every=100, base_dir=None, on_model=Swaps())
    assert learner.status()["corrections"] == 3


def test_a_damaged_corrections_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "corrections.jsonl").write_text('{"id": "a", "text": "x"}\n{not json\n')
    with pytest.raises(ValueError, match=r"corrections\.jsonl.*line 2|corrections\.jsonl:2"):
        Learner(tmp_path, every=100, base_dir=None, on_model=Swaps())
