"""Shards without a cluster: discovery, readers, output shards, manifest, verification,
the sharded ``quotes extract -o DIR/`` in one process, and evaluation sums that combine."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quotes.cli import app
from quotes.cluster import extract_shards, parse_scheduler
from quotes.io import InputError, iter_gzip_annotated_documents, iter_gzip_input_documents
from quotes.pipeline import extract_documents, extract_files
from quotes.report import render_json
from quotes.scoring import evaluate_documents
from quotes.shards import (
    MANIFEST_NAME,
    ManifestEntry,
    Shard,
    append_manifest,
    file_sha256,
    find_shards,
    iter_annotated,
    iter_input,
    locked_output,
    read_manifest,
    remove_stale_temporaries,
    shard_writer,
    stale_reason,
    write_manifest,
)
from quotes.speaker_table import (
    merge_tallies,
    speaker_table,
    speaker_table_from_tally,
    tally_speakers,
)
from quotes.summary import EvaluationSummary, combine
from quotes.types import Document

from .generated import generated_documents

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "gold" / "seeds.jsonl"


def write_jsonl(path: Path, docs: list[Document], *, compress: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in docs)
    if compress:
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    else:
        path.write_text(text, encoding="utf-8")


def read_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8").splitlines()


def sharded_lines(out: Path) -> list[str]:
    """The output shards of ``out`` concatenated in manifest order."""
    order, latest = read_manifest(out)
    lines: list[str] = []
    for name in order:
        entry = latest[name]
        assert entry.status == "complete", (name, entry.error)
        assert entry.output is not None
        lines.extend(read_lines(out / entry.output))
    return lines


# --- discovery ----------------------------------------------------------------

LAYOUT = {
    "in/b.jsonl": "jsonl",
    "in/a/x.txt": "txt",
    "in/a/y.txt": "txt",
    "in/a/z.txt": "txt",
    "in/a/sub/w.txt": "txt",
    "in/c.jsonl.gz": "gz",
    "in/notes.md": "other",
}


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    for name, kind in LAYOUT.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = [Document(path.stem, f"“Fine,” said {path.stem}.")]
        if kind == "gz":
            write_jsonl(path, doc, compress=True)
        elif kind == "jsonl":
            write_jsonl(path, doc)
        else:
            path.write_text(doc[0].text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "per_shard", "expected", "errors"),
    [
        # a folder: sorted recursively, .txt runs per folder in reading order
        (
            ["in"],
            200,
            [
                ("a/sub/sub-txt-00000", "txt", 1),
                ("a/a-txt-00000", "txt", 3),
                ("b.jsonl", "jsonl", 1),
                ("c.jsonl.gz", "jsonl.gz", 1),
            ],
            [],
        ),
        # runs are cut at texts_per_shard
        (
            ["in/a"],
            2,
            [("sub/sub-txt-00000", "txt", 1), ("a-txt-00000", "txt", 2), ("a-txt-00001", "txt", 1)],
            [],
        ),
        # globs, recursive too; names relative to the common folder
        (["in/*.jsonl*"], 200, [("b.jsonl", "jsonl", 1), ("c.jsonl.gz", "jsonl.gz", 1)], []),
        (["in/**/y.txt"], 200, [("a-txt-00000", "txt", 1)], []),
        # files named directly, in the order given
        (
            ["in/c.jsonl.gz", "in/b.jsonl"],
            200,
            [("c.jsonl.gz", "jsonl.gz", 1), ("b.jsonl", "jsonl", 1)],
            [],
        ),
        # bad arguments: named, the rest goes on
        (["in/b.jsonl", "in/none.jsonl"], 200, [("b.jsonl", "jsonl", 1)], ["no such file"]),
        (["in/*.csv"], 200, [], ["matches no file"]),
        (["in/b.jsonl", "in/b.jsonl"], 200, [("b.jsonl", "jsonl", 1)], ["more than once"]),
    ],
)
def test_find_shards(
    layout: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    per_shard: int,
    expected: list[tuple[str, str, int]],
    errors: list[str],
) -> None:
    monkeypatch.chdir(layout)
    shards, problems = find_shards(args, texts_per_shard=per_shard)
    assert [(s.name, s.kind, len(s.paths)) for s in shards] == expected
    assert len(problems) == len(errors)
    for problem, fragment in zip(problems, errors, strict=True):
        assert fragment in problem.message


def test_find_shards_without_texts_and_excluding_the_output(layout: Path) -> None:
    shards, _ = find_shards([layout / "in"], texts=False)
    assert [s.name for s in shards] == ["b.jsonl", "c.jsonl.gz"]
    shards, _ = find_shards([layout / "in"], exclude=layout / "in" / "a")
    assert [s.name for s in shards] == ["b.jsonl", "c.jsonl.gz"]


def test_reading_order_matches_the_single_process_reader(layout: Path) -> None:
    """``iter_input`` (shards in turn) gives the documents the old folder reader gave."""
    from quotes.io import iter_input_documents

    folder = layout / "in"
    (folder / "c.jsonl.gz").unlink()  # the old reader knows no .jsonl.gz
    old = [d for d in iter_input_documents([folder]) if isinstance(d, Document)]
    new = [d for d in iter_input([folder]) if isinstance(d, Document)]
    assert [d.id for d in new] == [d.id for d in old]


@pytest.mark.parametrize(
    ("name", "kind", "compressed", "expected"),
    [
        ("part-01.jsonl", "jsonl", False, "part-01.jsonl"),
        ("part-01.jsonl", "jsonl", True, "part-01.jsonl.gz"),
        ("2024/part-01.jsonl.gz", "jsonl.gz", False, "2024/part-01.jsonl"),
        ("2024/part-01.jsonl.gz", "jsonl.gz", True, "2024/part-01.jsonl.gz"),
        ("news/news-txt-00003", "txt", False, "news/news-txt-00003.jsonl"),
    ],
)
def test_output_name(name: str, kind: Any, compressed: bool, expected: str) -> None:
    assert Shard(name, kind, ("x",)).output_name(gzip=compressed) == expected


# --- readers --------------------------------------------------------------------


def test_gzip_readers_name_bad_lines_and_damage(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "text": "“Yes,” he said.", "quotes": []})
    lines = [good, "{broken", json.dumps(["not", "an", "object"]), json.dumps({"id": "b"}), ""]
    path = tmp_path / "s.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode("utf-8")))
    items = list(iter_gzip_input_documents(path))
    assert [i.id for i in items if isinstance(i, Document)] == ["a"]
    errors = [i for i in items if isinstance(i, InputError)]
    assert [(e.line, e.message.split(" (")[0].split(";")[0]) for e in errors] == [
        (2, "malformed JSON"),
        (3, "a line must be a JSON object"),
        (4, 'a line needs "id" and a string "text"'),
    ]
    annotated = list(iter_gzip_annotated_documents(path))
    assert [i.id for i in annotated if isinstance(i, Document)] == ["a"]
    # a truncated stream: the lines before the damage, then one error without a line
    # (distinct ids: a repeated id is reported too, since issue 9)
    many = [json.dumps({"id": f"a{k}", "text": "“Yes,” he said."}) for k in range(50)]
    data = gzip.compress(("\n".join(many) + "\n").encode("utf-8"))
    path.write_bytes(data[: len(data) - 12])
    items = list(iter_gzip_input_documents(path))
    assert isinstance(items[-1], InputError) and items[-1].line is None
    assert "corrupt" in items[-1].message and str(path) in str(items[-1])
    assert all(isinstance(i, Document) for i in items[:-1])
    # not gzip at all
    path.write_bytes(b"plain text, not gzip")
    (only,) = list(iter_gzip_input_documents(path))
    assert isinstance(only, InputError) and only.line is None


def test_iter_annotated_reads_gzip_shards(tmp_path: Path) -> None:
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "a.jsonl").write_text(json.dumps(gold[0]) + "\n", encoding="utf-8")
    (tmp_path / "g" / "b.jsonl.gz").write_bytes(
        gzip.compress("".join(json.dumps(r) + "\n" for r in gold[1:]).encode("utf-8"))
    )
    docs = [d for d in iter_annotated([tmp_path / "g"]) if isinstance(d, Document)]
    assert [d.id for d in docs] == [r["id"] for r in gold]
    assert sum(len(d.quotes) for d in docs) == sum(len(r["quotes"]) for r in gold)


# --- output shards and the manifest ------------------------------------------------


@pytest.mark.parametrize("compressed", [False, True])
def test_shard_writer_checksums_and_is_atomic(tmp_path: Path, compressed: bool) -> None:
    docs = list(generated_documents(5))
    path = tmp_path / ("s.jsonl.gz" if compressed else "s.jsonl")
    with shard_writer(path, gzip=compressed) as sink:
        for doc in docs:
            sink.write(doc)
    first = path.read_bytes()
    assert sink.documents == 5 and sink.sha256 == file_sha256(path)
    assert [json.loads(line)["id"] for line in read_lines(path)] == [d.id for d in docs]
    with shard_writer(path, gzip=compressed) as sink:  # same documents, same bytes
        for doc in docs:
            sink.write(doc)
    assert path.read_bytes() == first
    with pytest.raises(RuntimeError), shard_writer(path, gzip=compressed) as sink:
        sink.write(docs[0])
        raise RuntimeError("failed half way")
    assert path.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_manifest_journal_last_line_wins_and_torn_lines_are_ignored(tmp_path: Path) -> None:
    write_manifest(tmp_path, [ManifestEntry("a", "pending"), ManifestEntry("b", "pending")])
    append_manifest(tmp_path, ManifestEntry("b", "complete", documents=3, sha256="x"))
    with open(tmp_path / MANIFEST_NAME, "ab") as handle:
        handle.write(b'{"shard": "a", "status": "compl')  # a crash mid-write
    order, latest = read_manifest(tmp_path)
    assert order == ["a", "b"]
    assert latest["a"].status == "pending"
    assert (latest["b"].status, latest["b"].documents) == ("complete", 3)


def test_stale_reason_table(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, list(generated_documents(2)))
    shard = Shard("in.jsonl", "jsonl", (str(source),))
    out = tmp_path / "out"
    with shard_writer(out / "in.jsonl") as sink:
        sink.write(Document("x", "text"))
    good = ManifestEntry(
        "in.jsonl",
        "complete",
        inputs=shard.paths,
        input_fingerprint=shard.fingerprint(),
        output="in.jsonl",
        model_version="m1",
        options="{}",
        sha256=sink.sha256,
    )

    def reason(entry: ManifestEntry | None, **kw: str) -> str | None:
        args = {"output": "in.jsonl", "model_version": "m1", "options": "{}", **kw}
        return stale_reason(entry, shard, out, **args)

    assert reason(good) is None
    assert reason(None) == "not done yet"
    assert reason(ManifestEntry("in.jsonl", "failed")) == "failed in the last run"
    assert reason(good, output="in.jsonl.gz") == "the output format changed"
    assert reason(good, model_version="m2") == "the model version changed"
    assert reason(good, options='{"model": "x"}') == "the pipeline options changed"
    (out / "in.jsonl").write_text("changed\n", encoding="utf-8")
    assert reason(good) == "its output file does not match its checksum"
    (out / "in.jsonl").unlink()
    assert reason(good) == "its output file is missing"
    os.utime(source, ns=(1, 1))
    assert reason(good) == "its input changed"


def test_output_folder_lock_refuses_a_second_run(tmp_path: Path) -> None:
    with (
        locked_output(tmp_path / "out"),
        pytest.raises(OSError, match="another"),
        locked_output(tmp_path / "out"),
    ):
        pass
    with locked_output(tmp_path / "out"):  # released
        pass


# --- sharded extraction in one process --------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Generated documents in JSONL, JSONL.gz and .txt shards, plus one bad line."""
    docs = list(generated_documents(30))
    root = tmp_path / "in"
    write_jsonl(root / "2024" / "part-0.jsonl", docs[:10])
    write_jsonl(root / "2024" / "part-1.jsonl.gz", docs[10:20], compress=True)
    (root / "texts").mkdir(parents=True)
    for doc in docs[20:]:
        (root / "texts" / f"{doc.id}.txt").write_text(doc.text, encoding="utf-8")
    with open(root / "2024" / "part-0.jsonl", "a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    return root


def test_sharded_extract_in_one_process_equals_single_output(
    nlp: Any, corpus: Path, tmp_path: Path
) -> None:
    single = tmp_path / "single.jsonl"
    assert extract_files([corpus], output=single, nlp=nlp, progress=False) == 1
    run = extract_shards([corpus], tmp_path / "out", nlp=nlp, texts_per_shard=4, progress=False)
    assert sharded_lines(tmp_path / "out") == read_lines(single)
    assert (len(run.completed), run.skipped, len(run.failed), run.failures) == (5, 0, 0, 1)
    order, latest = read_manifest(tmp_path / "out")
    assert order == [
        "2024/part-0.jsonl",
        "2024/part-1.jsonl.gz",
        "texts/texts-txt-00000",
        "texts/texts-txt-00001",
        "texts/texts-txt-00002",
    ]
    assert sum(latest[n].documents for n in order) == 30
    assert latest["2024/part-0.jsonl"].failures[0].line == 11
    for name in order:
        entry = latest[name]
        assert entry.output is not None and entry.sha256 == file_sha256(
            tmp_path / "out" / entry.output
        )
        assert entry.model_version.startswith("quotes-") and entry.quotes > 0
    again = extract_shards([corpus], tmp_path / "out", nlp=nlp, texts_per_shard=4, progress=False)
    assert (again.skipped, again.results) == (5, [])


def test_sharded_folder_is_read_in_manifest_order_and_unfinished_shards_are_named(
    nlp: Any, corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    extract_shards([corpus], out, nlp=nlp, gzip=True, progress=False)
    expected = [json.loads(line)["id"] for line in sharded_lines(out)]
    (out / "stray.jsonl").write_text('{"id": "s", "text": "x", "quotes": []}\n')
    items = list(iter_annotated([out]))
    assert [d.id for d in items if isinstance(d, Document)] == expected
    (problem,) = [i for i in items if isinstance(i, InputError)]
    assert problem.source.endswith("stray.jsonl") and "not marked complete" in problem.message


def test_cli_extract_to_a_folder(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["extract", str(corpus), "-o", f"{out}/", "--gzip", "--no-progress"]
    )
    assert result.exit_code == 1  # the bad line
    assert "part-0.jsonl:11: malformed JSON" in result.stderr
    assert "3 shard(s): 3 extracted" in result.stderr
    assert sorted(p.name for p in (out / "2024").iterdir()) == [
        "part-0.jsonl.gz",
        "part-1.jsonl.gz",
    ]
    for flags in (["--gzip"], ["--dask", "local:2"]):
        result = CliRunner().invoke(
            app, ["extract", str(corpus), "-o", str(tmp_path / "f.jsonl"), *flags]
        )
        assert result.exit_code == 1 and "-o DIR/" in result.stderr


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("local:3", ("local", 3)),
        ("tcp://10.0.0.5:8786", ("address", "tcp://10.0.0.5:8786")),
        ("10.0.0.5:8786", ("address", "10.0.0.5:8786")),
        ("/shared/scheduler.json", ("file", "/shared/scheduler.json")),
        ("local:0", None),
        ("local:x", None),
        ("cluster", None),
    ],
)
def test_parse_scheduler(spec: str, expected: tuple[str, Any] | None) -> None:
    from quotes.cluster import ClusterError

    if expected is None:
        with pytest.raises(ClusterError, match="--dask"):
            parse_scheduler(spec)
    else:
        assert parse_scheduler(spec) == expected
    assert parse_scheduler("local")[1] >= 1


