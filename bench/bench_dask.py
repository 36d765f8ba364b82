"""Benchmark sharded extraction on Dask: throughput, overhead per shard, memory per worker,
and exactly-once accounting after a killed worker and a rerun.

    .venv/bin/python bench/bench_dask.py [--docs 2000] [--shard-size 50]
        [--memory-docs 10000] [--overhead-docs 400] [--workdir DIR]
        [--skip throughput,overhead,memory,kill] [-o figures.json]

(a) **Throughput**: ``--docs`` synthetic documents (seed paragraphs shuffled, as
    in ``bench_extract.py``) in ``.jsonl`` shards of ``--shard-size``, run in
    one go through the real CLI, each in a fresh process: the single-process
    ``quotes extract IN -o single.jsonl``, then ``-o DIR/ --dask local:1`` and
    ``--dask local:2``. Wall time includes starting the cluster and loading
    the model; the manifest's per-shard seconds give the steady rate of a
    worker. The sharded outputs, concatenated in manifest order, must equal
    the single-process output byte for byte.
(b) **Overhead per shard**: ``--overhead-docs`` one-sentence documents as
    one shard per document and as shards of 50, alternating twice on one
    warm local worker (the fastest of each kept): the difference in wall time
    over the difference in shard count is what one more shard costs
    (scheduling, opening, writing, checksumming, manifest). Also the round
    trip of 500 empty tasks.
(c) **Memory per worker**: ``--memory-docs`` documents in shards of
    ``--shard-size`` on ``local:2``; every manifest line carries the worker's
    resident and peak memory after its shard. Per worker: peak in the first
    and second half of its shards (flat: within a few percent).
(d) **Exactly once**: ``--overhead-docs`` documents on ``local:2`` with a
    busy worker killed (SIGKILL) after the second shard completes, then a
    rerun into the same folder: after each, the manifest's document counts
    and the output ids are checked against the input ids (no id lost, none
    twice).

The load average is printed with every figure: the machine's cores are shared.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract import synthetic_documents

from quotes.cluster import ShardResult, connect, extract_shards
from quotes.io import atomic_writer
from quotes.shards import read_manifest
from quotes.types import Document

SECTIONS = ("throughput", "overhead", "memory", "kill")
QUOTES = Path(sys.executable).parent / "quotes"


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def write_shards(folder: Path, docs: Iterable[Document], size: int) -> list[str]:
    """Documents as ``.jsonl`` shards of ``size`` under ``folder``; returns the ids in order."""
    folder.mkdir(parents=True, exist_ok=True)
    ids: list[str] = []
    batch: list[str] = []
    index = 0

    def flush() -> None:
        nonlocal index
        if batch:
            (folder / f"part-{index:05d}.jsonl").write_text("".join(batch), encoding="utf-8")
            index += 1
            batch.clear()

    for doc in docs:
        ids.append(doc.id)
        batch.append(json.dumps({"id": doc.id, "text": doc.text}, ensure_ascii=False) + "\n")
        if len(batch) >= size:
            flush()
    flush()
    return ids


def output_lines(out: Path) -> list[bytes]:
    """The output shards concatenated in manifest order."""
    order, latest = read_manifest(out)
    lines: list[bytes] = []
    for name in order:
        entry = latest[name]
        assert entry.output is not None
        data = (out / entry.output).read_bytes()
        if entry.output.endswith(".gz"):
            data = gzip.decompress(data)
        lines.extend(data.splitlines())
    return lines


def accounting(out: Path, input_ids: list[str]) -> dict[str, Any]:
    """Lost and duplicated documents by the manifest and by the output ids."""
    order, latest = read_manifest(out)
    entries = [latest[n] for n in order]
    out_ids = [json.loads(line)["id"] for line in output_lines(out)]
    counts = Counter(out_ids)
    return {
        "shards": len(entries),
        "complete": sum(e.status == "complete" for e in entries),
        "manifest_documents": sum(e.documents for e in entries),
        "manifest_failures": sum(len(e.failures) for e in entries),
        "input_documents": len(input_ids),
        "lost": len(set(input_ids) - set(counts)),
        "duplicated": sum(1 for n in counts.values() if n > 1),
        "output_in_input_order": out_ids == input_ids,
    }


def run_cli(args: list[str]) -> float:
    """Seconds for one ``quotes`` command in a fresh process."""
    start = time.perf_counter()
    subprocess.run([str(QUOTES), *args], check=False, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def per_worker_rate(out: Path) -> dict[str, Any]:
    """Documents per second of shard work, per worker, from the manifest's seconds."""
    order, latest = read_manifest(out)
    docs: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    for name in order:
        entry = latest[name]
        if entry.worker:
            docs[entry.worker] += entry.documents
            seconds[entry.worker] += entry.seconds or 0.0
    return {w: round(docs[w] / seconds[w], 2) for w in docs if seconds[w]}


