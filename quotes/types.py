"""The central types: a character span, a quote, a speaker and a document.

Every boundary of the project (JSONL on disk, Label Studio results, the
scorer) converts to and from these frozen dataclasses; nothing else models a
quote. Offsets are Python ``str`` offsets, half-open ``[start, end)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

QuoteType = Literal["direct", "indirect", "mixed"]
QUOTE_TYPES: tuple[QuoteType, ...] = ("direct", "indirect", "mixed")

SpeakerKind = Literal["person", "organisation", "group"]
SPEAKER_KINDS: tuple[SpeakerKind, ...] = ("person", "organisation", "group")


class SchemaError(ValueError):
    """A record does not follow the documented JSONL schema."""


def _kind(value: Any) -> str:
    """How a JSON value is called in a message: ``a string``, ``an object``, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        list: "a list",
        dict: "an object",
    }
    return names.get(type(value), type(value).__name__)


def _offset(data: Mapping[str, Any], key: str) -> int:
    """An offset: an integer, never a number, a string or a boolean silently converted."""
    if key not in data:
        raise SchemaError(f'a span needs "{key}"')
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchemaError(f'"{key}" must be an integer offset, not {_kind(value)} ({value!r})')
    return value


def _objects(value: Any, what: str) -> list[Mapping[str, Any]]:
    """A JSON list of objects (null or absent: empty), or :class:`SchemaError`."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise SchemaError(f'"{what}" must be a list of objects, not {_kind(value)}')
    for k, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            raise SchemaError(f'"{what}" item {k} must be an object, not {_kind(item)}')
    return value


@dataclass(frozen=True, order=True)
class CharSpan:
    """A half-open character span ``[start, end)`` of a text, with its text."""

    start: int
    end: int
    text: str

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise SchemaError(f"bad span offsets [{self.start}, {self.end})")
        if len(self.text) != self.end - self.start:
            raise SchemaError(
                f"span [{self.start}, {self.end}) has text of length {len(self.text)}"
            )

    @classmethod
    def of(cls, text: str, start: int, end: int) -> CharSpan:
        """The span ``[start, end)`` of ``text``."""
        return cls(start, end, text[start:end])

    def __len__(self) -> int:
        return self.end - self.start

    def overlap(self, other: CharSpan) -> int:
        """Number of characters this span shares with ``other``."""
        return max(0, min(self.end, other.end) - max(self.start, other.start))

    def contains(self, other: CharSpan) -> bool:
        """True when ``other`` lies inside this span."""
        return self.start <= other.start and other.end <= self.end

    def shifted(self, offset: int) -> CharSpan:
        """The same span moved by ``offset`` characters (for chunked texts)."""
        return CharSpan(self.start + offset, self.end + offset, self.text)

    def check_against(self, text: str) -> None:
        """Raise :class:`SchemaError` unless this span is ``text[start:end]``."""
        if self.end > len(text) or text[self.start : self.end] != self.text:
            raise SchemaError(
                f"span [{self.start}, {self.end}) {self.text!r} does not match the text"
                f" there ({text[self.start : self.end]!r})"
            )

    def to_dict(self) -> dict[str, Any]:
        """The JSONL form ``{"start", "end", "text"}``."""
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CharSpan:
        """Read the JSONL form; raises :class:`SchemaError` on a bad record
        (offsets must be integers, the text a string)."""
        if not isinstance(data, Mapping):
            raise SchemaError(f"a span must be an object, not {_kind(data)}")
        start, end = _offset(data, "start"), _offset(data, "end")
        text = data.get("text")
        if not isinstance(text, str):
            raise SchemaError(f'a span needs a string "text", not {_kind(text)}')
        return cls(start, end, text)


def _optional_span(data: Any) -> CharSpan | None:
    return None if data is None else CharSpan.from_dict(data)


@dataclass(frozen=True)
class Quote:
    """One quote: its content, type, speaker mention, canonical name(s) and cue.

    ``content`` excludes the enclosing quotation marks (direct quotes) and a
    leading "that" and final period (indirect and mixed quotes).
    ``fragments`` is only set for third-party gold where one quote is
    interrupted by its attribution; the extractor emits one quote per piece.
    """

    type: QuoteType
    content: CharSpan
    speaker: CharSpan | None = None
    speaker_name: tuple[str, ...] = ()
    cue: CharSpan | None = None
    confidence: float = 1.0
    fragments: tuple[CharSpan, ...] = ()
    rule: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.type not in QUOTE_TYPES:
            raise SchemaError(f"unknown quote type {self.type!r}; use one of {QUOTE_TYPES}")
        if not 0.0 <= self.confidence <= 1.0:
            raise SchemaError(f"confidence {self.confidence} is outside [0, 1]")

    @property
    def start(self) -> int:
        return self.content.start

    @property
    def end(self) -> int:
        return self.content.end

    @property
    def text(self) -> str:
        return self.content.text

    def pieces(self) -> tuple[CharSpan, ...]:
        """The contiguous stretches to score: the fragments, else the content."""
        return self.fragments or (self.content,)

    def with_speaker(
        self, speaker: CharSpan | None, names: Iterable[str], confidence: float | None = None
    ) -> Quote:
        """A copy with another speaker mention and canonical names."""
        return replace(
            self,
            speaker=speaker,
            speaker_name=tuple(names),
            confidence=self.confidence if confidence is None else confidence,
        )

    def check_against(self, text: str) -> None:
        """Raise :class:`SchemaError` unless every span matches ``text``."""
        for span in (self.content, self.speaker, self.cue, *self.fragments):
            if span is not None:
                span.check_against(text)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSONL form of a quote."""
        out: dict[str, Any] = {
            "type": self.type,
            "start": self.content.start,
            "end": self.content.end,
            "text": self.content.text,
            "speaker": None if self.speaker is None else self.speaker.to_dict(),
            "speaker_name": list(self.speaker_name),
            "cue": None if self.cue is None else self.cue.to_dict(),
            "confidence": round(self.confidence, 4),
        }
        if self.fragments:
            out["fragments"] = [f.to_dict() for f in self.fragments]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Quote:
        """Read the JSONL form (ours, or the third-party dev sets' superset)."""
        if not isinstance(data, Mapping):
            raise SchemaError(f"a quote must be an object, not {_kind(data)}")
        try:
            names = data.get("speaker_name")
            if names is None:
                # the dev sets carry one canonical name as ``speaker_ref``
                ref = data.get("speaker_ref")
                names = [] if ref is None else [ref]
            elif isinstance(names, str):
                names = [names]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise SchemaError('"speaker_name" must be a string or a list of strings')
            confidence = data.get("confidence", 1.0)
            if isinstance(confidence, bool) or not isinstance(confidence, int | float):
                raise SchemaError(f'"confidence" must be a number, not {_kind(confidence)}')
            if not isinstance(data.get("type"), str):
                raise SchemaError(f'a quote needs a string "type", not {_kind(data.get("type"))}')
            fragments = tuple(
                CharSpan.from_dict(f) for f in _objects(data.get("fragments"), "fragments")
            )
            content = CharSpan.from_dict(data)
            if fragments == (content,):
                fragments = ()
            return cls(
                type=cast(QuoteType, data["type"]),
                content=content,
                speaker=_optional_span(data.get("speaker")),
                speaker_name=tuple(names),
                cue=_optional_span(data.get("cue")),
                confidence=float(confidence),
                fragments=fragments,
            )
        except (KeyError, TypeError, ValueError) as err:
            if isinstance(err, SchemaError):
                raise
            raise SchemaError(f"bad quote record: {err}") from err


