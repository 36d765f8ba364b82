"""Hand annotations of the five seed articles: the source of gold/seeds.jsonl.

One entry per quote, written by reading each article sentence by sentence
against docs/annotation-guidelines.md (including its "Settled cases").
Spans are named by text, not offsets (syntax in gold/build_gold.py):
``"HEAD ... TAIL"`` elides a long middle, ``"left [[target]] right"`` picks one
occurrence by its context. Speaker and cue specs are looked up in the
paragraph that holds the content. ``names`` are the canonical names; a quote
with no speaker mention in its own sentence has ``speaker=None``.
Comments name the settled case (S1, S2, ... in the guidelines) an entry relies on.
"""

from __future__ import annotations

from typing import Any

# fmt: off


def q(
    type_: str,
    content: str,
    speaker: str | None,
    names: str | tuple[str, ...],
    cue: str | None,
) -> dict[str, Any]:
    """One quote annotation."""
    return {"type": type_, "content": content, "speaker": speaker, "names": names, "cue": cue}


DIR, IND, MIX = "direct", "indirect", "mixed"

ANNOTATIONS: dict[str, dict[str, Any]] = {}

# --------------------------------------------------------------------------
# 000: TSF (Portuguese, machine-translated); quotation marks kept.
ANNOTATIONS["000_0ab12356d3949a48"] = {
    "speakers": {
        "Dmitri Peskov": "person",
        "Vladimir Putin": "person",
        "China": "organisation",
        "Xi Jinping": "person",
        "John Kirby": "person",
        "United States": "organisation",
        "Politico": "organisation",
    },
    "quotes": [
        # the clause governed by "according to"; scare-quoted words inside -> mixed
        q(MIX, "after the “face-to-face” meeting ... a joint press conference",
          "Dmitri Peskov", "Dmitri Peskov", "According to"),
        # Xi's "questions and concerns" are reported by Putin: outer quote only (S8)
        q(MIX, "Xi then expressed “questions and concerns” to Putin about the war in Ukraine",
          "the Russian president", "Vladimir Putin", "according to"),
        q(IND, "to be neutral in the conflict", "China", "China", "claimed"),
        q(DIR, "unlimited friendship", "Xi and Putin", ("Xi Jinping", "Vladimir Putin"),
          "proclaimed"),
        # condemn + NP: the NP is the content (S2); Beijing = China (S16)
        q(IND, "the imposition of sanctions on Moscow", "[[Beijing]] declined", "China",
          "condemned"),
        # accuse X of Y: X is not an addressee, so it stays in the content (S1)
        q(MIX, "the West of provoking the conflict and “fed the flames” ... for its defence",
          "[[Beijing]] declined", "China", "accused"),
        # ", referring to Ukraine" is the writer's gloss (S14)
        q(MIX, "the importance of “respecting the sovereignty of all countries,”",
          "[[Beijing]] stressed", "China", "stressed"),
        q(MIX, "an end to the “Cold War mentality,”", "[[Beijing]] stressed", "China",
          "called for"),
        q(MIX, "the war must end “fairly,” while respecting Ukraine’s territorial sovereignty",
          "John Kirby", "John Kirby", "said"),
        q(IND, "Xi should also talk by phone with ... on the conflict and not just Putin’s",
          "John Kirby", "John Kirby", "suggested"),
        q(IND, "China of preparing to send weapons to Russia", "United States", "United States",
          "accused"),
        # the source named is Politico; its investigation is the vehicle (S15)
        q(IND, "Chinese companies are supplying arms ... to Russian organizations",
          "Politico", "Politico", "revealed"),
    ],
}

