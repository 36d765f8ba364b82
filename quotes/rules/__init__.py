"""Detection rules as small functions over a parsed spaCy Doc.

The rules work in three passes over one document, one module each:

1. :mod:`.attributions` reads the parse for attribution frames: a cue
   (``said``, ``told``, ``according to``), its source (the speaker head) and,
   where the syntax gives one, its content. The content frames of a cue verb
   are the ``*_frame`` functions of :mod:`.frames`, tried in order (a clausal
   complement, a preceding clause, a parenthetical attribution, an
   infinitive, a prepositional or direct object), then a colon. Which frames a
   verb takes is data: the tags of ``data/cue_verbs.txt``.
2. :mod:`.assembly`: quoted stretches (from :mod:`quotes.marks`) inside a
   content clause make it ``mixed``, or ``direct`` when they fill it; other
   stretches look for an attribution next to them (``“A,” he said`` / ``he
   said: “A”``), continue a multi-paragraph quote, or stand alone as a
   floating quote when they read as a sentence; short unattributed stretches
   are scare quotes and dropped.
3. Also :mod:`.assembly`: content clauses with no marks are ``indirect``;
   unattributed sentences around them join them when the text shows they are
   the same speaker's.

:mod:`.text` holds the vocabulary and text helpers the passes share. Every
rule names its construction with an example sentence, and the confidence of a
quote comes from the rule that produced it (:data:`CONFIDENCE`).
"""

from .assembly import CONFIDENCE, find_quotes
from .attributions import Attribution, find_attributions

__all__ = ["CONFIDENCE", "Attribution", "find_attributions", "find_quotes"]
