"""Push, correct as an annotator would through doccano's API, pull, compare: a real doccano 1.8."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from quotes.annotation import gold_document
from quotes.cli import app
from quotes.doccano.client import (
    PROJECT_SETTINGS,
    DoccanoError,
    connect,
    existing_examples,
    pull,
    push,
)
from quotes.doccano.convert import OffsetMap
from quotes.io import iter_input_documents
from quotes.pipeline import extract_documents
from quotes.types import CharSpan, Document, Quote

from .dcserver import DoccanoServer

pytestmark = pytest.mark.doccano

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ANNOTATOR = ("amy", "amy-password-123")


def seed_docs() -> list[Document]:
    return [d for d in iter_input_documents([SEEDS]) if isinstance(d, Document)]


def api(server: DoccanoServer, user: tuple[str, str] | None = None) -> httpx.Client:
    """An HTTP client logged in as ``user`` (the admin by default), as the browser would be."""
    name, password = user or (server.username, server.password)
    answer = httpx.post(
        f"{server.url}/v1/auth/login/", json={"username": name, "password": password}
    )
    answer.raise_for_status()
    token = answer.json()["key"]
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Token {token}"})


def examples(client: httpx.Client, project_id: int) -> dict[str, int]:
    found = client.get(f"/v1/projects/{project_id}/examples", params={"limit": 100}).json()
    return {e["meta"]["doc_id"]: e["id"] for e in found["results"]}


@dataclasses.dataclass
class Spans:
    """An example's spans and relations as the annotator sees them, in code points."""

    client: httpx.Client
    base: str
    text: str
    types: dict[str, int]
    relation_types: dict[str, int]

    def spans(self) -> list[dict[str, Any]]:
        return self.client.get(f"{self.base}/spans").json()

    def relations(self) -> list[dict[str, Any]]:
        return self.client.get(f"{self.base}/relations").json()

    def find(self, span: CharSpan, label: str) -> int:
        units = OffsetMap(self.text)
        wanted = (units.to_units(span.start), units.to_units(span.end), self.types[label])
        return next(
            s["id"]
            for s in self.spans()
            if (s["start_offset"], s["end_offset"], s["label"]) == wanted
        )

    def add(self, span: CharSpan, label: str) -> int:
        units = OffsetMap(self.text)
        body = {
            "label": self.types[label],
            "start_offset": units.to_units(span.start),
            "end_offset": units.to_units(span.end),
            "prob": 0.0,
        }
        made = self.client.post(f"{self.base}/spans", json=body)
        made.raise_for_status()
        return int(made.json()["id"])

    def link(self, from_id: int, to_id: int, label: str) -> None:
        body = {"from_id": from_id, "to_id": to_id, "type": self.relation_types[label]}
        self.client.post(f"{self.base}/relations", json=body).raise_for_status()