# --------------------------------------------------------------------------
# 001: Reuters via a translation that dropped every quotation mark: all indirect.
ANNOTATIONS["001_449ec84bc6e24a76"] = {
    "speakers": {
        "Chinese Foreign Ministry": "organisation",
        "Xi Jinping": "person",
        "Vladimir Putin": "person",
        "Chinese state media": "organisation",
        "a person in Beijing familiar with the matter": "person",
        "Qin Gang": "person",
        "Kremlin": "organisation",
        "Dmitry Peskov": "person",
        "Analysts": "group",
        "Paul Haenle": "person",
        "Biden administration": "organisation",
        "John Kirby": "person",
        "United States": "organisation",
        "customs data collected by Import Genius": "organisation",
    },
    "quotes": [
        # the trailing apposition "Xi's first trip to Russia ..." is the writer's (S14)
        q(IND, "Xi and Putin will have in-depth exchanges ... during the three-day visit",
          "Chinese Foreign Ministry", "Chinese Foreign Ministry", "said"),
        # declare + NP (S2); "China has presented itself as" is a posture (S12)
        q(IND, "a partnership without limits", "the couple", ("Xi Jinping", "Vladimir Putin"),
          "declared"),
        # media speak through their coverage: portraying X as Y is a quote (S12)
        q(IND, "the situation as a crisis rather than an invasion", "Chinese state media",
          "Chinese state media", "portraying"),
        q(IND, "Xi could also hold a video conference with ... in the coming days",
          "a person in Beijing familiar with the matter",
          "a person in Beijing familiar with the matter", "said"),
        # purpose infinitive "met ... to call for" still reports the call (S3)
        q(IND, "to call for [[peace talks]]", "Qin Gang", "Qin Gang", "call for"),
        q(IND, "China maintains a fair and objective stance ... in promoting peace talks",
          "Chinese Foreign Ministry", "Chinese Foreign Ministry", "said"),
        # the stray ". " inside the clause is a translation artefact, not a sentence end
        q(IND, "Putin and Xi would discuss ... interaction. between Russia and China",
          "Kremlin", "Kremlin", "said"),
        # "he" continues the Kremlin's statement; no person is named before it (S17)
        q(IND, "They will also engage in an exchange ... important bilateral documents",
          "he", "Kremlin", "added"),
        # "The main Sino-Russian talks ..." after the attribution: writer's (S13)
        q(IND, "Putin and Xi will meet one-on-one on Monday, followed by an informal lunch",
          "Dmitry Peskov", "Dmitry Peskov", "said"),
        # Xi's "claims that he was ..." nested inside the analysts' quote (S8)
        q(IND, "Beijing would use any call between ... peacemaking role in the conflict",
          "Analysts", "Analysts", "said"),
        # two sentences before one attribution, the second continues the first ("So")
        q(IND, "I think it’s getting harder and harder ... would not be a good idea for China",
          "Paul Haenle", "Paul Haenle", "said"),
        q(IND, "if Xi then called Zelenskyy, he could sell ... interest of striking a peace deal",
          "But [[he]] said", "Paul Haenle", "said"),
        # an administration is a source like any organisation (S4)
        q(IND, "there was potential for unilateral Russian-Chinese proposals on war",
          "Biden administration", "Biden administration", "warned"),
        q(IND, "We also hope that President Xi will contact ... from the Ukrainian side as well",
          "John Kirby", "John Kirby", "said"),
        q(IND, "As they begin to plan their agenda, ... reflect the Russian perspective",
          "he", "John Kirby", "said"),
        q(IND, "China’s 12-point peace plan released last month, ... of the Russian conquest",
          "Kirby", "John Kirby", "said"),
        # interrupted by "he added": two quotes, same speaker mention and cue
        q(IND, "This would allow Russian troops to continue to occupy Ukrainian territory",
          "he", "John Kirby", "added"),
        q(IND, "and to use a ceasefire to further ... rebuild, refit and refresh their forces",
          "he", "John Kirby", "added"),
        q(IND, "We don’t believe this is a step towards a just and lasting peace",
          "[[Kirby]] said.", "John Kirby", "Kirby [[said]]."),
        # warn X against Y: the addressee X is left out; "what it said were" nested (S1, S8)
        q(IND, "against what it said were plans for ... for the war effort in Ukraine",
          "[[United States]] warned", "United States", "warned"),
        q(IND, "we still had no indication that the Chinese government ... with lethal weapons",
          "Kirby", "John Kirby", "Kirby [[said]]"),
        # the source is the customs data; "Politico first reported the mailing" is no quote
        # (S11)
        q(IND, "In June last year, China North ... a Russian arms manufacturer",
          "customs data collected by Import Genius", "customs data collected by Import Genius",
          "according to"),
        q(IND, "the sale was part of pre-existing, ... intended for battlefield use",
          "Kirby", "John Kirby", "said"),
    ],
}

