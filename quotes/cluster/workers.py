"""What runs in a worker process: its pipeline, loaded once per load options."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..pipeline import load_pipeline, model_version
from ..shards import options_key
from .connection import LoadOptions

if TYPE_CHECKING:
    from spacy.language import Language


# --- the pipeline on a worker ----------------------------------------------------

_PIPELINES: dict[str, tuple[Language, threading.Lock]] = {}
_PIPELINES_LOCK = threading.Lock()


def worker_pipeline(load_options: LoadOptions | None = None) -> tuple[Language, threading.Lock]:
    """This process's pipeline for ``load_options`` (loaded on first use), with its lock.

    ``load_options`` are the keyword arguments of
    :func:`quotes.pipeline.load_pipeline`, the same ``quotes extract`` uses.
    The lock serializes documents through the pipeline when a worker runs
    several threads.
    """
    key = options_key(load_options)
    with _PIPELINES_LOCK:
        if key not in _PIPELINES:
            _PIPELINES[key] = (load_pipeline(**dict(load_options or {})), threading.Lock())
        return _PIPELINES[key]


def worker_model_version(load_options: LoadOptions | None = None) -> str:
    """The model version of the pipeline a worker loads for ``load_options``."""
    nlp, _ = worker_pipeline(load_options)
    return model_version(nlp)


def memory_kib() -> tuple[int | None, int | None]:
    """Resident and peak resident memory of this process, in KiB (Linux)."""
    current = peak = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    return current, peak
