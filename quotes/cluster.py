"""Extraction, speaker tables and scoring of sharded corpora, in one process or on Dask.

The unit of work is a shard (:mod:`quotes.shards`): a worker loads the
pipeline once (:func:`worker_pipeline`) and processes whole shards, writing
each output shard itself (workers and client share the file system) and
returning its counts and checksum; the client keeps the manifest. Scores and
speaker tables are sums, so each shard is reduced on a worker and the parts
are combined on the cluster in corpus order: the figures are those of one
process.

For teams composing their own Dask graphs, :func:`extract_records` maps a
partition of ``{"id", "text"}`` records (a ``dask.bag`` partition) to
extracted records, and :func:`extract_frame` does the same for a dataframe
partition::

    import dask.bag as db, json
    from quotes.cluster import extract_records
    bag = db.read_text("archive/*.jsonl.gz").map(json.loads)
    out = bag.map_partitions(extract_records, load_options={"model": "en_core_web_sm"})
    out.map(json.dumps).to_textfiles("extracted/*.jsonl.gz")

Dask (``pip install 'quotes[dask]'``) is imported only by the functions
that need a cluster.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .io import InputError
from .pipeline import extract_documents, load_pipeline, model_version
from .scoring import DEFAULT_FOCUS, DEFAULT_MODES, evaluate_documents
from .shards import (
    DEFAULT_TEXTS_PER_SHARD,
    Failure,
    ManifestEntry,
    Shard,
    append_manifest,
    find_shards,
    is_shard_failure,
    locked_output,
    options_key,
    pending_entry,
    read_annotated_shard,
    read_input_shard,
    read_manifest,
    remove_stale_temporaries,
    shard_writer,
    stale_reason,
    write_manifest,
)
from .speaker_table import (
    SpeakerRow,
    SpeakerTally,
    merge_tallies,
    not_counted,
    speaker_table_from_tally,
    tally_speakers,
)
from .summary import EvaluationSummary
from .types import Document

if TYPE_CHECKING:
    from distributed import Client, Future
    from spacy.language import Language

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


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError(DASK_MISSING) from None
    return distributed


def _worker_versions() -> tuple[str, str]:
    from . import __version__

    return __version__, f"{sys.version_info.major}.{sys.version_info.minor}"


@contextlib.contextmanager
def connect(scheduler: str, *, timeout: float = 60.0) -> Iterator[Client]:
    """A Dask client for ``--dask SCHEDULER`` (see :func:`parse_scheduler`), closed after use.

    A LocalCluster is started with one single-threaded worker process per
    worker and stopped at the end; an existing scheduler must have at least
    one worker running the same ``quotes`` version as this process.
    """
    kind, value = parse_scheduler(scheduler)
    distributed = _distributed()
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


def _memory_kib() -> tuple[int | None, int | None]:
    """Resident and peak resident memory of this process, in KiB (Linux)."""
    current = peak = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    return current, peak


# --- one shard ----------------------------------------------------------------


@dataclass(frozen=True)
class ShardResult:
    """What processing one shard gave: status, counts, checksum, and where it ran."""

    shard: str
    status: str  # "complete" or "failed"
    output: str
    documents: int = 0
    quotes: int = 0
    failures: tuple[Failure, ...] = ()
    sha256: str | None = None
    error: str | None = None
    seconds: float = 0.0
    worker: str = ""
    model_version: str = ""
    rss_kib: int | None = None
    peak_rss_kib: int | None = None

    def manifest_entry(self, shard: Shard, options: str) -> ManifestEntry:
        """The manifest line recording this result."""
        extra: dict[str, Any] = {}
        if self.rss_kib is not None:
            extra["worker_rss_mib"] = round(self.rss_kib / 1024, 1)
        if self.peak_rss_kib is not None:
            extra["worker_peak_rss_mib"] = round(self.peak_rss_kib / 1024, 1)
        return ManifestEntry(
            shard=self.shard,
            status="complete" if self.status == "complete" else "failed",
            inputs=shard.paths,
            input_fingerprint=shard.fingerprint(),
            output=self.output,
            documents=self.documents,
            quotes=self.quotes,
            failures=self.failures,
            model_version=self.model_version,
            options=options,
            sha256=self.sha256,
            error=self.error,
            seconds=round(self.seconds, 3),
            worker=self.worker,
            extra=extra,
        )


class _ShardUnreadable(Exception):
    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


def run_shard(
    shard: Shard,
    out_dir: str | Path,
    nlp: Language,
    *,
    gzip: bool = False,
    batch_size: int = 32,
) -> ShardResult:
    """Extract one shard into its output shard (atomically) and say what came out.

    A bad line or a document the rules fail on is a failure of the shard
    (listed, the rest goes on); a shard that cannot be read to its end (a
    damaged ``.jsonl.gz``) writes nothing and comes back ``failed`` with the
    reason, as does any other error, so that one shard never stops the run.
    """
    started = time.perf_counter()
    output = shard.output_name(gzip=gzip)
    failures: list[InputError] = []
    worker = f"{socket.gethostname()}:{os.getpid()}"
    version = model_version(nlp)

    def documents() -> Iterator[Document]:
        for item in read_input_shard(shard):
            if isinstance(item, InputError):
                if is_shard_failure(shard, item):
                    raise _ShardUnreadable(item)
                failures.append(item)
            else:
                yield item

    def done(status: str, **fields: Any) -> ShardResult:
        rss, peak = _memory_kib()
        return ShardResult(
            shard=shard.name,
            status=status,
            output=output,
            seconds=time.perf_counter() - started,
            worker=worker,
            model_version=version,
            rss_kib=rss,
            peak_rss_kib=peak,
            **fields,
        )

    try:
        with shard_writer(Path(out_dir) / output, gzip=gzip) as sink:
            for doc in extract_documents(documents(), nlp, batch_size=batch_size, errors=failures):
                sink.write(doc)
    except _ShardUnreadable as err:
        return done("failed", error=f"cannot be read: {err.error}")
    except Exception as err:  # one shard never stops the others; its reason is kept
        return done("failed", error=f"{type(err).__name__}: {err}")
    return done(
        "complete",
        documents=sink.documents,
        quotes=sink.quotes,
        failures=tuple(Failure.of(e) for e in failures),
        sha256=sink.sha256,
    )


def run_shard_on_worker(
    shard: Shard,
    out_dir: str,
    load_options: LoadOptions | None,
    gzip: bool = False,
    batch_size: int = 32,
) -> ShardResult:
    """:func:`run_shard` with this worker's pipeline (the task Dask runs per shard)."""
    nlp, lock = worker_pipeline(load_options)
    with lock:
        return run_shard(shard, out_dir, nlp, gzip=gzip, batch_size=batch_size)


