"""Benchmark the bounds of issue 9: cost per token, memory of long documents, serve.

    .venv/bin/python bench/bench_limits.py [--skip cost,memory,serve,pieces]
        [--cost-sizes 10000,100000,1000000] [--memory-sizes 1000000,5000000,20000000]
        [--address-space-gib 3] [--serve-requests 1000] [--maximal-bytes N]
        [--dev DIR] [--piece-chars 4000] [--context-chars 3000] [-o figures.json]

(a) **Cost**: ``extract_documents`` (pieces and all) on one document of each
    size, for the crafted text (``"yes," he said, `` repeated, one paragraph)
    and a news-like text (tests/synthetic.py); wall and CPU seconds per token,
    and the ratio of the largest to the smallest per-token CPU cost (target:
    at most 1.5). Then the 52.8 KB crafted document alone (target: under 15 s).
(b) **Memory**: each size of news-like text as one document, in a child
    process; the 5 MB one under an address-space limit (``resource.RLIMIT_AS``,
    ``--address-space-gib``, target: 3); peak resident memory of each child.
(c) **Serve**: a real ``quotes serve --workers 2`` on a free port. A small
    request's time when the server is idle (the model time), then again while
    a maximal request (a body just under the size limit, tasks just under the
    length limit) runs (target: within 1 s of the model time); then
    ``--serve-requests`` fuzzed requests (random JSON and bytes to every route)
    with /health asked after each (target: it always answers, no 5xx).

(d) **Pieces**: the dev texts (``--dev``, default ``../shared/dev``; skipped
    when absent) read whole and cut into ``--piece-chars`` pieces: how many
    quotes keep their span and type, and also their speaker names and cue.

Prints its command line and the load average before and after each part.
Writes nothing unless ``-o`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quotes.io import atomic_writer  # noqa: E402
from tests.synthetic import crafted_text, newslike_text  # noqa: E402

SECTIONS = ("cost", "memory", "serve", "pieces")
DEV = ROOT.parent / "shared" / "dev"


def load() -> str:
    """The load average (1, 5, 15 minutes), as text."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- (a) cost -----------------------------------------------------------------------------


def cost(sizes: list[int]) -> dict[str, Any]:
    """Seconds per token of extracting one document of each size and kind."""
    from quotes import load_pipeline
    from quotes.pieces import Limits
    from quotes.pipeline import extract_documents
    from quotes.types import Document

    nlp = load_pipeline()
    limits = Limits(max_chars=None, time_budget=None)
    out: dict[str, Any] = {}
    for kind, make in (("crafted", crafted_text), ("news-like", newslike_text)):
        rows = []
        for size in sizes:
            text = make(size)
            too_long = len(text) > nlp.max_length
            tokens = _count_tokens(nlp, text) if too_long else len(nlp.make_doc(text))
            started_wall, started_cpu = time.perf_counter(), time.process_time()
            [doc] = extract_documents([Document("d", text)], nlp, limits=limits)
            wall = time.perf_counter() - started_wall
            cpu = time.process_time() - started_cpu
            rows.append(
                {
                    "chars": len(text),
                    "tokens": tokens,
                    "quotes": len(doc.quotes),
                    "wall_s": round(wall, 2),
                    "cpu_s": round(cpu, 2),
                    "cpu_us_per_token": round(1e6 * cpu / tokens, 1),
                    "load": load(),
                }
            )
            print(
                f"  {kind:9s} {len(text):>9,} chars {tokens:>8,} tokens: {wall:7.1f} s wall,"
                f" {cpu:7.1f} s CPU, {1e6 * cpu / tokens:6.1f} us CPU/token"
                f" ({len(doc.quotes)} quotes; load {load()})",
                flush=True,
            )
        per_token = [r["cpu_us_per_token"] for r in rows]
        ratio = max(per_token) / min(per_token)
        print(f"  {kind}: largest/smallest CPU per token {ratio:.2f} (target <= 1.5)")
        out[kind] = {"rows": rows, "ratio": round(ratio, 3)}
    text = crafted_text(52_800)
    started = time.perf_counter()
    list(extract_documents([Document("d", text)], nlp, limits=limits))
    seconds = time.perf_counter() - started
    print(f"  crafted 52.8 KB ({len(text):,} chars): {seconds:.1f} s (target < 15; load {load()})")
    out["crafted_52_8kb_s"] = round(seconds, 2)
    return out


