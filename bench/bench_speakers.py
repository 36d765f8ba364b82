"""Speaker resolution on gold quotes: the share of quotes whose canonical name agrees.

Feeds :func:`quotes.speakers.attribute_speakers` the GOLD quotes of a dev set
with their gold speaker mention spans (None where gold has none) and compares
the canonical names it gives with gold ``speaker_ref`` by
:func:`quotes.scoring.names.names_agree` (the scorer's own agreement, with the
gold document's names as context). This isolates resolution from detection.

    .venv/bin/python bench/bench_speakers.py [../shared/dev/ggt_dev.jsonl] [--errors]

Skips (exit 0, a note on stderr) when the dev file is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "dev" / "ggt_dev.jsonl"


@dataclass
class Tally:
    """Right / total counts of one subset."""

    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    def __str__(self) -> str:
        share = self.right / self.total if self.total else 0.0
        return f"{share:.3f} ({self.right}/{self.total})"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--errors", action="store_true", help="print each wrong attribution")
    args = parser.parse_args(argv)
    path = Path(args.path)
    if not path.exists():
        print(f"bench_speakers: {path} is absent; skipped", file=sys.stderr)
        return 0

    from quotes.io import InputError, iter_annotated_documents
    from quotes.pipeline import load_pipeline
    from quotes.scoring import document_names
    from quotes.scoring.names import names_agree
    from quotes.speakers import attribute_speakers

    nlp = load_pipeline()
    docs = [d for d in iter_annotated_documents([path]) if not isinstance(d, InputError)]
    tallies = {
        "overall": Tally(),
        "with mention": Tally(),
        "floating": Tally(),
        "pronoun mention": Tally(),
    }
    spent = 0.0
    parse_time = 0.0
    started = time.perf_counter()
    parsed = nlp.pipe((d.text for d in docs), disable=["quote_extractor"])
    for doc, spacy_doc in zip(docs, parsed, strict=True):
        parse_time = time.perf_counter() - started - spent
        gold = sorted(doc.quotes, key=lambda q: (q.start, q.end))
        given = [q.with_speaker(q.speaker, []) for q in gold]
        t0 = time.perf_counter()
        out, _ = attribute_speakers(spacy_doc, given)
        spent += time.perf_counter() - t0
        context = document_names(gold)
        for g, p in zip(gold, out, strict=True):
            ok = names_agree(g.speaker_name, p.speaker_name, context)
            tallies["overall"].add(ok)
            if g.speaker is None:
                tallies["floating"].add(ok)
            else:
                tallies["with mention"].add(ok)
                if g.speaker.text.lower() in ("he", "she", "they", "it", "we"):
                    tallies["pronoun mention"].add(ok)
            if args.errors and not ok:
                mention = g.speaker.text if g.speaker else "-"
                print(
                    f"{doc.id}\t{mention!r}\tgold={list(g.speaker_name)}"
                    f"\tgot={list(p.speaker_name)}\t{g.text[:50]!r}"
                )
    print(f"{path.name}: {len(docs)} docs")
    for name, tally in tallies.items():
        print(f"  {name:16} {tally}")
    print(
        f"  attribute_speakers time {spent:.3f}s vs parse {parse_time:.1f}s "
        f"({100 * spent / max(parse_time, 1e-9):.1f}%)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
