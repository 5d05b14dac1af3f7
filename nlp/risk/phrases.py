"""The first-person phrase rules, on spaCy's Matcher: "kill myself", "cut my arms", "staff hit me".

Each rule names a category and a priority. A quick check on trigger words lets most messages
("2", "FEEDBACK", a line about parking) skip the matcher.
"""
from __future__ import annotations

import re
from functools import lru_cache


# --- patterns ------------------------------------------------------------------------------
# Each rule: (category, priority, negatable, reason, list of spaCy Matcher token patterns).
_PILLS = {"tablets", "tablet", "pills", "pill", "paracetamol", "paracetamols", "meds", "medication",
          "sleeping", "co-codamol", "codeine", "antidepressants", "ibuprofen", "aspirin", "insulin",
          "painkillers", "sertraline", "citalopram", "fluoxetine", "mirtazapine", "olanzapine",
          "quetiapine", "lithium", "diazepam", "zopiclone", "propranolol", "amitriptyline"}
_MANY = {"all", "lots", "loads", "load", "handful", "whole", "box", "boxes", "packet", "packets", "bunch",
         "bottle", "stash", "every", "extra", "too"}
_PEOPLE = {"him", "her", "them", "you", "someone", "somebody", "people", "everyone", "everybody", "others",
           "anyone", "anybody", "staff", "nurse", "doctor"}
_RELATIVES = {"kids", "children", "child", "baby", "son", "daughter", "partner", "husband", "wife",
              "boyfriend", "girlfriend", "neighbour", "neighbours", "mum", "mom", "dad", "brother", "sister",
              "family", "carer", "nurse", "doctor", "psychiatrist", "worker", "flatmate", "housemate"}
_ABUSERS = {"staff", "nurse", "nurses", "doctor", "carer", "carers", "worker", "workers", "patient", "patients",
            "he", "she", "they", "partner", "husband", "wife", "boyfriend", "girlfriend", "dad", "father", "mum",
            "mother", "stepdad", "stepfather", "brother", "sister", "uncle", "ex", "son", "daughter", "member",
            "resident", "hca", "guard", "officer", "teacher", "neighbour", "someone", "somebody", "man", "woman",
            "men", "psychiatrist", "therapist", "client", "residents"}
_ABUSE_VERBS = {"hit", "hits", "hitting", "punched", "punches", "punch", "pushed", "pushes", "shoved", "slapped",
                "slaps", "kicked", "kicks", "beat", "beats", "beating", "strangled", "choked", "chokes",
                "raped", "rapes", "assaulted", "assaults", "abused", "abuses", "abusing", "attacked", "attacks",
                "groped", "gropes", "molested", "grabbed", "grabs", "restrained", "threatened", "threatens",
                "bullied", "bullies", "bullying", "hurt", "hurts", "hurting", "touched", "touches", "touching",
                "harassed", "harasses", "harassing", "spat", "burnt", "burned", "battered", "bit", "bites",
                "dragged", "manhandled", "sexually", "physically", "verbally", "emotionally", "financially"}
_PASSIVE = {"raped", "abused", "assaulted", "attacked", "hit", "beaten", "bullied", "groomed", "hurt", "molested",
            "groped", "sexually", "physically", "strangled", "choked", "punched", "kicked", "slapped",
            "harassed", "threatened", "touched", "stalked", "trafficked", "exploited", "battered"}
_HARM_VERBS = {"kill", "hurt", "harm", "stab", "batter", "attack", "punch", "strangle", "shoot", "murder",
               "smash", "beat", "knife", "hit", "throttle", "kick", "burn", "poison", "glass"}


def _words(phrase: str) -> list[dict]:
    """A token pattern for a phrase; '*' stands for up to one optional word, '|' for choices."""
    out = []
    for w in phrase.split():
        if w == "*":
            out.append({"OP": "?"})
        elif "|" in w:
            out.append({"LOWER": {"IN": w.split("|")}})
        else:
            out.append({"LOWER": w})
    return out


