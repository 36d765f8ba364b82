"""Speaker attribution: mention spans, canonical names, document speakers, corpus table.

Quotes are built by hand on real parsed documents (content and speaker spans
chosen here), so these tests do not depend on the quote-finding rules.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from typer.testing import CliRunner

from quotes.cli import app
from quotes.speaker_table import SpeakerRow, format_table, speaker_table
from quotes.speakers import attribute_speakers, mention_span
from quotes.types import CharSpan, Document, Quote, Speaker

from .conftest import DATA, SEEDS

SEED_CASES = json.loads((DATA / "speakers_seed_cases.json").read_text(encoding="utf-8"))["cases"]


def parse(nlp, text: str):
    """The parsed doc without the quote component (its rules are not under test)."""
    return nlp(text, disable=["quote_extractor"])


def span_of(text: str, needle: str, near: CharSpan | None = None) -> CharSpan:
    """The whole-word occurrence of ``needle`` in ``text`` (nearest ``near`` if given)."""
    starts = [m.start() for m in re.finditer(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", text)]
    if not starts:
        raise AssertionError(f"{needle!r} is not in the text")
    if near is not None:
        starts.sort(key=lambda s: min(abs(s - near.end), abs(s + len(needle) - near.start)))
    return CharSpan.of(text, starts[0], starts[0] + len(needle))


def build(text: str, specs: list) -> list[Quote]:
    """Quotes from ``[content, speaker or None, ...]`` rows."""
    quotes = []
    for content_text, speaker_text, *_ in specs:
        start = text.index(content_text)
        content = CharSpan.of(text, start, start + len(content_text))
        speaker = None if speaker_text is None else span_of(text, speaker_text, content)
        quotes.append(Quote("direct", content, speaker))
    return quotes


# --- mention_span ------------------------------------------------------------

MENTIONS = [
    # sentence, head word, expected span
    ("Kremlin spokesman Dmitry Peskov said Putin would go.", "Peskov", "Dmitry Peskov"),
    (
        "John Kirby, a White House spokesman, said on Friday that the war must end.",
        "Kirby",
        "John Kirby",
    ),
    (
        "According to the spokesman for the Russian Presidency, Dmitri Peskov, Tuesday will be "
        "the day.",
        "spokesman",
        "Dmitri Peskov",
    ),
    ("Xi and Putin proclaimed “unlimited friendship” at the opening.", "Xi", "Xi and Putin"),
    (
        "But a person in Beijing familiar with the matter said Xi could hold a call.",
        "person",
        "a person in Beijing familiar with the matter",
    ),
    ("The message, Mr Kuleba said, was good.", "Kuleba", "Kuleba"),
    (
        "Chinese Foreign Ministry spokesman Wang Wenbin scoffed at the idea.",
        "Wenbin",
        "Wang Wenbin",
    ),
    (
        "China’s Foreign Ministry said the visit will take place.",
        "Ministry",
        "China’s Foreign Ministry",
    ),
    (
        "Yuri Ushakov, the Russian president’s adviser on international relations, said Putin "
        "will sign.",
        "Ushakov",
        "Yuri Ushakov",
    ),
    (
        "A foreign ministry spokeswoman said China would take a position.",
        "spokeswoman",
        "A foreign ministry spokeswoman",
    ),
    ("The Kremlin spokesman said talks would start.", "spokesman", "The Kremlin spokesman"),
    ("“We will win,” he said.", "he", "he"),
    ("US officials said they would watch closely.", "officials", "US officials"),
    (
        "Paul Haenle of the Carnegie Endowment for International Peace said it was hard.",
        "Haenle",
        "Paul Haenle",
    ),
    ("The Kremlin said the two leaders will discuss issues.", "Kremlin", "The Kremlin"),
    ("Mayor Smith said the talks went well.", "Smith", "Smith"),
    ("The plan was backed by John Kirby, who said it would work.", "who", "John Kirby"),
]


@pytest.mark.parametrize(("sentence", "head", "expected"), MENTIONS)
def test_mention_span(nlp, sentence: str, head: str, expected: str) -> None:
    doc = parse(nlp, sentence)
    token = next(t for t in doc if t.text == head)
    span = mention_span(token)
    assert span.text == expected
    span.check_against(sentence)


# --- attribution on the seeds ---------------------------------------------------


@pytest.mark.parametrize("case", SEED_CASES, ids=[c["id"] for c in SEED_CASES])
def test_seed_attribution(nlp, case: dict) -> None:
    path = next(SEEDS.glob(case["seed"] + "_*.txt"))
    text = path.read_text(encoding="utf-8")
    quotes = build(text, case["quotes"])
    out, _ = attribute_speakers(parse(nlp, text), quotes)
    got = [list(q.speaker_name) for q in out]
    assert got == [row[2] for row in case["quotes"]]
    for before, after in zip(quotes, out, strict=True):
        assert after.content == before.content and after.speaker == before.speaker


def test_seed_two_wangs_stay_apart(nlp) -> None:
    text = next(SEEDS.glob("002_*.txt")).read_text(encoding="utf-8")
    quotes = build(
        text,
        [
            ["China’s proposal comes down to one sentence", "Wang Wenbin"],
            ["to further strengthen our comprehensive strategic partnership", "Wang"],
        ],
    )
    _, speakers = attribute_speakers(parse(nlp, text), quotes)
    names = {s.name: s for s in speakers}
    assert set(names) == {"Wang Wenbin", "Wang Yi"}
    assert names["Wang Wenbin"].quote_count == names["Wang Yi"].quote_count == 1
    # "Wang" mentions of Wang Yi are not counted as Wang Wenbin's
    assert all(m.start < text.index("Wang Yi") for m in names["Wang Wenbin"].mentions)


# --- attribution rules on small texts --------------------------------------------

RULES: list[tuple[str, str, list]] = [
    # id, text, [content, speaker or None, expected names]
    (
        "role-description-to-bearer",
        "Kremlin spokesman Dmitry Peskov said the talks would start on Monday. "
        "The Kremlin spokesman later said they had been delayed.",
        [
            ["the talks would start on Monday", "Dmitry Peskov", ["Dmitry Peskov"]],
            ["they had been delayed", "The Kremlin spokesman", ["Dmitry Peskov"]],
        ],
    ),
    (
        "surname-and-transliteration",
        "Dmitri Peskov said the talks would start. Later Peskov added that nothing was signed.",
        [
            ["the talks would start", "Dmitri Peskov", ["Dmitri Peskov"]],
            ["nothing was signed", "Peskov", ["Dmitri Peskov"]],
        ],
    ),
    (
        "pronoun-previous-speaker",
        "Anna Smith, a lawyer for the family, said the ruling was wrong. "
        "“We will appeal,” she said.",
        [
            ["the ruling was wrong", "Anna Smith", ["Anna Smith"]],
            ["We will appeal,", "she", ["Anna Smith"]],
        ],
    ),
    (
        "pronoun-gender-from-honorific",
        "Mrs Jones met Mr Brown on Monday. Mr Brown said the deal was done. "
        "“It is a good day,” she said.",
        [["the deal was done", "Mr Brown", ["Brown"]], ["It is a good day,", "she", ["Jones"]]],
    ),
    (
        "pronoun-without-antecedent-unresolved",
        "“We will win,” he said. The match starts at noon.",
        [["We will win,", "he", []]],
    ),
    (
        "pronoun-not-to-other-gender",
        "Mr Brown said the deal was done. “It is a good day,” she said.",
        [["the deal was done", "Mr Brown", ["Brown"]], ["It is a good day,", "she", []]],
    ),
    (
        "floating-next-paragraph",
        "Maria Lopez said: “The plan works.\n\n“It will save money for everyone.”",
        [
            ["The plan works.", "Maria Lopez", ["Maria Lopez"]],
            ["It will save money for everyone.", None, ["Maria Lopez"]],
        ],
    ),
    (
        "floating-not-across-another-speaker",
        "“We are ready,” said John Smith. “We are not,” said Jane Doe. “Not yet.”",
        [
            ["We are ready,", "John Smith", ["John Smith"]],
            ["We are not,", "Jane Doe", ["Jane Doe"]],
            ["Not yet.", None, ["Jane Doe"]],
        ],
    ),
    (
        "first-person-unresolved",
        "“It was a long day,” I said to the driver.",
        [["It was a long day,", "I", []]],
    ),
    (
        "floating-first-quote-unresolved",
        "“Not yet.” The match starts at noon.",
        [["Not yet.", None, []]],
    ),
    (
        "several-speakers",
        "Chinese President Xi Jinping met Russian President Vladimir Putin in Moscow. "
        "Xi and Putin proclaimed “unlimited friendship” at the games.",
        [["unlimited friendship", "Xi and Putin", ["Xi Jinping", "Vladimir Putin"]]],
    ),
    (
        "organisation-without-article",
        "The Kremlin said the visit would go ahead.",
        [["the visit would go ahead", "The Kremlin", ["Kremlin"]]],
    ),
    (
        "organisation-fuller-form-in-document",
        "The Chinese Foreign Ministry said the talks were useful. "
        "The Foreign Ministry also said no deal was signed.",
        [
            ["the talks were useful", "The Chinese Foreign Ministry", ["Chinese Foreign Ministry"]],
            ["no deal was signed", "The Foreign Ministry", ["Chinese Foreign Ministry"]],
        ],
    ),
    (
        "unnamed-source-keeps-its-phrase",
        "US officials said they were watching the talks closely.",
        [["they were watching the talks closely", "US officials", ["US officials"]]],
    ),
    (
        "document-noun-to-its-author",
        "The Harbour Water Trust said in a statement that tap water is safe. "
        "The statement also noted that old pipes were the problem.",
        [
            [
                "tap water is safe",
                "The Harbour Water Trust",
                ["Harbour Water Trust"],
            ],
            ["old pipes were the problem", "The statement", ["Harbour Water Trust"]],
        ],
    ),
    (
        "document-noun-in-a-statement",
        "The Harbour Water Trust said in a statement that tap water is safe.",
        [["tap water is safe", "a statement", ["Harbour Water Trust"]]],
    ),
    (
        "acronym-spelled-out-in-text",
        "The Regional Water Authority (RWA) released a report on Thursday. "
        "The RWA said the dam was worth less than its upkeep.",
        [["the dam was worth less than its upkeep", "RWA", ["Regional Water Authority"]]],
    ),
    (
        "two-people-described",
        "Chinese President Xi Jinping and Russian President Vladimir Putin met in Moscow. "
        "Last year, the two men declared that their partnership knows no limits.",
        [["their partnership knows no limits", "the two men", ["Xi Jinping", "Vladimir Putin"]]],
    ),
    (
        "plural-description-without-pair-kept",
        "The talks ended on Friday. The two sides said that a deal was close.",
        [["a deal was close", "The two sides", ["The two sides"]]],
    ),
    (
        "same-surname-nearest-full-name",
        "Foreign Ministry spokesman Wang Wenbin said the visit was useful. "
        "Later, Putin met top diplomat Wang Yi in Moscow. Wang said ties were strong.",
        [
            ["the visit was useful", "Wang Wenbin", ["Wang Wenbin"]],
            ["ties were strong", "Wang", ["Wang Yi"]],
        ],
    ),
]


RULE = {r[0]: (r[1], r[2]) for r in RULES}


@pytest.mark.parametrize(("text", "specs"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_attribution_rules(nlp, text: str, specs: list) -> None:
    quotes = build(text, specs)
    out, _ = attribute_speakers(parse(nlp, text), quotes)
    assert [list(q.speaker_name) for q in out] == [row[2] for row in specs]


CONFIDENCE = [
    # id, text, specs, index of the quote whose confidence drops below the first one's
    ("floating", *RULE["floating-next-paragraph"], 1),
    ("pronoun", *RULE["pronoun-previous-speaker"], 1),
    ("role", *RULE["role-description-to-bearer"], 1),
]


@pytest.mark.parametrize(
    ("text", "specs", "index"), [c[1:] for c in CONFIDENCE], ids=[c[0] for c in CONFIDENCE]
)
def test_indirect_attribution_lowers_confidence(nlp, text: str, specs: list, index: int) -> None:
    out, _ = attribute_speakers(parse(nlp, text), build(text, specs))
    assert out[0].confidence == 1.0
    assert 0.0 < out[index].confidence < out[0].confidence


def test_floating_quote_keeps_empty_span(nlp) -> None:
    text, specs = RULE["floating-next-paragraph"]
    out, _ = attribute_speakers(parse(nlp, text), build(text, specs))
    assert out[1].speaker is None and out[1].speaker_name == ("Maria Lopez",)


def test_quotes_come_back_in_input_order(nlp) -> None:
    text, specs = RULE["floating-not-across-another-speaker"]
    quotes = build(text, specs)[::-1]
    out, _ = attribute_speakers(parse(nlp, text), quotes)
    assert [q.content for q in out] == [q.content for q in quotes]
    assert [q.speaker_name for q in out] == [("Jane Doe",), ("Jane Doe",), ("John Smith",)]


SPEAKER_LISTS = [
    # id, rules case, expected (name, kind, quote_count) in order of first mention
    ("person-with-role", "role-description-to-bearer", [("Dmitry Peskov", "person", 2)]),
    ("organisation", "organisation-without-article", [("Kremlin", "organisation", 1)]),
    ("group", "unnamed-source-keeps-its-phrase", [("US officials", "group", 1)]),
    (
        "two-people",
        "several-speakers",
        [("Xi Jinping", "person", 1), ("Vladimir Putin", "person", 1)],
    ),
    ("unresolved-pronoun-is-no-speaker", "pronoun-without-antecedent-unresolved", []),
]


@pytest.mark.parametrize(
    ("row", "expected"), [s[1:] for s in SPEAKER_LISTS], ids=[s[0] for s in SPEAKER_LISTS]
)
def test_document_speakers(nlp, row: str, expected: list) -> None:
    text, specs = RULE[row]
    quotes = build(text, specs)
    _, speakers = attribute_speakers(parse(nlp, text), quotes)
    assert [(s.name, s.kind, s.quote_count) for s in speakers] == expected
    for speaker in speakers:
        for mention in speaker.mentions:
            mention.check_against(text)
        # the quote's own speaker mention is among the entity's mentions
        assert any(
            q.speaker is not None and any(q.speaker.overlap(m) for m in speaker.mentions)
            for q in quotes
        )


def test_speakers_round_trip_through_jsonl(nlp) -> None:
    text, specs = RULE["role-description-to-bearer"]
    out, speakers = attribute_speakers(parse(nlp, text), build(text, specs))
    doc = Document("d", text, tuple(out), tuple(speakers))
    again = Document.from_dict(json.loads(json.dumps(doc.to_dict())))
    assert again == doc


def test_empty_inputs(nlp) -> None:
    assert attribute_speakers(parse(nlp, "No quotes here."), []) == ([], [])
    assert attribute_speakers(parse(nlp, ""), []) == ([], [])


# --- the corpus table ---------------------------------------------------------------


def doc_with(doc_id: str, *names: tuple[str, ...], kinds: dict[str, str] | None = None) -> Document:
    """A document whose quotes carry the given speaker names (text is filler)."""
    text = "x" * (len(names) + 1)
    quotes = tuple(
        Quote("direct", CharSpan.of(text, i, i + 1), None, n) for i, n in enumerate(names)
    )
    speakers = tuple(Speaker(n, k) for n, k in (kinds or {}).items())  # type: ignore[arg-type]
    return Document(doc_id, text, quotes, speakers)


TABLES = [
    (
        "surname-joins-the-one-full-name",
        [doc_with("a", ("Peskov",), ("Peskov",)), doc_with("b", ("Dmitry Peskov",))],
        [("Dmitry Peskov", 3, 2, ("Peskov",))],
    ),
    (
        "transliteration-variants",
        [doc_with("a", ("Dmitri Peskov",)), doc_with("b", ("Dmitry Peskov",))],
        [("Dmitri Peskov", 2, 2, ("Dmitry Peskov",))],
    ),
    (
        "shared-surname-stays-apart",
        [doc_with("a", ("Wang Wenbin",)), doc_with("b", ("Wang Yi",)), doc_with("c", ("Wang",))],
        [("Wang", 1, 1, ()), ("Wang Wenbin", 1, 1, ()), ("Wang Yi", 1, 1, ())],
    ),
    (
        "several-names-count-each",
        [doc_with("a", ("Xi Jinping", "Vladimir Putin"), ("Xi Jinping",))],
        [("Xi Jinping", 2, 1, ()), ("Vladimir Putin", 1, 1, ())],
    ),
    (
        "unresolved-quotes-not-counted",
        [doc_with("a", (), ("Kremlin",), ("the Kremlin",))],
        [("Kremlin", 2, 1, ("the Kremlin",))],
    ),
    (
        "unnamed-groups-do-not-join-names",
        [
            doc_with(
                "a",
                ("officials",),
                ("US officials",),
                kinds={"officials": "group", "US officials": "group"},
            )
        ],
        [("officials", 1, 1, ()), ("US officials", 1, 1, ())],
    ),
]


@pytest.mark.parametrize(("docs", "expected"), [t[1:] for t in TABLES], ids=[t[0] for t in TABLES])
def test_speaker_table(docs: list[Document], expected: list) -> None:
    rows = speaker_table(docs)
    assert [(r.name, r.quotes, r.documents, r.variants) for r in rows] == expected


def test_table_kinds_come_from_document_speakers() -> None:
    rows = speaker_table([doc_with("a", ("Kremlin",), kinds={"Kremlin": "organisation"})])
    assert rows == [SpeakerRow("Kremlin", "organisation", 1, 1, ())]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_format_table(fmt: str) -> None:
    rows = [
        SpeakerRow("Dmitry Peskov", "person", 3, 2, ("Peskov",)),
        SpeakerRow("Kremlin, the", "organisation", 1, 1, ()),
    ]
    out = format_table(rows, fmt)
    if fmt == "json":
        assert json.loads(out)[0] == {
            "name": "Dmitry Peskov",
            "type": "person",
            "quotes": 3,
            "documents": 2,
            "variants": ["Peskov"],
        }
    else:
        table = list(csv.reader(io.StringIO(out)))
        assert table[0] == ["name", "type", "quotes", "documents", "variants"]
        assert table[2] == ["Kremlin, the", "organisation", "1", "1", ""]


def test_format_table_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="csv"):
        format_table([], "xml")


# --- the CLI ------------------------------------------------------------------------

runner = CliRunner()


def write_jsonl(path, docs: list[Document]) -> None:
    path.write_text("".join(json.dumps(d.to_dict()) + "\n" for d in docs), encoding="utf-8")


def test_cli_speakers_json_and_csv(tmp_path) -> None:
    corpus = tmp_path / "out.jsonl"
    write_jsonl(corpus, [doc_with("a", ("Peskov",)), doc_with("b", ("Dmitry Peskov",))])
    result = runner.invoke(app, ["speakers", str(corpus), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["name"] == "Dmitry Peskov"
    target = tmp_path / "table.csv"
    result = runner.invoke(app, ["speakers", str(tmp_path), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").splitlines()[1] == "Dmitry Peskov,person,2,2,Peskov"


CLI_ERRORS = [
    ("bad-format", ["--format", "xml"], "unknown --format"),
    ("missing-path", ["/no/such/file.jsonl"], "no such file or folder"),
]


@pytest.mark.parametrize(
    ("extra", "message"), [c[1:] for c in CLI_ERRORS], ids=[c[0] for c in CLI_ERRORS]
)
def test_cli_speakers_errors(tmp_path, extra: list[str], message: str) -> None:
    corpus = tmp_path / "out.jsonl"
    write_jsonl(corpus, [doc_with("a", ("Kremlin",))])
    result = runner.invoke(app, ["speakers", str(corpus), *extra])
    assert result.exit_code == 1
    assert message in result.stderr


def test_cli_speakers_bad_line_is_reported_rest_counted(tmp_path) -> None:
    corpus = tmp_path / "out.jsonl"
    write_jsonl(corpus, [doc_with("a", ("Kremlin",))])
    with corpus.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    result = runner.invoke(app, ["speakers", str(corpus), "--format", "json"])
    assert result.exit_code == 1
    assert "malformed JSON" in result.stderr
    assert json.loads(result.stdout)[0]["name"] == "Kremlin"


def test_cli_speakers_extracts_txt_first(nlp, tmp_path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "Kremlin spokesman Dmitry Peskov said the talks would start on Monday.\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["speakers", str(story), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == ["Dmitry Peskov"]