# --- sections -------------------------------------------------------------------


def throughput(work: Path, count: int, shard_size: int) -> dict[str, Any]:
    docs = list(synthetic_documents(count))
    words = sum(len(d.text.split()) for d in docs)
    ids = write_shards(work / "in", docs, shard_size)
    runs: dict[str, Any] = {}
    single = work / "single.jsonl"
    for label, args in (
        ("single process", ["extract", str(work / "in"), "-o", str(single), "--no-progress"]),
        ("dask local:1", ["extract", str(work / "in"), "-o", f"{work}/out1/", "--dask", "local:1"]),
        ("dask local:2", ["extract", str(work / "in"), "-o", f"{work}/out2/", "--dask", "local:2"]),
    ):
        before = load()
        seconds = run_cli([*args, "--no-progress"] if "--dask" in args else args)
        runs[label] = {
            "seconds": round(seconds, 1),
            "docs_per_s": round(count / seconds, 2),
            "load_before": before,
            "load_after": load(),
        }
        print(f"  {label}: {seconds:.1f} s, {count / seconds:.2f} docs/s ({before})", flush=True)
    reference = single.read_bytes().splitlines()
    for label, folder in (("dask local:1", "out1"), ("dask local:2", "out2")):
        out = work / folder
        runs[label]["identical_to_single"] = output_lines(out) == reference
        runs[label]["worker_docs_per_s"] = per_worker_rate(out)
        runs[label]["accounting"] = accounting(out, ids)
        print(
            f"  {label}: identical to single process: {runs[label]['identical_to_single']};"
            f" shard work per worker: {runs[label]['worker_docs_per_s']} docs/s",
            flush=True,
        )
    return {"documents": count, "words": words, "shard_size": shard_size, "runs": runs}


def _noop(value: int) -> int:
    return value


def overhead(work: Path, count: int, rounds: int = 2) -> dict[str, Any]:
    """What one more shard costs: ``count`` one-sentence documents as ``count`` shards and
    as shards of 50, alternating ``rounds`` times on one warm worker (fastest of each kept),
    so that extraction itself is small beside the per-shard work being measured."""
    docs = [
        Document(f"short-{i:05d}", f"“The ferry {i} leaves at noon,” the harbour master said.")
        for i in range(count)
    ]
    write_shards(work / "one-per-shard", docs, 1)
    write_shards(work / "fifty-per-shard", docs, 50)
    figures: dict[str, Any] = {"documents": count, "rounds": rounds}
    with connect("local:1") as client:
        client.submit(_noop, 0).result()
        start = time.perf_counter()
        futures = client.map(_noop, range(500), pure=False)
        client.gather(futures)
        figures["empty_task_ms"] = round((time.perf_counter() - start) / 500 * 1000, 2)
        # warm the worker's pipeline so that no timing pays for loading it
        warm = work / "fifty-per-shard" / "part-00000.jsonl"
        extract_shards([warm], work / "warm", client=client, progress=False)
        for round_ in range(rounds):
            for label in ("fifty-per-shard", "one-per-shard"):
                before = load()
                start = time.perf_counter()
                run = extract_shards(
                    [work / label], work / f"out-{label}-{round_}", client=client, progress=False
                )
                seconds = time.perf_counter() - start
                best = figures.get(label, {}).get("seconds")
                if best is None or seconds < best:
                    figures[label] = {
                        "shards": run.shards,
                        "seconds": round(seconds, 2),
                        "load_before": before,
                        "load_after": load(),
                    }
                print(f"  {label}: {run.shards} shards in {seconds:.1f} s ({before})", flush=True)
    many, few = figures["one-per-shard"], figures["fifty-per-shard"]
    extra = (many["seconds"] - few["seconds"]) / (many["shards"] - few["shards"])
    figures["seconds_per_extra_shard"] = round(extra, 4)
    print(
        f"  one more shard costs {extra * 1000:.0f} ms; an empty task's round trip"
        f" {figures['empty_task_ms']} ms",
        flush=True,
    )
    return figures


