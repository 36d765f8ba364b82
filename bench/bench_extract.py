"""Benchmark the extractor: throughput against bare spaCy, memory when streaming, accuracy.

    .venv/bin/python bench/bench_extract.py [--rounds 3] [--seed-repeat N] [--docs 2000]
        [--batch-size 32] [--model NAME] [--dev DIR] [--skip throughput,memory,accuracy]
        [-o figures.json]

(a) **Memory**: ``extract_documents`` over a generator of ``--docs`` synthetic
    documents (paragraphs of the seeds shuffled, each with a unique header line
    so the vocabulary sees new strings), every result serialized and dropped.
    RSS (``/proc/self/status`` VmRSS) is sampled; the growth from 10 % of the
    run to its end is printed (flat: a few percent at most), and the
    peaks of the run's two halves. Run first, in a fresh process.
(b) **Throughput**: the same documents through ``extract_documents`` with each
    result serialized to its JSONL line (what ``quotes extract`` does, minus the
    file) and through the bare pipeline (same model, same components,
    ``quote_extractor`` disabled, same ``make_doc`` + paragraph pre-marking
    path). The two alternate for ``--rounds`` rounds; best and median docs/s
    and words/s are printed with their ratio (target: >= 0.85). Documents: the
    seeds repeated ``--seed-repeat`` times, plus the texts of ``../shared/dev``
    when present.
(c) **Accuracy**: on ``../shared/dev`` when present (skipped cleanly when not):
    GGT quote P/R/F1 in ``partial`` and ``coverage30`` modes, end-to-end and
    attribution accuracy; PolNeAR recall of indirect quotes on its
    reported-speech subset (see ``polnear_subset`` for how precision is kept
    fair there); the seeds' gold (``gold/seeds.jsonl``) with ``partial``.

Nothing is written unless ``-o`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import statistics
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy

from quotes.io import atomic_writer, dump_json_line
from quotes.marks import mark_paragraph_starts, paragraphs
from quotes.pipeline import extract_documents, load_pipeline
from quotes.scoring import EvaluationResult, evaluate_documents, normalize_span
from quotes.types import CharSpan, Document, Quote

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "gold" / "seeds.jsonl"
DEV = ROOT.parent / "shared" / "dev"
SECTIONS = ("throughput", "memory", "accuracy")


# --- helpers ------------------------------------------------------------------


def rss_kib() -> int:
    """Resident set size of this process in KiB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def word_count(docs: Iterable[Document]) -> int:
    """White-space separated words of the documents' texts."""
    return sum(len(d.text.split()) for d in docs)


