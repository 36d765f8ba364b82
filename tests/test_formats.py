"""Round trips in every format: the seeds' gold, generated documents (hypothesis), the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quotes.annotation import gold_document, round_trip_differences
from quotes.cli import app
from quotes.formats import FORMATS, export_documents, import_documents, read_documents
from quotes.types import Document

from .conftest import GOLD
from .generate import random_document

#: What each format keeps: brat and doccano keep fragments; Label Studio has no
#: discontinuous region (the extractor emits one quote per piece).
KEEPS_FRAGMENTS = {"brat": True, "doccano-jsonl": True, "labelstudio-json": False}


def round_trip(docs: list[Document], fmt: str, where: Path) -> list[Document]:
    target = where / ("brat" if fmt == "brat" else f"out.{fmt}")
    exported = export_documents(docs, fmt, target)  # type: ignore[arg-type]
    assert exported.errors == [] and exported.written == len(docs)
    back = import_documents([target], fmt, predictions=True)  # type: ignore[arg-type]
    assert back.errors == [], back.errors[:3]
    return back.documents[None]


def seeds_gold() -> list[Document]:
    errors: list[str] = []
    docs = read_documents([GOLD / "seeds.jsonl"], errors)
    assert errors == [] and len(docs) == 5
    return docs


@pytest.mark.parametrize("fmt", FORMATS)
def test_seeds_gold_round_trips_losslessly(tmp_path: Path, fmt: str) -> None:
    docs = seeds_gold()
    back = round_trip(docs, fmt, tmp_path)
    expected = [gold_document(d, fragments=KEEPS_FRAGMENTS[fmt]) for d in docs]
    assert round_trip_differences(expected, back) == []
    assert sum(len(d.quotes) for d in back) == 101


@pytest.mark.parametrize("fmt", FORMATS)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rng=st.randoms(use_true_random=False))
def test_generated_documents_round_trip(tmp_path_factory, fmt: str, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    docs = [random_document(rng, f"g{n}") for n in range(3)]
    back = round_trip(docs, fmt, tmp_path_factory.mktemp(fmt.replace("-", "")))
    expected = [gold_document(d, fragments=KEEPS_FRAGMENTS[fmt]) for d in docs]
    assert round_trip_differences(expected, back) == []


def test_generated_documents_cover_the_hard_cases() -> None:
    """The generator does make what the round trips must survive."""
    rng = random.Random(1)
    docs = [random_document(rng, str(n)) for n in range(200)]
    quotes = [q for d in docs for q in d.quotes]
    assert any(q.fragments for q in quotes)
    assert any(len(q.speaker_name) == 2 for q in quotes) and any(not q.speaker_name for q in quotes)
    assert any(ord(ch) > 0xFFFF for d in docs for ch in d.text)
    assert any("\n" in q.text or "\t" in q.text for q in quotes)
    assert any("\r\n" in d.text for d in docs)
    assert any(q.speaker is None for q in quotes) and any(q.cue is None for q in quotes)


# --- the commands ------------------------------------------------------------------

runner = CliRunner()


def test_export_then_import_commands(tmp_path: Path) -> None:
    gold = GOLD / "seeds.jsonl"
    out = tmp_path / "brat"
    done = runner.invoke(app, ["export", str(gold), "--format", "brat", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert (out / "annotation.conf").exists() and len(list(out.glob("*.ann"))) == 5
    back = tmp_path / "back.jsonl"
    done = runner.invoke(app, ["import", str(out), "--format", "brat", "-o", str(back)])
    assert done.exit_code == 0, done.output
    lines = back.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert sum(len(json.loads(line)["quotes"]) for line in lines) == 101


def test_import_reports_a_bad_file_and_writes_the_rest(tmp_path: Path) -> None:
    docs = seeds_gold()[:2]
    export_documents(docs, "brat", tmp_path)
    bad = tmp_path / f"{docs[0].id}.ann"
    bad.write_text(bad.read_text(encoding="utf-8") + "R99\tsaid_by Arg1:T1 Arg2:T404\n")
    out = tmp_path / "gold.jsonl"
    done = runner.invoke(app, ["import", str(tmp_path), "-f", "brat", "-o", str(out)])
    assert done.exit_code == 1
    assert f"{bad}:" in done.output and "T404, which does not exist" in done.output
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [docs[1].id]


def test_several_annotators_need_a_folder(tmp_path: Path) -> None:
    doc = seeds_gold()[0]
    export_documents([doc], "brat", tmp_path / "x")
    (tmp_path / "text").mkdir()
    (tmp_path / "x" / f"{doc.id}.txt").rename(tmp_path / "text" / f"{doc.id}.txt")
    ann = tmp_path / "x" / f"{doc.id}.ann"
    for who in ("amy", "raj"):
        (tmp_path / "x" / f"{doc.id}_{who}.ann").write_text(ann.read_text())
    ann.unlink()
    done = runner.invoke(app, ["import", str(tmp_path / "x"), "-f", "brat"])
    assert done.exit_code == 1 and "give -o a folder" in done.output
    done = runner.invoke(
        app, ["import", str(tmp_path / "x"), "-f", "brat", "-o", str(tmp_path / "g")]
    )
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == ["amy.jsonl", "raj.jsonl"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "gold/seeds.jsonl", "-f", "conll", "-o", "x"], "unknown --format 'conll'"),
        (["import", "x", "-f", "conll"], "unknown --format 'conll'"),
        (["export", "gold/seeds.jsonl", "-f", "brat", "--brat-scheme", "ace", "-o", "x"], "ace"),
        (["push", "seeds", "--project", "P", "--tool", "prodigy"], "unknown --tool 'prodigy'"),
        (
            ["pull", "--project", "P", "-o", "x", "--tool", "doccano", "--annotator", "a"],
            "--annotations and --strict are for Label Studio",
        ),
        (
            ["push", "seeds", "--project", "P", "--tool", "doccano", "--update-predictions"],
            "doccano keeps no",
        ),
    ],
)
def test_bad_options_get_one_line(args: list[str], message: str) -> None:
    done = runner.invoke(app, args)
    assert done.exit_code == 1
    assert message in done.output


def test_doccano_jsonl_bad_lines_are_named_and_the_rest_come_through(tmp_path: Path) -> None:
    docs = seeds_gold()[:2]
    path = tmp_path / "export.jsonl"
    export_documents(docs, "doccano-jsonl", path)
    lines = path.read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[0])
    broken["entities"][0]["label"] = "Opinion"
    path.write_text("\n".join([json.dumps(broken), "{not json", lines[1]]) + "\n")
    found = import_documents([path], "doccano-jsonl")
    assert [d.id for d in found.documents[None]] == [docs[1].id]
    assert len(found.errors) == 2
    assert (
        found.errors[0].startswith(f"{path}:1: ") and "unknown label 'Opinion'" in found.errors[0]
    )
    assert found.errors[1].startswith(f"{path}:2: malformed JSON")


def test_labelstudio_export_with_two_annotators_gives_one_gold_each(tmp_path: Path) -> None:
    from quotes.labelstudio.convert import quotes_to_result, task_for

    doc = seeds_gold()[0]
    first, rest = doc.quotes[:1], doc.quotes[1:]
    task = task_for(doc)
    task["id"] = 1
    task["annotations"] = [
        {"id": 10, "completed_by": {"id": 1, "email": "amy@example.com"},
         "updated_at": "2026-01-02T10:00:00Z", "result": quotes_to_result(first, scores=False)},
        {"id": 11, "completed_by": {"id": 2, "email": "raj@example.com"},
         "updated_at": "2026-01-02T11:00:00Z", "result": quotes_to_result(rest, scores=False)},
    ]  # fmt: skip
    path = tmp_path / "export.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    latest = import_documents([path], "labelstudio-json")
    assert [len(d.quotes) for d in latest.documents[None]] == [len(rest)]
    assert any("amy@example.com" in w for w in latest.warnings)  # the other one is listed
    both = import_documents([path], "labelstudio-json", annotations="all")
    assert {who: len(docs[0].quotes) for who, docs in both.documents.items()} == {
        "amy@example.com": 1,
        "raj@example.com": len(rest),
    }
    done = runner.invoke(
        app,
        [
            "import",
            str(path),
            "-f",
            "labelstudio-json",
            "--annotations",
            "all",
            "-o",
            str(tmp_path / "g"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == [
        "amy@example.com.jsonl",
        "raj@example.com.jsonl",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["export", "{gold}", "--format", "doccano-jsonl", "-o", "{blocked}/out.jsonl"],
        ["export", "{gold}", "--format", "brat", "-o", "{blocked}/brat", "--no-progress"],
        ["import", "{brat}", "--format", "brat", "-o", "{blocked}/gold.jsonl"],
    ],
)
def test_a_failed_write_is_one_line_naming_the_output(tmp_path: Path, args: list[str]) -> None:
    brat = tmp_path / "brat"
    export_documents(seeds_gold()[:1], "brat", brat)
    blocked = tmp_path / "a-file"  # a file where the output needs a folder
    blocked.write_text("kept\n")
    names = {"gold": str(GOLD / "seeds.jsonl"), "brat": str(brat), "blocked": str(blocked)}
    done = runner.invoke(app, [arg.format(**names) for arg in args])
    assert done.exit_code == 1
    output = next(arg.format(**names) for arg in args if "{blocked}" in arg)
    assert f"quotes: cannot write {output}: a part of the path is not a folder" in done.stderr
    assert "None" not in done.stderr and "Errno" not in done.stderr
    assert blocked.read_text() == "kept\n"


@pytest.mark.parametrize(
    ("annotator", "name"),
    [
        ("amy@example.com", "amy@example.com.jsonl"),
        ("../../escape", "_.._escape.jsonl"),  # never a path out of the folder
        ("/etc/passwd", "_etc_passwd.jsonl"),
        ("..", "unknown.jsonl"),
    ],
)
def test_write_groups_keeps_every_annotator_inside_the_folder(
    tmp_path: Path, annotator: str, name: str
) -> None:
    from quotes.formats import write_groups

    doc = seeds_gold()[0]
    out = tmp_path / "gold"
    written = write_groups({annotator: [doc], None: [doc]}, out)
    assert sorted(p.name for p in written) == sorted([name, "shared.jsonl"])
    assert sorted(p.name for p in tmp_path.rglob("*.jsonl")) == sorted([name, "shared.jsonl"])
    assert all(p.parent == out for p in written)


@pytest.mark.parametrize(
    ("fmt", "name"), [("doccano-jsonl", "deep.jsonl"), ("labelstudio-json", "deep.json")]
)
def test_json_nested_too_deep_is_named_and_the_other_files_come_through(
    tmp_path: Path, fmt: str, name: str
) -> None:
    good = tmp_path / ("good.jsonl" if fmt == "doccano-jsonl" else "good.json")
    export_documents(seeds_gold()[:1], fmt, good)  # type: ignore[arg-type]
    (tmp_path / name).write_text("[" * 200_000 + "\n")
    # (our Label Studio export carries predictions: read those back)
    found = import_documents([tmp_path], fmt, predictions=True)  # type: ignore[arg-type]
    assert len(found.documents[None]) == 1
    assert len(found.errors) == 1
    assert found.errors[0].startswith(str(tmp_path / name)) and "nested too deep" in found.errors[0]