# --- sums that combine ----------------------------------------------------------------


def test_evaluation_summaries_combine_to_the_whole(nlp: Any) -> None:
    gold = [Document.from_dict(json.loads(line)) for line in GOLD.read_text().splitlines()]
    pred = list(extract_documents([Document(d.id, d.text) for d in gold], nlp))
    pred.append(Document("only-predicted", "“Hello,” she said.", pred[0].quotes[:0]))
    whole = evaluate_documents(gold, pred)
    parts = [
        evaluate_documents(gold[:2], pred[:2]),
        evaluate_documents(gold[2:], pred[2:5]),
        evaluate_documents([], pred[5:]),
    ]
    summed = combine(EvaluationSummary.of(p) for p in parts)
    assert summed is not None
    assert render_json(summed) == render_json(whole)
    assert render_json(EvaluationSummary.of(whole)) == render_json(whole)


def test_speaker_tallies_merge_to_the_whole(nlp: Any) -> None:
    docs = list(extract_documents(list(generated_documents(40)), nlp))
    whole = speaker_table(docs)
    merged = merge_tallies(tally_speakers(docs[:15]), tally_speakers(docs[15:]))
    assert speaker_table_from_tally(merged) == whole
    assert len(whole) > 3


def test_documents_the_rules_fail_on_are_failures_of_their_shard(
    rule_bug: None, nlp: Any, tmp_path: Path
) -> None:
    """Reported with their id, in the manifest and by the partition API; the rest goes on."""
    from quotes.cluster import extract_records, worker_pipeline

    docs = list(generated_documents(6))
    docs[2] = Document("bad", "“BOOM,” she said.")
    write_jsonl(tmp_path / "in" / "a.jsonl", docs)
    run = extract_shards([tmp_path / "in"], tmp_path / "out", nlp=nlp, progress=False)
    assert (run.documents, run.failures, run.problems) == (5, 1, 1)
    _, latest = read_manifest(tmp_path / "out")
    (failure,) = latest["a.jsonl"].failures
    assert (failure.source, failure.message) == ("bad", "extraction failed: ValueError: rule bug")
    # the partition API loads its own pipeline in this process (the rules', patched above)
    worker_pipeline({"rules_only": True})
    records = [{"id": d.id, "text": d.text} for d in docs]
    got = extract_records(records, {"rules_only": True})
    assert [r["id"] for r in got] == [d.id for d in docs]
    assert got[2] == {"id": "bad", "error": "extraction failed: ValueError: rule bug"}
    assert all("quotes" in r for i, r in enumerate(got) if i != 2)