# --- a whole sharded extraction ------------------------------------------------


@dataclass
class ShardRun:
    """What a sharded extraction did."""

    out_dir: Path
    shards: int = 0
    skipped: int = 0
    results: list[ShardResult] = field(default_factory=list)
    input_errors: list[InputError] = field(default_factory=list)
    model_version: str = ""

    @property
    def completed(self) -> list[ShardResult]:
        return [r for r in self.results if r.status == "complete"]

    @property
    def failed(self) -> list[ShardResult]:
        return [r for r in self.results if r.status != "complete"]

    @property
    def documents(self) -> int:
        return sum(r.documents for r in self.results)

    @property
    def quotes(self) -> int:
        return sum(r.quotes for r in self.results)

    @property
    def failures(self) -> int:
        return sum(len(r.failures) for r in self.results)

    @property
    def problems(self) -> int:
        """Unreadable inputs, failed documents and failed shards: the exit code is 1 if any."""
        return len(self.input_errors) + self.failures + len(self.failed)

    def summary(self) -> str:
        """One line of counts."""
        return (
            f"{self.out_dir}: {self.shards} shard(s): {len(self.completed)} extracted,"
            f" {self.skipped} already complete (skipped), {len(self.failed)} failed;"
            f" {self.documents} document(s) with {self.quotes} quote(s) written,"
            f" {self.failures} document(s) or line(s) failed"
        )


def _report(message: str) -> None:
    from tqdm import tqdm

    tqdm.write(f"quotes: {message}", file=sys.stderr)


