"""Invented texts of any size for cost tests and benchmarks.

* :func:`crafted_text` repeats one attribution in one paragraph, the input
  that once made the rules quadratic: ``"yes," he said, "yes," he said, ...``
* :func:`newslike_text` builds paragraphs of ordinary news sentences (direct,
  indirect and mixed quotes, "according to", pronouns, narration) from
  invented names and templates, deterministically from a seed.

Every sentence here is made up; nothing comes from third-party data.
"""

from __future__ import annotations

import random

CRAFTED_UNIT = '"yes," he said, '

_FIRST = ("Anna", "Tom", "Maria", "Jonas", "Lena", "Omar", "Priya", "Carl", "Ines", "Pavel")
_LAST = ("Berg", "Hale", "Novak", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Reyes", "Kowal")
_ROLES = ("the mayor", "a council spokesman", "the harbour director", "the union leader")
_ORGS = ("the city council", "the port authority", "the transport ministry", "the rail union")
_TOPICS = (
    "the bridge will reopen before winter",
    "the budget leaves no room for new buses",
    "the strike could last until the end of the month",
    "the harbour needs a new breakwater",
    "ticket prices will rise in the spring",
    "the old depot should become a school",
)
_NARRATION = (
    "The meeting lasted three hours and ended without a vote.",
    "Rain fell on the square for most of the afternoon.",
    "About two hundred people gathered outside the town hall.",
    "The ferry schedule was cut to four crossings a day.",
    "Shops along the quay closed early on Friday.",
)


def crafted_text(chars: int) -> str:
    """``"yes," he said, `` repeated to about ``chars`` characters, one paragraph."""
    return CRAFTED_UNIT * max(1, chars // len(CRAFTED_UNIT))


def _sentence(rng: random.Random) -> str:
    """One invented news sentence: a quote of some kind, or narration."""
    person = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    topic = rng.choice(_TOPICS)
    kind = rng.randrange(8)
    if kind == 0:
        return f"“We think {topic},” {person} said."
    if kind == 1:
        return f"{person}, {rng.choice(_ROLES)}, said {topic}."
    if kind == 2:
        return f"According to {rng.choice(_ORGS)}, {topic}."
    if kind == 3:
        return f"She told reporters that {topic} and called it “a hard choice”."
    if kind == 4:
        return "“It is not over,” he added. “We will meet again next week.”"
    if kind == 5:
        return f"{rng.choice(_ORGS).capitalize()} warned that {topic}."
    return rng.choice(_NARRATION)


def newslike_text(chars: int, seed: int = 7) -> str:
    """Paragraphs of two to four invented news sentences, about ``chars`` long."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    size = 0
    while size < chars:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)