def _count_tokens(nlp: Any, text: str) -> int:
    """Tokens of a text longer than ``nlp.max_length``, counted a paragraph group at a time."""
    from quotes.pieces import plan_pieces

    return sum(
        len(nlp.make_doc(text[p.own_start : p.own_end])) for p in plan_pieces(text, 500_000, 0)
    )


# --- (b) memory ---------------------------------------------------------------------------

MEMORY_CHILD = textwrap.dedent(
    """
    import resource, sys, time
    sys.path.insert(0, sys.argv[1])
    from tests.synthetic import newslike_text
    from quotes import load_pipeline
    from quotes.pieces import Limits
    from quotes.pipeline import extract_documents
    from quotes.types import Document
    nlp = load_pipeline()
    limit = int(sys.argv[3])
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    text = newslike_text(int(sys.argv[2]), seed=11)
    started = time.monotonic()
    [doc] = extract_documents(
        [Document("big", text)], nlp, limits=Limits(max_chars=None, time_budget=None)
    )
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    vm = [l for l in open("/proc/self/status") if l.startswith("VmPeak")][0].split()[1]
    print(len(text), len(doc.quotes), peak, vm, round(seconds, 1))
    """
)


def memory(sizes: list[int], address_space_gib: float) -> dict[str, Any]:
    """Peak memory of one news-like document of each size, each in a child process;
    the 5 MB one under an address-space limit."""
    out: dict[str, Any] = {}
    for size in sizes:
        limit = int(address_space_gib * 1024**3) if size == 5_000_000 else 0
        done = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD, str(ROOT), str(size), str(limit)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(f"  {size:,} chars: FAILED ({done.stderr.strip().splitlines()[-1:]})")
            out[str(size)] = {"failed": done.stderr[-500:], "limit_bytes": limit}
            continue
        chars, quotes, peak_kib, vm_kib, seconds = done.stdout.split()
        row = {
            "chars": int(chars),
            "quotes": int(quotes),
            "peak_rss_mib": round(int(peak_kib) / 1024, 1),
            "peak_address_space_mib": round(int(vm_kib) / 1024, 1),
            "seconds": float(seconds),
            "address_space_limit_gib": address_space_gib if limit else None,
            "load": load(),
        }
        out[str(size)] = row
        under = f", under a {address_space_gib:g} GiB address-space limit" if limit else ""
        print(
            f"  {int(chars):>10,} chars: peak RSS {row['peak_rss_mib']:7.1f} MiB, peak address"
            f" space {row['peak_address_space_mib']:7.1f} MiB, {seconds} s, {quotes} quotes"
            f"{under} (load {load()})",
            flush=True,
        )
    return out


