"""Invented news paragraphs with their gold quotes, for training tests.

Every sentence is made here from templates and invented names: a direct
quote, an indirect one, a quote before its attribution, "according to", and
sentences that are not quotes (a belief, an event). Offsets are computed as
the text is built, so the gold always matches it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

NAMES = [
    "Mara Quint",
    "Tobias Fenwick",
    "Ines Harrow",
    "Dario Pell",
    "Oona Brisk",
    "Ravi Talland",
    "Greta Voss",
    "Kofi Amenya",
]
CLAUSES = [
    "the bridge will reopen in the spring",
    "the council has no money left for the ferry",
    "the new tram line is running late",
    "the harbour will stay closed until May",
    "the school budget must be cut again",
    "the water in the old quarter is safe to drink",
    "the festival drew more visitors than last year",
    "the mill will hire forty workers",
]
EVENTS = [
    "visited the harbour on Monday",
    "opened the new library",
    "walked through the flooded market",
    "met the fishermen at dawn",
]


@dataclass
class Builder:
    """A document under construction: its text and its gold quotes."""

    text: str = ""
    quotes: list[dict[str, Any]] = field(default_factory=list)

    def add(self, piece: str) -> tuple[int, int]:
        start = len(self.text)
        self.text += piece
        return start, len(self.text)

    def span(self, start: int, end: int) -> dict[str, Any]:
        return {"start": start, "end": end, "text": self.text[start:end]}

    def quote(
        self,
        kind: str,
        content: tuple[int, int],
        speaker: tuple[int, int],
        cue: tuple[int, int],
        name: str,
    ) -> None:
        self.quotes.append(
            {
                "type": kind,
                **self.span(*content),
                "speaker": self.span(*speaker),
                "speaker_name": [name],
                "cue": self.span(*cue),
            }
        )


def paragraph(doc: Builder, rng: random.Random) -> None:
    """One paragraph of one of the templates."""
    name = rng.choice(NAMES)
    clause = rng.choice(CLAUSES)
    template = rng.randrange(6)
    if template == 0:  # Mara Quint said the bridge will reopen.
        speaker = doc.add(name)
        doc.add(" ")
        cue = doc.add("said")
        doc.add(" ")
        content = doc.add(clause)
        doc.add(".")
        doc.quote("indirect", content, speaker, cue, name)
    elif template == 1:  # “The bridge will reopen,” Mara Quint said.
        doc.add("“")
        content = doc.add(clause[0].upper() + clause[1:])
        doc.add(",” ")
        speaker = doc.add(name)
        doc.add(" ")
        cue = doc.add("said")
        doc.add(".")
        doc.quote("direct", content, speaker, cue, name)
    elif template == 2:  # The bridge will reopen, Mara Quint told reporters.
        content = doc.add(clause[0].upper() + clause[1:])
        doc.add(", ")
        speaker = doc.add(name)
        doc.add(" ")
        cue = doc.add("told")
        doc.add(" reporters.")
        doc.quote("indirect", content, speaker, cue, name)
    elif template == 3:  # According to Mara Quint, the bridge will reopen.
        cue = doc.add("According to")
        doc.add(" ")
        speaker = doc.add(name)
        doc.add(", ")
        content = doc.add(clause)
        doc.add(".")
        doc.quote("indirect", content, speaker, cue, name)
    elif template == 4:  # not a quote: a belief
        doc.add(f"{name} believes {clause}.")
    else:  # not a quote: an event
        doc.add(f"{name} {rng.choice(EVENTS)}.")


def documents(count: int, seed: int = 7, paragraphs: int = 6) -> list[dict[str, Any]]:
    """``count`` gold records ``{"id", "text", "quotes"}`` of invented paragraphs."""
    rng = random.Random(seed)
    out = []
    for k in range(count):
        doc = Builder()
        doc.add(f"Town news {k}\n\n")
        for p in range(paragraphs):
            if p:
                doc.add("\n\n")
            paragraph(doc, rng)
        out.append({"id": f"synthetic-{seed}-{k}", "text": doc.text, "quotes": doc.quotes})
    return out
