"""Push, annotate, pull and live prediction against a real Label Studio server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from label_studio_sdk import LabelStudio
from typer.testing import CliRunner

from quotes.cli import app
from quotes.io import iter_input_documents
from quotes.labelstudio.backend import create_app
from quotes.labelstudio.client import LabelStudioError, existing_tasks, pull, push
from quotes.labelstudio.client import connect as ls_connect
from quotes.labelstudio.config import (
    CUE_OF,
    NAME_TAG,
    QUOTE_LABELS,
    QUOTE_TAG,
    SAID_BY,
    load_config,
)
from quotes.labelstudio.convert import as_gold, quotes_to_result, result_to_quotes
from quotes.pipeline import extract, extract_documents
from quotes.types import CharSpan, Document, Quote

from .lsserver import USERNAME, LabelStudioServer, free_port

pytestmark = pytest.mark.labelstudio

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED0 = "000_0ab12356d3949a48"


def client(server: LabelStudioServer) -> LabelStudio:
    return LabelStudio(base_url=server.url, api_key=server.token)


def project_id(server: LabelStudioServer, title: str) -> int:
    return next(int(p.id) for p in client(server).projects.list(title=title) if p.title == title)


def tasks_by_doc(server: LabelStudioServer, pid: int) -> dict[str, Any]:
    return {t.data["doc_id"]: t for t in client(server).tasks.list(project=pid, fields="all")}


def seed_docs() -> list[Document]:
    return [d for d in iter_input_documents([SEEDS]) if isinstance(d, Document)]


def find(text: str, part: str, after: str = "") -> CharSpan:
    """The span of ``part`` in ``text``, the first one after ``after``."""
    start = text.index(part, text.index(after) if after else 0)
    return CharSpan.of(text, start, start + len(part))


# --- annotator actions on a result list, as the Label Studio UI does them ---------


def region_id(result: list[dict[str, Any]], quote: Quote) -> str:
    return next(
        r["id"]
        for r in result
        if r["type"] == "labels"
        and r["from_name"] == QUOTE_TAG
        and (r["value"]["start"], r["value"]["end"]) == (quote.start, quote.end)
        and r["value"]["labels"] == [QUOTE_LABELS[quote.type]]
    )


def drop_orphans(result: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Delete speaker and cue regions no relation uses any more (the annotator tidies up)."""
    used = {r[k] for r in result if r["type"] == "relation" for k in ("from_id", "to_id")}
    return [
        r
        for r in result
        if not (r["type"] == "labels" and r["from_name"] != QUOTE_TAG and r["id"] not in used)
    ]


def delete_region(result: list[dict[str, Any]], rid: str) -> list[dict[str, Any]]:
    kept = [
        r for r in result if r.get("id") != rid and rid not in (r.get("from_id"), r.get("to_id"))
    ]
    return drop_orphans(kept)


def move_region(result: list[dict[str, Any]], rid: str, span: CharSpan) -> None:
    for r in result:
        if r.get("id") == rid:
            r["value"].update(start=span.start, end=span.end)
            if r["type"] == "labels":
                r["value"]["text"] = span.text


def labels_item(rid: str, control: str, label: str, span: CharSpan) -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
        "value": {"start": span.start, "end": span.end, "text": span.text, "labels": [label]},
    }


def relation(frm: str, to: str, label: str) -> dict[str, Any]:
    return {
        "type": "relation",
        "from_id": frm,
        "to_id": to,
        "direction": "right",
        "labels": [label],
    }


def set_name(result: list[dict[str, Any]], rid: str, quote: Quote, names: list[str]) -> None:
    result[:] = [r for r in result if not (r.get("id") == rid and r["type"] == "textarea")]
    result.append(
        {
            "id": rid,
            "from_name": NAME_TAG,
            "to_name": "text",
            "type": "textarea",
            "value": {"start": quote.start, "end": quote.end, "text": names},
        }
    )


# --- the round trip -----------------------------------------------------------------