# --------------------------------------------------------------------------
# 002: Associated Press via a translation that dropped every quotation mark.
ANNOTATIONS["002_a6971c95fe118026"] = {
    "speakers": {
        "China’s Foreign Ministry": "organisation",
        "Wang Wenbin": "person",
        "Kremlin": "organisation",
        "Dmitry Peskov": "person",
        "Yuri Ushakov": "person",
        "a position paper": "organisation",
        "Qin Gang": "person",
        "Dmytro Kuleba": "person",
        "Western leaders": "group",
        "China": "organisation",
        "Xi Jinping": "person",
        "Vladimir Putin": "person",
        "Western officials": "group",
        "Wang Yi": "person",
        "U.S. officials": "group",
        "Jake Sullivan": "person",
    },
    "quotes": [
        q(IND, "the visit will take place from Monday to Wednesday at Putin’s invitation",
          "China’s Foreign Ministry", "China’s Foreign Ministry", "said"),
        q(IND, "the war in Ukraine would be at the heart of the talks",
          "China’s Foreign Ministry", "China’s Foreign Ministry", "confirmed"),
        q(IND, "China’s proposal comes down to one ... urge peace and promote talks",
          "Wang Wenbin", "Wang Wenbin", "said"),
        q(IND, "the two leaders will discuss topical issues of ... between Russia and China",
          "Kremlin", "Kremlin", "said"),
        # "A number of important bilateral documents will be signed." follows the
        # attribution in the third person: writer's (S13)
        q(IND, "An exchange of views is also planned as part of ... in the international arena",
          "Kremlin", "Kremlin", "added"),
        q(IND, "The two leaders will begin Monday with ... due to take place on Tuesday",
          "Dmitry Peskov", "Dmitry Peskov", "according to"),
        q(IND, "Putin and Xi will sign documents attesting ... plan to discuss the war in Ukraine",
          "Yuri Ushakov", "Yuri Ushakov", "said"),
        q(IND, "Moscow highly values the balanced position of the Chinese leadership",
          "Ushakov", "Yuri Ushakov", "told"),
        q(IND, "Russia and China are satisfied with ... Moscow will give them new impetus",
          "he", "Yuri Ushakov", "added"),
        # a document "calling for" NP: the NP is the content (S2, S4); "China attempts to
        # portray itself as" is a posture (S12)
        q(IND, "a political settlement of the crisis", "a position paper", "a position paper",
          "calling for"),
        q(IND, "peace talks", "Qin Gang", "Qin Gang", "call for"),
        q(IND, "The two men discussed the importance of the principle of territorial integrity",
          "[[Kuleba]] said on Twitter", "Dmytro Kuleba", "said"),
        # "point to" cites evidence in an argument: a cue (S2)
        q(IND, "China’s refusal to acknowledge ... growing ties with Russia",
          "Western leaders", "Western leaders", "point to"),
        # blame X for Y, like accuse X of Y (S1); "amplifying ... disinformation" names a
        # kind of speech, no content (S11)
        q(IND, "NATO for provoking the conflict", "China", "China", "blaming"),
        q(IND, "boundless friendship", "Xi and Putin", ("Xi Jinping", "Vladimir Putin"),
          "declared"),
        # "raise concerns that" publicly is voiced (S5); "a charge Beijing denies" is none (S11)
        q(IND, "China may be planning to provide Russia with lethal military assistance",
          "Western officials", "Western officials", "raise concerns"),
        q(IND, "relations between his country and China are reaching new milestones",
          "Putin", "Vladimir Putin", "told"),
        # "our" shows lost marks; the surface form decides: indirect
        q(IND, "to further strengthen our comprehensive strategic partnership",
          "[[Wang]] pledged", "Wang Yi", "pledged"),
        # describe X as Y: content "X as Y" (S10); "saying" is a second quote
        q(IND, "relations between the two nations as the best in history",
          "the Russian leader", "Vladimir Putin", "described"),
        q(IND, "they could withstand any test", "the Russian leader", "Vladimir Putin", "saying"),
        # "in 2019" dates the describing, not the description
        q(IND, "Putin as his best friend", "[[Xi]] describing", "Xi Jinping", "describing"),
        q(IND, "they would watch closely for signs ... to Russia at next week’s summit",
          "U.S. officials", "U.S. officials", "said"),
        # ", but next week's meeting could ..." is coordinated with "officials have said":
        # the writer's (S14)
        q(IND, "there is no indication that Beijing has made ... war efforts with lethal aid",
          "officials", "U.S. officials", "said"),
        q(IND, "It’s something we’ll be watching", "Jake Sullivan", "Jake Sullivan", "said"),
        # first person after the attribution: plainly Sullivan's running words (S13)
        q(IND, "Obviously, Russia has its own interests ... the same whether they meet or not",
          None, "Jake Sullivan", None),
        # "say" inside a relative clause: the content is the clause's predicate (S9)
        q(IND, "favors Putin", "which [[US officials]] say", "U.S. officials", "say"),
    ],
}

