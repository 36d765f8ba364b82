"""Benchmark ``quotes push``: 1,000 documents with predictions into a local Label Studio or doccano.

Starts a throwaway Label Studio (as the test fixture does: 127.0.0.1, a free
port, a temporary data dir), makes N synthetic documents from the seeds (each
seed text with a numbered paragraph appended, so ids and text hashes differ),
and times the push. By default the seeds are extracted once and their quotes
reused for every copy (the offsets stay valid: text is only appended), so the
figure is the push itself: conversion, batched imports and the idempotency
check. ``--extract`` runs the full path, extraction included.

    .venv/bin/python bench/bench_push.py [-n 1000] [--batch-size 100] [--extract]
                                         [--tool labelstudio|doccano|both]

Prints one JSON object per tool: documents, tasks in the project, import
requests, seconds, documents per second, Python heap peak (tracemalloc) and the
process's peak RSS. For doccano (a throwaway 1.8.4 server from
``.venv-doccano``, as the tests start it) it also pulls every example back and
counts the documents that differ from what was pushed (the round trip through
the server).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quotes.io import iter_input_documents  # noqa: E402
from quotes.labelstudio import client as ls_client  # noqa: E402
from quotes.pipeline import extract_documents, load_pipeline  # noqa: E402
from quotes.types import Document  # noqa: E402
from tests.labelstudio.lsserver import running_server  # noqa: E402


def synthetic(seeds: list[Document], count: int) -> Iterator[Document]:
    """``count`` documents cycling over ``seeds``, each with its own id and text."""
    for number in range(count):
        seed = seeds[number % len(seeds)]
        yield Document(f"{seed.id}-{number:05d}", f"{seed.text}\n\nCopy {number}.", seed.quotes)


def main() -> None:
    """Run the benchmark and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--documents", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=ls_client.BATCH_SIZE)
    parser.add_argument("--extract", action="store_true", help="include extraction")
    parser.add_argument("--tool", choices=("labelstudio", "doccano", "both"), default="labelstudio")
    args = parser.parse_args()
    if args.tool in ("doccano", "both"):
        bench_doccano(args)
    if args.tool == "doccano":
        return

    nlp = load_pipeline()
    raw = [d for d in iter_input_documents([ROOT / "seeds"]) if isinstance(d, Document)]
    seeds = list(extract_documents(raw, nlp))
    requests = 0

    from label_studio_sdk.projects.client import ProjectsClient

    import_tasks = ProjectsClient.import_tasks

    def counted(self, *a, **kw):  # type: ignore[no-untyped-def]
        nonlocal requests
        requests += 1
        return import_tasks(self, *a, **kw)

    ProjectsClient.import_tasks = counted  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory(prefix="bench-ls-") as tmp, running_server(Path(tmp)) as srv:
        if args.extract:
            bare = [Document(d.id, d.text) for d in synthetic(raw, args.documents)]
            with tempfile.TemporaryDirectory() as docs_dir:
                path = Path(docs_dir) / "docs.jsonl"
                path.write_text(
                    "".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in bare)
                )
                tracemalloc.start()
                start = time.perf_counter()
                report = ls_client.push(
                    [path],
                    "bench",
                    url=srv.url,
                    api_key=srv.token,
                    batch_size=args.batch_size,
                    progress=False,
                    nlp=nlp,
                )
        else:
            tracemalloc.start()
            start = time.perf_counter()
            report = ls_client.push(
                [],
                "bench",
                url=srv.url,
                api_key=srv.token,
                batch_size=args.batch_size,
                progress=False,
                documents=synthetic(seeds, args.documents),
                model_version="bench",
            )
        seconds = time.perf_counter() - start
        _, heap_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        conn = ls_client.connect(srv.url, srv.token)
        tasks = len(ls_client.existing_tasks(conn, report.project_id))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "tool": "labelstudio",
                "documents": report.imported,
                "tasks_in_project": tasks,
                "import_requests": requests,
                "batch_size": args.batch_size,
                "extraction_included": args.extract,
                "quotes_per_document": round(sum(len(s.quotes) for s in seeds) / len(seeds), 1),
                "seconds": round(seconds, 2),
                "documents_per_second": round(report.imported / seconds, 1),
                "python_heap_peak_mb": round(heap_peak / 2**20, 1),
                "peak_rss_mb": round(rss_mb, 1),
            }
        )
    )


def bench_doccano(args: argparse.Namespace) -> None:
    """Push ``-n`` documents to a throwaway doccano in batches, time it, pull them back."""
    from quotes.annotation import gold_document, round_trip_differences
    from quotes.doccano import client as dc_client
    from tests.doccano.dcserver import running_server as running_doccano

    nlp = load_pipeline()
    raw = [d for d in iter_input_documents([ROOT / "seeds"]) if isinstance(d, Document)]
    seeds = list(extract_documents(raw, nlp))
    docs = list(synthetic(seeds, args.documents))
    with tempfile.TemporaryDirectory(prefix="bench-dc-") as tmp, running_doccano(Path(tmp)) as srv:
        kw = {"url": srv.url, "username": srv.username, "password": srv.password}
        tracemalloc.start()
        start = time.perf_counter()
        if args.extract:
            with tempfile.TemporaryDirectory() as docs_dir:
                path = Path(docs_dir) / "docs.jsonl"
                path.write_text(
                    "".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in docs)
                )
                report = dc_client.push(
                    [path], "bench", batch_size=args.batch_size, progress=False, nlp=nlp, **kw
                )
        else:
            report = dc_client.push(
                [],
                "bench",
                documents=docs,
                batch_size=args.batch_size,
                progress=False,
                model_version="bench",
                **kw,
            )
        seconds = time.perf_counter() - start
        _, heap_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as out:
            pulled = dc_client.pull("bench", Path(out) / "all.jsonl", all_examples=True, **kw)
        pull_seconds = time.perf_counter() - start
    expected = [gold_document(d) for d in docs] if not args.extract else []
    changed = round_trip_differences(expected, pulled.documents.get(None, [])) if expected else []
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "tool": "doccano",
                "documents": report.imported,
                "examples_pulled": pulled.written,
                "documents_changed_by_round_trip": len(changed) if expected else None,
                "import_requests": report.requests,
                "batch_size": args.batch_size,
                "extraction_included": args.extract,
                "quotes_per_document": round(sum(len(s.quotes) for s in seeds) / len(seeds), 1),
                "seconds": round(seconds, 2),
                "documents_per_second": round(report.imported / seconds, 1),
                "pull_seconds": round(pull_seconds, 2),
                "python_heap_peak_mb": round(heap_peak / 2**20, 1),
                "peak_rss_mb": round(rss_mb, 1),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
