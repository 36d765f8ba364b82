"""A Label Studio ML backend: live pre-annotation as annotators open tasks.

Speaks the protocol of Label Studio's ``ml`` app (see its ``api_connector``):
``GET /health``, ``POST /setup`` (returns the model version), ``POST /predict``
(``{"tasks": [...]}`` in, ``{"results": [one prediction per task]}`` out),
``POST /webhook`` (events; nothing to train, acknowledged) plus ``GET
/versions`` and ``POST /validate``. The spaCy pipeline loads once at startup.
Request bodies are never logged: ``/setup`` carries the project owner's token.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Body, FastAPI, HTTPException

from ..types import Document
from .config import TEXT_KEY, config_problems
from .convert import prediction_for

if TYPE_CHECKING:
    from spacy.language import Language

# FastAPI reads the route annotations at run time: ``Body`` must be a module name
JsonBody = Annotated[dict[str, Any], Body()]

MODEL_CLASS = "quotes"
logger = logging.getLogger("quotes.serve")


def predict_tasks(
    tasks: Sequence[Mapping[str, Any]], nlp: Language, model_version: str
) -> list[dict[str, Any]]:
    """One prediction per task, in order; a task that cannot be processed gets an error object.

    The error object (``{"model_version", "task", "error"}``) has no ``result``,
    so Label Studio stores no prediction for that task (it logs the answer)
    instead of an empty one that would look like "no quotes"; each is also
    logged here with the task id and the reason.
    """
    from ..io import InputError
    from ..pipeline import extract_documents

    errors: dict[int, str] = {}
    docs = []
    for i, task in enumerate(tasks):
        data = task.get("data") if isinstance(task, Mapping) else None
        text = data.get(TEXT_KEY) if isinstance(data, Mapping) else None
        if isinstance(text, str):
            docs.append(Document(id=str(i), text=text))
        else:
            errors[i] = f'task data has no string "{TEXT_KEY}"; import tasks with a text field'
    failures: list[InputError] = []
    found = {int(doc.id): doc for doc in extract_documents(docs, nlp, errors=failures)}
    for failure in failures:
        errors[int(failure.source)] = failure.message
    out = []
    for i, task in enumerate(tasks):
        if i in found:
            out.append(prediction_for(found[i], model_version))
            continue
        task_id = task.get("id") if isinstance(task, Mapping) else None
        reason = errors.get(i, "not processed")
        logger.warning("predict: task %s: %s; no prediction", task_id, reason)
        out.append({"model_version": model_version, "task": task_id, "error": reason})
    return out


def create_app(nlp: Language, model_version: str) -> FastAPI:
    """The backend's FastAPI app over an already loaded pipeline."""
    app = FastAPI(title="quotes ML backend", version=model_version)
    # spaCy pipelines are not documented as thread-safe; FastAPI runs sync routes in threads
    lock = threading.Lock()

    @app.get("/health")
    @app.get("/")
    def health() -> dict[str, Any]:
        return {"status": "UP", "model_class": MODEL_CLASS, "model_version": model_version}

    @app.post("/setup")
    def setup(payload: JsonBody) -> dict[str, Any]:
        problems = config_problems(str(payload.get("schema") or ""))
        if problems:
            raise HTTPException(400, f"incompatible labeling config: {problems[0]}")
        return {"model_version": model_version}

    @app.post("/validate")
    def validate(payload: JsonBody) -> dict[str, Any]:
        problems = config_problems(str(payload.get("config") or ""))
        if problems:
            raise HTTPException(422, f"incompatible labeling config: {problems[0]}")
        return {"status": "ok"}

    @app.get("/versions")
    def versions() -> dict[str, Any]:
        return {"versions": [model_version]}

    @app.post("/predict")
    def predict(payload: JsonBody) -> dict[str, Any]:
        tasks = payload.get("tasks")
        if not isinstance(tasks, list):
            raise HTTPException(422, 'the request needs a "tasks" list')
        with lock:
            results = predict_tasks(tasks, nlp, model_version)
        return {"results": results, "model_version": model_version}

    @app.post("/webhook")
    def webhook(payload: JsonBody) -> dict[str, Any]:
        # rules do not learn from annotations: acknowledge every event
        return {"status": "ok", "action": payload.get("action"), "model_version": model_version}

    return app


def run_server(
    host: str = "127.0.0.1",
    port: int = 9090,
    model: str | None = None,
    model_version: str | None = None,
) -> None:
    """Load the pipeline once and serve the backend until interrupted."""
    import uvicorn

    from ..pipeline import load_pipeline
    from .client import default_model_version

    nlp = load_pipeline(model)
    version = model_version or default_model_version(model)
    uvicorn.run(create_app(nlp, version), host=host, port=port, log_level="info")