def test_push_correct_pull_round_trip(dc_env: DoccanoServer, nlp: Any, tmp_path: Path) -> None:
    name = "News quotes"
    report = push([SEEDS], name, nlp=nlp, progress=False, model_version="test")
    assert (report.read, report.imported, report.requests) == (5, 5, 1), report.summary()
    again = push([SEEDS], name, nlp=nlp, progress=False, model_version="test", batch_size=2)
    assert (again.imported, again.unchanged, again.requests) == (0, 5, 0)
    conn = connect()
    assert len(existing_examples(conn, report.project_id)) == 5
    conn.close()

    pushed = {d.id: gold_document(d) for d in extract_documents(seed_docs(), nlp)}
    add_member(dc_env, report.project_id, ANNOTATOR)
    amy = api(dc_env, ANNOTATOR)
    pid = report.project_id
    ids = examples(amy, pid)
    types = {t["text"]: t["id"] for t in amy.get(f"/v1/projects/{pid}/span-types").json()}
    rtypes = {t["text"]: t["id"] for t in amy.get(f"/v1/projects/{pid}/relation-types").json()}

    # seed A: delete a quote (its speaker and cue stay), relink a quote to another speaker,
    # add a missed quote said by an existing mention, name a speaker in a comment
    doc_a = pushed["000_0ab12356d3949a48"]
    with_speakers = [q for q in doc_a.quotes if q.speaker is not None and q.cue is not None]
    # a quote whose speaker and cue no other quote shares: deleting it leaves them unlinked
    deleted = next(
        q
        for q in with_speakers
        if sum(p.speaker == q.speaker or p.cue == q.cue for p in doc_a.quotes) == 1
    )
    relinked = next(q for q in with_speakers if q != deleted)
    other = next(q for q in with_speakers if q.speaker not in (relinked.speaker, deleted.speaker))
    ex = Spans(amy, f"/v1/projects/{pid}/examples/{ids[doc_a.id]}", doc_a.text, types, rtypes)
    label = {"direct": "DirectQuote", "indirect": "IndirectQuote", "mixed": "MixedQuote"}
    amy.delete(
        f"{ex.base}/spans/{ex.find(deleted.content, label[deleted.type])}"
    ).raise_for_status()
    relinked_id = ex.find(relinked.content, label[relinked.type])
    old = next(
        r for r in ex.relations() if r["from_id"] == relinked_id and r["type"] == rtypes["said_by"]
    )
    amy.patch(
        f"{ex.base}/relations/{old['id']}", json={"to_id": ex.find(other.speaker, "Speaker")}
    ).raise_for_status()
    paragraph_end = doc_a.text.index("\n")
    missed = CharSpan.of(doc_a.text, 0, min(paragraph_end, 20))
    new_id = ex.add(missed, "IndirectQuote")
    ex.link(new_id, ex.find(other.speaker, "Speaker"), "said_by")
    ex.link(ex.find(other.cue, "Cue"), new_id, "cue_of")
    amy.post(
        f"/v1/projects/{pid}/comments",
        params={"example": ids[doc_a.id]},
        json={"text": f"{other.speaker.text} = Someone Else", "example": ids[doc_a.id]},
    ).raise_for_status()
    amy.post(f"{ex.base}/states", json={}).raise_for_status()
    # seed B: accepted as it is
    doc_b = pushed["001_449ec84bc6e24a76"]
    amy.post(f"/v1/projects/{pid}/examples/{ids[doc_b.id]}/states", json={}).raise_for_status()
    amy.close()

    out = tmp_path / "gold.jsonl"
    result = pull(name, out)
    assert result.skipped == []
    docs = {d.id: d for d in result.documents[None]}
    assert set(docs) == {doc_a.id, doc_b.id}  # only what an annotator marked done
    assert docs[doc_b.id] == doc_b

    # a mention's names: those of the first pushed quote it speaks that has any
    names_of_other = next(
        q.speaker_name for q in doc_a.quotes if q.speaker == other.speaker and q.speaker_name
    )
    expected: list[Quote] = []
    for quote in doc_a.quotes:
        if quote == deleted:
            continue
        if quote == relinked:
            quote = dataclasses.replace(quote, speaker=other.speaker, speaker_name=names_of_other)
        expected.append(quote)
    expected.append(Quote("indirect", missed, other.speaker, names_of_other, other.cue))
    expected = [
        dataclasses.replace(q, speaker_name=("Someone Else",))
        if q.speaker is not None and q.speaker.text == other.speaker.text
        else q
        for q in expected
    ]
    expected.sort(key=lambda q: (q.start, q.end, q.type))
    assert list(docs[doc_a.id].quotes) == expected
    assert any(
        "related to no quote; dropped" in d for d in result.dropped
    )  # the deleted quote's parts

    everything = pull(name, tmp_path / "all.jsonl", all_examples=True)
    assert len(everything.documents[None]) == 5

    done = CliRunner().invoke(
        app, ["pull", "--tool", "doccano", "--project", name, "-o", str(tmp_path / "cli.jsonl")]
    )
    assert done.exit_code == 0, done.output
    assert len((tmp_path / "cli.jsonl").read_text().splitlines()) == 2


def test_astral_characters_keep_their_offsets(dc_env: DoccanoServer, tmp_path: Path) -> None:
    text = "😀😀 Ana said “we won” today."
    quote = Quote(
        "direct",
        CharSpan.of(text, text.index("we"), text.index("”")),
        CharSpan.of(text, 3, 6),
        ("Ana Ruiz",),
        CharSpan.of(text, 7, 11),
    )
    doc = Document("emoji", text, (quote,))
    report = push([], "Emoji", documents=[doc], progress=False, model_version="t")
    assert report.imported == 1
    with api(dc_env) as admin:
        eid = examples(admin, report.project_id)["emoji"]
        spans = admin.get(f"/v1/projects/{report.project_id}/examples/{eid}/spans").json()
    # what the browser counts: two astral characters are four UTF-16 units
    assert sorted(s["start_offset"] for s in spans) == [5, 9, 15]
    result = pull("Emoji", tmp_path / "e.jsonl", all_examples=True)
    assert result.documents[None] == [gold_document(doc)]


