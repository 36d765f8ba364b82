"""CLI consistency: one meaning per short flag, help without placeholders, one --url default."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from quotes.cli import app
from quotes.labelstudio.client import DEFAULT_URL

README = Path(__file__).resolve().parent.parent / "README.md"


def commands() -> dict[str, object]:
    """Every command of the app by its path (``push``, ``studio start``)."""
    root = typer.main.get_command(app)
    found: dict[str, object] = {}

    def walk(command: object, path: str) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, f"{path} {name}".strip())
        found[path] = command

    walk(root, "")
    return found


COMMANDS = sorted(commands())


def test_every_short_flag_means_one_thing() -> None:
    meanings: dict[str, set[str]] = defaultdict(set)
    for path, command in commands().items():
        for param in getattr(command, "params", []):
            if param.param_type_name != "option":
                continue
            longs = [o for o in param.opts if o.startswith("--")]
            for short in (o for o in param.opts if not o.startswith("--")):
                meanings[short].add(longs[0] if longs else param.name)
                assert longs, f"{path}: {short} has no long form"
    clashes = {short: longs for short, longs in meanings.items() if len(longs) > 1}
    assert not clashes, clashes
    assert meanings["-o"] == {"--output"} and meanings["-p"] == {"--pred"}


PLACEHOLDERS = re.compile(r"\{[a-z_]+\}|<(bool|int|str|path|float|list)[^>]*>")


@pytest.mark.parametrize("path", COMMANDS)
def test_help_has_no_placeholders(path: str) -> None:
    ran = CliRunner().invoke(app, [*path.split(), "--help"], env={"COLUMNS": "250"})
    assert ran.exit_code == 0, ran.output
    assert "Usage: quotes" in ran.output
    assert not PLACEHOLDERS.search(ran.output), PLACEHOLDERS.search(ran.output)


@pytest.mark.parametrize("command", ["push", "pull", "agreement"])
def test_url_default_is_stated_alike_in_help_and_readme(command: str) -> None:
    stated = f"$LABEL_STUDIO_URL, else {DEFAULT_URL}"
    ran = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "250"})
    assert stated in " ".join(ran.output.split())
    assert f"`--url` defaults to `{stated}`" in README.read_text(encoding="utf-8")
