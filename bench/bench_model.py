"""The trained model against the rules alone: accuracy, calibration and speed, side by side.

    .venv/bin/python bench/bench_model.py [--dev ../shared/dev] [--model-dir DIR]
        [--skip accuracy,calibration,speed] [--rounds 3] [-o figures.json]

(a) **Accuracy**, rules-only and rules-plus-model on the same texts:
    - PolNeAR dev, reported-speech subset (``speech_cue or type != "indirect"``;
      a prediction overlapping only attributions outside the subset is set
      aside, see ``bench_extract.polnear_subset``): quote P/R/F1 and the recall
      of indirect quotes, under partial overlap and 30 % coverage;
    - GGT dev: quote P/R/F1 and end-to-end F1 under 30 % coverage and partial
      overlap, attribution accuracy (the scorer's strict name agreement);
    - the seeds' gold (``gold/seeds.jsonl``): partial overlap.
(b) **Calibration** of ``confidence`` on GGT dev and PolNeAR dev quotes: a
    quote is right when it matches gold under partial overlap and its speaker
    agrees; expected calibration error over ten equal-width bins, and the share
    right among the tenth of quotes with the highest confidence. (PolNeAR
    annotates no floating quotes and no canonical names: there a floating
    quote matching nothing is not judged, and "speaker agrees" is the mention,
    so its figure is indicative only; GGT's is the target.)
(c) **Speed**: the same documents (seeds and dev texts) through the bare
    pipeline (same components, no ``quote_extractor``), ``quotes extract``
    with the model and with ``--rules-only``, alternating for ``--rounds``;
    best and median throughput and their ratios to the bare pipeline.

Neither the dev sets nor the seeds were used to train the model or choose its
threshold (that is done on PolNeAR's train split, out of fold); the rules were
written while reading them. Skips what is absent, cleanly.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import (  # noqa: E402
    command_line,
    dev_texts,
    indirect_recall,
    polnear_subset,
    read_gold,
    seed_documents,
    word_count,
)

from quotes.marks import mark_paragraph_starts  # noqa: E402
from quotes.model.calibration import expected_calibration_error  # noqa: E402
from quotes.pipeline import extract_documents, load_pipeline  # noqa: E402
from quotes.scoring import evaluate_documents, match_document  # noqa: E402
from quotes.types import Document  # noqa: E402

SECTIONS = ("accuracy", "calibration", "speed")


def predict(nlp: Any, gold: list[Document]) -> dict[str, Document]:
    return {d.id: d for d in extract_documents([Document(g.id, g.text) for g in gold], nlp)}


def prf(counts: Any) -> dict[str, float]:
    return {"p": round(counts.p, 4), "r": round(counts.r, 4), "f1": round(counts.f1, 4)}


def accuracy(nlp: Any, dev: Path) -> dict[str, Any]:
    """The figures of section (a) for one pipeline."""
    out: dict[str, Any] = {}
    seeds = [Document.from_dict(r) for r in read_gold(ROOT / "gold" / "seeds.jsonl")]
    pred = predict(nlp, seeds)
    result = evaluate_documents(seeds, [pred[g.id] for g in seeds])
    out["seeds"] = {
        "quotes_partial": prf(result.quotes("partial")),
        "end_to_end_partial": prf(result.end_to_end("partial")),
    }
    if (dev / "polnear_dev.jsonl").exists():
        records = read_gold(dev / "polnear_dev.jsonl")
        gold_all = [Document.from_dict(r) for r in records]
        gold, kept, aside = polnear_subset(records, predict(nlp, gold_all))
        result = evaluate_documents(gold, kept)
        out["polnear_speech"] = {
            mode: {
                "quotes": prf(result.quotes(mode)),
                "indirect_recall": indirect_recall(result, mode)["recall"],
            }
            for mode in ("partial", "coverage30")
        }
        out["polnear_speech"]["set_aside"] = aside
    if (dev / "ggt_dev.jsonl").exists():
        gold = [Document.from_dict(r) for r in read_gold(dev / "ggt_dev.jsonl")]
        pred = predict(nlp, gold)
        result = evaluate_documents(gold, [pred[g.id] for g in gold])
        out["ggt"] = {
            mode: {
                "quotes": prf(result.quotes(mode)),
                "end_to_end": prf(result.end_to_end(mode)),
                "attribution": result.attribution(mode).to_dict()["accuracy"],
            }
            for mode in ("coverage30", "partial")
        }
    return out


def calibration(nlp: Any, dev: Path) -> dict[str, Any]:
    """Section (b): ECE and top-tenth accuracy of ``confidence``."""
    out: dict[str, Any] = {}
    for name in ("ggt_dev", "polnear_dev"):
        path = dev / f"{name}.jsonl"
        if not path.exists():
            continue
        records = read_gold(path)
        if name == "polnear_dev":
            gold_all = [Document.from_dict(r) for r in records]
            gold, kept, _ = polnear_subset(records, predict(nlp, gold_all))
            pairs = zip(gold, kept, strict=True)
        else:
            gold = [Document.from_dict(r) for r in records]
            pred = predict(nlp, gold)
            pairs = ((g, pred[g.id]) for g in gold)
        confidence, right = [], []
        for g, p in pairs:
            match = match_document(g.quotes, p.quotes, "partial")
            good = {pair.pred for pair in match.pairs if pair.speaker_agrees}
            matched = {pair.pred for pair in match.pairs}
            absorbed = set(match.absorbed)
            # PolNeAR ties every attribution to a cue: it says nothing of a
            # floating quote (no cue) that matches none of its quotes
            unjudged = (
                {k for k, q in enumerate(p.quotes) if q.cue is None and k not in matched}
                if name == "polnear_dev"
                else set()
            )
            for k, quote in enumerate(p.quotes):
                if k in absorbed or k in unjudged:
                    continue
                confidence.append(quote.confidence)
                right.append(k in good)
        order = sorted(range(len(confidence)), key=lambda k: -confidence[k])
        top = order[: max(1, len(order) // 10)]
        bins = [
            [(c, r) for c, r in zip(confidence, right, strict=True) if min(int(c * 10), 9) == b]
            for b in range(10)
        ]
        out[name] = {
            "bins": [
                {
                    "bin": f"{b / 10:.1f}-{(b + 1) / 10:.1f}",
                    "quotes": len(members),
                    "confidence": round(sum(c for c, _ in members) / len(members), 3),
                    "right": round(sum(r for _, r in members) / len(members), 3),
                }
                for b, members in enumerate(bins)
                if members
            ],
            "quotes": len(confidence),
            "right": round(sum(right) / len(right), 4) if right else None,
            "mean_confidence": round(sum(confidence) / len(confidence), 4) if confidence else None,
            "ece_10_bins": round(expected_calibration_error(confidence, right), 4),
            "top_tenth_right": round(sum(right[k] for k in top) / len(top), 4) if top else None,
        }
    return out


def speed(docs: list[Document], rounds: int) -> dict[str, Any]:
    """Section (c): bare pipeline, model and rules-only, alternating."""
    model_nlp = load_pipeline()
    rules_nlp = load_pipeline(rules_only=True)

    def bare() -> float:
        start = time.perf_counter()
        with model_nlp.select_pipes(disable=["quote_extractor"]):
            made = (mark_paragraph_starts(model_nlp.make_doc(d.text)) for d in docs)
            for _ in model_nlp.pipe(made, batch_size=32):
                pass
        return time.perf_counter() - start

    def run(nlp: Any) -> float:
        start = time.perf_counter()
        for doc in extract_documents(docs, nlp, batch_size=32):
            json.dumps(doc.to_dict())
        return time.perf_counter() - start

    timers = {"bare": bare, "model": lambda: run(model_nlp), "rules": lambda: run(rules_nlp)}
    for timer in timers.values():  # warm up every path
        timer()
    runs: dict[str, list[float]] = {name: [] for name in timers}
    names = list(timers)
    for round_no in range(rounds):
        for name in names[round_no % 3 :] + names[: round_no % 3]:
            runs[name].append(timers[name]())
            print(f"  round {round_no + 1}: {name:5s} {runs[name][-1]:7.2f} s", flush=True)
    words = word_count(docs)
    best = {name: min(times) for name, times in runs.items()}
    median = {name: statistics.median(times) for name, times in runs.items()}
    return {
        "docs": len(docs),
        "words": words,
        "rounds": rounds,
        "words_per_s_best": {name: round(words / t, 1) for name, t in best.items()},
        "ratio_best": {n: round(best["bare"] / best[n], 3) for n in ("model", "rules")},
        "ratio_median": {n: round(median["bare"] / median[n], 3) for n in ("model", "rules")},
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "dev")
    parser.add_argument("--model-dir", type=Path, default=None, help="default: the shipped model")
    parser.add_argument("--skip", default="", help=f"comma-separated of {','.join(SECTIONS)}")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("-o", "--output", type=Path, default=None, help="write figures (JSON)")
    args = parser.parse_args(argv)
    skip = {s for s in args.skip.split(",") if s}
    print(command_line())
    model_nlp = load_pipeline(model_dir=args.model_dir)
    version = model_nlp.get_pipe("quote_extractor").model_version
    print(f"model {version}; load average {os.getloadavg()[0]:.2f}", flush=True)
    figures: dict[str, Any] = {"command": command_line()[2:], "model_version": version}
    if "accuracy" not in skip:
        rules_nlp = load_pipeline(rules_only=True)
        figures["accuracy"] = {
            "rules": accuracy(rules_nlp, args.dev),
            "model": accuracy(model_nlp, args.dev),
        }
        print(json.dumps(figures["accuracy"], indent=1), flush=True)
    if "calibration" not in skip:
        figures["calibration"] = calibration(model_nlp, args.dev)
        print(json.dumps(figures["calibration"], indent=1), flush=True)
    if "speed" not in skip:
        docs = seed_documents() * 4 + dev_texts(args.dev)
        figures["speed"] = speed(docs, args.rounds)
        print(json.dumps(figures["speed"], indent=1), flush=True)
    if args.output is not None:
        args.output.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
