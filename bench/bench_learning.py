"""What annotators' corrections buy: fine-tune the shipped model on 0, 8, 16, 24 corrected articles.

    .venv/bin/python bench/bench_learning.py [--gold ../shared/dev/ggt_dev.jsonl]
        [--sizes 0,8,16,24] [--rotations 3] [--test 9] [--epochs 8]
        [--png docs/learning-curve.png] [-o figures.json]

The gold articles (GGT dev: news from another country and year than the
training data) are dealt, by a fixed shuffle, into ``--rotations`` rotations:
each holds back ``--test`` articles to score on and offers the rest as
"corrections". For each rotation and each size N, the shipped model is
fine-tuned on the first N corrections exactly as ``quotes train`` does it
(N = 0: the shipped model as it is) and scored on the held-back articles:
quote F1 under 30 % coverage (the Gender Gap Tracker's rule) and partial
overlap, and end-to-end F1 (quote found and speaker right, the scorer's strict
name agreement). The figures are averaged over rotations and drawn as a PNG.

The held-back articles are never trained on in their rotation; the dev set is
used here to measure what corrections buy, not to choose anything of the
shipped model. Skips cleanly (exit 0) when the gold file is absent.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = ROOT.parent / "shared" / "dev" / "ggt_dev.jsonl"


def score(model: Any, parsed: list[Any], lexicon: Any) -> dict[str, float]:
    """Quote F1 (coverage30, partial) and end-to-end F1 (coverage30) of a model."""
    from quotes.scoring import evaluate_documents
    from quotes.types import Document

    gold, pred = [], []
    for item in parsed:
        quotes, _ = model.extract(item.doc, lexicon)
        document = item.gold.document
        gold.append(document)
        pred.append(Document(document.id, document.text, tuple(quotes)))
    result = evaluate_documents(gold, pred)
    return {
        "quotes_cov30": result.quotes("coverage30").f1,
        "quotes_partial": result.quotes("partial").f1,
        "end_to_end_cov30": result.end_to_end("coverage30").f1,
        "end_to_end_partial": result.end_to_end("partial").f1,
    }


def draw(curve: dict[int, dict[str, float]], png: Path, title: str) -> None:
    """F1 and end-to-end F1 against the number of corrected articles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(curve)
    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    for key, label in (
        ("quotes_cov30", "quote F1 (30% coverage)"),
        ("end_to_end_cov30", "end-to-end F1 (30% coverage)"),
        ("quotes_partial", "quote F1 (partial)"),
    ):
        ax.plot(sizes, [curve[n][key] for n in sizes], marker="o", label=label)
    ax.set_xlabel("corrected articles the shipped model was fine-tuned on")
    ax.set_ylabel("F1 on the held-back articles")
    ax.set_xticks(sizes)
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--sizes", default="0,8,16,24")
    parser.add_argument("--rotations", type=int, default=3)
    parser.add_argument("--test", type=int, default=9, help="held-back articles per rotation")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--png", type=Path, default=ROOT / "docs" / "learning-curve.png")
    parser.add_argument("-o", "--output", type=Path, default=None, help="write figures (JSON)")
    args = parser.parse_args(argv)
    if not args.gold.exists():
        print(f"{args.gold} is absent: nothing to measure", file=sys.stderr)
        return 0
    from quotes.model import load_model
    from quotes.model.training import fine_tune, parse, read_all_gold
    from quotes.pipeline import load_pipeline

    sizes = [int(s) for s in args.sizes.split(",")]
    print("$ " + " ".join([".venv/bin/python", *sys.argv]), flush=True)
    gold, _ = read_all_gold([args.gold], lambda line: print(line, file=sys.stderr))
    nlp = load_pipeline(rules_only=True)
    lexicon = nlp.get_pipe("quote_extractor").lexicon
    parsed = parse(nlp, gold, progress=False)
    order = list(range(len(parsed)))
    random.Random(args.seed).shuffle(order)
    base = load_model()
    print(f"model {base.version}; {len(parsed)} articles; sizes {sizes}", flush=True)
    runs: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
    started = time.perf_counter()
    for rotation in range(args.rotations):
        held_ids = order[rotation * args.test : (rotation + 1) * args.test]
        pool_ids = [k for k in order if k not in held_ids]
        held = [parsed[k] for k in held_ids]
        for n in sizes:
            if n > len(pool_ids):
                continue
            if n == 0:
                model = base
            else:
                model, _ = fine_tune(
                    base,
                    [parsed[k] for k in pool_ids[:n]],
                    lexicon,
                    epochs=args.epochs,
                    progress=False,
                )
            figures = score(model, held, lexicon)
            runs[n].append(figures)
            print(
                f"rotation {rotation + 1}: {n:2d} corrected -> quote F1 cov30 "
                f"{figures['quotes_cov30']:.3f}, end to end cov30 {figures['end_to_end_cov30']:.3f}"
                f" ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    curve = {
        n: {key: round(sum(r[key] for r in rs) / len(rs), 4) for key in rs[0]}
        for n, rs in runs.items()
        if rs
    }
    print("\nmean over rotations:")
    for n, figures in curve.items():
        print(f"  {n:2d} corrected: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()))
    gain = curve[max(curve)]["end_to_end_cov30"] - curve[0]["end_to_end_cov30"]
    print(f"end-to-end F1 gain after {max(curve)} corrected articles: {gain:+.3f}")
    draw(
        curve,
        args.png,
        f"{base.version} fine-tuned on GGT articles, {args.rotations} rotations of "
        f"{args.test} held back",
    )
    print(f"wrote {args.png}")
    if args.output is not None:
        args.output.write_text(
            json.dumps({"curve": curve, "runs": runs, "gain": gain}, indent=2), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
