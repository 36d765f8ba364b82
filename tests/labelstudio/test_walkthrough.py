"""The README's annotator's walkthrough, run as written against the session's Label Studio.

Each ``<!-- walkthrough: NAME -->`` block of README.md runs in bash, in order,
from a scratch project folder whose ``.venv`` and ``seeds`` point at this
environment and checkout (nothing is installed: the install line is skipped,
its check runs). The session fixture's server lives in the data dir that
``quotes studio`` uses by default under ``XDG_DATA_HOME``, so the walkthrough's
``quotes studio start`` finds it running. Between the blocks, the test does
what a person does in the browser: two annotators submit corrections. The
foreground ``quotes serve`` block runs in the background on a free port.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .lsserver import LabelStudioServer, free_port
from .test_live import client, project_id, tasks_by_doc
from .test_team import delete_in_ui, quote_with_own_speaker_and_cue, second_annotator

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- walkthrough: ([\w-]+) -->\s*```bash\n(.*?)```", re.S)


def walkthrough_blocks() -> dict[str, str]:
    """The walkthrough's bash blocks by name, in README order (indentation removed)."""
    text = README.read_text(encoding="utf-8")
    blocks = {}
    for name, body in BLOCK.findall(text):
        lines = body.splitlines()
        indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
        blocks[name] = "\n".join(x[indent:] for x in lines) + "\n"
    return blocks


def test_the_readme_has_every_step() -> None:
    assert list(walkthrough_blocks()) == [
        "install",
        "start",
        "push",
        "serve",
        "serve-check",
        "pull",
        "team",
    ]
    for body in walkthrough_blocks().values():
        for line in body.splitlines():
            command = line.split("#")[0].strip()
            # every command the way the set-up installed it
            assert not re.match(r"(quotes|label-studio|pip|python) ", command), line


class Shell:
    """Runs blocks in bash one after another, carrying exported variables between them."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.saved = folder / ".walkthrough-env"
        self.saved.write_text("")

    def run(self, script: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        wrapped = (
            f"set -euo pipefail\nsource {shlex.quote(str(self.saved))}\n{script}\n"
            f"export -p > {shlex.quote(str(self.saved))}\n"
        )
        return subprocess.run(
            ["bash", "-c", wrapped],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def annotate_as_two_people(server: LabelStudioServer, title: str) -> dict[str, int]:
    """What annotators do in the browser: one accepts the predictions, one deletes a quote."""
    ls = client(server)
    bee = second_annotator(ls, "bee@example.com")
    tasks = tasks_by_doc(server, project_id(server, title))
    for task in list(tasks.values())[:3]:
        predicted = [dict(r) for r in task.predictions[0].result]
        ls.annotations.create(id=task.id, result=predicted)
        corrected = delete_in_ui(predicted, quote_with_own_speaker_and_cue(predicted))
        ls.annotations.create(id=task.id, result=corrected, completed_by=bee)
    return {"tasks": len(tasks), "annotated": 3}


def test_walkthrough_runs_as_written(label_studio: LabelStudioServer, tmp_path: Path) -> None:
    blocks = walkthrough_blocks()
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".venv").symlink_to(Path(sys.prefix))
    (folder / "seeds").symlink_to(ROOT / "seeds")
    if not (folder / ".venv" / "bin" / "quotes").exists():
        pytest.skip("quotes is not installed in this environment's bin/")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    # the fixture's server is `quotes studio`'s default one under this XDG_DATA_HOME
    env["XDG_DATA_HOME"] = str(label_studio.data_dir.parent.parent)
    env["HOME"] = str(tmp_path)
    shell = Shell(folder, env)

    def step(name: str, script: str | None = None) -> str:
        ran = shell.run(script if script is not None else blocks[name])
        assert ran.returncode == 0, f"step {name} failed:\n{ran.stdout}\n{ran.stderr}"
        return ran.stdout + ran.stderr

    install = "\n".join(
        x for x in blocks["install"].splitlines() if not x.startswith("python3 -m venv")
    )
    assert re.search(r"^\d+\.\d+", step("install", install), re.M)
    out = step("start")
    assert f"Label Studio is running at {label_studio.url}" in out
    out = step("push")
    assert re.search(r"project 'News quotes' \(id \d+\): 5 document\(s\) read: 5 imported", out)

    port = free_port()
    serve = blocks["serve"].replace("9090", str(port)).strip()
    backend = subprocess.Popen(
        ["bash", "-c", f"source {shlex.quote(str(shell.saved))}; exec {serve}"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        check = blocks["serve-check"].replace("9090", str(port))
        deadline = time.monotonic() + 120
        answer = ""
        while time.monotonic() < deadline:
            ran = shell.run(check.replace("curl -s", "curl -s --max-time 2"))
            answer = ran.stdout
            if '"status":"UP"' in answer:
                break
            time.sleep(1)
        assert '"status":"UP"' in answer
    finally:
        os.killpg(backend.pid, signal.SIGTERM)
        backend.wait(timeout=30)

    counts = annotate_as_two_people(label_studio, "News quotes")
    out = step("pull")
    assert re.search(rf"^\s*{counts['annotated']}$", out, re.M)  # wc -l of the gold
    assert "Quotes (span)" in out and (folder / "report.html").exists()
    assert "annotator@example.com 3" in out or "bee@example.com 3" in out

    out = step("team")
    names = sorted(p.name for p in (folder / "gold" / "annotators").iterdir())
    assert names == ["annotator@example.com.jsonl", "bee@example.com.jsonl"]
    assert "annotator@example.com" in out and "bee@example.com" in out
    assert (folder / "agreement.html").exists()

    def quotes_per_doc(name: str) -> dict[str, int]:
        lines = (folder / "gold" / "annotators" / name).read_text().splitlines()
        return {d["id"]: len(d["quotes"]) for d in map(json.loads, lines)}

    accepted = quotes_per_doc("annotator@example.com.jsonl")
    corrected = quotes_per_doc("bee@example.com.jsonl")
    assert len(accepted) == 3
    assert corrected == {doc: n - 1 for doc, n in accepted.items()}  # one quote deleted each