def test_conflicts_and_refusals(dc_env: DoccanoServer, tmp_path: Path) -> None:
    first = push([], "Conflicts", documents=[Document("a", "One text.")], progress=False)
    assert first.imported == 1
    second = push([], "Conflicts", documents=[Document("a", "Another text.")], progress=False)
    assert (
        second.imported == 0 and "already in the project with another text" in second.conflicts[0]
    )
    with api(dc_env) as admin:
        admin.post(
            "/v1/projects",
            json={
                **PROJECT_SETTINGS,
                "name": "Graphemes",
                "description": "made by hand",
                "guideline": "",
                "grapheme_mode": True,
            },
        ).raise_for_status()
    with pytest.raises(DoccanoError, match="grapheme mode is on"):
        push([], "Graphemes", documents=[Document("a", "x")], progress=False)
    with pytest.raises(DoccanoError, match="no doccano project 'Nowhere'"):
        pull("Nowhere", tmp_path / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()
    with pytest.raises(DoccanoError, match="refused the login of 'admin'"):
        connect(password="wrong-password")
    with pytest.raises(DoccanoError, match="cannot reach doccano"):
        connect(url="http://127.0.0.1:9")


def add_member(server: DoccanoServer, project_id: int, user: tuple[str, str]) -> None:
    """Create ``user`` if needed and make them an annotator of the project."""
    with api(server) as admin:
        users = {u["username"]: u["id"] for u in admin.get("/v1/users").json()}
        if user[0] not in users:
            made = admin.post(
                "/v1/users/create",
                json={
                    "username": user[0],
                    "email": f"{user[0]}@example.com",
                    "password1": user[1],
                    "password2": user[1],
                },
            )
            made.raise_for_status()
            users[user[0]] = made.json()["id"]
        roles = {r["name"]: r["id"] for r in admin.get("/v1/roles").json()}
        admin.post(
            f"/v1/projects/{project_id}/members",
            json={"user": users[user[0]], "role": roles["annotator"]},
        ).raise_for_status()


def test_unshared_project_gives_one_gold_per_annotator(
    dc_env: DoccanoServer, tmp_path: Path
) -> None:
    text = "The mayor said the bridge is safe. Critics said it is not."
    with api(dc_env) as admin:
        made = admin.post(
            "/v1/projects",
            json={
                **PROJECT_SETTINGS,
                "name": "Two annotators",
                "description": "each annotator on their own",
                "guideline": "",
                "collaborative_annotation": False,
            },
        )
        made.raise_for_status()
        pid = int(made.json()["id"])
    report = push([], "Two annotators", documents=[Document("b", text)], progress=False)
    assert report.imported == 1 and "does not share annotations" in report.warnings[0]
    first = CharSpan.of(text, text.index("the bridge"), text.index(" Critics") - 1)
    second = CharSpan.of(text, text.index("it is not"), len(text) - 1)
    raj = ("raj", "raj-password-123")
    for user, quote in ((ANNOTATOR, first), (raj, second)):
        add_member(dc_env, pid, user)
        with api(dc_env, user) as client:
            eid = examples(client, pid)["b"]
            types = {
                t["text"]: t["id"] for t in client.get(f"/v1/projects/{pid}/span-types").json()
            }
            base = f"/v1/projects/{pid}/examples/{eid}"
            # each annotator starts from an empty page: their labels are their own
            assert client.get(f"{base}/spans").json() == []
            spans = Spans(client, base, text, types, {})
            spans.add(quote, "IndirectQuote")
            client.post(f"{base}/states", json={}).raise_for_status()
    result = pull("Two annotators", tmp_path / "gold")
    assert result.skipped == []
    assert {
        a: [q.text for d in docs for q in d.quotes] for a, docs in result.documents.items()
    } == {
        "amy": [first.text],
        "raj": [second.text],
    }
    assert sorted(p.name for p in (tmp_path / "gold").iterdir()) == ["amy.jsonl", "raj.jsonl"]


def test_a_document_the_rules_fail_on_is_named_and_the_rest_imported(
    rule_bug: None, dc_env: DoccanoServer, nlp: Any, tmp_path: Path
) -> None:
    """A rule bug is a fault no input causes on purpose: injected for texts with BOOM."""

    source = tmp_path / "docs.jsonl"
    source.write_text(
        '{"id": "good", "text": "The minister said the bridge would reopen in May."}\n'
        '{"id": "bad", "text": "BOOM, the mayor said on Tuesday."}\n',
        encoding="utf-8",
    )
    report = push([source], "Failures", nlp=nlp, progress=False)
    assert report.imported == 1
    assert len(report.failed) == 1 and "bad" in report.failed[0] and "rule bug" in report.failed[0]
    assert "1 the rules failed on" in report.summary()