def _rules():
    P = _words
    suicide_urgent = [
        P("kill myself"), P("killing myself"), P("killed myself"), P("end it all"), P("end it"),
        P("end my life"), P("ending my life"), P("ending it all"), P("ending it"), P("take my own life"),
        P("take my life"), P("taking my own life"), P("suicidal"), P("suicide"), P("want to die"),
        P("wanted to die"), P("want to be dead"),
        P("not want to be here"), P("do n't want to be here"), P("don't want to be here"),
        P("do n't want to be alive"), P("do n't want to live"), P("do not want to live"),
        P("do not want to be alive"), P("not want to be alive"),
        P("top myself"), P("topping myself"), P("hang myself"), P("hanging myself"), P("hanged myself"),
        P("noose"), P("ligature"), P("ligatures"), P("ligatured"), P("tied a"), P("jump off"), P("jump from"),
        P("jumping off"), P("jump in front"), P("in front of a train|bus|car|lorry"), P("under a train"),
        P("on the bridge"), P("off the bridge"), P("off a bridge"), P("at the bridge"), P("on a bridge"),
        P("on the edge"), P("on the roof"), P("overdose"), P("overdosed"), P("overdosing"), P("an od"),
        P("to od"), P("od on"), P("od'd"), P("od'ed"), P("od again"), P("od tonight"), P("od last"), P("not be around"), P("not going to be around"), P("not be here much longer"),
        P("goodbye forever"), P("say goodbye"), P("last message"), P("final goodbye"),
        P("slit my wrists|throat"), P("cut my throat"), P("drown myself"), P("gas myself"),
        P("shoot myself"), P("poison myself"), P("starve myself to death"), P("die by suicide"),
        P("plan to die"),
    ]
    passive = [  # hopelessness, burden, passive wishes: possible distress, a gentle reply (the middle tier)
        P("wish i was dead"), P("wish i were dead"), P("wish i 'd die"), P("wish i could die"), P("better off dead"),
        P("better off without me"), P("no point * living"), P("no point * being alive"), P("no reason to live"),
        P("never wake up"), P("not wake up"), P("give up on life"), P("given up on life"), P("no will to live"),
        P("rather be dead"), P("not want to wake up"), P("do n't want to wake up"), P("want to disappear"),
        P("can't go on"), P("ca n't go on"), P("cannot go on"), P("want it * to end"),
        P("want it all over"), P("want everything to end"), P("can't do this any more"),
        P("ca n't do this any more"), P("ca n't take it any more"), P("can't take it any more"),
    ]
    suicide_methods = [  # a method with intent or an amount
        [{"LOWER": {"IN": ["took", "taken", "take", "taking", "swallowed", "swallow", "necked", "downed"]}},
         {"OP": "?"}, {"LOWER": {"IN": list(_MANY)}}, {"OP": "?"}, {"OP": "?"}, {"LOWER": {"IN": list(_PILLS)}}],
        [{"LOWER": {"IN": ["saved", "saving", "stockpiled", "stockpiling", "hoarding", "hoarded", "stashed",
                           "stashing", "collecting", "collected"]}},
         {"OP": "?"}, {"OP": "?"}, {"OP": "?"}, {"LOWER": {"IN": list(_PILLS)}}],
        [{"LIKE_NUM": True}, {"LOWER": {"IN": list(_PILLS)}}],
        [{"LOWER": {"IN": list(_MANY)}}, {"LOWER": {"IN": ["my", "the", "of", "these", "those"]}, "OP": "*"},
         {"LOWER": {"IN": list(_PILLS)}}],
        [{"LOWER": {"IN": ["rope", "ropes", "belt", "cord", "knife", "razor", "blade", "blades"]}},
         {"LOWER": {"IN": ["in", "ready", "round", "around", "tied", "under", "hidden", "hid", "to"]}}],
        [{"LOWER": {"IN": ["got", "bought", "have", "found", "hid", "hidden", "keep", "tied", "tie"]}},
         {"LOWER": {"IN": ["a", "the", "some", "my"]}, "OP": "?"}, {"LOWER": {"IN": ["rope", "noose"]}}],
    ]
    self_harm = [
        P("self harm"), P("self harming"), P("self harmed"), P("self harms"), P("self harmer"),
        P("self injury"), P("self injure"), P("self injuring"), P("cut myself"), P("cutting myself"),
        P("cuts myself"), P("cutting again"), P("started cutting"), P("want to cut"), P("urge to cut"),
        P("urges to cut"), P("cut my arms|arm|legs|leg|wrist|wrists|thighs|skin"),
        P("cutting my arms|arm|legs|leg|wrist|wrists|thighs|skin"), P("hurt myself"), P("hurting myself"),
        P("harm myself"), P("harming myself"), P("hit myself"), P("hitting myself"), P("punch myself"),
        P("punching myself"), P("burn myself"), P("burning myself"), P("burnt myself"), P("burned myself"),
        P("burnt my arm|arms|leg|legs|skin|hand|wrist"), P("burned my arm|arms|leg|legs|skin|hand|wrist"),
        P("scratching my arms|arm|skin|legs"), P("scratch my arms|arm|skin|legs"), P("till they bleed"),
        P("until they bleed"), P("until i bleed"), P("till i bleed"), P("bang my head"), P("banging my head"),
        P("urge to sh"), P("urges to sh"), P("sh again"), P("been sh"), P("relapsed"), P("starve myself"),
        P("starving myself"), P("head banging"), P("punish myself"),
    ]
    harm_others = [
        [{"LOWER": {"IN": list(_HARM_VERBS)}}, {"LOWER": {"IN": list(_PEOPLE)}}],
        [{"LOWER": {"IN": list(_HARM_VERBS)}}, {"LOWER": {"IN": ["my", "the", "that", "this", "his", "her"]}},
         {"LOWER": {"IN": list(_RELATIVES)}}],
        [{"LOWER": {"IN": ["harming", "hurting", "killing", "attacking", "stabbing"]}},
         {"LOWER": {"IN": ["other", "others", "people", "someone", "somebody", "anyone", "him", "her",
                           "them"]}}],
        [{"LOWER": {"IN": ["harming", "hurting", "killing", "attacking", "stabbing"]}},
         {"LOWER": {"IN": ["my", "the", "his", "her"]}}, {"LOWER": {"IN": list(_RELATIVES)}}],
        P("kill them all"), P("kill everyone"), P("shoot up"),
    ]
    abuse = [
        [{"LOWER": {"IN": list(_ABUSERS)}}, {"OP": "?"}, {"LOWER": {"IN": list(_ABUSE_VERBS)}},
         {"OP": "?"}, {"LOWER": {"IN": ["me", "my", "us", "mum", "dad"]}}],
        [{"LOWER": {"IN": ["i", "i'm", "i've", "we", "been", "was", "am", "were", "being", "got", "get"]}},
         {"LOWER": {"IN": ["was", "am", "'m", "been", "being", "got", "get", "were", "'ve"]}, "OP": "*"},
         {"LOWER": {"IN": list(_PASSIVE)}}],
        P("sexual assault"), P("sexually assaulted"), P("sexually abused"), P("rape"), P("raped"),
        P("domestic violence"), P("domestic abuse"), P("touched me inappropriately"),
        P("touched me"), P("inappropriately touched"), P("grooming me"), P("groomed"),
        P("taking money from"), P("takes my money"), P("took my money"), P("stealing from"), P("stole from"),
        P("threatened to kill|hurt|hit|beat|stab me"), P("threatens to kill|hurt|hit|beat|stab me"),
        P("threatened me"), P("threatens me"), P("abused me"), P("abuse me"), P("abuses me"),
        P("abusing me"), P("beat me"), P("beats me"), P("beat me up"), P("beaten up"),
        P("being abused"), P("being bullied"), P("bullied by"), P("hit me"), P("hits me"),
        P("hurts me"), P("hurt me"), P("pushed me"), P("kicked me"), P("slapped me"), P("punched me"),
        P("strangled me"), P("choked me"), P("restrained me"), P("assaulted me"), P("attacked me"),
        P("sexual abuse"), P("physical abuse"), P("financial abuse"),
        P("emotional abuse"),
        P("exploiting me"), P("exploited"), P("coercive"), P("controlling me"),
    ]
    unsafe = [
        P("not safe"), P("n't feel safe"), P("not feel safe"), P("n't safe"), P("in danger"),
        P("scared to go home"), P("afraid to go home"), P("frightened to go home"), P("scared for my life"),
        P("fear for my life"), P("fearing for my life"), P("will hurt me"), P("will kill me"),
        P("going to hurt me"), P("going to kill me"), P("gonna kill me"), P("gonna hurt me"),
        P("help me please"), P("please help me"), P("not feeling safe"), P("don't feel safe"),
        P("never feel safe"), P("scared of him|her|them"), P("terrified of him|her|them"),
        P("afraid of him|her|them"), P("he will find me"), P("nowhere safe"), P("nowhere to go"),
        P("being followed"), P("stalking me"),
    ]
    named_only = [P("neglected"), P("neglect"), P("abuse"), P("abused"), P("abusive"), P("verbal abuse"),
                  P("verbally abused")]  # a word that complaints about a service use too: review, no alarm
    return [
        ("abuse", "low", True, "names abuse or neglect, without saying it happened to someone", named_only),
        ("suicide", "urgent", True, "mentions wanting to die or end their life", suicide_urgent),
        ("suicide", "urgent", True, "mentions a method of suicide with intent or an amount", suicide_methods),
        ("distress", "low", True, "speaks of a passive wish not to be alive, or of no hope", passive),
        ("self-harm", "high", True, "mentions self-harm", self_harm),
        ("harm-to-others", "high", True, "mentions harming someone else", harm_others),
        ("abuse", "high", True, "may disclose abuse, assault or neglect", abuse),
        ("unsafe", "urgent", False, "says they are not safe", unsafe),
        ("unsafe", "high", False, "says somewhere or something feels unsafe", [P("unsafe"), P("feel unsafe"),
                                                                              P("felt unsafe")]),
    ]