def extract_shards(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    *,
    client: Client | None = None,
    load_options: LoadOptions | None = None,
    nlp: Language | None = None,
    gzip: bool = False,
    batch_size: int = 32,
    texts_per_shard: int = DEFAULT_TEXTS_PER_SHARD,
    progress: bool = True,
    on_shard: Callable[[ShardResult], None] | None = None,
) -> ShardRun:
    """Extract sharded ``paths`` into ``out_dir``: one output shard per input shard, a manifest.

    With a Dask ``client`` each shard is a task on a worker (which loads the
    pipeline of ``load_options`` once); without one, shards run here in turn
    (with ``nlp`` if given). Shards whose manifest entry is complete and
    verified (see :func:`quotes.shards.stale_reason`) are skipped, so a rerun
    finishes an interrupted job. Bad lines, failed documents and failed shards
    are reported on stderr as they come and counted in the returned
    :class:`ShardRun`; ``on_shard`` is called with each result as it arrives.
    """
    from tqdm import tqdm

    out = Path(out_dir)
    options = options_key(load_options)
    with locked_output(out):
        shards, input_errors = find_shards(paths, texts_per_shard=texts_per_shard, exclude=out)
        for error in input_errors:
            _report(str(error))
        shards = _unique_outputs(shards, input_errors, gzip=gzip)
        if client is not None:
            version = client.submit(worker_model_version, load_options, pure=False).result()
        else:
            nlp = nlp if nlp is not None else load_pipeline(**dict(load_options or {}))
            version = model_version(nlp)
        run = ShardRun(out, len(shards), input_errors=input_errors, model_version=version)
        order, latest = read_manifest(out)
        entries: dict[str, ManifestEntry] = {}
        todo: list[Shard] = []
        reasons: dict[str, int] = {}
        for shard in shards:
            output = shard.output_name(gzip=gzip)
            reason = stale_reason(
                latest.get(shard.name),
                shard,
                out,
                output=output,
                model_version=version,
                options=options,
            )
            if reason is None:
                entries[shard.name] = latest[shard.name]
                run.skipped += 1
            else:
                entries[shard.name] = pending_entry(shard, output)
                todo.append(shard)
                reasons[reason] = reasons.get(reason, 0) + 1
        others = [latest[n] for n in order if n not in entries]
        write_manifest(out, [*entries.values(), *others])
        # under the lock nobody else writes here: a temporary file is a killed run's leftover
        outputs = [s.output_name(gzip=gzip) for s in shards]
        remove_stale_temporaries(out, outputs)
        why = ", ".join(f"{n} {r}" for r, n in reasons.items())
        _report(
            f"{out}: {len(shards)} shard(s): {run.skipped} complete and verified (skipped),"
            f" {len(todo)} to run" + (f" ({why})" if why else "")
        )
        if others:
            _report(
                f"{out}: {len(others)} shard(s) of the manifest are not in this run's input;"
                " their lines and files are kept as they were"
            )
        by_name = {s.name: s for s in todo}
        bar = tqdm(
            total=len(todo), desc="extract", unit="shard", disable=not progress, file=sys.stderr
        )

        def record(result: ShardResult) -> None:
            shard = by_name[result.shard]
            if result.status == "complete" and result.model_version != version:
                # a worker with another model installed: its output must not pass as this run's
                result = dataclasses.replace(
                    result,
                    status="failed",
                    error=f"ran with {result.model_version} on {result.worker}, not {version};"
                    " install the same model on every worker",
                )
            entry = result.manifest_entry(shard, options)
            append_manifest(out, entry)
            entries[shard.name] = entry
            run.results.append(result)
            for failure in result.failures:
                _report(str(failure.to_error()))
            if result.status != "complete":
                _report(f"shard {result.shard} failed: {result.error}")
            bar.update(1)
            bar.set_postfix(docs=run.documents, failed=len(run.failed), refresh=False)
            if on_shard is not None:
                on_shard(result)

        with bar:
            if client is None:
                assert nlp is not None
                for shard in todo:
                    record(run_shard(shard, out, nlp, gzip=gzip, batch_size=batch_size))
            else:
                _run_on_cluster(client, todo, out, load_options, gzip, batch_size, record)
        write_manifest(out, [*(entries[s.name] for s in shards), *others])
        remove_stale_temporaries(out, outputs)
    return run