def seed_documents() -> list[Document]:
    """The five seed articles (id = file stem)."""
    return [Document(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]


def dev_texts(dev: Path) -> list[Document]:
    """The texts (only) of the dev sets, when ``dev`` holds them."""
    out: list[Document] = []
    for name in ("ggt_dev.jsonl", "polnear_dev.jsonl"):
        path = dev / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                out.append(Document(f"{name}:{record['id']}", record["text"]))
    return out


@dataclass(frozen=True)
class Timing:
    """One timed pass over the documents."""

    seconds: float
    docs: int
    words: int

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds

    @property
    def words_per_s(self) -> float:
        return self.words / self.seconds


# --- (a) throughput -----------------------------------------------------------------


def time_extract(nlp: Any, docs: list[Document], batch_size: int) -> float:
    """Seconds for extract_documents plus the JSONL line of each result."""
    start = time.perf_counter()
    for doc in extract_documents(docs, nlp, batch_size=batch_size):
        dump_json_line(doc.to_dict())
    return time.perf_counter() - start


def time_bare(nlp: Any, docs: list[Document], batch_size: int) -> float:
    """Seconds for the same components without quote_extractor, through the same doc path."""
    start = time.perf_counter()
    with nlp.select_pipes(disable=["quote_extractor"]):
        made = (mark_paragraph_starts(nlp.make_doc(d.text)) for d in docs)
        for _ in nlp.pipe(made, batch_size=batch_size):
            pass
    return time.perf_counter() - start


def throughput(nlp: Any, docs: list[Document], rounds: int, batch_size: int) -> dict[str, Any]:
    """Alternate bare and full passes; best and median of each, and their ratios."""
    words = word_count(docs)
    runs: dict[str, list[Timing]] = {"bare": [], "extract": []}
    # warm up both paths once (first-batch allocations, lazy imports)
    warm = docs[: min(len(docs), 5)]
    time_bare(nlp, warm, batch_size)
    time_extract(nlp, warm, batch_size)
    for round_no in range(rounds):
        order = ("bare", "extract") if round_no % 2 == 0 else ("extract", "bare")
        for name in order:
            timer = time_bare if name == "bare" else time_extract
            seconds = timer(nlp, docs, batch_size)
            runs[name].append(Timing(seconds, len(docs), words))
            print(f"  round {round_no + 1}: {name:8s} {seconds:7.2f} s", flush=True)
    best = {k: min(v, key=lambda t: t.seconds) for k, v in runs.items()}
    median = {k: statistics.median(t.seconds for t in v) for k, v in runs.items()}
    return {
        "docs": len(docs),
        "words": words,
        "rounds": rounds,
        "batch_size": batch_size,
        "best": {
            k: {
                "seconds": round(t.seconds, 3),
                "docs_per_s": round(t.docs_per_s, 2),
                "words_per_s": round(t.words_per_s, 1),
            }
            for k, t in best.items()
        },
        "median_seconds": {k: round(v, 3) for k, v in median.items()},
        "ratio_best": round(best["bare"].seconds / best["extract"].seconds, 3),
        "ratio_median": round(median["bare"] / median["extract"], 3),
    }


# --- (b) memory -------------------------------------------------------------------------


def synthetic_documents(count: int, seed: int = 13) -> Iterator[Document]:
    """``count`` documents of 2-6 seed paragraphs each, with a unique header line."""
    pool = [
        text[a:b]
        for text in (d.text for d in seed_documents())
        for a, b in paragraphs(text)
        if b - a > 40
    ]
    rng = random.Random(seed)
    for i in range(count):
        body = "\n\n".join(rng.sample(pool, rng.randint(2, 6)))
        yield Document(f"synthetic-{i}", f"Dispatch {i:06d}-{rng.getrandbits(32):08x}\n\n{body}")


def memory(nlp: Any, count: int, batch_size: int) -> dict[str, Any]:
    """RSS while streaming ``count`` synthetic documents through extract_documents."""
    samples: list[tuple[int, int]] = [(0, rss_kib())]
    step = max(1, count // 50)
    start = time.perf_counter()
    done = 0
    for done, doc in enumerate(
        extract_documents(synthetic_documents(count), nlp, batch_size=batch_size), start=1
    ):
        dump_json_line(doc.to_dict())
        if done % step == 0 or done == count:
            samples.append((done, rss_kib()))
    seconds = time.perf_counter() - start
    at_10 = next(kib for n, kib in samples if n >= count // 10)
    end = samples[-1][1]
    # batches make RSS saw-tooth: compare the peaks of the two halves as well
    first_half = max(k for n, k in samples if 0 < n <= done // 2)
    second_half = max(k for n, k in samples if n > done // 2)
    return {
        "docs": done,
        "seconds": round(seconds, 1),
        "rss_start_mib": round(samples[0][1] / 1024, 1),
        "rss_10pct_mib": round(at_10 / 1024, 1),
        "rss_end_mib": round(end / 1024, 1),
        "rss_max_mib": round(max(k for _, k in samples) / 1024, 1),
        "growth_after_10pct": round((end - at_10) / at_10, 4),
        "rss_max_first_half_mib": round(first_half / 1024, 1),
        "rss_max_second_half_mib": round(second_half / 1024, 1),
        "peak_growth_second_half": round((second_half - first_half) / first_half, 4),
    }


# --- (c) accuracy ---------------------------------------------------------------------


def read_gold(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def predict(nlp: Any, gold: list[Document], batch_size: int) -> list[Document]:
    return list(
        extract_documents([Document(d.id, d.text) for d in gold], nlp, batch_size=batch_size)
    )


def scores(result: EvaluationResult, modes: Iterable[str]) -> dict[str, Any]:
    """Quote P/R/F1, end-to-end P/R/F1 and attribution accuracy per mode."""
    out: dict[str, Any] = {}
    for mode in modes:
        out[mode] = {
            "quotes": result.quotes(mode).to_dict(),
            "end_to_end": result.end_to_end(mode).to_dict(),
            "attribution": result.attribution(mode).to_dict(),
        }
    return out


def _overlaps(quote: Quote, spans: list[CharSpan]) -> bool:
    pieces = [normalize_span(p) for p in quote.pieces()]
    return any(p.overlap(s) > 0 for p in pieces for s in spans)


def polnear_subset(
    records: list[dict[str, Any]], predicted: dict[str, Document]
) -> tuple[list[Document], list[Document], int]:
    """Gold restricted to reported speech, and predictions scored fairly against it.

    Kept gold quotes: ``speech_cue or type != "indirect"`` (the dev README's
    filter). A prediction that overlaps only gold quotes outside the subset
    (a belief, an intention, a poll that "shows") is set aside, neither a true
    nor a false positive: the subset's gold says nothing about it. A prediction
    overlapping no gold quote at all stays, and counts as a false positive.
    Returns gold documents, prediction documents and how many predictions
    were set aside.
    """
    gold_docs, pred_docs, set_aside = [], [], 0
    for record in records:
        kept = [q for q in record["quotes"] if q.get("speech_cue") or q["type"] != "indirect"]
        dropped = [q for q in record["quotes"] if q not in kept]
        gold = Document.from_dict({**record, "quotes": kept})
        outside = Document.from_dict({**record, "quotes": dropped})
        inside_spans = [normalize_span(p) for q in gold.quotes for p in q.pieces()]
        outside_spans = [normalize_span(p) for q in outside.quotes for p in q.pieces()]
        pred = predicted[gold.id]
        quotes = []
        for quote in pred.quotes:
            if _overlaps(quote, outside_spans) and not _overlaps(quote, inside_spans):
                set_aside += 1
                continue
            quotes.append(quote)
        gold_docs.append(gold)
        pred_docs.append(Document(pred.id, pred.text, tuple(quotes)))
    return gold_docs, pred_docs, set_aside


def indirect_recall(result: EvaluationResult, mode: str) -> dict[str, Any]:
    """Gold indirect quotes found (any predicted type, and predicted indirect)."""
    total = found = same_type = 0
    for doc in result.documents:
        pairs = {p.gold: p for p in doc.matches[mode].pairs}
        for gi, quote in enumerate(doc.gold_quotes):
            if quote.type != "indirect":
                continue
            total += 1
            if gi in pairs:
                found += 1
                same_type += pairs[gi].type_agrees
    return {
        "gold_indirect": total,
        "recall": round(found / total, 4) if total else None,
        "recall_typed": round(same_type / total, 4) if total else None,
    }


def accuracy(nlp: Any, batch_size: int, dev: Path) -> dict[str, Any]:
    """Scores on the seeds' gold and, when present, on the dev sets."""
    out: dict[str, Any] = {}
    seeds_gold = [Document.from_dict(r) for r in read_gold(GOLD)]
    result = evaluate_documents(seeds_gold, predict(nlp, seeds_gold, batch_size))
    out["seeds"] = scores(result, ("partial",))
    ggt = dev / "ggt_dev.jsonl"
    if ggt.exists():
        gold = [Document.from_dict(r) for r in read_gold(ggt)]
        result = evaluate_documents(gold, predict(nlp, gold, batch_size))
        out["ggt"] = scores(result, ("partial", "coverage30"))
    polnear = dev / "polnear_dev.jsonl"
    if polnear.exists():
        records = read_gold(polnear)
        all_gold = [Document.from_dict(r) for r in records]
        predicted = {d.id: d for d in predict(nlp, all_gold, batch_size)}
        gold, pred, set_aside = polnear_subset(records, predicted)
        result = evaluate_documents(gold, pred)
        out["polnear_speech"] = {
            "gold_quotes": sum(len(d.quotes) for d in gold),
            "predictions_set_aside": set_aside,
            **scores(result, ("partial", "coverage30")),
            "indirect": {m: indirect_recall(result, m) for m in ("partial", "coverage30")},
        }
    return out


# --- output ----------------------------------------------------------------------------


def prf(counts: dict[str, Any]) -> str:
    return f"P {counts['p']:.3f}  R {counts['r']:.3f}  F1 {counts['f1']:.3f}"


def print_accuracy(figures: dict[str, Any]) -> None:
    for name, label in (
        ("seeds", "seeds gold (5 docs)"),
        ("ggt", "GGT dev"),
        ("polnear_speech", "PolNeAR dev, reported-speech subset"),
    ):
        if name not in figures:
            print(f"  {label}: absent (no dev data folder), skipped")
            continue
        block = figures[name]
        print(f"  {label}:")
        for mode in ("partial", "coverage30"):
            if mode not in block:
                continue
            m = block[mode]
            attr = m["attribution"]["accuracy"]
            print(f"    {mode:10s} quotes     {prf(m['quotes'])}")
            print(
                f"    {'':10s} end-to-end {prf(m['end_to_end'])}   attribution "
                f"{'n/a' if attr is None else f'{attr:.3f}'}"
            )
        if name == "polnear_speech":
            print(
                f"    gold quotes kept {block['gold_quotes']}; predictions set aside "
                f"(overlapping only non-speech gold) {block['predictions_set_aside']}"
            )
            for mode, r in block["indirect"].items():
                print(
                    f"    {mode:10s} indirect recall {r['recall']:.3f} "
                    f"(typed indirect {r['recall_typed']:.3f}) of {r['gold_indirect']}"
                )


def command_line() -> str:
    exe = Path(sys.executable)
    with_venv = exe.parent.parent == ROOT / ".venv"
    python = ".venv/bin/python" if with_venv else str(exe)
    return "$ " + " ".join(shlex.quote(a) for a in [python, *sys.argv])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating throughput rounds")
    parser.add_argument(
        "--seed-repeat",
        type=int,
        default=None,
        help="copies of the seeds (default 4 with the dev texts, else 20)",
    )
    parser.add_argument(
        "--dev",
        type=Path,
        default=DEV,
        help="third-party dev data folder (default ../shared/dev; skipped when absent)",
    )
    parser.add_argument("--docs", type=int, default=2000, help="documents for the memory run")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--model", default=None, help="spaCy pipeline (default as extract)")
    parser.add_argument("--skip", default="", help=f"comma-separated of {','.join(SECTIONS)}")
    parser.add_argument("-o", "--output", type=Path, default=None, help="write figures (JSON)")
    args = parser.parse_args(argv)
    skip = {s for s in args.skip.split(",") if s}
    if skip - set(SECTIONS):
        parser.error(f"--skip takes {', '.join(SECTIONS)}")

    print(command_line())
    nlp = load_pipeline(args.model)
    meta = {
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "model": f"{nlp.meta.get('name')}-{nlp.meta.get('version')}",
        "pipeline": nlp.pipe_names,
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    print(
        f"model {meta['model']} {meta['pipeline']}; spaCy {meta['spacy']}; "
        f"{meta['cpus']} CPUs, load average {meta['loadavg_at_start']}"
    )
    figures: dict[str, Any] = {"command": command_line()[2:], "meta": meta}

    if "memory" not in skip:
        print(f"\n(a) memory: streaming {args.docs} synthetic documents")
        m = memory(nlp, args.docs, args.batch_size)
        figures["memory"] = m
        print(
            f"  RSS start {m['rss_start_mib']} MiB, after 10% {m['rss_10pct_mib']} MiB, "
            f"end {m['rss_end_mib']} MiB, max {m['rss_max_mib']} MiB; growth after 10%: "
            f"{100 * m['growth_after_10pct']:.1f}% ({m['docs']} docs in {m['seconds']} s)"
        )
        print(
            f"  peak RSS first half {m['rss_max_first_half_mib']} MiB, second half "
            f"{m['rss_max_second_half_mib']} MiB: {100 * m['peak_growth_second_half']:+.1f}%"
        )

    if "throughput" not in skip:
        extra = dev_texts(args.dev)
        repeat = args.seed_repeat if args.seed_repeat is not None else (4 if extra else 20)
        docs = seed_documents() * repeat + extra
        print(
            f"\n(b) throughput: {len(docs)} documents, {word_count(docs)} words, "
            f"batch size {args.batch_size}, {args.rounds} alternating rounds"
        )
        t = throughput(nlp, docs, args.rounds, args.batch_size)
        figures["throughput"] = t
        print(f"  {'':22s} {'docs/s':>8s} {'words/s':>9s} {'best s':>8s} {'median s':>9s}")
        for name, label in (("bare", "bare spaCy (same pipes)"), ("extract", "quotes extract")):
            b = t["best"][name]
            print(
                f"  {label:22s} {b['docs_per_s']:8.2f} {b['words_per_s']:9.0f} "
                f"{b['seconds']:8.2f} {t['median_seconds'][name]:9.2f}"
            )
        print(
            f"  ratio extract/bare: best {t['ratio_best']:.3f}, median "
            f"{t['ratio_median']:.3f} (target >= 0.85)"
        )

    if "accuracy" not in skip:
        print("\n(c) accuracy")
        a = accuracy(nlp, args.batch_size, args.dev)
        figures["accuracy"] = a
        print_accuracy(a)

    if args.output is not None:
        with atomic_writer(args.output) as handle:
            handle.write(json.dumps(figures, indent=2) + "\n")
        print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