def memory(work: Path, count: int, shard_size: int) -> dict[str, Any]:
    ids = write_shards(work / "in", synthetic_documents(count, seed=31), shard_size)
    before = load()
    start = time.perf_counter()
    with connect("local:2") as client:
        run = extract_shards([work / "in"], work / "out", client=client, progress=False)
    seconds = time.perf_counter() - start
    order, latest = read_manifest(work / "out")
    per_worker: dict[str, list[tuple[float, float]]] = {}
    for result in run.results:  # in completion order
        if result.rss_kib is not None and result.peak_rss_kib is not None:
            per_worker.setdefault(result.worker, []).append(
                (result.rss_kib / 1024, result.peak_rss_kib / 1024)
            )
    workers: dict[str, Any] = {}
    for worker, samples in per_worker.items():
        # resident memory after each of the worker's shards, in the order they ran
        rss = [current for current, _ in samples]
        half = len(rss) // 2
        workers[worker] = {
            "shards": len(rss),
            "documents": len(rss) * shard_size,
            "rss_mib_at_10_25_50_75_100_percent": [
                round(rss[max(0, round(len(rss) * q) - 1)], 1) for q in (0.1, 0.25, 0.5, 0.75, 1.0)
            ],
            "max_rss_first_half_mib": round(max(rss[:half] or rss), 1),
            "max_rss_second_half_mib": round(max(rss[half:]), 1),
            "peak_rss_at_half_mib": round(samples[max(0, half - 1)][1], 1),
            "peak_rss_at_end_mib": round(samples[-1][1], 1),
        }
        print(f"  worker {worker}: {workers[worker]}", flush=True)
    figures = {
        "documents": count,
        "shard_size": shard_size,
        "seconds": round(seconds, 1),
        "load_before": before,
        "load_after": load(),
        "workers": workers,
        "accounting": accounting(work / "out", ids),
        "manifest_lines": len(order),
        "all_complete": all(latest[n].status == "complete" for n in order),
    }
    print(f"  {count} documents in {seconds:.0f} s; {figures['accounting']}", flush=True)
    return figures


def kill_and_rerun(work: Path, count: int) -> dict[str, Any]:
    ids = write_shards(work / "in", synthetic_documents(count, seed=37), 20)
    killed: list[int] = []
    completed: list[str] = []
    figures: dict[str, Any] = {"documents": count}
    with connect("local:2") as client:

        def kill_a_busy_worker(result: ShardResult) -> None:
            completed.append(result.shard)
            if killed or len(completed) < 2:
                return
            pids = dict(client.run(os.getpid))
            busy = [a for a, keys in client.processing().items() if keys]
            if busy:
                killed.append(pids[busy[0]])
                os.kill(pids[busy[0]], signal.SIGKILL)

        run = extract_shards(
            [work / "in"], work / "out", client=client, progress=False, on_shard=kill_a_busy_worker
        )
        figures["killed_worker_pid"] = killed[0] if killed else None
        figures["after_kill"] = accounting(work / "out", ids) | {"failed_shards": len(run.failed)}
        print(f"  killed worker {killed}: {figures['after_kill']}", flush=True)
        client.wait_for_workers(2, timeout=120)
        rerun = extract_shards([work / "in"], work / "out", client=client, progress=False)
        figures["rerun"] = accounting(work / "out", ids) | {
            "skipped": rerun.skipped,
            "extracted": len(rerun.results),
        }
        print(f"  rerun: {figures['rerun']}", flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--shard-size", type=int, default=50)
    parser.add_argument("--memory-docs", type=int, default=10000)
    parser.add_argument("--overhead-docs", type=int, default=400)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--skip", default="", help="comma-separated: " + ",".join(SECTIONS))
    parser.add_argument("-o", "--output", type=Path, default=None)
    args = parser.parse_args(argv)
    skip = {s for s in args.skip.split(",") if s}
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-dask-"))
    figures: dict[str, Any] = {
        "command": shlex.join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_at_start": load(),
    }
    print(f"work folder {work}; {load()}", flush=True)
    try:
        if "throughput" not in skip:
            print(f"(a) throughput, {args.docs} documents", flush=True)
            figures["throughput"] = throughput(work / "throughput", args.docs, args.shard_size)
        if "overhead" not in skip:
            print(f"(b) overhead per shard, {args.overhead_docs} documents", flush=True)
            figures["overhead"] = overhead(work / "overhead", args.overhead_docs)
        if "memory" not in skip:
            print(f"(c) memory per worker, {args.memory_docs} documents", flush=True)
            figures["memory"] = memory(work / "memory", args.memory_docs, args.shard_size)
        if "kill" not in skip:
            print(f"(d) killed worker and rerun, {args.overhead_docs} documents", flush=True)
            figures["kill"] = kill_and_rerun(work / "kill", args.overhead_docs)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    figures["load_at_end"] = load()
    if args.output is not None:
        with atomic_writer(args.output) as handle:
            handle.write(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