def test_round_trip_push_annotate_pull(ls_env: LabelStudioServer, nlp, tmp_path: Path) -> None:
    title = "round trip"
    report = push([SEEDS], title, nlp=nlp, progress=False, model_version="extractor")
    assert (report.read, report.imported) == (5, 5)
    extracted = {d.id: d for d in extract_documents(seed_docs(), nlp)}
    pid = project_id(ls_env, title)
    tasks = tasks_by_doc(ls_env, pid)
    # predictions arrive exactly as extracted
    for doc_id, doc in extracted.items():
        [prediction] = tasks[doc_id].predictions
        assert prediction.model_version == "extractor"
        assert result_to_quotes(prediction.result, doc.text) == sorted(
            (as_gold(q) for q in doc.quotes), key=lambda q: (q.start, q.end, q.type)
        )

    # a second model version adds quotes we constructed to seed 0 (through --update-predictions)
    text = extracted[SEED0].text
    beijing = find(text, "Beijing", "12-point")
    c_long = Quote(
        "direct",
        find(text, "respecting the sovereignty of all countries,"),
        beijing,
        ("Beijing",),
        find(text, "stressed"),
        0.5,
    )
    c_shared = Quote(
        "direct",
        find(text, "Cold War mentality,"),
        beijing,
        ("Beijing",),
        find(text, "called for"),
        0.7,
    )
    c_false = Quote("indirect", find(text, "Source: TSF"), None, (), None, 0.3)
    before = sorted(
        [
            *(as_gold(q) for q in extracted[SEED0].quotes),
            *(as_gold(q) for q in (c_long, c_shared, c_false)),
        ],
        key=lambda q: (q.start, q.end, q.type),
    )
    seeded = Document(SEED0, text, (*extracted[SEED0].quotes, c_long, c_shared, c_false))
    report = push(
        [], title, documents=[seeded], update_predictions=True, model_version="v2", progress=False
    )
    assert (report.imported, report.updated) == (0, 1)
    ls = client(ls_env)
    latest = next(p for p in ls.predictions.list(task=tasks[SEED0].id) if p.model_version == "v2")
    result = [dict(r) for r in latest.result]
    assert result_to_quotes(result, text) == before

    # the annotator: fix a boundary, delete a false quote, add a missed one, change a speaker
    # relation and a canonical name, submit
    fixed = Quote(
        "direct",
        find(text, "respecting the sovereignty of all countries"),
        beijing,
        ("Beijing",),
        find(text, "stressed"),
    )
    move_region(result, region_id(result, as_gold(c_long)), fixed.content)
    result = delete_region(result, region_id(result, as_gold(c_false)))
    kirby = Quote(
        "mixed",
        find(text, "the war must end “fairly,” while respecting Ukraine’s territorial sovereignty"),
        find(text, "John Kirby"),
        ("John Kirby",),
        find(text, "said", "John Kirby"),
    )
    result += [
        labels_item("Xk29_aQ", "quote", "MixedQuote", kirby.content),
        labels_item("pL0s-7e", "attribution", "Speaker", kirby.speaker),  # type: ignore[arg-type]
        labels_item("m3Zt9Qw", "attribution", "Cue", kirby.cue),  # type: ignore[arg-type]
        relation("Xk29_aQ", "pL0s-7e", SAID_BY),
        relation("m3Zt9Qw", "Xk29_aQ", CUE_OF),
    ]
    set_name(result, "Xk29_aQ", kirby, ["John Kirby"])
    shared_id = region_id(result, as_gold(c_shared))
    other_mention = find(text, "Beijing", "China has claimed")
    result.append(labels_item("sp-new", "attribution", "Speaker", other_mention))
    for r in result:
        if r["type"] == "relation" and r["from_id"] == shared_id and r["labels"] == [SAID_BY]:
            r["to_id"] = "sp-new"
    set_name(result, shared_id, c_shared, ["Chinese government\nBeijing"])
    result = drop_orphans(result)
    changed = Quote(
        "direct", c_shared.content, other_mention, ("Chinese government", "Beijing"), c_shared.cue
    )
    after = sorted(
        [q for q in before if q not in (as_gold(c_long), as_gold(c_false), as_gold(c_shared))]
        + [fixed, kirby, changed],
        key=lambda q: (q.start, q.end, q.type),
    )
    ls.annotations.create(id=tasks[SEED0].id, result=result)

    # seed 1 accepted as predicted; seed 2 skipped; seed 3 annotated twice, the latest empty
    seed1, seed2, seed3 = sorted(extracted)[1:4]
    ls.annotations.create(id=tasks[seed1].id, result=tasks[seed1].predictions[0].result)
    ls.annotations.create(id=tasks[seed2].id, result=[], was_cancelled=True)
    ls.annotations.create(id=tasks[seed3].id, result=tasks[seed3].predictions[0].result)
    time.sleep(1.1)  # the latest annotation is the one updated last
    ls.annotations.create(id=tasks[seed3].id, result=[])

    gold_file = tmp_path / "gold.jsonl"
    pulled = pull(title, gold_file)
    assert (pulled.tasks, pulled.annotated, pulled.skipped) == (5, 3, ())
    written = [Document.from_dict(json.loads(line)) for line in gold_file.open()]
    assert [d.id for d in written] == [SEED0, seed1, seed3]
    gold = {d.id: d for d in written}
    assert list(gold[SEED0].quotes) == after
    assert gold[SEED0].text == text
    assert list(gold[seed1].quotes) == sorted(
        (as_gold(q) for q in extracted[seed1].quotes), key=lambda q: (q.start, q.end, q.type)
    )
    assert gold[seed3].quotes == ()


