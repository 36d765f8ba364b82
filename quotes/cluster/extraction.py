"""Sharded extraction: one shard per task, output shards written by the workers, the manifest
kept by the client (:func:`extract_shards`), or the same shards in turn in this process."""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..io import InputError
from ..pipeline import extract_documents, load_pipeline, model_version
from ..shards import (
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
    read_input_shard,
    read_manifest,
    remove_stale_temporaries,
    shard_writer,
    stale_reason,
    write_manifest,
)
from ..types import Document
from .connection import LoadOptions, import_distributed
from .workers import memory_kib, worker_model_version, worker_pipeline

if TYPE_CHECKING:
    from distributed import Client, Future
    from spacy.language import Language


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
        rss, peak = memory_kib()
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
            total=len(todo),
            desc="extract",
            unit="shard",
            disable=not progress or not todo,
            file=sys.stderr,
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
    distributed = import_distributed()
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