# --- (c) serve ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randint(-(10**12), 10**12)
    if kind == 3:
        return rng.choice([0.5, -1e308, 1e-9, 3.0])
    if kind == 4:
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(30)))
    if kind == 5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 6:
        return {"tasks": [{"id": rng.randrange(99), "data": _random_json(rng, depth + 1)}]}
    return {str(rng.randrange(9)): _random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def serve(requests: int, maximal_bytes: int) -> dict[str, Any]:
    """Small-request latency while a maximal request runs; fuzzed requests."""
    import httpx

    from quotes.pieces import SERVE_MAX_CHARS, SERVE_MAX_REQUEST_BYTES

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    script = Path(sys.executable).with_name("quotes")
    server = subprocess.Popen(
        [str(script), "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    out: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        small = {"tasks": [{"id": 1, "data": {"text": "“We will win,” she said."}}]}

        def small_request() -> float:
            started = time.perf_counter()
            answer = httpx.post(f"{base}/predict", json=small, timeout=120)
            assert answer.status_code == 200 and "result" in answer.json()["results"][0]
            return time.perf_counter() - started

        small_request()  # warm up
        idle = [small_request() for _ in range(10)]
        model = statistics.median(idle)
        # a maximal request: tasks just under the length limit, the body just under the size limit
        text = newslike_text(SERVE_MAX_CHARS - 1_000, seed=2)[: SERVE_MAX_CHARS - 1_000]
        per_task = len(json.dumps({"data": {"text": text}}))
        count = max(1, min(maximal_bytes, SERVE_MAX_REQUEST_BYTES - 1_000) // (per_task + 2))
        big = json.dumps({"tasks": [{"id": k, "data": {"text": text}} for k in range(count)]})
        assert len(big) < SERVE_MAX_REQUEST_BYTES
        big_done: dict[str, Any] = {}

        def big_request() -> None:
            started = time.perf_counter()
            answer = httpx.post(
                f"{base}/predict",
                content=big,
                headers={"content-type": "application/json"},
                timeout=3600,
            )
            big_done["seconds"] = time.perf_counter() - started
            big_done["status"] = answer.status_code
            results = answer.json()["results"] if answer.status_code == 200 else []
            big_done["errors"] = sum(1 for r in results if "error" in r)

        worker = threading.Thread(target=big_request)
        worker.start()
        time.sleep(3)
        busy = []
        while worker.is_alive() and len(busy) < 30:
            busy.append(small_request())
            time.sleep(1)
        worker.join()
        extra = [b - model for b in busy]
        out["latency"] = {
            "model_s_median_idle": round(model, 3),
            "busy_s": [round(b, 3) for b in busy],
            "over_model_s_max": round(max(extra), 3) if extra else None,
            "over_model_s_median": round(statistics.median(extra), 3) if extra else None,
            "maximal_request": {"tasks": count, "bytes": len(big), **big_done},
            "load": load(),
        }
        print(
            f"  small request idle: median {model:.3f} s (model time); while a maximal request"
            f" ({count} tasks of {len(text):,} chars, {len(big):,} bytes) ran:"
            f" {len(busy)} small requests, over the model time median"
            f" {out['latency']['over_model_s_median']} s, max {out['latency']['over_model_s_max']}"
            f" s (target <= 1 s); the maximal request took {big_done.get('seconds', 0):.0f} s"
            f" ({big_done.get('errors')} task(s) over their time limit; load {load()})",
            flush=True,
        )
        # fuzz
        rng = random.Random(9)
        routes = ["/predict", "/setup", "/validate", "/webhook", "/health", "/versions", "/"]
        statuses: dict[int, int] = {}
        health_failures = 0
        started = time.perf_counter()
        for k in range(requests):
            route = rng.choice(routes)
            if k % 3 == 0:
                content = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
            else:
                content = json.dumps(_random_json(rng)).encode()
            method = rng.choice(["POST", "POST", "GET"])
            try:
                status = httpx.request(
                    method, base + route, content=content, timeout=60
                ).status_code
            except httpx.HTTPError:
                status = -1
            statuses[status] = statuses.get(status, 0) + 1
            try:
                ok = httpx.get(f"{base}/health", timeout=5).json()["status"] == "UP"
            except (httpx.HTTPError, ValueError, KeyError):
                ok = False
            health_failures += not ok
        seconds = time.perf_counter() - started
        out["fuzz"] = {
            "requests": requests,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "health_failures": health_failures,
            "server_alive": server.poll() is None,
            "seconds": round(seconds, 1),
            "load": load(),
        }
        print(
            f"  {requests} fuzzed requests in {seconds:.0f} s: statuses {out['fuzz']['statuses']};"
            f" /health failed {health_failures} time(s); server up: {server.poll() is None}"
            f" (load {load()})",
            flush=True,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    return out


# --- (d) pieces --------------------------------------------------------------------------


def pieces(dev: Path, piece_chars: int, context_chars: int) -> dict[str, Any]:
    """The dev texts read whole and in pieces: the same quotes, speakers and cues?"""
    from quotes import load_pipeline
    from quotes.pieces import Limits
    from quotes.pipeline import extract_documents
    from quotes.types import Document

    docs = []
    for name in ("ggt_dev.jsonl", "polnear_dev.jsonl"):
        if (dev / name).exists():
            for line in (dev / name).read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                docs.append(Document(f"{name}:{record['id']}", record["text"]))
    if not docs:
        print(f"  skipped: no dev texts in {dev}")
        return {"skipped": str(dev)}
    nlp = load_pipeline()
    whole = {d.id: d for d in extract_documents(docs, nlp)}
    limits = Limits(piece_chars=piece_chars, context_chars=context_chars)
    cut = {d.id: d for d in extract_documents(docs, nlp, limits=limits)}
    total = same_span = same_all = 0
    for doc_id, doc in whole.items():
        a = {(q.start, q.end, q.type): q for q in doc.quotes}
        b = {(q.start, q.end, q.type): q for q in cut[doc_id].quotes}
        total += len(a)
        shared = a.keys() & b.keys()
        same_span += len(shared)
        same_all += sum(
            1 for k in shared if (a[k].speaker_name, a[k].cue) == (b[k].speaker_name, b[k].cue)
        )
    split = sum(1 for d in docs if len(d.text) > piece_chars)
    print(
        f"  {len(docs)} dev texts, {split} of them cut into pieces of {piece_chars:,} characters"
        f" ({context_chars:,} of context): {same_span} of {total} quotes with the same span and"
        f" type as read whole, {same_all} ({same_all / max(1, total):.1%}) also the same speaker"
        f" names and cue (load {load()})",
        flush=True,
    )
    return {
        "texts": len(docs),
        "cut": split,
        "quotes": total,
        "same_span_and_type": same_span,
        "same_speaker_and_cue": same_all,
        "load": load(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", default="", help="comma-separated: cost, memory, serve, pieces")
    parser.add_argument("--cost-sizes", default="10000,30000,100000,300000,1000000")
    parser.add_argument("--memory-sizes", default="1000000,5000000,20000000")
    parser.add_argument("--address-space-gib", type=float, default=3.0)
    parser.add_argument("--serve-requests", type=int, default=1000)
    parser.add_argument(
        "--maximal-bytes",
        type=int,
        default=10 * 1024 * 1024,
        help="body of the long request (default: just under the server's limit)",
    )
    parser.add_argument("--dev", type=Path, default=DEV, help="dev texts for (d)")
    parser.add_argument("--piece-chars", type=int, default=4_000, help="piece size for (d)")
    parser.add_argument("--context-chars", type=int, default=3_000, help="context for (d)")
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()
    skip = {s for s in args.skip.split(",") if s}
    print("$ " + shlex.join([Path(sys.executable).name, *sys.argv]), flush=True)
    figures: dict[str, Any] = {"command": sys.argv, "load_start": load()}
    if "cost" not in skip:
        print(f"(a) cost per token (load {load()})", flush=True)
        figures["cost"] = cost([int(x) for x in args.cost_sizes.split(",")])
    if "memory" not in skip:
        print(f"(b) memory of one long document (load {load()})", flush=True)
        sizes = [int(x) for x in args.memory_sizes.split(",")]
        figures["memory"] = memory(sizes, args.address_space_gib)
    if "serve" not in skip:
        print(f"(c) serve (load {load()})", flush=True)
        figures["serve"] = serve(args.serve_requests, args.maximal_bytes)
    if "pieces" not in skip:
        print(f"(d) the dev texts read in pieces (load {load()})", flush=True)
        figures["pieces"] = pieces(args.dev, args.piece_chars, args.context_chars)
    figures["load_end"] = load()
    print(f"load at the end: {load()}")
    if args.output:
        with atomic_writer(args.output) as handle:
            handle.write(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