# --- idempotency and --update-predictions ------------------------------------------------


def test_push_twice_imports_once_and_updates_predictions(ls_env: LabelStudioServer, nlp) -> None:
    title = "twice"
    first = push([SEEDS], title, nlp=nlp, progress=False, model_version="m1", batch_size=2)
    second = push([SEEDS], title, nlp=nlp, progress=False, model_version="m1")
    assert (first.imported, first.unchanged) == (5, 0)
    assert (second.imported, second.unchanged, second.updated) == (0, 5, 0)
    pid = project_id(ls_env, title)
    assert len(tasks_by_doc(ls_env, pid)) == 5
    assert len(list(client(ls_env).tasks.list(project=pid))) == 5
    updated = push(
        [SEEDS], title, nlp=nlp, progress=False, model_version="m2", update_predictions=True
    )
    again = push(
        [SEEDS], title, nlp=nlp, progress=False, model_version="m2", update_predictions=True
    )
    assert (updated.imported, updated.updated) == (0, 5)
    assert (again.updated, again.unchanged) == (0, 5)
    conn = ls_connect()
    known = existing_tasks(conn, pid)
    assert {t.model_versions for t in known.values()} == {frozenset({"m1", "m2"})}
    # a document whose text changed under the same id is a conflict, not a second task
    changed = Document("000_0ab12356d3949a48", "A different text.")
    conflict = push([], title, documents=[changed], progress=False, model_version="m1")
    assert (conflict.imported, len(conflict.conflicts)) == (0, 1)
    assert len(tasks_by_doc(ls_env, pid)) == 5


# --- a broken annotation is reported and skipped ---------------------------------------


def test_pull_skips_a_broken_annotation(ls_env: LabelStudioServer, tmp_path: Path) -> None:
    title = "broken"
    text = 'Peskov said: "We will talk." Kirby said talks were over.'
    good = Quote(
        "direct",
        find(text, "We will talk."),
        find(text, "Peskov"),
        ("Dmitry Peskov",),
        find(text, "said"),
    )
    docs = [Document("good", text, (good,)), Document("bad", text, (good,))]
    push([], title, documents=docs, progress=False, model_version="x")
    pid = project_id(ls_env, title)
    tasks = tasks_by_doc(ls_env, pid)
    ls = client(ls_env)
    ls.annotations.create(id=tasks["good"].id, result=quotes_to_result([good], scores=False))
    broken = quotes_to_result([good], scores=False)
    broken.append(relation("q1", "q7-speaker", SAID_BY))
    ls.annotations.create(id=tasks["bad"].id, result=broken)
    out = tmp_path / "gold.jsonl"
    runner = CliRunner()
    ran = runner.invoke(app, ["pull", "--project", title, "-o", str(out)])
    assert ran.exit_code == 1
    assert (
        f"skipped task {tasks['bad'].id} ({USERNAME}): relation q1 -> q7-speaker (said_by):"
        " no region q7-speaker" in ran.output
    )
    assert f"2 task(s), 2 annotated; annotations used per annotator: {USERNAME} 1;" in ran.output
    assert "1 written to" in ran.output and ", 1 skipped" in ran.output
    [line] = out.read_text().splitlines()
    assert Document.from_dict(json.loads(line)) == Document("good", text, (good,))
    # --annotator takes a user's email (or id); an unknown user is a clear failure
    mine = pull(title, tmp_path / "mine.jsonl", annotator=USERNAME)
    assert [d.id for d in mine.documents] == ["good"]
    with pytest.raises(LabelStudioError, match="no Label Studio user"):
        pull(title, tmp_path / "nobody.jsonl", annotator="nobody@example.com")
    assert not (tmp_path / "nobody.jsonl").exists()


# --- clear failures: one line, non-zero exit, nothing written, key never shown -------------


