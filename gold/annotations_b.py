"""Annotator B: a second, independent annotation of the five seed articles.

Made from the seed texts and ``docs/annotation-guidelines.md`` only, without
looking at ``gold/seeds.jsonl`` or ``gold/annotations.py`` (annotator A);
provenance in gold/README.md. Same entry format and span syntax as
``annotations.py`` (see gold/README.md); build with

    .venv/bin/python gold/build_gold.py --annotations gold/annotations_b.py --out gold/seeds_b.jsonl

Comments name the guideline a decision rests on (S1-S22 are the settled cases).
"""

from __future__ import annotations

from typing import Any

PERSON, ORGANISATION, GROUP = "person", "organisation", "group"


def q(
    kind: str, content: str, speaker: str | None, names: str | list[str], cue: str | None
) -> dict[str, Any]:
    """One quote entry: type, content spec, speaker spec, canonical name(s), cue spec."""
    return {"type": kind, "content": content, "speaker": speaker, "names": names, "cue": cue}


XI, PUTIN = "Xi Jinping", "Vladimir Putin"

ANNOTATIONS: dict[str, dict[str, Any]] = {
    "000_0ab12356d3949a48": {
        "quotes": [
            # "According to X, C": the clause after the phrase; quoted fragments make it mixed
            q(
                "mixed",
                "after the “face-to-face” meeting ... celebrate a joint press conference",
                "Dmitri Peskov",
                "Dmitri Peskov",
                "According to",
            ),
            # "C, according to X" with a role for the source (S17)
            q(
                "mixed",
                "Xi then expressed “questions and concerns” to Putin about the war in Ukraine",
                "the Russian president",
                PUTIN,
                "according to",
            ),
            # claim + infinitive (S1: the infinitive keeps its "to")
            q("indirect", "to be neutral in the conflict", "China", "China", "claimed"),
            # a quoted phrase with a source is a quote
            q("direct", "unlimited friendship", "Xi and Putin", [XI, PUTIN], "proclaimed"),
            # condemned NP (S2); Beijing for the government of China, which is quoted (S16)
            q(
                "indirect",
                "the imposition of sanctions on Moscow",
                "Beijing",
                "China",
                "condemned",
            ),
            # accused X of Y (S1: X stays in)
            q(
                "mixed",
                "the West of provoking the conflict ... weapons for its defence",
                "Beijing",
                "China",
                "accused",
            ),
            # stressed NP; "referring to Ukraine" is the writer's gloss (S14); S20 edge
            q(
                "mixed",
                "the importance of “respecting the sovereignty of all countries,”",
                "Beijing",
                "China",
                "stressed",
            ),
            q(
                "mixed",
                "an end to the “Cold War mentality,”",
                "Beijing",
                "China",
                "called for",
            ),
            q(
                "mixed",
                "the war must end “fairly,” while respecting Ukraine’s territorial sovereignty",
                "John Kirby",
                "John Kirby",
                "said",
            ),
            q(
                "indirect",
                "Xi should also talk by phone ... on the conflict and not just Putin’s",
                "John Kirby",
                "John Kirby",
                "suggested",
            ),
            q(
                "indirect",
                "China of preparing to send weapons to Russia",
                "United States",
                "United States",
                "accused",
            ),
            # a report by an outlet: the outlet is the speaker (S15)
            q(
                "indirect",
                "Chinese companies are supplying arms ... to Russian organizations",
                "Politico",
                "Politico",
                "revealed",
            ),
        ],
        "speakers": {
            "Dmitri Peskov": PERSON,
            PUTIN: PERSON,
            XI: PERSON,
            "China": ORGANISATION,
            "John Kirby": PERSON,
            "United States": ORGANISATION,
            "Politico": ORGANISATION,
        },
    },
    "001_449ec84bc6e24a76": {
        "quotes": [
            # the trailing apposition is the writer's (S14)
            q(
                "indirect",
                "Xi and Putin will have in-depth exchanges ... during the three-day visit",
                "Chinese Foreign Ministry",
                "Chinese Foreign Ministry",
                "said",
            ),
            # declared NP (S2)
            q("indirect", "a partnership without limits", "the couple", [XI, PUTIN], "declared"),
            # state media portraying X as Y (S12)
            q(
                "indirect",
                "the situation as a crisis rather than an invasion",
                "Chinese state media",
                "Chinese state media",
                "portraying",
            ),
            q(
                "indirect",
                "Xi could also hold a video conference ... in the coming days",
                "a person in Beijing familiar with the matter",
                "a person in Beijing familiar with the matter",
                "said",
            ),
            # purpose clause (S3)
            q("indirect", "call for [[peace talks]]", "Qin Gang", "Qin Gang", "call for"),
            q(
                "indirect",
                "China maintains a fair and objective stance ... in promoting peace talks",
                "Chinese Foreign Ministry",
                "Chinese Foreign Ministry",
                "said",
            ),
            # the stray period inside the clause is kept (S20)
            q(
                "indirect",
                "Putin and Xi would discuss issues ... between Russia and China",
                "Kremlin",
                "Kremlin",
                "said",
            ),
            # "he" for the Kremlin, a translation slip: the organisation (S17)
            q(
                "indirect",
                "They will also engage in an exchange ... important bilateral documents",
                "he",
                "Kremlin",
                "added",
            ),
            q(
                "indirect",
                "Putin and Xi will meet one-on-one on Monday, followed by an informal lunch",
                "Dmitry Peskov",
                "Dmitry Peskov",
                "said",
            ),
            q(
                "indirect",
                "Beijing would use any call ... a possible peacemaking role in the conflict",
                "Analysts",
                "Analysts",
                "said",
            ),
            # S1. S2, said X: one quote over both sentences; marks lost: indirect
            q(
                "indirect",
                "I think it’s getting harder ... would not be a good idea for China",
                "Paul Haenle",
                "Paul Haenle",
                "said",
            ),
            q(
                "indirect",
                "if Xi then called Zelenskyy, he could sell ... striking a peace deal",
                "But [[he]] said",
                "Paul Haenle",
                "said",
            ),
            q(
                "indirect",
                "there was potential for unilateral Russian-Chinese proposals on war",
                "Biden administration",
                "Biden administration",
                "warned",
            ),
            # "X said: C" with the marks lost
            q(
                "indirect",
                "We also hope that President Xi ... from the Ukrainian side as well",
                "John Kirby",
                "John Kirby",
                "said",
            ),
            q(
                "indirect",
                "As they begin to plan their agenda ... reflect the Russian perspective",
                "he",
                "John Kirby",
                "said",
            ),
            q(
                "indirect",
                "China’s 12-point peace plan released last month ... of the Russian conquest",
                "Kirby",
                "John Kirby",
                "said",
            ),
            # interrupted by its attribution: one quote per stretch, same speaker and cue
            q(
                "indirect",
                "This would allow Russian troops to continue to occupy Ukrainian territory",
                "he",
                "John Kirby",
                "added",
            ),
            q(
                "indirect",
                "and to use a ceasefire ... refit and refresh their forces",
                "he",
                "John Kirby",
                "added",
            ),
            q(
                "indirect",
                "We don’t believe this is a step towards a just and lasting peace",
                "Kirby",
                "John Kirby",
                "said",
            ),
            # warn X against Y: addressee out (S1); "what it said were" nested (S8)
            q(
                "indirect",
                "against what it said were plans ... for the war effort in Ukraine",
                "United States",
                "United States",
                "warned",
            ),
            q(
                "indirect",
                "we still had no indication that ... supplying Russia with lethal weapons",
                "Kirby",
                "John Kirby",
                "Kirby [[said]]",
            ),
            # data as a source (S4)
            q(
                "indirect",
                "In June last year, China North Industries ... a Russian arms manufacturer",
                "customs data",
                "customs data",
                "according to",
            ),
            # the coordinated clause is part of what was said; trailing ". ." is debris (S20)
            q(
                "indirect",
                "the sale was part of pre-existing ... intended for battlefield use",
                "Kirby",
                "John Kirby",
                "said",
            ),
        ],
        "speakers": {
            "Chinese Foreign Ministry": ORGANISATION,
            XI: PERSON,
            PUTIN: PERSON,
            "Chinese state media": ORGANISATION,
            "a person in Beijing familiar with the matter": PERSON,
            "Qin Gang": PERSON,
            "Kremlin": ORGANISATION,
            "Dmitry Peskov": PERSON,
            "Analysts": GROUP,
            "Paul Haenle": PERSON,
            "Biden administration": ORGANISATION,
            "John Kirby": PERSON,
            "United States": ORGANISATION,
            "customs data": ORGANISATION,
        },
    },
    "002_a6971c95fe118026": {
        "quotes": [
            q(
                "indirect",
                "the visit will take place from Monday to Wednesday at Putin’s invitation",
                "China’s Foreign Ministry",
                "China’s Foreign Ministry",
                "said",
            ),
            q(
                "indirect",
                "the war in Ukraine would be at the heart of the talks",
                "China’s Foreign Ministry",
                "China’s Foreign Ministry",
                "confirmed",
            ),
            q(
                "indirect",
                "China’s proposal comes down to one sentence ... promote talks",
                "Wang Wenbin",
                "Wang Wenbin",
                "said",
            ),
            q(
                "indirect",
                "the two leaders will discuss topical issues ... between Russia and China",
                "Kremlin",
                "Kremlin",
                "said",
            ),
            # the third-person sentence after it is the writer's (S13)
            q(
                "indirect",
                "An exchange of views is also planned ... in the international arena",
                "Kremlin",
                "Kremlin",
                "added",
            ),
            q(
                "indirect",
                "The two leaders will begin Monday ... to take place on Tuesday",
                "Dmitry Peskov",
                "Dmitry Peskov",
                "according to",
            ),
            q(
                "indirect",
                "Putin and Xi will sign documents ... to discuss the war in Ukraine",
                "Yuri Ushakov",
                "Yuri Ushakov",
                "said",
            ),
            q(
                "indirect",
                "Moscow highly values the balanced position of the Chinese leadership",
                "Ushakov",
                "Yuri Ushakov",
                "told",
            ),
            q(
                "indirect",
                "Russia and China are satisfied ... will give them new impetus",
                "he",
                "Yuri Ushakov",
                "added",
            ),
            # a document as a source (S4)
            q(
                "indirect",
                "a political settlement of the crisis",
                "a position paper",
                "a position paper",
                "calling for",
            ),
            q("indirect", "call for [[peace talks]]", "Qin Gang", "Qin Gang", "call for"),
            q(
                "indirect",
                "The two men discussed the importance of the principle of territorial integrity",
                "[[Kuleba]] said",
                "Dmytro Kuleba",
                "said",
            ),
            # "who point to NP": arguing by citing evidence (S2), the antecedent as speaker (S17)
            q(
                "indirect",
                "China’s refusal to acknowledge the nature ... growing ties with Russia",
                "Western leaders",
                "Western leaders",
                "point to",
            ),
            q("indirect", "boundless friendship", "Xi and Putin", [XI, PUTIN], "declared"),
            # blame X for Y (S1); "amplifying disinformation" is no quote (S11)
            q("indirect", "NATO for provoking the conflict", "China", "China", "blaming"),
            # raised concerns (S5); "a charge Beijing denies" is the writer's (S11, S14)
            q(
                "indirect",
                "China may be planning to provide Russia with lethal military assistance",
                "Western officials",
                "Western officials",
                "raise concerns",
            ),
            q(
                "indirect",
                "relations between his country and China are reaching new milestones",
                "Putin",
                PUTIN,
                "told",
            ),
            q(
                "indirect",
                "to further strengthen our comprehensive strategic partnership",
                "while [[Wang]] pledged",
                "Wang Yi",
                "pledged",
            ),
            # describe X as Y, saying ...: two quotes (S10)
            q(
                "indirect",
                "relations between the two nations as the best in history",
                "the Russian leader",
                PUTIN,
                "described",
            ),
            q(
                "indirect",
                "they could withstand any test",
                "the Russian leader",
                PUTIN,
                "saying",
            ),
            # the time adjunct stays out (S10)
            q(
                "indirect",
                "describing [[Putin as his best friend]]",
                "with [[Xi]] describing",
                XI,
                "describing",
            ),
            q(
                "indirect",
                "they would watch closely for signs ... at next week’s summit",
                "U.S. officials",
                "U.S. officials",
                "said",
            ),
            # the shorter mention of a group takes the fuller name (S17); S14 for the rest
            q(
                "indirect",
                "there is no indication that Beijing ... war efforts with lethal aid",
                "officials",
                "U.S. officials",
                "said",
            ),
            q(
                "indirect",
                "It’s something we’ll be watching",
                "Jake Sullivan",
                "Jake Sullivan",
                "said",
            ),
            # first person after the attribution: the same speaker's words (S13)
            q(
                "indirect",
                "Obviously, Russia has its own interests ... whether they meet or not",
                None,
                "Jake Sullivan",
                None,
            ),
            # attribution inside a relative clause (S9)
            q(
                "indirect",
                "which US officials say [[favors Putin]]",
                "which [[US officials]] say",
                "U.S. officials",
                "say",
            ),
        ],
        "speakers": {
            "China’s Foreign Ministry": ORGANISATION,
            "Wang Wenbin": PERSON,
            "Kremlin": ORGANISATION,
            "Dmitry Peskov": PERSON,
            "Yuri Ushakov": PERSON,
            "a position paper": ORGANISATION,
            "Qin Gang": PERSON,
            "Dmytro Kuleba": PERSON,
            "Western leaders": GROUP,
            XI: PERSON,
            PUTIN: PERSON,
            "China": ORGANISATION,
            "Western officials": GROUP,
            "Wang Yi": PERSON,
            "U.S. officials": GROUP,
            "Jake Sullivan": PERSON,
        },
    },
    "003_a9a5fae8619f537b": {
        "quotes": [
            q(
                "mixed",
                "Chinese dictator Xi Jinping long rumor ... an “informal dinner” on Monday",
                "Kremlin",
                "Kremlin",
                "confirmed",
            ),
            q(
                "indirect",
                "Xi and Putin, along with a number ... a wide range of topics on Tuesday",
                "Dmitry Peskov",
                "Dmitry Peskov",
                "spokesman [[said]]",
            ),
            q(
                "indirect",
                "Russia’s war in Ukraine would be one such topic",
                "Yuri Ushakov",
                "Yuri Ushakov",
                "adviser, [[said]]",
            ),
            q(
                "direct",
                "I am sure that our leader ... what ideas emerge after that,",
                "Ushakov",
                "Yuri Ushakov",
                "said",
            ),
            # ends with a closing mark: the mark stays, the period after it goes (S20)
            q(
                "mixed",
                "Xi would present “an objective and fair position ... in promoting peace talks”",
                "Chinese Ministry of Foreign Affairs",
                "Chinese Ministry of Foreign Affairs",
                "said",
            ),
            # scoffed at the idea that ... (S2)
            q(
                "mixed",
                "the idea that Xi and Putin are working ... an “alliance of autocracy”",
                "Wang Wenbin",
                "Wang Wenbin",
                "scoffed at",
            ),
            # the writer's comment after the attribution stays out (S14)
            q(
                "direct",
                "The Sino-Russian relationship is built ... no targeting of a third party,",
                "Wang",
                "Wang Wenbin",
                "said",
            ),
            # a misoriented closing mark after a space still closes (S20); Mr. dropped (S17)
            q(
                "direct",
                "The two countries always follow the path ... and win-win cooperation.",
                "Wang",
                "Wang Wenbin",
                "insisted",
            ),
            # the reporters' question is no quote (S11); "saying that “...”" is direct (S19)
            q(
                "direct",
                "Sino-Russian cooperation is totally above board",
                "Wang",
                "Wang Wenbin",
                "saying",
            ),
            # the excerpt after the stance sentence: the outlet's text, no span, no cue (S7)
            q(
                "indirect",
                "Crucially, China has just emerged ... Saudi Arabia to resume diplomatic ties",
                None,
                "BBC",
                None,
            ),
            # "some argue" inside the excerpt: the outer source only (S8)
            q(
                "indirect",
                "However, some argue that its declared neutrality ... energy. Western money",
                None,
                "BBC",
                None,
            ),
            # the writer's voice again: documents as sources (S4)
            q(
                "indirect",
                "peace negotiations and respect for national sovereignty",
                "China’s proposals",
                "China’s proposals",
                "called for",
            ),
            q(
                "indirect",
                "Xi could prove he is serious ... Ukrainian President Volodymyr Zelensky",
                "FinancialTimes",
                "FinancialTimes",
                "suggested",
            ),
            # the addressee FT stays out (S1); ", and China has increased ..." is the writer's (S14)
            q(
                "mixed",
                "Xi could “hold a videoconference with the Ukrainian president in the coming days”",
                "A source",
                "a source",
                "said",
            ),
            q(
                "indirect",
                "Xi would send a strong and unpleasant message ... between Iran and Saudi Arabia",
                "Paul Haenle",
                "Paul Haenle",
                "said",
            ),
            q(
                "direct",
                "I think it’s getting harder and harder ... would not be a good idea for China,",
                "Haenle",
                "Paul Haenle",
                "said",
            ),
            # a mental state shown voiced (S6)
            q(
                "indirect",
                "he suspected his aim was mainly ... Putin still has powerful friends",
                "Kuleba",
                "Dmytro Kuleba",
                "telling",
            ),
            q(
                "mixed",
                "he discussed ‘the importance of the principle ... during his call with Gang",
                "Kuleba",
                "Dmytro Kuleba",
                "said",
            ),
            # informed/told X to: the addressee stays out (S1)
            q("indirect", "to speak with Zelensky", "John Kirby", "John Kirby", "informed"),
            q(
                "mixed",
                "to avoid “unilateral” proposals that disregard the Ukrainian perspective",
                "John Kirby",
                "John Kirby",
                "told",
            ),
            q(
                "mixed",
                "an unconditional ceasefire would “effectively ... of the Russian conquest”",
                "John Kirby",
                "John Kirby",
                "complained",
            ),
            # hoped + the subject's own quoted words (S6)
            q(
                "mixed",
                "Xi would avoid ceasefire proposals that “in effect ... Ukrainian territory.”",
                "Kirby",
                "John Kirby",
                "hoped",
            ),
            q(
                "mixed",
                "a ceasefire could give Russia a chance ... at a time of its choosing”",
                "The NSC spokesman",
                "John Kirby",
                "warned",
            ),
        ],
        "speakers": {
            "Kremlin": ORGANISATION,
            "Dmitry Peskov": PERSON,
            "Yuri Ushakov": PERSON,
            "Chinese Ministry of Foreign Affairs": ORGANISATION,
            "Wang Wenbin": PERSON,
            "BBC": ORGANISATION,
            "China’s proposals": ORGANISATION,
            "FinancialTimes": ORGANISATION,
            "a source": PERSON,
            "Paul Haenle": PERSON,
            "Dmytro Kuleba": PERSON,
            "John Kirby": PERSON,
        },
    },
    "004_138d07a40cfa5638": {
        "quotes": [
            # "..., officials say." (S9)
            q(
                "indirect",
                "Chinese President Xi Jinping will travel to Moscow ... President Vladimir Putin",
                "officials",
                "officials",
                "say",
            ),
            q(
                "mixed",
                "they would discuss “comprehensive partnership and strategic cooperation”",
                "Kremlin",
                "Kremlin",
                "said",
            ),
            # warned X not to (S1)
            q(
                "indirect",
                "not to supply Moscow with weapons",
                "Western countries",
                "Western countries",
                "warned",
            ),
            q(
                "mixed",
                "China would take “an objective and fair position” ... advancing peace talks.”",
                "A foreign ministry spokeswoman",
                "a foreign ministry spokeswoman",
                "said",
            ),
            q(
                "indirect",
                "their partnership knows no boundaries",
                "the two men",
                [XI, PUTIN],
                "declared",
            ),
            # "the US claims ..." (S9)
            q("indirect", "China is considering it", "US", "US", "claims"),
            q(
                "indirect",
                "peace negotiations and respect for national sovereignty",
                "China’s peace proposals",
                "China’s peace proposals",
                "called for",
            ),
            q(
                "indirect",
                "he wanted to meet Mr Xi",
                "Volodymyr Zelensky",
                "Volodymyr Zelensky",
                "Zelensky [[said]]",
            ),
            q(
                "direct",
                "I really want to believe that China will not supply arms to Russia,",
                "[[he]] said",
                "Volodymyr Zelensky",
                "he [[said]]",
            ),
            # media as a source; ", but this has yet to be confirmed" is the writer's (S14)
            q(
                "indirect",
                "Mr. Xi and Mr. Zelensky will speak by phone ... visit to Moscow",
                "Some US media",
                "Some US media",
                "reported",
            ),
            # Kuleba's first name is never given in this article (S17)
            q(
                "direct",
                "I don’t think China has now reached ... have immediate consequences.",
                "Kuleba",
                "Kuleba",
                "said",
            ),
            # interrupted, the marks starting after the attribution: two quotes (S19)
            q("indirect", "The message", "Kuleba", "Kuleba", "said"),
            q(
                "mixed",
                "was “that China and Russia are very close ... who is not doing very well",
                "Kuleba",
                "Kuleba",
                "said",
            ),
            # a paragraph continuing a multi-paragraph quotation (S19)
            q(
                "direct",
                "And I think this is the message ... that China is talking to them.",
                None,
                "Kuleba",
                None,
            ),
            # "would like" is a mental state (S6); the spokesman's words are quoted
            q(
                "mixed",
                "it would be “really good if they talk to each other”",
                "A spokesman for the US National Security Council",
                "a spokesman for the US National Security Council",
                "said",
            ),
            # urged X to: the addressee and the cue's adjuncts stay out (S1, S10)
            q(
                "indirect",
                "to resume peace talks as soon as possible",
                "China’s foreign minister",
                "China’s foreign minister",
                "urged",
            ),
            # "Mr Kuleba, who in turn said": the antecedent is the speaker (S17)
            q(
                "mixed",
                "the two understand the “meaning ... had discussed",
                "Kuleba",
                "Kuleba",
                "said",
            ),
        ],
        "speakers": {
            "officials": GROUP,
            "Kremlin": ORGANISATION,
            "Western countries": GROUP,
            "a foreign ministry spokeswoman": PERSON,
            XI: PERSON,
            PUTIN: PERSON,
            "US": ORGANISATION,
            "China’s peace proposals": ORGANISATION,
            "Volodymyr Zelensky": PERSON,
            "Some US media": ORGANISATION,
            "Kuleba": PERSON,
            "a spokesman for the US National Security Council": PERSON,
            "China’s foreign minister": PERSON,
        },
    },
}
