"""Generated documents with quotes, for round-trip property tests and the format benchmark.

Invented text from a small vocabulary (accents, an astral emoji, CJK, tabs and
single line breaks inside paragraphs, quotation marks), quotes that never
overlap each other (guidelines S8), a speaker and a cue for most, several or no
canonical names, and now and then a quote in two fragments.
"""

from __future__ import annotations

import random

from quotes.types import QUOTE_TYPES, CharSpan, Document, Quote

_SENTENCE = (
    "the council said talks would resume soon and officials were hopeful Zoë Müller café déjà"
    " naïve 北京 😀 “yes” ‘no’ «oui» talks, plan; vote: 2024 we will win"
)
WORDS = (*_SENTENCE.split(), "win\tthis\nround", "again")
NAMES = ("Ana Ruiz", "Bo Chen", "Zoë Müller", "the council", "officials", "北京 office", "O'Neil")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]
    return " ".join(words) + rng.choice([".", "!", "?", ""])


def _trimmed(text: str, start: int, end: int) -> CharSpan | None:
    """``[start, end)`` without outer white space (spans never start or end with it),
    or None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return CharSpan.of(text, start, end) if end > start else None


def random_document(rng: random.Random, doc_id: str) -> Document:
    """One document: 1-4 paragraphs of invented words, 0-6 quotes with their parts.

    Spans never start or end with white space; fragments are cut by at least
    one visible character (the attribution that interrupts a quote)."""
    paragraphs = [
        " ".join(_sentence(rng) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 4))
    ]
    separator = rng.choice(["\n\n", "\n\n", "\r\n\r\n"])
    text = separator.join(paragraphs)
    quotes: list[Quote] = []
    cursor = 0
    for _ in range(rng.randint(0, 6)):
        # content, then speaker and cue after it; each span of at least one character
        if cursor + 12 > len(text):
            break
        start = rng.randint(cursor, len(text) - 12)
        end = rng.randint(start + 3, min(len(text) - 8, start + 60))
        content = _trimmed(text, start, end)
        if content is None:
            continue
        fragments: tuple[CharSpan, ...] = ()
        if len(content) >= 6 and rng.random() < 0.2:
            cut = rng.randint(content.start + 1, content.end - 4)
            gap = rng.randint(cut + 1, content.end - 1)
            first = _trimmed(text, content.start, cut)
            second = _trimmed(text, gap, content.end)
            if first and second and text[first.end : second.start].strip():
                fragments = (first, second)
        speaker = cue = None
        after = content.end + 1
        if rng.random() < 0.8 and after + 3 <= len(text):
            s = rng.randint(after, len(text) - 2)
            speaker = _trimmed(text, s, min(len(text), s + rng.randint(1, 8)))
        if rng.random() < 0.8 and after + 3 <= len(text):
            c = rng.randint(after, len(text) - 2)
            cue = _trimmed(text, c, min(len(text), c + rng.randint(1, 6)))
        names = tuple(rng.sample(NAMES, rng.choice([0, 1, 1, 1, 2])))
        quotes.append(
            Quote(
                type=rng.choice(QUOTE_TYPES),
                content=content,
                speaker=speaker,
                speaker_name=names,
                cue=cue,
                confidence=round(rng.random(), 4),
                fragments=fragments,
            )
        )
        cursor = content.end + 1
    return Document(doc_id, text, tuple(quotes))


def random_documents(count: int, seed: int = 13) -> list[Document]:
    """``count`` generated documents, the same for the same seed."""
    rng = random.Random(seed)
    return [random_document(rng, f"gen-{n:05d}") for n in range(count)]
