"""A Label Studio ML backend: live pre-annotation as annotators open tasks.

Speaks the protocol of Label Studio's ``ml`` app (see its ``api_connector``):
``GET /health``, ``POST /setup`` (returns the model version), ``POST /predict``
(``{"tasks": [...]}`` in, ``{"results": [one prediction per task]}`` out),
``POST /webhook`` (annotation events: with a :class:`~quotes.labelstudio.learning.Learner`,
the corrections it fine-tunes on; otherwise acknowledged) plus ``GET
/versions`` and ``POST /validate``. Request bodies are never logged: ``/setup``
carries the project owner's token.

One request cannot stall the server (:class:`ServeSettings`):

* extraction runs off the event loop, in a bounded pool of worker threads,
  each with its own pipeline (spaCy pipelines are not documented as
  thread-safe); a request waits for a free worker, and beyond ``queue``
  waiting requests the answer is 503; ``/health`` never waits;
* a request body over ``max_request_bytes`` is refused with 413;
* each task is one document under ``limits``: a text over ``max_chars``, a
  task over its time budget, a malformed task, or one the rules fail on gets
  an error object in its place while the others get predictions;
* ``/docs``, ``/redoc`` and ``/openapi.json`` are off unless asked for;
* with a token, every route but ``/health`` wants ``Authorization: Bearer
  TOKEN`` or HTTP Basic with the token as password (what Label Studio's
  "Basic auth" connection settings send).

The pipelines sit behind :class:`ModelSlot`: a request takes the current
model once and keeps it, so a new model version can be swapped in while
requests run: the learner swaps in each model it fine-tunes on the
annotators' corrections (docs/labelstudio.md, "Learning from corrections").
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import ipaddress
import json
import logging
import queue
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from ..pieces import SERVE_MAX_CHARS, SERVE_MAX_REQUEST_BYTES, SERVE_TASK_SECONDS, Limits
from ..types import Document
from .config import SERVE_TOKEN_ENV, TEXT_KEY, config_problems
from .convert import prediction_for

if TYPE_CHECKING:
    from spacy.language import Language

    from .learning import Learner

MODEL_CLASS = "quotes"
logger = logging.getLogger("quotes.serve")


def predict_tasks(
    tasks: Sequence[Any], nlp: Language, model_version: str, limits: Limits | None = None
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
    found = {
        int(doc.id): doc for doc in extract_documents(docs, nlp, errors=failures, limits=limits)
    }
    for failure in failures:
        errors[int(failure.source)] = failure.message
    out = []
    for i, task in enumerate(tasks):
        if i in found:
            out.append(prediction_for(found[i], model_version))
            continue
        out.append(task_error(task, errors.get(i, "not processed"), model_version))
    return out


def task_error(task: Any, reason: str, model_version: str) -> dict[str, Any]:
    """The answer for a task that gets no prediction: no ``result`` key, so Label
    Studio stores nothing for it (and logs the answer)."""
    task_id = task.get("id") if isinstance(task, Mapping) else None
    logger.warning("predict: task %s: %s; no prediction", task_id, reason)
    return {"model_version": model_version, "task": task_id, "error": reason}


@dataclass(frozen=True)
class ServeSettings:
    """What ``quotes serve`` allows one request (see the module docstring)."""

    workers: int = 2
    queue: int = 8
    max_request_bytes: int = SERVE_MAX_REQUEST_BYTES
    limits: Limits = field(
        default_factory=lambda: Limits(max_chars=SERVE_MAX_CHARS, time_budget=SERVE_TASK_SECONDS)
    )
    docs: bool = False
    auth_token: str | None = None

    def __post_init__(self) -> None:
        if self.workers < 1 or self.queue < 0 or self.max_request_bytes < 1:
            raise ValueError(
                "workers and the request size must be positive, the queue not negative"
            )


class LoadedModel:
    """One model version: its pipelines (one per worker) and its version name."""

    def __init__(self, pipelines: Sequence[Language], version: str) -> None:
        if not pipelines:
            raise ValueError("a model needs at least one pipeline")
        self.version = version
        self._free: queue.Queue[Language] = queue.Queue()
        for nlp in pipelines:
            self._free.put(nlp)

    @contextmanager
    def pipeline(self) -> Iterator[Language]:
        """A pipeline no other worker is using, for the time of the block."""
        nlp = self._free.get()
        try:
            yield nlp
        finally:
            self._free.put(nlp)


class ModelSlot:
    """The model ``quotes serve`` predicts with, replaceable while requests run:
    each request takes :meth:`current` once and keeps it to the end."""

    def __init__(self, model: LoadedModel) -> None:
        self._model = model
        self._lock = threading.Lock()

    def current(self) -> LoadedModel:
        with self._lock:
            return self._model

    def replace(self, model: LoadedModel) -> LoadedModel:
        """Swap in ``model`` for the requests that start from now on; returns the old one."""
        with self._lock:
            old, self._model = self._model, model
        return old


class _BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes gets 413, whether it
    announces its length or streams it (then the app sees the client leave)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(self.limit, send)
            return
        received = 0
        started = refused = False

        async def counted() -> Any:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    refused = True
                    if not started:
                        await _too_large(self.limit, send)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Any) -> None:
            nonlocal started
            if refused:
                return  # the 413 is the answer
            started = started or message.get("type") == "http.response.start"
            await send(message)

        await self.app(scope, counted, watched)


async def _too_large(limit: int, send: Any) -> None:
    body = json.dumps({"detail": f"request body over {limit} bytes; send fewer or shorter tasks"})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


class _AsciiJSON(JSONResponse):
    """JSON with non-ASCII escaped: a text with a lone surrogate (valid JSON
    escapes, invalid UTF-8) cannot make the answer fail."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _authorized(header: str, token: str) -> bool:
    """``Bearer TOKEN``, or HTTP Basic with the token as password (any user name)."""
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return hmac.compare_digest(value.encode(), token.encode())
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(decoded.partition(":")[2].encode(), token.encode())
    return False


