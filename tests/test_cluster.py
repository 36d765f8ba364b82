"""On a real Dask LocalCluster of two worker processes: sharded extraction identical to one
process, a worker killed mid-run, reruns that skip verified shards, a corrupt shard named
while the others finish, speaker tables and scores reduced on the cluster, the partition API.

The cluster starts once for the module (a few seconds, plus one pipeline load per worker).
"""

from __future__ import annotations

import gzip
import importlib
import json
import os
import re
import shutil
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")

from typer.testing import CliRunner  # noqa: E402

from quotes.cli import app  # noqa: E402
from quotes.cluster import (  # noqa: E402
    ClusterError,
    ShardResult,
    connect,
    evaluate_shards,
    extract_frame,
    extract_records,
    extract_shards,
    frame_meta,
    speaker_table_shards,
)
from quotes.evaluation import evaluate_paths  # noqa: E402
from quotes.pipeline import extract_documents, extract_files  # noqa: E402
from quotes.report import render_json  # noqa: E402
from quotes.shards import file_sha256, read_manifest  # noqa: E402
from quotes.speaker_table import corpus_documents, speaker_table  # noqa: E402
from quotes.types import Document  # noqa: E402

from .generated import generated_documents  # noqa: E402
from .test_shards import read_lines, sharded_lines, write_jsonl  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "gold" / "seeds.jsonl"
GENERATED = 300


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A LocalCluster of 2 single-threaded worker processes, through ``quotes.cluster.connect``."""
    with connect("local:2") as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds (a .txt shard) and 300 generated documents in 18 shards of every kind."""
    root = tmp_path_factory.mktemp("corpus") / "in"
    shutil.copytree(SEEDS, root / "seeds")
    docs = list(generated_documents(GENERATED))
    for index in range(14):  # 14 JSONL shards of 20, every third compressed
        part = docs[index * 20 : (index + 1) * 20]
        year = 2024 + index % 2
        name = f"part-{index:02d}.jsonl" + (".gz" if index % 3 == 0 else "")
        write_jsonl(root / str(year) / name, part, compress=index % 3 == 0)
    (root / "texts").mkdir()
    for doc in docs[280:]:
        (root / "texts" / f"{doc.id}.txt").write_text(doc.text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def single(model_nlp: Any, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The single-process output of the corpus (``extract_files``), line by line."""
    out = tmp_path_factory.mktemp("single") / "single.jsonl"
    assert extract_files([corpus], output=out, nlp=model_nlp, progress=False) == 0
    return read_lines(out)


def check_exactly_once(out: Path, single: list[str]) -> None:
    """The manifest accounts for every document once and the shards are the single output."""
    order, latest = read_manifest(out)
    entries = [latest[n] for n in order]
    assert all(e.status == "complete" for e in entries), [e.error for e in entries]
    assert sum(e.documents for e in entries) == len(single) == GENERATED + 5
    assert sum(e.failures.__len__() for e in entries) == 0
    for entry in entries:
        assert entry.output is not None
        assert entry.sha256 == file_sha256(out / entry.output)
    lines = sharded_lines(out)
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids))
    assert lines == single


def worker_pids(client: Any) -> dict[str, int]:
    return dict(client.run(os.getpid))


@pytest.fixture(scope="module")
def cluster_run(
    client: Any, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Any, list[ShardResult]]:
    """The corpus extracted on the cluster once: output folder, run, results as they came."""
    out = tmp_path_factory.mktemp("cluster") / "out"
    seen: list[ShardResult] = []
    run = extract_shards(
        [corpus], out, client=client, texts_per_shard=8, progress=False, on_shard=seen.append
    )
    return out, run, seen


def test_cluster_output_is_the_single_process_output(
    client: Any, cluster_run: tuple[Path, Any, list[ShardResult]], single: list[str]
) -> None:
    out, run, seen = cluster_run
    assert (run.shards, len(run.completed), run.skipped, run.problems) == (18, 18, 0, 0)
    assert len(seen) == 18
    check_exactly_once(out, single)
    pids = worker_pids(client)
    # whole shards ran on the two worker processes, each of which loaded one pipeline
    assert {r.worker.rpartition(":")[2] for r in seen} <= {str(p) for p in pids.values()}
    loaded = client.run(lambda: len(importlib.import_module("quotes.cluster.workers")._PIPELINES))
    assert set(loaded.values()) == {1}


def test_a_worker_killed_mid_run_loses_and_repeats_nothing(
    client: Any, corpus: Path, single: list[str], tmp_path: Path
) -> None:
    killed: list[int] = []

    def kill_a_busy_worker(result: ShardResult) -> None:
        if killed:
            return
        pids = worker_pids(client)
        busy = [address for address, keys in client.processing().items() if keys]
        assert busy, "no shard left running to interrupt"
        killed.append(pids[busy[0]])
        os.kill(pids[busy[0]], signal.SIGKILL)

    run = extract_shards(
        [corpus],
        tmp_path / "out",
        client=client,
        texts_per_shard=8,
        progress=False,
        on_shard=kill_a_busy_worker,
    )
    assert killed and run.problems == 0 and len(run.completed) == 18
    check_exactly_once(tmp_path / "out", single)
    client.wait_for_workers(2, timeout=120)
    assert killed[0] not in worker_pids(client).values()
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_rerun_skips_verified_shards_and_redoes_the_rest(
    client: Any,
    corpus: Path,
    single: list[str],
    cluster_run: tuple[Path, Any, list[ShardResult]],
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    shutil.copytree(cluster_run[0], out)
    again = extract_shards([corpus], out, client=client, texts_per_shard=8, progress=False)
    assert (again.skipped, again.results) == (18, [])
    # damage: one output deleted, one edited, one input touched, a killed run's temporary left
    (out / "2024" / "part-00.jsonl").unlink()
    with open(out / "2025" / "part-01.jsonl", "a", encoding="utf-8") as handle:
        handle.write("\n")
    touched = corpus / "2024" / "part-02.jsonl"
    times = touched.stat()
    os.utime(touched, ns=(times.st_atime_ns, times.st_mtime_ns + 1))
    (out / "2024" / ".part-04.jsonl.abc123.tmp").write_text("half")
    third = extract_shards([corpus], out, client=client, texts_per_shard=8, progress=False)
    assert third.skipped == 15
    assert sorted(r.shard for r in third.results) == [
        "2024/part-00.jsonl.gz",
        "2024/part-02.jsonl",
        "2025/part-01.jsonl",
    ]
    check_exactly_once(out, single)
    assert not list(out.rglob("*.tmp"))


def test_a_corrupt_shard_is_named_while_the_others_finish(
    client: Any, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in"
    shutil.copytree(corpus, source)
    damaged = source / "2024" / "part-06.jsonl.gz"
    good_bytes = damaged.read_bytes()
    damaged.write_bytes(good_bytes[: len(good_bytes) // 2])
    with open(source / "2025" / "part-05.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"id": "no-text"}\n')
    out = tmp_path / "out"
    run = extract_shards([source], out, client=client, texts_per_shard=8, progress=False)
    assert [r.shard for r in run.failed] == ["2024/part-06.jsonl.gz"]
    assert "corrupt" in (run.failed[0].error or "") and str(damaged) in (run.failed[0].error or "")
    assert len(run.completed) == 17 and run.failures == 1
    assert run.documents == GENERATED + 5 - 20
    err = capsys.readouterr().err
    assert "shard 2024/part-06.jsonl.gz failed" in err
    assert "part-05.jsonl:21: a line needs" in err
    _, latest = read_manifest(out)
    assert latest["2024/part-06.jsonl.gz"].status == "failed"
    assert not (out / "2024" / "part-06.jsonl").exists()
    damaged.write_bytes(good_bytes)  # repaired: the rerun does only that shard
    rerun = extract_shards([source], out, client=client, texts_per_shard=8, progress=False)
    assert [r.shard for r in rerun.results] == ["2024/part-06.jsonl.gz"]
    assert rerun.problems == 0 and rerun.documents == 20


def test_speaker_table_on_the_cluster_is_the_one_process_table(
    client: Any, corpus: Path, cluster_run: tuple[Path, Any, list[ShardResult]]
) -> None:
    out = cluster_run[0]
    for paths in ([out], [corpus / "texts", corpus / "2024"]):
        errors: list[str] = []
        expected = speaker_table(corpus_documents(paths, errors=errors))
        rows, cluster_errors = speaker_table_shards(paths, client=client, progress=False)
        assert rows == expected and len(rows) >= 8
        assert cluster_errors == errors


@pytest.fixture(scope="module")
def scoring_inputs(model_nlp: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Seed gold and predictions sharded differently, with a duplicate, a miss and an extra."""
    root = tmp_path_factory.mktemp("scoring")
    gold_lines = GOLD.read_text(encoding="utf-8").splitlines()
    gold = [json.loads(line) for line in gold_lines]
    (root / "gold").mkdir()
    (root / "gold" / "a.jsonl").write_text("\n".join(gold_lines[:2]) + "\n", encoding="utf-8")
    (root / "gold" / "b.jsonl.gz").write_bytes(
        gzip.compress(("\n".join(gold_lines[2:4]) + "\n{broken\n").encode("utf-8"))
    )
    # the last gold document, and the first one again (a duplicate id across shards)
    (root / "gold" / "c.jsonl").write_text(
        gold_lines[4] + "\n" + gold_lines[0] + "\n", encoding="utf-8"
    )
    texts = [Document(r["id"], r["text"]) for r in gold[1:]]  # the first one is never predicted
    pred = [d.to_dict() for d in extract_documents(texts, model_nlp)]
    pred.append({"id": "extra", "text": "“Nothing new,” Rosa Vidal said.", "quotes": []})
    (root / "pred" / "x").mkdir(parents=True)
    (root / "pred" / "x" / "p1.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in pred[::2]), encoding="utf-8"
    )
    (root / "pred" / "p2.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in pred[1::2]), encoding="utf-8"
    )
    return root / "gold", root / "pred"


@pytest.mark.parametrize("focus", ["partial", "coverage30"])
def test_scores_on_the_cluster_are_the_one_process_scores(
    client: Any, scoring_inputs: tuple[Path, Path], focus: str
) -> None:
    gold, pred = scoring_inputs
    expected = evaluate_paths([gold], [pred], focus=focus)
    assert expected.duplicate_ids and expected.missing("pred") and expected.missing("gold")
    assert expected.input_errors
    summary = evaluate_shards([gold], [pred], client=client, focus=focus, progress=False)
    assert render_json(summary) == render_json(expected)


def test_scores_without_predictions_extract_on_the_workers(
    client: Any, model_nlp: Any, scoring_inputs: tuple[Path, Path]
) -> None:
    gold, _ = scoring_inputs
    expected = evaluate_paths([gold], None, nlp=model_nlp)
    summary = evaluate_shards([gold], None, client=client, progress=False)
    assert render_json(summary) == render_json(expected)
    assert summary.quotes("partial").tp > 50


def test_cli_on_an_existing_scheduler(
    client: Any, corpus: Path, scoring_inputs: tuple[Path, Path], tmp_path: Path
) -> None:
    address = client.scheduler.address
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            *("extract", str(corpus / "texts"), "-o", f"{out}/", "--dask", address),
            *("--gzip", "--texts-per-shard", "8", "--no-progress"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "3 shard(s): 3 extracted" in result.stderr
    assert len(list(out.glob("texts-txt-0000*.jsonl.gz"))) == 3
    local = runner.invoke(app, ["speakers", str(out), "--format", "json"])
    remote = runner.invoke(app, ["speakers", str(out), "--format", "json", "--dask", address])
    assert remote.exit_code == local.exit_code == 0
    assert remote.stdout == local.stdout and json.loads(remote.stdout)
    gold, pred = scoring_inputs
    args = ["evaluate", "-g", str(gold), "-p", str(pred), "--format", "json"]
    local = runner.invoke(app, args)
    remote = runner.invoke(app, [*args, "--dask", address])
    assert remote.exit_code == local.exit_code == 1  # the broken gold line
    assert remote.stdout == local.stdout
    report = runner.invoke(app, [*args, "--dask", address, "--report", str(tmp_path / "r.html")])
    assert report.exit_code == 1 and "drop --dask" in report.stderr
    unreachable = "tcp://127.0.0.1:9"
    with (
        pytest.raises(
            ClusterError, match=re.escape(f"cannot reach the Dask scheduler {unreachable}")
        ),
        connect(unreachable, timeout=2),
    ):
        pass


# --- the partition API ------------------------------------------------------------


def partition_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = [
        {"id": d.id, "text": d.text} for d in generated_documents(24, seed=11)
    ]
    records.insert(5, {"id": "no-text"})
    records.append({"id": records[0]["id"], "text": records[0]["text"]})  # ids may repeat
    return records


def test_extract_records_on_a_dask_bag(client: Any, model_nlp: Any) -> None:
    import dask.bag as db

    records = partition_records()
    bag = db.from_sequence(records, npartitions=4)
    got = bag.map_partitions(extract_records).compute()
    readable = [r for r in records if "text" in r]
    expected = [
        d.to_dict()
        for d in extract_documents([Document(r["id"], r["text"]) for r in readable], model_nlp)
    ]
    assert [r for r in got if "error" not in r] == expected
    assert got[5] == {"id": "no-text", "error": 'a record needs "id" and a string "text"'}
    assert len(got) == len(records)


def test_extract_frame_on_a_dask_dataframe(client: Any, model_nlp: Any) -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")

    records = [r for r in partition_records() if "text" in r]
    frame = pd.DataFrame(records)
    got = (
        dd.from_pandas(frame, npartitions=3)
        .map_partitions(extract_frame, meta=frame_meta())
        .compute()
    )
    expected = list(extract_documents([Document(r["id"], r["text"]) for r in records], model_nlp))
    assert list(got.columns) == ["id", "text", "quotes", "speakers", "model_version", "error"]
    assert set(got["model_version"]) == {expected[0].model_version}
    assert got["id"].tolist() == [d.id for d in expected]
    assert got["quotes"].tolist() == [[q.to_dict() for q in d.quotes] for d in expected]
    assert got["error"].isna().all()
    assert Counter(len(q) for q in got["quotes"]).most_common(1)[0][0] > 0


def test_bad_records_come_back_as_error_records(client: Any) -> None:
    """A record without text is reported in its place, never dropped."""
    import dask.bag as db

    records = [{"id": 1, "text": "“Yes,” he said."}, {"id": 2, "text": 5}, "not a record"]
    got = db.from_sequence(records, npartitions=1).map_partitions(extract_records).compute()
    assert got[0]["id"] == "1" and got[0]["quotes"]
    assert got[1] == {"id": 2, "error": 'a record needs "id" and a string "text"'}
    assert got[2] == {"id": None, "error": 'a record needs "id" and a string "text"'}
