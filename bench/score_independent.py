"""An independent scorer, written from docs/annotation-guidelines.md alone.

A check on ``quotes evaluate``: it imports nothing from the ``quotes`` package
(no ``quotes.scoring``, no ``quotes.names``, not even its types or readers),
and follows the guidelines' "How scores are counted" line by line, so a bug in
the project's scorer shows up as a difference between the two.

    .venv/bin/python bench/score_independent.py GOLD.jsonl PRED.jsonl [--json]

prints quote and end-to-end precision, recall and F1 in the ``exact`` and
``partial`` modes. It covers what the seeds' gold uses (documents joined by id,
one content span a quote, canonical names); gold ``fragments`` and quotes with
a speaker span but no name (PolNeAR) are outside the guidelines and not scored
here. The target (issue 11): on two annotators' seed gold,
``quotes evaluate -g gold/seeds.jsonl -p gold/seeds_b.jsonl`` and this script
give the same quote and end-to-end F1 within 0.01.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

# "both sides drop enclosing quotation marks, outer white space and edge punctuation"
MARKS = "\"“”‘’«»„'"
EDGE = MARKS + ".,;:"
TOKEN = re.compile(r"\w+")

# titles and honorifics; the gendered ones keep "Mr. Lane" and "Mrs. Lane" apart
GENDERED = {"mr": "m", "sir": "m", "mrs": "f", "ms": "f", "miss": "f", "madam": "f", "dame": "f"}
TITLES = set(GENDERED) | {
    "dr",
    "prof",
    "president",
    "minister",
    "mayor",
    "senator",
    "sen",
    "rep",
    "gov",
    "governor",
    "gen",
    "general",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "secretary",
    "ambassador",
    "chancellor",
    "premier",
}
PRONOUNS = {"i", "me", "my", "we", "us", "our", "you", "your", "he", "him", "his"}
PRONOUNS |= {"she", "her", "it", "its", "they", "them", "their", "who"}
# spellings of one name word
SPELLINGS = [
    {"dmitry", "dmitri", "dmitriy"},
    {"yuri", "yury", "yuriy"},
    {"sergei", "sergey"},
    {"alexei", "alexey", "aleksei"},
    {"zelensky", "zelenskyy", "zelenskiy"},
]
# family names written first in two-word names ("Wang Yi")
FAMILY_FIRST = {
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "he",
    "gao",
    "lin",
    "luo",
    "zheng",
    "liang",
    "xie",
    "song",
    "tang",
    "han",
    "feng",
    "deng",
    "cao",
    "peng",
    "zeng",
    "xiao",
    "tian",
    "dong",
    "pan",
    "yuan",
    "cai",
    "jiang",
    "yu",
    "du",
    "ye",
    "cheng",
    "wei",
    "su",
    "lu",
    "ding",
    "shen",
    "ren",
    "yao",
    "jin",
    "qin",
    "xi",
    "kim",
    "lee",
    "park",
    "choi",
    "",
}


def normalized(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without enclosing marks, outer white space and edge punctuation."""
    while start < end and (text[start].isspace() or text[start] in EDGE):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in EDGE):
        end -= 1
    return start, end


def name_words(name: str) -> tuple[list[str], str]:
    """A name's words (case, diacritics, punctuation, articles, titles dropped) and its gender."""
    plain = "".join(
        c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn"
    ).lower()
    plain = re.sub(r"['’]s?$", "", plain.strip()).replace(".", "")
    words = re.findall(r"[^\W_]+", plain)
    gender = ""
    while len(words) > 1 and (words[0] in ("the", "a", "an") or words[0] in TITLES):
        gender = GENDERED.get(words[0], gender)
        words.pop(0)
    respelled = []
    for word in words:
        for group in SPELLINGS:
            if word in group:
                word = min(group)
        respelled.append(word)
    return respelled, gender


def is_pronoun(name: str) -> bool:
    """A pronoun, not a name: "he", "We", "I"; but "US" or "IT" in capitals are names."""
    word = name.strip().strip(".")
    return word.lower() in PRONOUNS and (word == "I" or not word.isupper())


def surname(words: list[str]) -> str | None:
    if len(words) < 2:
        return None
    if len(words) == 2 and words[0] in FAMILY_FIRST:
        return words[0]
    return words[-1]