@pytest.mark.parametrize(
    ("leftover", "removed"),
    [
        (".part-01.jsonl.x7k_2.tmp", True),  # a killed run's temporary file of an output
        (".part-01.jsonl.host-12.ab.tmp", True),  # whatever stands between the dots
        (".part-01.jsonl..tmp", True),
        (".part-02.jsonl.x7k_2.tmp", False),  # not one of this run's outputs
        (".part-01.jsonl.x7k_2.tmp.keep", False),
        ("part-01.jsonl.x7k_2.tmp", False),  # not hidden
        (".part-01.jsonl.tmp", False),  # no part between name and suffix
        (".notes.tmp", False),
    ],
)
def test_stale_temporaries_of_the_outputs_are_removed(
    tmp_path: Path, leftover: str, removed: bool
) -> None:
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "part-01.jsonl").write_text("kept\n")
    (tmp_path / "2024" / leftover).write_text("half")
    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / leftover).write_text("half")  # another folder's: not an output there
    count = remove_stale_temporaries(tmp_path, ["2024/part-01.jsonl", "2026/part-01.jsonl"])
    assert count == int(removed)
    assert (tmp_path / "2024" / leftover).exists() is not removed
    assert (tmp_path / "2025" / leftover).exists()
    assert (tmp_path / "2024" / "part-01.jsonl").read_text() == "kept\n"