@dataclass(frozen=True)
class Speaker:
    """A source as one entity of a document: canonical name, kind, mentions."""

    name: str
    kind: SpeakerKind
    mentions: tuple[CharSpan, ...] = ()
    quote_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSONL form ``{"name", "type", "mentions", "quotes"}``."""
        return {
            "name": self.name,
            "type": self.kind,
            "mentions": [m.to_dict() for m in self.mentions],
            "quotes": self.quote_count,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Speaker:
        """Read the JSONL form."""
        if not isinstance(data, Mapping):
            raise SchemaError(f"a speaker must be an object, not {_kind(data)}")
        try:
            kind = data.get("type", "person")
            if kind not in SPEAKER_KINDS:
                raise SchemaError(f"unknown speaker type {kind!r}")
            if not isinstance(data.get("name"), str):
                raise SchemaError(f'a speaker needs a string "name", not {_kind(data.get("name"))}')
            count = data.get("quotes", 0)
            if isinstance(count, bool) or not isinstance(count, int):
                raise SchemaError(f'a speaker\'s "quotes" must be an integer, not {_kind(count)}')
            return cls(
                name=data["name"],
                kind=cast(SpeakerKind, kind),
                mentions=tuple(
                    CharSpan.from_dict(m) for m in _objects(data.get("mentions"), "mentions")
                ),
                quote_count=count,
            )
        except (KeyError, TypeError, ValueError) as err:
            if isinstance(err, SchemaError):
                raise
            raise SchemaError(f"bad speaker record: {err}") from err


@dataclass(frozen=True)
class Document:
    """A document with its quotes (and, after attribution, its speakers)."""

    id: str
    text: str
    quotes: tuple[Quote, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    model_version: str | None = None  # what extracted the quotes ("rules" or a model's)

    def to_dict(self) -> dict[str, Any]:
        """One JSONL line: ``{"id", "text", "quotes", "speakers"}`` and, for
        extractor output, ``"model_version"``."""
        out: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "quotes": [q.to_dict() for q in self.quotes],
            "speakers": [s.to_dict() for s in self.speakers],
        }
        if self.model_version is not None:
            out["model_version"] = self.model_version
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, check: bool = True) -> Document:
        """Read one JSONL record; with ``check``, every span must match the text."""
        if not isinstance(data, Mapping):
            raise SchemaError("a record must be a JSON object")
        if "text" not in data or not isinstance(data["text"], str):
            raise SchemaError('a record needs a string "text"')
        if "id" not in data:
            raise SchemaError('a record needs an "id"')
        doc_id = document_id(data["id"])
        text = data["text"]
        quotes = []
        for k, item in enumerate(_objects(data.get("quotes"), "quotes"), start=1):
            try:
                quotes.append(Quote.from_dict(item))
            except SchemaError as err:
                raise SchemaError(f"quote {k}: {err}") from err
        speakers = []
        for k, item in enumerate(_objects(data.get("speakers"), "speakers"), start=1):
            try:
                speakers.append(Speaker.from_dict(item))
            except SchemaError as err:
                raise SchemaError(f"speaker {k}: {err}") from err
        if check:
            for k, quote in enumerate(quotes, start=1):
                try:
                    quote.check_against(text)
                except SchemaError as err:
                    raise SchemaError(f"quote {k}: {err}") from err
        version = data.get("model_version")
        return cls(
            id=doc_id,
            text=text,
            quotes=tuple(quotes),
            speakers=tuple(speakers),
            model_version=None if version is None else str(version),
        )


def document_id(value: Any) -> str:
    """A document id as text: a JSON string or integer (``7`` is ``"7"``); anything
    else (an object, a list, a number with a fraction, a boolean, null) is refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise SchemaError(f'"id" must be a string or an integer, not {_kind(value)}')
