"""Speaker attribution: mention spans, canonical names and document speakers.

Interface used by the component:

* :func:`mention_span` (:mod:`.mentions`) turns the syntactic source of a cue
  (a token) into the speaker mention span (titles and roles stripped).
* :func:`attribute_speakers` (:mod:`.resolution`) gives every quote its
  canonical speaker name(s) and returns the document's speakers.

How a document is resolved (all precomputed once per document, then one pass
over the quotes in text order):

1. :mod:`.registry`: named mentions (PERSON / ORG / NORP / GPE entities,
   titles and honorifics stripped) are clustered into entities with
   :mod:`quotes.names`: full names by transliteration keys, one-word mentions
   to the nearest preceding full name whose surname keys contain them (so two
   Wangs stay apart), the canonical name being the fullest name the document
   gives. Roles are attached to entities from the parse: ``Kremlin spokesman
   Dmitry Peskov`` (compound), ``John Kirby, a White House spokesman``
   (apposition), ``the spokesman for the Russian Presidency, Dmitri Peskov``.
2. :mod:`.resolution`: each quote's speaker mention resolves to entities:
   names directly, coordinated names to several, definite role or
   organisation descriptions (``the Kremlin spokesman``, ``the city``) to the
   bearer, pronouns to the most salient compatible antecedent, unnamed sources
   to their own noun phrase. A floating quote (no mention) continues the
   previous quote's speaker.
"""

from .mentions import mention_span
from .resolution import attribute_speakers, merge_piece_speakers, merge_speakers

__all__ = ["attribute_speakers", "mention_span", "merge_piece_speakers", "merge_speakers"]
