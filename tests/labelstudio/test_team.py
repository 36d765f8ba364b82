"""A real annotation team against a real Label Studio: corrections as the UI leaves them,
several annotators per task, agreement, projects named without ambiguity, nothing silent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk import LabelStudio
from typer.testing import CliRunner

from quotes.cli import app
from quotes.labelstudio.convert import quotes_to_result, result_to_quotes
from quotes.types import Document, Quote

from .lsserver import LabelStudioServer
from .test_live import SEEDS, client, project_id, tasks_by_doc

pytestmark = pytest.mark.labelstudio

ORDER = lambda q: (q.start, q.end, q.type)  # noqa: E731


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def delete_in_ui(result: list[dict[str, Any]], rid: str) -> list[dict[str, Any]]:
    """What the Label Studio UI does on deleting region ``rid``: the region, its per-region
    name and its relations go; the Speaker and Cue regions it was related to stay."""
    return [
        dict(r)
        for r in result
        if r.get("id") != rid and rid not in (r.get("from_id"), r.get("to_id"))
    ]


def quote_with_own_speaker_and_cue(result: list[dict[str, Any]]) -> str:
    """A quote region whose Speaker and Cue no other quote shares."""
    relations = [r for r in result if r["type"] == "relation"]
    for r in result:
        if r["type"] != "labels" or r["from_name"] != "quote":
            continue
        parts = {x["to_id"] for x in relations if x["from_id"] == r["id"]} | {
            x["from_id"] for x in relations if x["to_id"] == r["id"]
        }
        shared = [
            x
            for x in relations
            if {x["from_id"], x["to_id"]} & parts and r["id"] not in (x["from_id"], x["to_id"])
        ]
        if len(parts) == 2 and not shared:
            return str(r["id"])
    raise AssertionError("no quote with its own speaker and cue")


# --- target: a correction made the way the UI makes it -------------------------------


def test_round_trip_after_a_ui_style_deletion(ls_env: LabelStudioServer, tmp_path: Path) -> None:
    title = "ui deletion"
    for _ in range(2):
        ran = cli("push", str(SEEDS), "--project", title, "--no-progress")
        assert ran.exit_code == 0, ran.output
    assert "0 imported" in ran.stderr and "5 already there" in ran.stderr
    pid = project_id(ls_env, title)
    tasks = tasks_by_doc(ls_env, pid)
    assert len(tasks) == 5 and all(len(t.predictions) == 1 for t in tasks.values())
    doc_id = sorted(tasks)[0]
    task = tasks[doc_id]
    predicted = [dict(r) for r in task.predictions[0].result]
    rid = quote_with_own_speaker_and_cue(predicted)
    submitted = delete_in_ui(predicted, rid)
    remaining = result_to_quotes(submitted, task.data["text"], strict=False)
    deleted = next(r for r in predicted if r.get("id") == rid and r["type"] == "labels")
    assert all(
        (q.start, q.end) != (deleted["value"]["start"], deleted["value"]["end"]) for q in remaining
    )
    client(ls_env).annotations.create(id=task.id, result=submitted)

    out = tmp_path / "gold.jsonl"
    ran = cli("pull", "--project", title, "-o", str(out))
    assert ran.exit_code == 0, ran.output
    [line] = out.read_text().splitlines()
    gold = Document.from_dict(json.loads(line))
    assert gold.id == doc_id and list(gold.quotes) == remaining
    assert len(gold.quotes) == len(result_to_quotes(predicted, gold.text)) - 1
    dropped = [x for x in ran.stderr.splitlines() if x.startswith("quotes: dropped")]
    assert len(dropped) == 2 and all(f"task {task.id}" in x for x in dropped)
    assert {"(Speaker)", "(Cue)"} == {
        next(w for w in x.split() if w in ("(Speaker)", "(Cue)")) for x in dropped
    }
    assert (
        "0 skipped" in ran.stderr and "2 unrelated region(s) or relation(s) dropped" in ran.stderr
    )

    # --strict keeps the old rejection, for teams who want it; the old gold stays
    strict = cli("pull", "--project", title, "-o", str(out), "--strict")
    assert strict.exit_code == 1
    assert f"skipped task {task.id}" in strict.stderr and "belongs to no quote" in strict.stderr
    assert Document.from_dict(json.loads(out.read_text())) == gold


# --- target: two annotators, --annotations all, agreement = evaluate ------------------


def second_annotator(ls: LabelStudio, email: str) -> int:
    for user in ls.users.list():
        if user.email == email:
            return int(user.id)  # type: ignore[arg-type]
    return int(ls.users.create(email=email, username=email).id)  # type: ignore[arg-type]


def test_two_annotators_all_files_and_agreement_equal_evaluate(
    ls_env: LabelStudioServer, nlp: Any, tmp_path: Path
) -> None:
    from quotes.labelstudio.client import push

    title = "two annotators"
    push([SEEDS], title, nlp=nlp, progress=False, model_version="m1")
    pid = project_id(ls_env, title)
    ls = client(ls_env)
    bee = second_annotator(ls, "bee@example.com")
    tasks = tasks_by_doc(ls_env, pid)
    submitted: dict[str, dict[str, list[Quote]]] = {
        "annotator@example.com": {},
        "bee@example.com": {},
    }
    for n, (doc_id, task) in enumerate(sorted(tasks.items())):
        text = task.data["text"]
        predicted = [dict(r) for r in task.predictions[0].result]
        # A accepts the predictions; B deletes one quote in the UI and renames another's speaker
        a_quotes = result_to_quotes(predicted, text)
        b_result = delete_in_ui(predicted, quote_with_own_speaker_and_cue(predicted))
        b_quotes = result_to_quotes(b_result, text, strict=False)
        if n % 2 and b_quotes:
            b_quotes[0] = Quote(
                b_quotes[0].type,
                b_quotes[0].content,
                b_quotes[0].speaker,
                ("Someone Else",),
                b_quotes[0].cue,
            )
            b_result = quotes_to_result(b_quotes, scores=False)
        ls.annotations.create(id=task.id, result=predicted)
        ls.annotations.create(id=task.id, result=b_result, completed_by=bee)
        submitted["annotator@example.com"][doc_id] = a_quotes
        submitted["bee@example.com"][doc_id] = sorted(b_quotes, key=ORDER)

    out = tmp_path / "annotators"
    ran = cli("pull", "--project", title, "--annotations", "all", "-o", f"{out}/")
    assert ran.exit_code == 0, ran.output
    assert "annotator@example.com 5, bee@example.com 5" in ran.stderr
    files = sorted(out.glob("*.jsonl"))
    assert [f.name for f in files] == ["annotator@example.com.jsonl", "bee@example.com.jsonl"]
    for f in files:
        docs = [Document.from_dict(json.loads(line)) for line in f.read_text().splitlines()]
        assert {d.id: list(d.quotes) for d in docs} == submitted[f.stem]

    a, b = (str(f) for f in files)
    evaluated = json.loads(cli("evaluate", "--gold", a, "--pred", b, "--format", "json").stdout)
    for source in (["--project", title], [a, b]):
        agreed = cli("agreement", *source, "--format", "json")
        assert agreed.exit_code == 0, agreed.output
        [pair] = json.loads(agreed.stdout)["pairs"]
        assert pair["quotes"]["partial"]["f1"] == evaluated["quotes"]["partial"]["f1"] < 1.0
        assert pair["end_to_end"] == evaluated["end_to_end"]
        assert pair["documents"]["both"] == 5
    html = tmp_path / "agreement.html"
    ran = cli("agreement", "--project", title, "--report", str(html))
    assert ran.exit_code == 0 and "bee@example.com" in html.read_text()

    # latest by date is B's (submitted after A's); ground-truth takes A's where A's is marked
    first = sorted(tasks)[0]
    latest = tmp_path / "latest.jsonl"
    truth = tmp_path / "truth.jsonl"
    assert cli("pull", "--project", title, "-o", str(latest)).exit_code == 0
    a_annotation = next(x for x in ls.annotations.list(id=tasks[first].id) if x.completed_by != bee)
    ls.annotations.update(id=a_annotation.id, ground_truth=True)
    ran = cli("pull", "--project", title, "--annotations", "ground-truth", "-o", str(truth))
    assert ran.exit_code == 0 and "1 marked ground truth" in ran.stderr

    def by_id(path: Path) -> dict[str, list[Quote]]:
        docs = map(json.loads, path.read_text().splitlines())
        return {d["id"]: [Quote.from_dict(q) for q in d["quotes"]] for d in docs}

    assert by_id(latest)[first] == submitted["bee@example.com"][first]
    assert by_id(truth)[first] == submitted["annotator@example.com"][first]
    assert by_id(truth)[sorted(tasks)[1]] == submitted["bee@example.com"][sorted(tasks)[1]]
    assert "5 other annotation(s) not used" in ran.stderr


# --- projects by title or id; ambiguity is an error ---------------------------------


def test_project_by_id_and_an_ambiguous_title(ls_env: LabelStudioServer, tmp_path: Path) -> None:
    from quotes.labelstudio.config import load_config

    ls = client(ls_env)
    twins = [ls.projects.create(title="Twins", label_config=load_config()) for _ in range(2)]
    ids = sorted(int(p.id) for p in twins)  # type: ignore[arg-type]
    out = tmp_path / "gold.jsonl"
    out.write_text("old gold\n")
    for args in (["pull", "-o", str(out)], ["push", str(SEEDS), "--no-progress"]):
        ran = cli(*args, "--project", "Twins")
        assert ran.exit_code == 1
        [line] = ran.output.strip().splitlines()
        assert "matches 2 projects" in line and f"{ids[0]} ('Twins'), {ids[1]} ('Twins')" in line
    assert out.read_text() == "old gold\n"
    # by id: push into the second twin, pull from it
    doc = Document("by-id", "Peskov said the talks would go on.")
    ran = cli("push", "--project", str(ids[1]), "--no-progress", str(_jsonl(tmp_path, [doc])))
    assert ran.exit_code == 0 and f"(id {ids[1]})" in ran.stderr
    assert len(list(ls.tasks.list(project=ids[1]))) == 1
    assert len(list(ls.tasks.list(project=ids[0]))) == 0
    ran = cli("push", "--project", "999999", "--no-progress", str(_jsonl(tmp_path, [doc])))
    assert ran.exit_code == 1 and "no project with id 999999" in ran.output
    # nothing annotated: the old gold stays and the exit code says so
    ran = cli("pull", "--project", str(ids[1]), "-o", str(out))
    assert ran.exit_code == 1 and "no annotation to write" in ran.stderr
    assert out.read_text() == "old gold\n"


def _jsonl(folder: Path, docs: list[Document]) -> Path:
    path = folder / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in docs))
    return path


# --- push: hand-imported tasks, documents the extractor fails on -------------------------


def test_push_knows_a_hand_imported_task_and_names_a_failed_document(
    rule_bug: None, ls_env: LabelStudioServer, tmp_path: Path
) -> None:
    from quotes.labelstudio.config import load_config

    title = "hand imported"
    ls = client(ls_env)
    project = ls.projects.create(title=title, label_config=load_config())
    good = "Peskov said the talks would go on."
    ls.projects.import_tasks(
        id=project.id, request=[{"data": {"text": good, "doc_id": "hand"}}], commit_to_project=True
    )
    docs = [
        Document("hand", good),
        Document("boom", "BOOM, the mayor said."),
        Document("fine", "The minister said the bridge would reopen in May."),
    ]
    # the failure is injected into the rules: push with them alone
    ran = cli(
        "push", str(_jsonl(tmp_path, docs)), "--project", title, "--no-progress", "--rules-only"
    )
    assert ran.exit_code == 1
    assert (
        "quotes: document boom: extraction failed: ValueError: rule bug; not imported" in ran.stderr
    )
    summary = ran.stderr.strip().splitlines()[-1]
    assert (
        "3 document(s) read: 1 imported" in summary and "1 already there, 0 conflicting" in summary
    )
    assert "1 failed extraction (boom)" in summary
    stored = {t.data["doc_id"]: t for t in ls.tasks.list(project=project.id, fields="all")}
    assert set(stored) == {"hand", "fine"}