# --------------------------------------------------------------------------
# 003: Breitbart via a translation; quotation marks kept.
ANNOTATIONS["003_a9a5fae8619f537b"] = {
    "speakers": {
        "Kremlin": "organisation",
        "Dmitry Peskov": "person",
        "Yuri Ushakov": "person",
        "Chinese Ministry of Foreign Affairs": "organisation",
        "Wang Wenbin": "person",
        "BBC": "organisation",
        "China’s proposals": "organisation",
        "FinancialTimes": "organisation",
        "A source": "person",
        "Paul Haenle": "person",
        "Dmytro Kuleba": "person",
        "John Kirby": "person",
    },
    "quotes": [
        q(MIX, "Chinese dictator Xi Jinping long rumor ... an “informal dinner” on Monday",
          "Kremlin", "Kremlin", "confirmed"),
        q(IND, "Xi and Putin, along with a number of their underlings, ... topics on Tuesday",
          "Dmitry Peskov", "Dmitry Peskov", "spokesman [[said]]"),
        q(IND, "Russia’s war in Ukraine would be one such topic", "Yuri Ushakov", "Yuri Ushakov",
          "adviser, [[said]]"),
        q(DIR, "I am sure that our leader ... what ideas emerge after that,", "Ushakov",
          "Yuri Ushakov", "said"),
        q(MIX, "Xi would present “an objective and fair position ... in promoting peace talks”",
          "Chinese Ministry of Foreign Affairs", "Chinese Ministry of Foreign Affairs", "said"),
        # "scoffed at" + NP: the NP is what he derided (S2)
        q(MIX, "the idea that Xi and Putin are working ... or an “alliance of autocracy”",
          "Wang Wenbin", "Wang Wenbin", "scoffed at"),
        # ", apparently forgetting that ..." is the writer's comment (S14)
        q(DIR, "The Sino-Russian relationship is built ... no targeting of a third party,",
          "[[Wang]] said", "Wang Wenbin", "said"),
        # the closing mark is misoriented (“); the space before it is left out (S20)
        q(DIR, "The two countries always follow ... peaceful coexistence and win-win cooperation.",
          "Wang", "Wang Wenbin", "insisted"),
        # "that" stands outside the marks: the marks enclose the whole content -> direct (S19);
        # "asked about reports that ..." is a reporter's question (S11)
        q(DIR, "Sino-Russian cooperation is totally above board", "[[Wang]] became",
          "Wang Wenbin", "saying"),
        # the two paragraphs after "THE BBC ... was skeptical whether ...:" are the BBC's
        # text with its block-quote layout lost; the intro itself is no quote (S7);
        # "some argue" inside it is nested (S8)
        q(IND, "Crucially, China has just emerged from ... to resume diplomatic ties",
          None, "BBC", None),
        q(IND, "However, some argue that ... resources and energy. Western money",
          None, "BBC", None),
        q(IND, "peace negotiations and respect for national sovereignty", "China’s proposals",
          "China’s proposals", "called for"),
        # trailing apposition ", something he has not done ..." is the writer's (S14)
        q(IND, "Xi could prove he is serious about ... Ukrainian President Volodymyr Zelensky",
          "FinancialTimes", "FinancialTimes", "suggested"),
        # addressee FT left out (S1); ", and China has increased ..." is the writer's (S14)
        q(MIX, "Xi could “hold a videoconference ... in the coming days”",
          "A source", "A source", "said"),
        q(IND, "Xi would send a strong and unpleasant message ... between Iran and Saudi Arabia",
          "Paul Haenle", "Paul Haenle", "said"),
        q(DIR, "I think it’s getting harder and harder ... would not be a good idea for China,",
          "Haenle", "Paul Haenle", "said"),
        # "telling the BBC he suspected": voiced, the mental verb is part of the content (S6)
        q(IND, "he suspected his aim was mainly to ... that Putin still has powerful friends",
          "Kuleba", "Dmytro Kuleba", "telling"),
        # ", which sounds like a polite way of saying ..." is the writer's comment (S14)
        q(MIX, "he discussed ‘the importance of the principle ... during his call with Gang",
          "Kuleba", "Dmytro Kuleba", "said"),
        # addressee left out of "informed Xi to" / "told him to" (S1)
        q(IND, "to speak with Zelensky", "John Kirby", "John Kirby", "informed"),
        q(MIX, "to avoid “unilateral” proposals that disregard the Ukrainian perspective",
          "John Kirby", "John Kirby", "told"),
        q(MIX, "an unconditional ceasefire would “effectively ... of the Russian conquest”",
          "John Kirby", "John Kirby", "complained"),
        # a mental verb whose complement carries the subject's words in marks (S6)
        q(MIX, "Xi would avoid ceasefire proposals ... sovereign Ukrainian territory.”",
          "Kirby", "John Kirby", "hoped"),
        q(MIX, "a ceasefire could give Russia a chance ... at a time of its choosing”",
          "The NSC spokesman", "John Kirby", "warned"),
    ],
}