def _expand(pattern):
    """A phrase pattern as plain phrases (for the fast PhraseMatcher) or None if it needs the Matcher."""
    phrases = [[]]
    for tok in pattern:
        if set(tok) != {"LOWER"}:
            return None
        value = tok["LOWER"]
        choices = value["IN"] if isinstance(value, dict) else [value]
        phrases = [p + [c] for p in phrases for c in choices]
    return [" ".join(p) for p in phrases]


@lru_cache(maxsize=1)
def _matcher():
    import spacy
    from spacy.matcher import Matcher, PhraseMatcher

    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    meta = {}
    for n, (category, priority, negatable, reason, patterns) in enumerate(_rules()):
        key = f"R{n}"
        plain, complex_ = [], []
        for pattern in patterns:
            expanded = _expand(pattern)
            if expanded is None:
                complex_.append(pattern)
            else:
                plain.extend(expanded)
        if complex_:
            matcher.add(key, complex_)
        if plain:
            phrases.add(key, list(nlp.tokenizer.pipe(plain)))
        meta[nlp.vocab.strings[key]] = (category, priority, negatable, reason)

    def match(doc):
        return matcher(doc) + phrases(doc)

    return nlp, match, meta


# Words spaCy's tokenizer can split out of a longer word ("cannot" -> "can", "not"): never a trigger.
_SPLIT_PIECES = frozenset({"can", "not", "got", "gon", "wan", "lem", "gim", "nt", "do", "na", "ta", "me"})
_WORD_RE = re.compile(r"[a-z]+")
# Everyday words a rule should not be recognised by, when it has a rarer one ("to od": "od").
_COMMON = frozenset("""a about all an and are as at be been being but by ca can come could day did do does done
for from get give go going got had has have he her him his how if in is it just last like make me my no not of
off on one or out over said she so some take than that the their them then there they this time to too up us
very was we well went were what when where which who why will with would you your end feel want wish self
""".split())