def _unique_outputs(shards: list[Shard], errors: list[InputError], *, gzip: bool) -> list[Shard]:
    """Shards whose output names are distinct; a clash is reported and its later shard left out."""
    owners: dict[str, Shard] = {}
    kept = []
    for shard in shards:
        name = shard.output_name(gzip=gzip)
        if name in owners:
            error = InputError(
                shard.paths[0],
                f"its output {name} would overwrite that of {owners[name].paths[0]};"
                " rename one of them",
            )
            errors.append(error)
            _report(str(error))
            continue
        owners[name] = shard
        kept.append(shard)
    return kept


def _run_on_cluster(
    client: Client,
    shards: Sequence[Shard],
    out: Path,
    load_options: LoadOptions | None,
    gzip: bool,
    batch_size: int,
    record: Callable[[ShardResult], None],
) -> None:
    """One task per shard; results recorded as they complete, a lost task as a failed shard."""
    distributed = _distributed()
    token = uuid.uuid4().hex[:8]
    futures: dict[Future, Shard] = {}
    for index, shard in enumerate(shards):
        future = client.submit(
            run_shard_on_worker,
            shard,
            str(out),
            dict(load_options or {}),
            gzip,
            batch_size,
            key=f"quotes-shard-{token}-{index:06d}",
            pure=False,
        )
        futures[future] = shard
    try:
        for future in distributed.as_completed(futures):
            shard = futures[future]
            try:
                result = future.result()
            except Exception as err:  # a worker lost too often, a task that cannot run
                result = ShardResult(
                    shard=shard.name,
                    status="failed",
                    output=shard.output_name(gzip=gzip),
                    error=f"{type(err).__name__}: {err}",
                )
            future.release()
            record(result)
    finally:
        client.cancel(list(futures))


# --- speaker tables -------------------------------------------------------------


def _speaker_part(
    shard: Shard, load_options: LoadOptions | None, batch_size: int
) -> tuple[SpeakerTally, list[str]]:
    """One shard's speaker tally and its unreadable inputs (``.txt`` shards extracted here)."""
    errors: list[str] = []
    documents: list[Document] = []
    if shard.kind == "txt":
        readable = []
        for item in read_input_shard(shard):
            if isinstance(item, InputError):
                errors.append(str(item))
            else:
                readable.append(item)
        nlp, lock = worker_pipeline(load_options)
        failed: list[InputError] = []
        with lock:
            documents = list(extract_documents(readable, nlp, batch_size=batch_size, errors=failed))
        errors.extend(not_counted(e) for e in failed)
    else:
        for item in read_annotated_shard(shard):
            if isinstance(item, InputError):
                errors.append(str(item))
            else:
                documents.append(item)
    return tally_speakers(documents), errors


def _merge_speaker_parts(
    first: tuple[SpeakerTally, list[str]], second: tuple[SpeakerTally, list[str]]
) -> tuple[SpeakerTally, list[str]]:
    return merge_tallies(first[0], second[0]), first[1] + second[1]


def _speaker_rows(part: tuple[SpeakerTally, list[str]]) -> tuple[list[SpeakerRow], list[str]]:
    return speaker_table_from_tally(part[0]), part[1]