# --------------------------------------------------------------------------
# 004: BBC; quotation marks kept.
ANNOTATIONS["004_138d07a40cfa5638"] = {
    "speakers": {
        "officials": "group",
        "Kremlin": "organisation",
        "Western countries": "group",
        "A foreign ministry spokeswoman": "person",
        "Xi Jinping": "person",
        "Vladimir Putin": "person",
        "US": "organisation",
        "China’s peace proposals": "organisation",
        "Volodymyr Zelensky": "person",
        "Some US media": "group",
        "Kuleba": "person",
        "A spokesman for the US National Security Council": "person",
        "China’s foreign minister": "person",
    },
    "quotes": [
        # "officials say" at the end of the sentence: the whole clause before it (S9)
        q(IND, "Chinese President Xi Jinping will travel ... Russian President Vladimir Putin",
          "officials", "officials", "say"),
        q(MIX, "they would discuss “comprehensive partnership and strategic cooperation”",
          "Kremlin", "Kremlin", "said"),
        # addressee Beijing left out (S1)
        q(IND, "not to supply Moscow with weapons", "Western countries", "Western countries",
          "warned"),
        q(MIX, "China would take “an objective and fair position” ... advancing peace talks.”",
          "A foreign ministry spokeswoman", "A foreign ministry spokeswoman", "said"),
        q(IND, "their partnership knows no boundaries", "the two men",
          ("Xi Jinping", "Vladimir Putin"), "declared"),
        # "claims" is a cue; the pronoun in the content is fine (S9)
        q(IND, "China is considering it", "US", "US", "claims"),
        # "But the 12-point document did not specifically say ...": negated, no quote (S18)
        q(IND, "peace negotiations and respect for national sovereignty", "China’s peace proposals",
          "China’s peace proposals", "called for"),
        q(IND, "he wanted to meet Mr Xi", "Volodymyr Zelensky", "Volodymyr Zelensky",
          "Zelensky [[said]] he"),
        q(DIR, "I really want to believe that China will not supply arms to Russia,",
          "[[he]] said.", "Volodymyr Zelensky", "he [[said]]."),
        # ", but this has yet to be confirmed" is the writer's (S14)
        q(IND, "Mr. Xi and Mr. Zelensky will speak by phone after ... visit to Moscow",
          "Some US media", "Some US media", "reported"),
        # "Kiev has pushed hard for ..." is lobbying, not a cue (S2);
        # "Ukraine believes ..." is a mental state, no quote (S6)
        q(DIR, "I don’t think China has now reached ... have immediate consequences.",
          "Kuleba", "Kuleba", "said"),
        # interrupted, only the second stretch marked: "The message" + "was “that ..." (S19)
        q(IND, "The message", "Kuleba", "Kuleba", "said"),
        q(MIX, "was “that China and Russia are very close, ... who is not doing very well",
          "Kuleba", "Kuleba", "said"),
        # second paragraph of the same quote: no mention, no cue in its sentence
        q(DIR, "And I think this is the message ... that China is talking to them.",
          None, "Kuleba", None),
        # "The US would like ..." is a wish, no quote (S6)
        q(MIX, "it would be “really good if they talk to each other”",
          "A spokesman for the US National Security Council",
          "A spokesman for the US National Security Council", "said"),
        q(IND, "to resume peace talks as soon as possible", "China’s foreign minister",
          "China’s foreign minister", "urged"),
        # "who in turn said": the speaker mention is the relative's antecedent (S17)
        q(MIX, "the two understand the “meaning of ... territorial integrity” had discussed",
          "Mr [[Kuleba]], who", "Kuleba", "said"),
    ],
}