def _key(word: str) -> str | None:
    """The plain-letter run a text must contain for a token to be this word ("co-codamol": "codamol")."""
    runs = _WORD_RE.findall(word)
    key = max(runs, key=len) if runs else None
    return key if key and len(key) >= 2 and key not in _SPLIT_PIECES else None


@lru_cache(maxsize=1)
def _triggers() -> frozenset[str] | None:
    """Words of which every rule needs at least one; None if some rule has no such plain word.

    Most messages ("2", "FEEDBACK", a line about parking) contain none, and skip the matcher.
    """
    words: set[str] = set()
    for *_, patterns in _rules():
        for pattern in patterns:
            best = None
            for tok in pattern:
                value = tok.get("LOWER")
                if value is None or tok.get("OP", "1") not in ("1", "+"):  # optional, or not a word
                    continue
                keys = [_key(c) for c in (value["IN"] if isinstance(value, dict) else [value])]
                if None in keys:
                    continue
                rank = (sum(k in _COMMON for k in keys), -min(map(len, keys)))
                if best is None or rank < best[0]:
                    best = (rank, keys)
            if best is None:
                return None
            words.update(best[1])
    return frozenset(words)


def find(norm: str) -> list[tuple[str, str, bool, str, int, int, str]]:
    """Every rule match: (category, priority, negatable, reason, start, end, words)."""
    triggers = _triggers()
    if triggers is not None and triggers.isdisjoint(_WORD_RE.findall(norm)):
        return []  # no rule can match
    nlp, matcher, meta = _matcher()
    doc = nlp.make_doc(norm)
    matches = matcher(doc)
    if not matches:
        return []
    found = []
    for match_id, start, end in matches:  # figures of speech are dropped by the caller (signs.IDIOMS)
        span = doc[start:end]
        a, b = span.start_char, span.end_char
        category, priority, negatable, reason = meta[match_id]
        found.append((category, priority, negatable, reason, a, b, span.text))
    return found