def _tree_reduce(client: Client, futures: list[Future], combine: Callable[..., Any]) -> Future:
    """Combine ``futures`` pairwise on the cluster, neighbours first, keeping their order."""
    level = list(futures)
    while len(level) > 1:
        merged = [
            client.submit(combine, level[i], level[i + 1], pure=False)
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            merged.append(level[-1])
        level = merged
    return level[0]


def _follow(futures: Sequence[Future], desc: str, progress: bool) -> None:
    """A progress bar over ``futures`` as they complete (their results stay on the cluster)."""
    from tqdm import tqdm

    distributed = _distributed()
    with tqdm(
        total=len(futures), desc=desc, unit="shard", disable=not progress, file=sys.stderr
    ) as bar:
        for _ in distributed.as_completed(futures):
            bar.update(1)


def speaker_table_shards(
    paths: Iterable[str | Path],
    *,
    client: Client,
    load_options: LoadOptions | None = None,
    batch_size: int = 32,
    texts_per_shard: int = DEFAULT_TEXTS_PER_SHARD,
    progress: bool = True,
) -> tuple[list[SpeakerRow], list[str]]:
    """The ``quotes speakers`` table of sharded ``paths`` computed on the cluster.

    Each shard is tallied on a worker (``.txt`` shards extracted there first),
    tallies are merged pairwise on the cluster, and the table is built from
    the total: the same rows as :func:`quotes.speaker_table.speaker_table`
    over the same documents. Returns the rows and the unreadable inputs.
    """
    shards, unusable = find_shards(paths, other_files="jsonl", texts_per_shard=texts_per_shard)
    errors = [str(e) for e in unusable]
    if not shards:
        return [], errors
    parts = [
        client.submit(_speaker_part, shard, dict(load_options or {}), batch_size, pure=False)
        for shard in shards
    ]
    total = _tree_reduce(client, parts, _merge_speaker_parts)
    table = client.submit(_speaker_rows, total, pure=False)
    _follow(parts, "speakers", progress)
    rows, part_errors = table.result()
    return rows, errors + part_errors


# --- scoring -------------------------------------------------------------------


def _shard_ids(shard: Shard) -> tuple[list[str], list[str]]:
    """The document ids of a JSONL shard in order, and its unreadable lines."""
    ids: list[str] = []
    errors: list[str] = []
    for item in read_annotated_shard(shard):
        if isinstance(item, InputError):
            errors.append(str(item))
        else:
            ids.append(item.id)
    return ids, errors


def _first_documents(shard: Shard, skip: frozenset[str]) -> list[Document]:
    """A shard's documents, each id once (its first), leaving out ``skip``."""
    seen = set(skip)
    out = []
    for item in read_annotated_shard(shard):
        if isinstance(item, Document) and item.id not in seen:
            seen.add(item.id)
            out.append(item)
    return out


def _route(shard: Shard, destinations: Mapping[str, int]) -> dict[int, list[Document]]:
    """A predicted shard's documents by the gold shard that holds their id (-1: none)."""
    out: dict[int, list[Document]] = {}
    for doc in _first_documents(shard, frozenset()):
        target = destinations.get(doc.id)
        if target is not None:
            out.setdefault(target, []).append(doc)
    return out


def _take(parts: Mapping[int, list[Document]], target: int) -> list[Document]:
    return parts.get(target, [])


def _score_gold(
    shard: Shard,
    skip: frozenset[str],
    modes: tuple[str, ...],
    focus: str,
    *pred_parts: list[Document],
) -> EvaluationSummary:
    """The sums of one gold shard against the predictions routed to it."""
    gold = _first_documents(shard, skip)
    pred = [doc for part in pred_parts for doc in part]
    return EvaluationSummary.of(evaluate_documents(gold, pred, modes=modes, focus=focus))


def _score_gold_extracting(
    shard: Shard,
    skip: frozenset[str],
    modes: tuple[str, ...],
    focus: str,
    load_options: LoadOptions | None,
    batch_size: int,
) -> EvaluationSummary:
    """The sums of one gold shard against the extractor run on its texts, on this worker.

    Every gold document is extracted, repeated ids too, as in one process: a
    failure is listed (in ``failed_documents``) each time, the first document
    of an id is scored.
    """
    everything = [d for d in read_annotated_shard(shard) if isinstance(d, Document)]
    seen = set(skip)
    kept: list[int] = []
    for position, doc in enumerate(everything):
        if doc.id not in seen:
            seen.add(doc.id)
            kept.append(position)
    # positions stand in for ids while extracting: ids may repeat
    bare = [Document(str(position), doc.text) for position, doc in enumerate(everything)]
    nlp, lock = worker_pipeline(load_options)
    failures: list[InputError] = []
    with lock:
        extracted = {
            int(doc.id): doc
            for doc in extract_documents(bare, nlp, batch_size=batch_size, errors=failures)
        }
    gold = [everything[p] for p in kept]
    pred = [
        Document(everything[p].id, extracted[p].text, extracted[p].quotes, extracted[p].speakers)
        for p in kept
        if p in extracted
    ]
    result = evaluate_documents(gold, pred, modes=modes, focus=focus)
    failed = tuple(str(InputError(everything[int(f.source)].id, f.message)) for f in failures)
    return EvaluationSummary.of(dataclasses.replace(result, failed_documents=failed))


def _score_pred_only(modes: tuple[str, ...], focus: str, pred: list[Document]) -> EvaluationSummary:
    return EvaluationSummary.of(evaluate_documents([], pred, modes=modes, focus=focus))


def _add_summaries(first: EvaluationSummary, second: EvaluationSummary) -> EvaluationSummary:
    return first + second


def evaluate_shards(
    gold_paths: Iterable[str | Path],
    pred_paths: Iterable[str | Path] | None = None,
    *,
    client: Client,
    modes: Sequence[str] = DEFAULT_MODES,
    focus: str = DEFAULT_FOCUS,
    load_options: LoadOptions | None = None,
    batch_size: int = 32,
    progress: bool = True,
) -> EvaluationSummary:
    """``quotes evaluate`` of sharded gold (and predictions) on the cluster.

    The same figures as :func:`quotes.scoring.evaluate_documents` over all
    documents in one process: documents are joined by id across shards (the
    ids of every shard are read first; a predicted document is sent to the
    gold shard that holds its id, so any sharding of either side works), a
    repeated id keeps its first document, each gold shard is scored on a
    worker and the sums are combined on the cluster in corpus order. Without
    ``pred_paths`` each worker runs the extractor on its gold texts.
    """
    modes = tuple(dict.fromkeys((*modes, focus)))
    gold_shards, gold_unusable = find_shards(gold_paths, texts=False)
    pred_shards, pred_unusable = (
        find_shards(pred_paths, texts=False) if pred_paths is not None else ([], [])
    )
    gold_ids = client.gather([client.submit(_shard_ids, s, pure=False) for s in gold_shards])
    pred_ids = client.gather([client.submit(_shard_ids, s, pure=False) for s in pred_shards])
    input_errors = [str(e) for e in gold_unusable]
    input_errors += [e for _, errors in gold_ids for e in errors]
    input_errors += [str(e) for e in pred_unusable]
    input_errors += [e for _, errors in pred_ids for e in errors]
    duplicates: list[str] = []
    gold_home: dict[str, int] = {}
    for index, (ids, _) in enumerate(gold_ids):
        for doc_id in ids:
            if doc_id in gold_home:
                duplicates.append(doc_id)
            else:
                gold_home[doc_id] = index
    skips = [
        frozenset(i for i in ids if gold_home[i] != index)
        for index, (ids, _) in enumerate(gold_ids)
    ]
    parts: list[Future] = []
    if pred_paths is None:
        parts = [
            client.submit(
                _score_gold_extracting,
                shard,
                skips[index],
                modes,
                focus,
                dict(load_options or {}),
                batch_size,
                pure=False,
            )
            for index, shard in enumerate(gold_shards)
        ]
    else:
        pred_home: set[str] = set()
        routes: list[tuple[Future, set[int]]] = []
        for shard, (ids, _) in zip(pred_shards, pred_ids, strict=True):
            destinations: dict[str, int] = {}
            for doc_id in ids:
                if doc_id in pred_home:
                    duplicates.append(doc_id)
                else:
                    pred_home.add(doc_id)
                    destinations[doc_id] = gold_home.get(doc_id, -1)
            routed = client.submit(_route, shard, destinations, pure=False)
            routes.append((routed, set(destinations.values())))
        for index, shard in enumerate(gold_shards):
            pieces = [
                client.submit(_take, routed, index, pure=False)
                for routed, targets in routes
                if index in targets
            ]
            parts.append(
                client.submit(_score_gold, shard, skips[index], modes, focus, *pieces, pure=False)
            )
        for routed, targets in routes:
            if -1 in targets:
                only = client.submit(_take, routed, -1, pure=False)
                parts.append(client.submit(_score_pred_only, modes, focus, only, pure=False))
    if not parts:
        empty = EvaluationSummary.of(evaluate_documents([], [], modes=modes, focus=focus))
        return empty.with_problems(input_errors=input_errors, duplicate_ids=duplicates)
    total = _tree_reduce(client, parts, _add_summaries)
    _follow(parts, "evaluate", progress)
    summary: EvaluationSummary = total.result()
    return summary.with_problems(input_errors=input_errors, duplicate_ids=duplicates)


# --- partitions: for teams composing their own Dask graphs -----------------------


def extract_records(
    records: Iterable[Mapping[str, Any]],
    load_options: LoadOptions | None = None,
    *,
    batch_size: int = 32,
) -> list[dict[str, Any]]:
    """Extract a partition of ``{"id", "text"}`` records into extractor records, in order.

    Meant for ``dask.bag.Bag.map_partitions`` (each worker process loads the
    pipeline of ``load_options`` once). A record comes back in the JSONL
    schema of ``quotes extract`` (``{"id", "text", "quotes", "speakers"}``);
    one that cannot be extracted comes back in its place as
    ``{"id", "error"}``, never dropped.
    """
    nlp, lock = worker_pipeline(load_options)
    slots: list[dict[str, Any] | None] = []
    documents: list[Document] = []
    original_ids: dict[str, str] = {}
    for index, record in enumerate(records):
        fields = record if isinstance(record, Mapping) else {}
        text, doc_id = fields.get("text"), fields.get("id")
        if not isinstance(text, str) or doc_id is None:
            slots.append({"id": doc_id, "error": 'a record needs "id" and a string "text"'})
            continue
        slots.append(None)
        # the position stands in for the id: failures come back by id, and ids may repeat
        original_ids[str(index)] = str(doc_id)
        documents.append(Document(str(index), text))
    failed: list[InputError] = []
    with lock:
        for doc in extract_documents(documents, nlp, batch_size=batch_size, errors=failed):
            record_id = original_ids[doc.id]
            slots[int(doc.id)] = Document(record_id, doc.text, doc.quotes, doc.speakers).to_dict()
    for error in failed:
        slots[int(error.source)] = {"id": original_ids[error.source], "error": error.message}
    return [slot if slot is not None else {} for slot in slots]


#: The columns of :func:`extract_frame`'s result.
FRAME_COLUMNS: tuple[str, ...] = ("id", "text", "quotes", "speakers", "error")


def frame_meta() -> Any:
    """An empty ``pandas.DataFrame`` shaped like :func:`extract_frame`'s result (``meta``)."""
    import pandas as pd

    return pd.DataFrame({name: pd.Series([], dtype=object) for name in FRAME_COLUMNS})


def extract_frame(
    frame: Any, load_options: LoadOptions | None = None, *, batch_size: int = 32
) -> Any:
    """Extract a ``pandas.DataFrame`` partition with ``id`` and ``text`` columns.

    For ``dask.dataframe.DataFrame.map_partitions(extract_frame, meta=frame_meta())``.
    The result keeps the partition's index and has :data:`FRAME_COLUMNS`:
    ``quotes`` and ``speakers`` as lists of dicts (the JSONL schema) and
    ``error`` None, or the reason a row could not be extracted (its
    ``quotes`` and ``speakers`` then None).
    """
    import pandas as pd

    records = [
        {"id": doc_id, "text": text}
        for doc_id, text in zip(frame["id"].tolist(), frame["text"].tolist(), strict=True)
    ]
    rows = extract_records(records, load_options, batch_size=batch_size)
    columns: dict[str, list[Any]] = {name: [] for name in FRAME_COLUMNS}
    for record, row in zip(records, rows, strict=True):
        columns["id"].append(record["id"])
        columns["text"].append(record["text"])
        columns["quotes"].append(row.get("quotes"))
        columns["speakers"].append(row.get("speakers"))
        columns["error"].append(row.get("error"))
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype=object, index=frame.index)
            for name, values in columns.items()
        }
    )