FAILURES = {
    "unreachable": (
        ["pull", "--project", "x"],
        {"LABEL_STUDIO_URL": "http://127.0.0.1:9"},
        "cannot reach Label Studio",
    ),
    "wrong key": (
        ["pull", "--project", "x"],
        {"LABEL_STUDIO_API_KEY": "0123456789abcdef-wrong"},
        "refused the API key (401)",
    ),
    "project missing": (["pull", "--project", "no such project"], {}, "no project"),
    "incompatible config": (
        ["push", str(SEEDS), "--project", "other config", "--no-progress"],
        {},
        "incompatible labeling config",
    ),
    "wrong key on push": (
        ["push", str(SEEDS), "--project", "x"],
        {"LABEL_STUDIO_API_KEY": "0123456789abcdef-wrong"},
        "refused",
    ),
}


@pytest.mark.parametrize(("args", "env", "message"), FAILURES.values(), ids=FAILURES.keys())
def test_failures_are_one_line(
    ls_env: LabelStudioServer, tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    ls = client(ls_env)
    if not any(p.title == "other config" for p in ls.projects.list(title="other config")):
        ls.projects.create(
            title="other config",
            label_config=load_config().replace('<Relation value="cue_of"/>', ""),
        )
    out = tmp_path / "gold.jsonl"
    out.write_text("old gold\n")
    if args[0] == "pull":
        args = [*args, "-o", str(out)]
    ran = CliRunner().invoke(app, args, env=env)
    assert ran.exit_code == 1
    lines = ran.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], ran.output
    assert lines[0].startswith("quotes: ")
    assert out.read_text() == "old gold\n"
    for key in (ls_env.token, env.get("LABEL_STUDIO_API_KEY", ls_env.token)):
        assert key not in ran.output
    assert not any(p.title == "x" for p in ls.projects.list())


# --- the ML backend, registered with the real server -------------------------------------


@pytest.fixture(scope="module")
def backend(nlp) -> Iterator[str]:
    """``quotes serve``'s app on a free port of 127.0.0.1 (in a thread, same pipeline)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(nlp, "live-v1"), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.started
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def test_backend_protocol(backend: str) -> None:
    assert httpx.get(f"{backend}/health").json()["status"] == "UP"
    assert httpx.post(
        f"{backend}/setup", json={"schema": load_config(), "project": "1.1"}
    ).json() == {"model_version": "live-v1"}
    bad = httpx.post(f"{backend}/setup", json={"schema": "<View/>", "project": "1.1"})
    assert bad.status_code == 400
    text = 'Peskov said: "We will talk about it tomorrow."'
    tasks = [{"id": 1, "data": {"text": text}}, {"id": 2, "data": {"other": 1}}]
    answer = httpx.post(f"{backend}/predict", json={"tasks": tasks}, timeout=60).json()
    assert len(answer["results"]) == 2
    first, second = answer["results"]
    assert first["model_version"] == "live-v1"
    # a task without a text gets an error object, no empty prediction that reads "no quotes"
    assert second == {
        "model_version": "live-v1",
        "task": 2,
        "error": 'task data has no string "text"; import tasks with a text field',
    }
    quotes = result_to_quotes(first["result"], text)  # validates offsets and relations
    assert all(q.text in text for q in quotes)
    assert (
        httpx.post(f"{backend}/webhook", json={"action": "ANNOTATION_CREATED"}).status_code == 200
    )
    assert httpx.post(f"{backend}/predict", json={}).status_code == 422


def test_backend_registered_with_label_studio(ls_env: LabelStudioServer, backend: str, nlp) -> None:
    title = "live backend"
    text = 'John Kirby, a White House spokesman, said: "The war must end fairly."'
    push([], title, documents=[Document("live", text)], progress=False)
    pid = project_id(ls_env, title)
    ls = client(ls_env)
    ml = ls.ml.create(url=backend, project=pid, title="quotes", is_interactive=False)
    assert ls.ml.get(id=ml.id).state == "CO"  # connected: /health and /setup answered
    [task] = tasks_by_doc(ls_env, pid).values()
    ls.actions.create(
        id="retrieve_tasks_predictions",
        project=pid,
        selected_items={"all": False, "included": [task.id]},
    )
    live = [p for p in ls.predictions.list(task=task.id) if p.model_version == "live-v1"]
    assert len(live) == 1
    quotes = result_to_quotes(live[0].result, text)
    assert quotes == sorted(
        (as_gold(q) for q in extract(text, nlp)), key=lambda q: (q.start, q.end, q.type)
    )
    assert any(q.text.startswith("The war must end fairly") for q in quotes)
