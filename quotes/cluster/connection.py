"""Connecting to Dask: ``--dask local``, ``local:N``, a scheduler address or file."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from distributed import Client


#: Options of :func:`quotes.pipeline.load_pipeline` (``{"model": NAME}``, ...), passed
#: unchanged to every worker so that new options reach the workers without code here.
LoadOptions = Mapping[str, Any]

DASK_MISSING = "Dask is not installed; run `pip install 'quotes[dask]'`"


class ClusterError(RuntimeError):
    """The cluster cannot be used: Dask missing, scheduler unreachable, workers unfit."""


# --- connecting ---------------------------------------------------------------


def parse_scheduler(spec: str) -> tuple[str, Any]:
    """``--dask`` as (kind, value): ``("local", N)``, ``("file", PATH)`` or ``("address", ADDR)``.

    ``local`` is a LocalCluster with one worker per usable core, ``local:N`` one
    of N workers; a value ending in ``.json`` is a scheduler file (dask-jobqueue,
    dask-mpi); anything with a colon is a scheduler address (``tcp://host:8786``).
    """
    value = spec.strip()
    if value == "local":
        return "local", len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if value.startswith("local:"):
        count = value.partition(":")[2]
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(f"--dask {spec!r}: N in local:N must be a whole number >= 1")
        return "local", int(count)
    if value.endswith(".json"):
        return "file", value
    if ":" in value:
        return "address", value
    raise ClusterError(
        f"--dask {spec!r}: use local, local:N, a scheduler address (tcp://HOST:8786)"
        " or a scheduler file (scheduler.json)"
    )


def import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError(DASK_MISSING) from None
    return distributed


def _worker_versions() -> tuple[str, str]:
    from .. import __version__

    return __version__, f"{sys.version_info.major}.{sys.version_info.minor}"


@contextlib.contextmanager
def connect(scheduler: str, *, timeout: float = 60.0) -> Iterator[Client]:
    """A Dask client for ``--dask SCHEDULER`` (see :func:`parse_scheduler`), closed after use.

    A LocalCluster is started with one single-threaded worker process per
    worker and stopped at the end; an existing scheduler must have at least
    one worker running the same ``quotes`` version as this process.
    """
    kind, value = parse_scheduler(scheduler)
    distributed = import_distributed()
    if kind == "local":
        import dask

        # Dask's statistical profiler samples the worker's stack every 10 ms: measurable
        # on long CPU-bound tasks and of no use without a dashboard (docs/scale.md)
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = distributed.LocalCluster(
                n_workers=value,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                # no dashboard, and the scheduler's HTTP port picked free (8787 may be taken)
                scheduler_kwargs={"dashboard": False, "dashboard_address": ":0"},
            )
        client = distributed.Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    where = f"scheduler file {value}" if kind == "file" else f"scheduler {value}"
    try:
        if kind == "file":
            client = distributed.Client(scheduler_file=value, timeout=timeout)
        else:
            client = distributed.Client(value, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as err:
        raise ClusterError(
            f"cannot reach the Dask {where}: {err}; check it and that the scheduler is running"
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise ClusterError(
                f"the Dask {where} has no workers; start some (`dask worker ADDRESS`)"
            ) from None
        mine = _worker_versions()
        for address, versions in client.run(_worker_versions).items():
            if tuple(versions) != mine:
                raise ClusterError(
                    f"worker {address} runs quotes {versions[0]} on Python {versions[1]}, this"
                    f" process quotes {mine[0]} on Python {mine[1]}; install the same on every"
                    " worker"
                )
        yield client
    finally:
        client.close()
