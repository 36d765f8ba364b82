"""brat standoff: our scheme, PolNeAR's scheme, several annotators, bad files."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from quotes.annotation import gold_document, type_from_marks
from quotes.brat import (
    annotation_conf,
    document_to_ann,
    parse_ann,
    read_ann,
    read_brat_paths,
    visual_conf,
    write_brat,
)
from quotes.types import CharSpan, Document, Quote

TEXT = (
    "Mayor Ana Ruiz said the bridge would reopen in May. “We are nearly done,” she added, "
    "“and the work is safe.”\n\nCritics said the plan was “a gamble”."
)


def span(text: str, fragment: str, nth: int = 0) -> CharSpan:
    """The span of the ``nth`` occurrence of ``fragment`` in ``text``."""
    starts = [m.start() for m in re.finditer(re.escape(fragment), text)]
    return CharSpan.of(text, starts[nth], starts[nth] + len(fragment))


def doc_with_fragments() -> Document:
    first, second = span(TEXT, "We are nearly done,"), span(TEXT, "and the work is safe.")
    return Document(
        "bridge",
        TEXT,
        (
            Quote(
                "indirect",
                span(TEXT, "the bridge would reopen in May"),
                span(TEXT, "Ana Ruiz"),
                ("Ana Ruiz",),
                span(TEXT, "said"),
            ),
            Quote(
                "direct",
                CharSpan.of(TEXT, first.start, second.end),
                span(TEXT, "she"),
                ("Ana Ruiz",),
                span(TEXT, "added"),
                fragments=(first, second),
            ),
            Quote(
                "mixed",
                span(TEXT, "the plan was “a gamble”"),
                span(TEXT, "Critics"),
                ("critics", "opposition"),
                span(TEXT, "said", 1),
            ),
        ),
    )


# --- our scheme -----------------------------------------------------------------


def test_quotes_scheme_writes_entities_relations_and_notes() -> None:
    ann = document_to_ann(doc_with_fragments())
    lines = ann.splitlines()
    direct = next(line for line in lines if "\tDirectQuote " in line)
    first, second = span(TEXT, "We are nearly done,"), span(TEXT, "and the work is safe.")
    assert f"{first.start} {first.end};{second.start} {second.end}" in direct
    assert direct.endswith("\tWe are nearly done, and the work is safe.")
    assert sum(line.split("\t")[1].startswith("said_by ") for line in lines) == 3
    assert sum(line.split("\t")[1].startswith("cue_of ") for line in lines) == 3
    assert any(line.endswith("\tcritics | opposition") for line in lines)


def test_quotes_scheme_round_trip_is_exact(tmp_path: Path) -> None:
    doc = doc_with_fragments()
    written, problems = write_brat([doc], tmp_path)
    assert (written, problems) == (1, [])
    found = read_brat_paths([tmp_path])
    assert found.errors == [] and found.warnings == []
    assert found.documents == {None: [gold_document(doc)]}
    # and writing what was read gives the same file, byte for byte
    assert document_to_ann(found.documents[None][0]) == (tmp_path / "bridge.ann").read_text()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Ana | Ruiz", "holds '|'"),
        ("Ana\nRuiz", "line break"),
    ],
)
def test_names_a_note_cannot_keep_are_refused(tmp_path: Path, name: str, problem: str) -> None:
    doc = Document("x", TEXT, (Quote("indirect", span(TEXT, "the bridge"), speaker_name=(name,)),))
    written, problems = write_brat([doc, Document("ok", "Fine.")], tmp_path)
    assert written == 1
    assert len(problems) == 1 and problem in problems[0] and "document x" in problems[0]
    assert not (tmp_path / "x.ann").exists() and (tmp_path / "ok.ann").exists()


def test_configs_declare_every_label() -> None:
    conf = annotation_conf("quotes")
    for label in ("DirectQuote", "IndirectQuote", "MixedQuote", "Speaker", "Cue"):
        assert f"\n{label}\n" in conf
    assert "said_by\tArg1:DirectQuote|IndirectQuote|MixedQuote, Arg2:Speaker" in conf
    assert "cue_of\tArg1:Cue, Arg2:DirectQuote|IndirectQuote|MixedQuote" in conf
    sections = re.findall(r"^\[(\w+)\]$", conf, flags=re.M)
    assert sections == ["entities", "relations", "events", "attributes"]
    visual = visual_conf("quotes")
    assert visual.startswith("[labels]\n") and "[drawing]" in visual
    assert "DirectQuote | Direct quote | Direct" in visual
    polnear = annotation_conf("polnear")
    assert "Attribution\tSource:Source, Cue?:Cue, Content:Content" in polnear
    assert "Attribution-no-source\tCue?:Cue, Content:Content" in polnear


# --- PolNeAR's scheme -----------------------------------------------------------

POLNEAR_TEXT = (
    "Governor Lee said the budget was balanced. “It is not,” her rival said, “and she knows "
    "it.”\n\nLee told reporters she would veto the bill. Aides called it “a stunt”, "
    "according to a memo."
)


def polnear_ann(rng: random.Random) -> str:
    """An invented .ann in PolNeAR's shape: Source, Cue, Content, trigger, event per
    attribution; a discontinuous Content; a Source shared by two events; an attribution
    without source; event arguments in shuffled order."""
    t = POLNEAR_TEXT
    lines: list[str] = []
    count = 0

    def tb(kind: str, *fragments: CharSpan) -> str:
        nonlocal count
        count += 1
        offsets = ";".join(f"{f.start} {f.end}" for f in fragments)
        lines.append(f"T{count}\t{kind} {offsets}\t{' '.join(f.text for f in fragments)}")
        return f"T{count}"

    events = 0

    def event(kind: str, cue: CharSpan, args: list[str]) -> None:
        nonlocal events
        trigger = tb(kind, cue)
        rng.shuffle(args)
        events += 1
        lines.append(f"E{events}\t{kind}:{trigger} {' '.join(args)}")

    lee = tb("Source", span(t, "Governor Lee"))
    said = tb("Cue", span(t, "said"))
    content = tb("Content", span(t, "the budget was balanced"))
    event("Attribution", span(t, "said"), [f"Source:{lee}", f"Cue:{said}", f"Content:{content}"])
    rival = tb("Source", span(t, "her rival"))
    said2 = tb("Cue", span(t, "said", 1))
    both = tb("Content", span(t, "“It is not,”"), span(t, "“and she knows it.”"))
    event("Attribution", span(t, "said", 1), [f"Source:{rival}", f"Cue:{said2}", f"Content:{both}"])
    lee2 = tb("Source", span(t, "Lee", 1))
    told = tb("Cue", span(t, "told"))
    veto = tb("Content", span(t, "she would veto the bill"))
    event("Attribution", span(t, "told"), [f"Source:{lee2}", f"Cue:{told}", f"Content:{veto}"])
    aides = tb("Source", span(t, "Aides"))
    called = tb("Cue", span(t, "called"))
    stunt = tb("Content", span(t, "it “a stunt”"))
    event(
        "Attribution", span(t, "called"), [f"Source:{aides}", f"Cue:{called}", f"Content:{stunt}"]
    )
    memo = tb("Cue", span(t, "according to"))
    event(
        "Attribution-no-source",
        span(t, "according to"),
        [f"Cue:{memo}", f"Content:{stunt}"],
    )
    # the first source speaks again: one Source entity, two events
    lines.append(f"E{events + 1}\tAttribution:T4 Source:{lee} Content:{veto}")
    return "".join(line + "\n" for line in lines)


def structure(ann: str) -> set[tuple[object, ...]]:
    """A .ann as what it says, whatever its ids and argument order."""
    parsed, problems = parse_ann(ann)
    assert problems == []
    tbs = parsed.textbounds

    def what(tid: str) -> tuple[object, ...]:
        return (tbs[tid].type, tbs[tid].offsets)

    out: set[tuple[object, ...]] = set()
    for event in parsed.events:
        roles = tuple(sorted((role, what(target)) for role, target in event.args))
        out.add(("event", event.type, roles))
    for tb in tbs.values():
        if tb.type in ("Source", "Cue", "Content"):
            out.add(("entity", *what(tb.id)))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_polnear_shaped_file_round_trips_exactly(tmp_path: Path, seed: int) -> None:
    ann = polnear_ann(random.Random(seed))
    (tmp_path / "vote.txt").write_text(POLNEAR_TEXT, encoding="utf-8")
    (tmp_path / "vote.ann").write_text(ann, encoding="utf-8")
    found = read_brat_paths([tmp_path])
    assert found.errors == [] and found.warnings == []
    (doc,) = found.documents[None]
    by_text = {q.text: q for q in doc.quotes}
    interrupted = by_text["“It is not,” her rival said, “and she knows it.”"]
    assert interrupted.type == "direct"
    assert [f.text for f in interrupted.fragments] == ["“It is not,”", "“and she knows it.”"]
    assert by_text["the budget was balanced"].type == "indirect"
    assert by_text["it “a stunt”"].type == "mixed"
    assert len(doc.quotes) == 6
    assert all(q.speaker_name == () for q in doc.quotes)
    assert structure(document_to_ann(doc, "polnear")) == structure(ann)


def test_polnear_dev_texts_round_trip_through_polnear_scheme(dev_dir: Path) -> None:
    """The converted PolNeAR dev set (read from ../shared, never copied) through .ann and back."""
    from quotes.io import iter_annotated_documents

    docs = [
        d
        for d in iter_annotated_documents([dev_dir / "polnear_dev.jsonl"], check=False)
        if isinstance(d, Document)
    ]
    assert docs
    changed = 0
    for doc in docs:
        kept = tuple(q for q in doc.quotes if all(len(p) for p in q.pieces()))
        if kept != doc.quotes:
            continue
        reading = read_ann(document_to_ann(doc, "polnear"), doc.text, doc.id, "dev.ann")
        assert reading.errors == ()
        assert reading.document is not None
        strip = [(q.content, q.fragments, q.speaker, q.cue) for q in gold_document(doc).quotes]
        back = [(q.content, q.fragments, q.speaker, q.cue) for q in reading.document.quotes]
        changed += sorted(strip, key=repr) != sorted(back, key=repr)
    assert changed == 0


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("“We will win,”", "direct"),
        ("“We will win”, and “soon”", "mixed"),
        ("the plan was “a gamble”", "mixed"),
        ("the plan was a gamble", "indirect"),
        ("«Nous gagnerons»", "direct"),
        ("", "indirect"),
    ],
)
def test_type_from_marks(text: str, kind: str) -> None:
    assert type_from_marks((CharSpan(0, len(text), text),)) == kind


# --- several annotators ------------------------------------------------------------


def test_one_gold_per_annotator_in_polnear_layout(tmp_path: Path) -> None:
    doc = doc_with_fragments()
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "bridge.txt").write_text(TEXT, encoding="utf-8")
    full = document_to_ann(doc)
    first_only = document_to_ann(Document(doc.id, TEXT, doc.quotes[:1]))
    (tmp_path / "attributions" / "bridge_ab12.ann").write_text(full, encoding="utf-8")
    (tmp_path / "attributions" / "bridge_cd34.ann").write_text(first_only, encoding="utf-8")
    found = read_brat_paths([tmp_path / "attributions"])
    assert found.errors == []
    assert set(found.documents) == {"ab12", "cd34"}
    assert found.documents["ab12"] == [gold_document(doc)]
    assert found.documents["cd34"][0].quotes == gold_document(doc).quotes[:1]


# --- bad input ------------------------------------------------------------------------

GOOD = "T1\tIndirectQuote 0 5\tMayor\n"


@pytest.mark.parametrize(
    ("ann", "line", "reason"),
    [
        (
            "T1\tIndirectQuote 0 5\tMayor\nR1\tsaid_by Arg1:T1 Arg2:T9\n",
            2,
            "T9, which does not exist",
        ),
        ("T1\tIndirectQuote 0 5\tMayor\n#1\tAnnotatorNotes T7\tAna\n", 2, "note on T7"),
        ("T1\tContent 0 5\tMayor\nE1\tAttribution:T3 Content:T1\n", 2, "T3, which does not exist"),
        ("T1\tIndirectQuote 10 20;15 25\tx\n", 1, "overlap or are out of order"),
        ("T1\tIndirectQuote 0 5000\tx\n", 1, "past the end of the text"),
        ("T1\tIndirectQuote 8 3\tx\n", 1, "empty or reversed"),
        ("\nT1\tSpeaker 0 5\tMajor\n", 2, "disagrees with the .txt"),
        ("T1\tSpeaker 0 5;10 14\tMayor Ruiz\n", 1, "only a quote can be discontinuous"),
        ("T1 Speaker 0 5 Mayor\n", 1, "no tab"),
        ("T1\tIndirectQuote 0 5\tMayor\nT1\tSpeaker 0 5\tMayor\n", 2, "used twice"),
        ("T1\tOpinion 0 5\tMayor\n", 1, "unknown type 'Opinion'"),
    ],
)
def test_bad_ann_is_named_by_file_and_line_and_others_come_through(
    tmp_path: Path, ann: str, line: int, reason: str
) -> None:
    for stem, content in (("bad", ann), ("good", GOOD)):
        (tmp_path / f"{stem}.txt").write_text(TEXT, encoding="utf-8")
        (tmp_path / f"{stem}.ann").write_text(content, encoding="utf-8")
    found = read_brat_paths([tmp_path])
    assert [d.id for d in found.documents[None]] == ["good"]
    assert len(found.errors) == 1, found.errors
    assert found.errors[0].startswith(f"{tmp_path / 'bad.ann'}:{line}: ")
    assert reason in found.errors[0]


def test_missing_text_and_non_utf8_are_reported(tmp_path: Path) -> None:
    (tmp_path / "lonely.ann").write_text(GOOD, encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("Mayor café".encode("latin-1"))
    (tmp_path / "latin.ann").write_text(GOOD, encoding="utf-8")
    found = read_brat_paths([tmp_path, tmp_path / "nowhere"])
    assert found.documents == {}
    joined = "\n".join(found.errors)
    assert "lonely.ann: no lonely.txt beside it" in joined
    assert "latin.txt: not UTF-8" in joined
    assert "nowhere: no such file or folder" in joined


def test_unlinked_speaker_is_dropped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.ann").write_text(GOOD + "T2\tSpeaker 6 9\tAna\n", encoding="utf-8")
    found = read_brat_paths([tmp_path])
    assert found.errors == []
    assert len(found.documents[None][0].quotes) == 1
    assert found.warnings == [
        f"{tmp_path / 'a.ann'}:2: region T2 (Speaker) 'Ana': related to no quote; dropped"
    ]


@pytest.mark.parametrize(
    ("text", "part", "offsets"),
    [
        ("He said: “We won\nthe vote” today.", "We won\nthe vote", "10 16;17 25"),
        ("He said: “We won\r\n\tthe vote” today.", "We won\r\n\tthe vote", "10 16;19 27"),
        ("Line one.\r\nShe said “yes”.", "yes", "21 24"),
    ],
)
def test_tabs_and_line_breaks_are_cut_out_and_joined_again(
    tmp_path: Path, text: str, part: str, offsets: str
) -> None:
    start = text.index(part)
    quote = Quote("direct", CharSpan.of(text, start, start + len(part)), speaker_name=("Kim",))
    doc = Document("d", text, (quote,))
    ann = document_to_ann(doc)
    line = ann.splitlines()[0]
    assert line.split("\t")[1] == f"DirectQuote {offsets}"
    assert "\n" not in line and line.count("\t") == 2
    write_brat([doc], tmp_path)
    found = read_brat_paths([tmp_path])
    assert found.errors == [] and found.documents[None] == [gold_document(doc)]


def test_polnear_types_without_attribution_are_left_out_with_a_warning(tmp_path: Path) -> None:
    t = POLNEAR_TEXT
    lee, said, budget = span(t, "Governor Lee"), span(t, "said"), span(t, "the budget was balanced")
    ann = (
        f"T1\tSource {lee.start} {lee.end}\t{lee.text}\n"
        f"T2\tCue {said.start} {said.end}\t{said.text}\n"
        f"T3\tContent {budget.start} {budget.end}\t{budget.text}\n"
        f"T4\tAttribution {said.start} {said.end}\t{said.text}\n"
        f"E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
        f"T5\tTopic {budget.start} {budget.end}\t{budget.text}\n"
        f"E2\tAttribution:T4 Source:T1\n"
    )
    reading = read_ann(ann, t, "vote", "vote.ann")
    assert reading.errors == ()
    assert reading.document is not None and [q.text for q in reading.document.quotes] == [
        budget.text
    ]
    assert reading.warnings == (
        "vote.ann:6: T5: type 'Topic' carries no attribution; left out",
        "vote.ann:7: E2: an attribution without Content; left out",
    )


def test_inception_zips_hold_each_pair(tmp_path: Path) -> None:
    import zipfile

    doc = doc_with_fragments()
    write_brat([doc], tmp_path, zips=True)
    with zipfile.ZipFile(tmp_path / "inception" / "bridge.zip") as archive:
        assert sorted(archive.namelist()) == ["bridge.ann", "bridge.txt"]
        assert archive.read("bridge.txt").decode("utf-8") == TEXT
        assert archive.read("bridge.ann").decode("utf-8") == document_to_ann(doc)
    # written like every other output: the mode the umask gives, as the pair beside it
    zipped = (tmp_path / "inception" / "bridge.zip").stat().st_mode & 0o777
    assert zipped == (tmp_path / "bridge.txt").stat().st_mode & 0o777
    # the folder of zips is not read back as brat files
    assert read_brat_paths([tmp_path]).documents == {None: [gold_document(doc)]}


def test_polnear_pieces_over_a_paragraph_break_stay_fragments(tmp_path: Path) -> None:
    """PolNeAR marks a quote over two paragraphs as two pieces: they stay two fragments."""
    text = "“We will win.\n\n“And we will rebuild,” she said."
    first, second = span(text, "We will win."), span(text, "And we will rebuild,")
    she, said = span(text, "she"), span(text, "said")
    ann = (
        f"T1\tSource {she.start} {she.end}\tshe\n"
        f"T2\tCue {said.start} {said.end}\tsaid\n"
        f"T3\tContent {first.start} {first.end};{second.start} {second.end}"
        f"\t{first.text} {second.text}\n"
        f"T4\tAttribution {said.start} {said.end}\tsaid\n"
        "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
    )
    reading = read_ann(ann, text, "p", "p.ann")
    assert reading.document is not None
    (quote,) = reading.document.quotes
    assert quote.fragments == (first, second)
    assert structure(document_to_ann(reading.document, "polnear")) == structure(ann)