def same_source(a: str, b: str, gold_names: list[str]) -> bool:
    """Two canonical names of one source, by the guidelines' rules."""
    wa, ga = name_words(a)
    wb, gb = name_words(b)
    if not wa or not wb or is_pronoun(a) or is_pronoun(b):
        return False
    if ga and gb and ga != gb:
        return False
    if wa == wb:
        return True
    if len(wa) > 1 and len(wb) > 1:
        return wa[0] == wb[0] and wa[-1] == wb[-1]
    short, full = (wa, wb) if len(wa) == 1 else (wb, wa)
    if surname(full) != short[0]:
        return False
    # only when no other full name of the gold document has this surname
    for other in gold_names:
        words, _ = name_words(other)
        if len(words) > 1 and surname(words) == short[0] and words != full:
            return False
    return True


def split(names: list[str]) -> list[str]:
    out = []
    for name in names:
        parts = re.split(r"\s+(?:and|&)\s+", name)
        if len(parts) > 1 and all(p[:1].isupper() for p in parts):
            out += parts
        else:
            out.append(name)
    return out


def speakers_agree(gold: list[str], pred: list[str], gold_names: list[str]) -> bool:
    g, p = split(gold), split(pred)
    if not g or not p:
        return not g and not p
    return all(any(same_source(x, y, gold_names) for y in p) for x in g) and all(
        any(same_source(x, y, gold_names) for x in g) for y in p
    )


def matches(text: str, g: tuple[int, int], p: tuple[int, int], mode: str) -> bool:
    if g == p:
        return True
    if mode == "exact":
        return False
    low, high = max(g[0], p[0]), min(g[1], p[1])
    if low >= high:
        return False
    shared = len(TOKEN.findall(text[low:high]))
    longer = max(len(TOKEN.findall(text[g[0] : g[1]])), len(TOKEN.findall(text[p[0] : p[1]])))
    return 2 * shared >= longer


def score_document(gold: dict, pred: dict, mode: str) -> tuple[int, int, int, int]:
    """(gold quotes, predicted quotes, found, found with the right speaker)."""
    text = gold["text"]
    g_quotes, p_quotes = gold.get("quotes", []), pred.get("quotes", [])
    g_spans = [normalized(text, q["start"], q["end"]) for q in g_quotes]
    p_spans = [normalized(text, q["start"], q["end"]) for q in p_quotes]
    gold_names = split([n for q in g_quotes for n in q.get("speaker_name", [])])
    pairs = []
    for i, g in enumerate(g_spans):
        for j, p in enumerate(p_spans):
            if matches(text, g, p, mode):
                overlap = max(0, min(g[1], p[1]) - max(g[0], p[0]))
                pairs.append((-overlap, i, j))
    pairs.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    found = right = 0
    for _, i, j in pairs:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        found += 1
        right += speakers_agree(
            g_quotes[i].get("speaker_name", []), p_quotes[j].get("speaker_name", []), gold_names
        )
    return len(g_quotes), len(p_quotes), found, right


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0}


def read(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    return {d["id"]: d for d in docs}


def score(gold_path: Path, pred_path: Path) -> dict[str, dict[str, dict[str, float]]]:
    gold, pred = read(gold_path), read(pred_path)
    out: dict[str, dict[str, dict[str, float]]] = {"quotes": {}, "end_to_end": {}}
    for mode in ("exact", "partial"):
        n_gold = n_pred = found = right = 0
        for doc_id in list(gold) + [i for i in pred if i not in gold]:
            g = gold.get(doc_id, {"text": pred[doc_id]["text"], "quotes": []})
            p = pred.get(doc_id, {"quotes": []})
            counts = score_document(g, p, mode)
            n_gold, n_pred = n_gold + counts[0], n_pred + counts[1]
            found, right = found + counts[2], right + counts[3]
        out["quotes"][mode] = prf(found, n_pred, n_gold)
        out["end_to_end"][mode] = prf(right, n_pred, n_gold)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("pred", type=Path)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = score(args.gold, args.pred)
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return 0
    for key in ("quotes", "end_to_end"):
        for mode, s in result[key].items():
            print(f"{key:<11} {mode:<8} P {s['p']:.3f}  R {s['r']:.3f}  F1 {s['f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
