"""Generated news-like documents for the shard and cluster tests (every sentence invented).

Short articles built from templates of direct, indirect and mixed quotes
with named speakers, surnames and pronouns that refer back, and sentences
without quotes, so that extraction, speaker resolution and scoring all have
work to do. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from quotes.types import Document

NAMES = (
    ("Mara Okafor", "she"),
    ("Jonas Lindqvist", "he"),
    ("Priya Raman", "she"),
    ("Tomas Ferreira", "he"),
    ("Helen Achterberg", "she"),
    ("Samuel Kimani", "he"),
    ("Ines Delacroix", "she"),
    ("Oliver Brandt", "he"),
)
CLAIMS = (
    "the bridge will reopen in May",
    "the budget leaves no room for new teachers",
    "the river walk needs better lighting",
    "dairy farmers deserve a fair price for their milk",
    "the stadium plan costs far too much",
    "the night bus will help shift workers get home",
    "the library should stay open on Sundays",
    "the harbour project is two years behind schedule",
    "nobody has explained where the money went",
    "the new clinic will serve four villages",
)
FILLERS = (
    "The council met on Tuesday evening in the old town hall.",
    "Rain fell across the valley for most of the week.",
    "About two hundred residents attended the meeting.",
    "The vote was postponed until after the summer break.",
    "Traffic on the ring road was slower than usual.",
)


def _paragraph(rng: random.Random, name: str, pronoun: str) -> str:
    claim, other = rng.sample(CLAIMS, 2)
    surname = name.split()[-1]
    templates = (
        f"“{claim[0].upper()}{claim[1:]},” {name} said.",
        f"{name} said that {claim}.",
        f"“{claim[0].upper()}{claim[1:]},” said {name}, adding that {other}.",
        f"{name} told reporters: “{claim[0].upper()}{claim[1:]}.”",
        f"According to {name}, {claim}.",
        f"{surname} said {claim}.",
        f"“{claim[0].upper()}{claim[1:]},” {pronoun} said.",
        rng.choice(FILLERS),
    )
    return rng.choice(templates)


def generated_documents(count: int, *, seed: int = 7, prefix: str = "gen") -> Iterator[Document]:
    """``count`` short articles of 2-5 paragraphs with ids ``{prefix}-00000``, ..."""
    rng = random.Random(seed)
    for index in range(count):
        name, pronoun = rng.choice(NAMES)
        paragraphs = [f"Town news {index:05d}"]
        # the first quote names the speaker in full; later ones may use the surname or pronoun
        paragraphs.append(f"“{rng.choice(CLAIMS).capitalize()},” {name} said on Monday.")
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.3:
                name, pronoun = rng.choice(NAMES)
            paragraphs.append(_paragraph(rng, name, pronoun))
        yield Document(f"{prefix}-{index:05d}", "\n\n".join(paragraphs))
