"""Time the scorer alone (no extraction) on 1,000 documents.

    .venv/bin/python bench/bench_evaluate.py [--docs 1000] [--quotes 20] [--repeat 3]

Builds synthetic news-like documents (``--quotes`` gold quotes each, and
predictions that miss some, shift boundaries of others, change speakers and
types and add false positives), then times matching in all four modes plus the
aggregate figures, the JSON report and the HTML report. Prints seconds per 100
documents (best of ``--repeat``). When ``../shared/dev`` is present, it also
scores its GGT file against itself, repeated to ``--docs`` documents, and
prints that figure and the F1 (which must be 1.0 everywhere).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path

from quotes.report import render_json
from quotes.report_html import render_html
from quotes.scoring import EvaluationResult, evaluate_documents
from quotes.types import CharSpan, Document, Quote

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "dev" / "ggt_dev.jsonl"
WORDS = (
    "the",
    "minister",
    "council",
    "plan",
    "bridge",
    "taxes",
    "rise",
    "would",
    "will",
    "said",
    "not",
    "open",
    "city",
    "budget",
    "year",
    "report",
    "police",
    "health",
    "school",
    "price",
    "market",
    "deal",
    "talks",
    "war",
    "peace",
)
NAMES = ("Ann Lee", "Bo Chen", "Cy Dunn", "Dora Ruiz", "Eli Moss", "Fay Khan")


def synthetic(index: int, quotes: int, rng: random.Random) -> tuple[Document, Document]:
    """One gold document with ``quotes`` quotes and a perturbed prediction of it."""
    parts: list[str] = []
    gold: list[tuple[int, int, str, str, int, int]] = []
    pos = 0
    for _ in range(quotes):
        filler = " ".join(rng.choices(WORDS, k=rng.randint(5, 25))) + ". "
        parts.append(filler)
        pos += len(filler)
        name = rng.choice(NAMES)
        content = " ".join(rng.choices(WORDS, k=rng.randint(6, 30)))
        kind = rng.choice(("direct", "indirect", "mixed"))
        sentence = (
            f"{name} said “{content}”.\n\n" if kind == "direct" else (f"{name} said {content}.\n\n")
        )
        start = pos + sentence.index(content)
        cue = pos + len(name) + 1
        gold.append((start, start + len(content), kind, name, cue, cue + 4))
        parts.append(sentence)
        pos += len(sentence)
    text = "".join(parts)

    def make(start: int, end: int, kind: str, name: str, cue: int, cue_end: int) -> Quote:
        return Quote(
            kind,
            CharSpan.of(text, start, end),  # type: ignore[arg-type]
            speaker=CharSpan.of(text, cue - len(name) - 1, cue - 1),
            speaker_name=(name,),
            cue=CharSpan.of(text, cue, cue_end),
        )

    pred: list[Quote] = []
    for start, end, kind, name, cue, cue_end in gold:
        roll = rng.random()
        if roll < 0.15:
            continue  # a miss
        if roll < 0.35:
            start = min(end - 1, start + rng.randint(1, 20))  # a boundary error
        elif roll < 0.45:
            name = rng.choice(NAMES)  # maybe a wrong speaker
        elif roll < 0.5:
            kind = "indirect" if kind != "indirect" else "direct"
        pred.append(make(start, end, kind, name, cue, cue_end))
    for _ in range(rng.randint(0, 3)):  # false positives in the filler
        start = rng.randrange(0, max(1, len(text) - 60))
        pred.append(Quote("indirect", CharSpan.of(text, start, start + 50), None, ("Eli Moss",)))
    doc_id = f"synthetic-{index:04d}"
    return (
        Document(doc_id, text, tuple(make(*g) for g in gold)),
        Document(doc_id, text, tuple(pred)),
    )


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    """The fastest of ``repeat`` runs of ``work`` and its last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        out = work()
        best = min(best, time.perf_counter() - started)
    return best, out


def score_all(gold: list[Document], pred: list[Document]) -> EvaluationResult:
    """Match and aggregate every figure the JSON report holds (but do not render it)."""
    result = evaluate_documents(gold, pred)
    for mode in result.modes:
        result.quotes(mode)
        result.end_to_end(mode)
        result.attribution(mode)
        for kind in ("direct", "indirect", "mixed"):
            result.by_type(kind, mode)
    result.cues()
    result.speakers()
    result.errors()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--quotes", type=int, default=20, help="gold quotes per document")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(5)
    pairs = [synthetic(i, args.quotes, rng) for i in range(args.docs)]
    gold = [g for g, _ in pairs]
    pred = [p for _, p in pairs]
    n_gold = sum(len(d.quotes) for d in gold)
    n_pred = sum(len(d.quotes) for d in pred)
    per100 = 100 / args.docs
    seconds, result = best_of(args.repeat, lambda: score_all(gold, pred))
    assert isinstance(result, EvaluationResult)
    print(f"synthetic: {args.docs} documents, {n_gold} gold and {n_pred} predicted quotes")
    print(
        f"  scoring (4 modes, all figures, errors): {seconds:.3f} s, "
        f"{seconds * per100:.4f} s per 100 documents"
    )
    print(
        f"  quotes partial F1 {result.quotes('partial').f1:.3f}, "
        f"exact F1 {result.quotes('exact').f1:.3f}"
    )
    json_s, _ = best_of(args.repeat, lambda: render_json(result))
    html_s, _ = best_of(1, lambda: render_html(result))
    print(
        f"  JSON report: {json_s * per100:.4f} s per 100 documents; "
        f"HTML report: {html_s * per100:.4f} s per 100 documents"
    )
    if DEV.exists():
        from quotes.io import iter_annotated_documents

        dev = [d for d in iter_annotated_documents([DEV]) if isinstance(d, Document)]
        repeated = [
            Document(f"{d.id}#{i}", d.text, d.quotes)
            for i in range(args.docs // len(dev) + 1)
            for d in dev
        ][: args.docs]
        seconds, dev_result = best_of(args.repeat, lambda: score_all(repeated, repeated))
        assert isinstance(dev_result, EvaluationResult)
        f1s = {m: dev_result.quotes(m).f1 for m in dev_result.modes}
        f1s.update({f"e2e {m}": dev_result.end_to_end(m).f1 for m in dev_result.modes})
        f1s["cues"] = dev_result.cues().f1
        perfect = all(v == 1.0 for v in f1s.values())
        print(
            f"ggt_dev against itself, repeated to {len(repeated)} documents: "
            f"{seconds * 100 / len(repeated):.4f} s per 100 documents; "
            f"every F1 1.0: {perfect}"
        )
    else:
        print("../shared/dev not present: dev sanity figure skipped")


if __name__ == "__main__":
    main()