async def _json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or 400 naming what is wrong with it."""
    body = await request.body()
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise HTTPException(400, "the body is not JSON; send a JSON object") from None
    if not isinstance(payload, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return payload


def create_app(
    models: Language | ModelSlot,
    model_version: str | None = None,
    settings: ServeSettings | None = None,
    learner: Learner | None = None,
) -> FastAPI:
    """The backend's FastAPI app over already loaded pipelines: a :class:`ModelSlot`,
    or one pipeline (then one worker) and its ``model_version``."""
    settings = settings or ServeSettings()
    if not isinstance(models, ModelSlot):
        models = ModelSlot(LoadedModel([models], model_version or MODEL_CLASS))
    slot = models
    pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="quotes-predict")
    admitted = threading.BoundedSemaphore(settings.workers + settings.queue)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="quotes ML backend",
        version=slot.current().version,
        docs_url="/docs" if settings.docs else None,
        redoc_url="/redoc" if settings.docs else None,
        openapi_url="/openapi.json" if settings.docs else None,
        default_response_class=_AsciiJSON,
        lifespan=lifespan,
    )
    app.state.models = slot

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        token = settings.auth_token
        if (
            token
            and request.url.path not in ("/health", "/")
            and not _authorized(request.headers.get("authorization", ""), token)
        ):
            return _AsciiJSON(
                {"detail": "missing or wrong token; send Authorization: Bearer TOKEN"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer, Basic realm="quotes"'},
            )
        try:
            return await call_next(request)
        except ClientDisconnect:  # (or a body cut off at its size limit)
            return _AsciiJSON({"detail": "the request body did not arrive"}, status_code=400)
        except Exception:  # the server answers and stays up, whatever a request holds
            logger.exception("request to %s failed", request.url.path)
            return _AsciiJSON({"detail": "internal error; see the server log"}, status_code=500)

    @app.get("/health")
    @app.get("/")
    async def health() -> dict[str, Any]:
        version = slot.current().version
        answer: dict[str, Any] = {
            "status": "UP",
            "model_class": MODEL_CLASS,
            "model_version": version,
        }
        if learner is not None:
            answer["learning"] = learner.status()
        return answer

    @app.post("/setup")
    async def setup(request: Request) -> dict[str, Any]:
        payload = await _json_object(request)
        schema = payload.get("schema")
        problems = await asyncio.to_thread(
            config_problems, schema if isinstance(schema, str) else ""
        )
        if problems:
            raise HTTPException(400, f"incompatible labeling config: {problems[0]}")
        return {"model_version": slot.current().version}

    @app.post("/validate")
    async def validate(request: Request) -> dict[str, Any]:
        payload = await _json_object(request)
        config = payload.get("config")
        problems = await asyncio.to_thread(
            config_problems, config if isinstance(config, str) else ""
        )
        if problems:
            raise HTTPException(422, f"incompatible labeling config: {problems[0]}")
        return {"status": "ok"}

    @app.get("/versions")
    async def versions() -> dict[str, Any]:
        return {"versions": [slot.current().version]}

    @app.post("/predict")
    async def predict(request: Request) -> dict[str, Any]:
        payload = await _json_object(request)
        tasks = payload.get("tasks")
        if not isinstance(tasks, list):
            raise HTTPException(422, 'the request needs a "tasks" list')
        if not admitted.acquire(blocking=False):
            raise HTTPException(503, "busy: every worker and queue place is taken; retry later")
        try:
            model = slot.current()

            def run() -> list[dict[str, Any]]:
                with model.pipeline() as nlp:
                    return predict_tasks(tasks, nlp, model.version, settings.limits)

            results = await asyncio.get_running_loop().run_in_executor(pool, run)
        finally:
            admitted.release()
        return {"results": results, "model_version": model.version}

    @app.post("/webhook")
    async def webhook(request: Request) -> dict[str, Any]:
        payload = await _json_object(request)
        action = payload.get("action")
        answer = {
            "status": "ok",
            "action": action if isinstance(action, str) else None,
            "model_version": slot.current().version,
        }
        if learner is not None:
            # keeping a correction is quick; training runs in a process of its own
            answer.update(await asyncio.to_thread(learner.observe, payload))
        return answer

    app.add_middleware(_BodyLimit, limit=settings.max_request_bytes)  # outermost: first to run
    return app


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run_server(
    host: str = "127.0.0.1",
    port: int = 9090,
    model: str | None = None,
    model_version: str | None = None,
    settings: ServeSettings | None = None,
    model_dir: str | Path | None = None,
    rules_only: bool = False,
    learn_every: int = 0,
    learn_dir: str | Path | None = None,
) -> None:
    """Load one pipeline per worker and serve the backend until interrupted.

    With ``learn_every`` > 0 (and a model: not ``rules_only``), annotation
    events are kept in ``learn_dir`` and every ``learn_every`` new ones the
    model is fine-tuned on all of them and swapped in.
    """
    import sys

    import uvicorn

    from ..pipeline import load_pipeline

    settings = settings or ServeSettings()
    if not settings.auth_token and not is_loopback(host):
        print(
            f"quotes: warning: serving on {host} without a token: anyone who can reach port"
            f" {port} can use this backend; pass --auth-token or set {SERVE_TOKEN_ENV}",
            file=sys.stderr,
        )
    from ..pipeline import model_version as extractor_version

    def pipelines(directory: str | Path | None) -> list[Language]:
        return [
            load_pipeline(model, model_dir=directory, rules_only=rules_only)
            for _ in range(settings.workers)
        ]

    first = pipelines(model_dir)
    version = model_version or extractor_version(first[0])
    slot = ModelSlot(LoadedModel(first, version))
    learner = None
    if learn_every > 0 and not rules_only:
        from .learning import Learner, default_learn_dir

        def swap(path: Path, new_version: str) -> None:
            # the new model's pipelines are built before the slot changes hands
            built = pipelines(path)
            slot.replace(LoadedModel(built, extractor_version(built[0])))

        learner = Learner(
            learn_dir or default_learn_dir(),
            every=learn_every,
            base_dir=model_dir,
            on_model=swap,
        )
    app = create_app(slot, settings=settings, learner=learner)
    uvicorn.run(app, host=host, port=port, log_level="info")
