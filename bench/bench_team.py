"""Measure issue 10's targets against a throwaway Label Studio, through the ``quotes`` CLI.

Starts Label Studio as the test fixture does (``quotes studio``'s code: 127.0.0.1,
a free port, a temporary data dir), then runs the commands a user runs:

1. Round trip after a UI-style deletion: ``quotes push seeds`` twice into one
   project (five tasks, one prediction each), one predicted quote region deleted
   with its relations the way the UI deletes it (its Speaker and Cue left in
   place), ``quotes pull``: are the pulled quotes exactly the remaining ones, and
   is the task kept?
2. Two annotators on the same five tasks (one accepts the predictions, the
   other deletes a quote in each and renames a speaker in every other task):
   ``quotes pull --annotations all`` (two files equal to what each submitted?),
   then ``quotes agreement`` (project and files) against ``quotes evaluate --gold
   A --pred B``: the same F1?

    .venv/bin/python bench/bench_team.py

Prints one JSON object with every figure, the commands and their seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from label_studio_sdk import LabelStudio  # noqa: E402

from quotes.labelstudio.convert import quotes_to_result, result_to_quotes  # noqa: E402
from quotes.types import Document, Quote  # noqa: E402
from tests.labelstudio.lsserver import running_server  # noqa: E402
from tests.labelstudio.test_team import (  # noqa: E402
    delete_in_ui,
    quote_with_own_speaker_and_cue,
)

QUOTES = Path(sys.executable).with_name("quotes")


def run(command: list[str], env: dict[str, str], log: list[dict[str, Any]]) -> tuple[str, str]:
    """Run one ``quotes`` command; record it, its exit code and seconds; its stdout, stderr."""
    began = time.perf_counter()
    done = subprocess.run(
        [str(QUOTES), *command], env=env, capture_output=True, text=True, check=False
    )
    shown = " ".join(f'"{c}"' if " " in c else c for c in ["quotes", *command])
    log.append(
        {
            "command": shown,
            "exit": done.returncode,
            "seconds": round(time.perf_counter() - began, 1),
        }
    )
    return done.stdout, done.stderr


def tasks_of(ls: LabelStudio, title: str) -> dict[str, Any]:
    pid = next(int(p.id) for p in ls.projects.list(title=title) if p.title == title)  # type: ignore[arg-type]
    return {t.data["doc_id"]: t for t in ls.tasks.list(project=pid, fields="all")}


def gold_of(path: Path) -> dict[str, list[Quote]]:
    docs = [Document.from_dict(json.loads(x)) for x in path.read_text().splitlines()]
    return {d.id: list(d.quotes) for d in docs}


def main() -> None:
    """Run both targets and print their figures as JSON."""
    log: list[dict[str, Any]] = []
    figures: dict[str, Any] = {"load_average_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as scratch, running_server(Path(scratch) / "ls") as server:
        env = dict(os.environ, LABEL_STUDIO_URL=server.url, LABEL_STUDIO_API_KEY=server.token)
        ls = LabelStudio(base_url=server.url, api_key=server.token)
        out = Path(scratch)

        # 1. round trip after a UI-style deletion
        title = "News quotes"
        for _ in range(2):
            run(["push", str(ROOT / "seeds"), "--project", title, "--no-progress"], env, log)
        tasks = tasks_of(ls, title)
        doc_id = sorted(tasks)[0]
        task = tasks[doc_id]
        predicted = [dict(r) for r in task.predictions[0].result]
        submitted = delete_in_ui(predicted, quote_with_own_speaker_and_cue(predicted))
        remaining = result_to_quotes(submitted, task.data["text"], strict=False)
        ls.annotations.create(id=task.id, result=submitted)
        _, printed = run(["pull", "--project", title, "-o", str(out / "news.jsonl")], env, log)
        pulled = gold_of(out / "news.jsonl")
        figures["round_trip"] = {
            "tasks": len(tasks),
            "predictions_per_task": sorted({len(t.predictions) for t in tasks.values()}),
            "predicted_quotes": len(result_to_quotes(predicted, task.data["text"])),
            "remaining_quotes": len(remaining),
            "pulled_quotes": len(pulled.get(doc_id, [])),
            "pulled_equals_remaining": pulled.get(doc_id) == remaining,
            "task_skipped": "skipped task" in printed,
            "regions_dropped_and_listed": printed.count("quotes: dropped"),
        }

        # 2. two annotators on the same five tasks
        title = "Two annotators"
        run(["push", str(ROOT / "seeds"), "--project", title, "--no-progress"], env, log)
        bee = int(ls.users.create(email="bee@example.com", username="bee@example.com").id)  # type: ignore[arg-type]
        expected: dict[str, dict[str, list[Quote]]] = {
            "annotator@example.com": {},
            "bee@example.com": {},
        }
        for n, (doc, task) in enumerate(sorted(tasks_of(ls, title).items())):
            text = task.data["text"]
            predicted = [dict(r) for r in task.predictions[0].result]
            corrected = delete_in_ui(predicted, quote_with_own_speaker_and_cue(predicted))
            b_quotes = result_to_quotes(corrected, text, strict=False)
            if n % 2:
                q = b_quotes[0]
                b_quotes[0] = Quote(q.type, q.content, q.speaker, ("Someone Else",), q.cue)
                corrected = quotes_to_result(b_quotes, scores=False)
            ls.annotations.create(id=task.id, result=predicted)
            ls.annotations.create(id=task.id, result=corrected, completed_by=bee)
            expected["annotator@example.com"][doc] = result_to_quotes(predicted, text)
            expected["bee@example.com"][doc] = b_quotes
        folder = out / "annotators"
        run(["pull", "--project", title, "--annotations", "all", "-o", f"{folder}/"], env, log)
        a, b = folder / "annotator@example.com.jsonl", folder / "bee@example.com.jsonl"
        files = {p.stem: gold_of(p) for p in sorted(folder.glob("*.jsonl"))}
        evaluate = ["evaluate", "--gold", str(a), "--pred", str(b), "--format", "json"]
        evaluated = json.loads(run(evaluate, env, log)[0])
        agreement = ["agreement", "--project", title, "--format", "json"]
        by_project = json.loads(run(agreement, env, log)[0])["pairs"][0]
        agreement = ["agreement", str(a), str(b), "--format", "json"]
        by_files = json.loads(run(agreement, env, log)[0])["pairs"][0]
        figures["two_annotators"] = {
            "files": sorted(files),
            "files_equal_submitted": files == expected,
            **{
                f"{mode}_f1": {
                    "evaluate": evaluated["quotes"][mode]["f1"],
                    "agreement_project": by_project["quotes"][mode]["f1"],
                    "agreement_files": by_files["quotes"][mode]["f1"],
                }
                for mode in ("partial", "exact")
            },
            "end_to_end_partial_f1": {
                "evaluate": evaluated["end_to_end"]["partial"]["f1"],
                "agreement_project": by_project["end_to_end"]["partial"]["f1"],
            },
        }
    figures["load_average_end"] = os.getloadavg()
    figures["commands"] = log
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
