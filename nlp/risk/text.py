"""Text as people type it, made plain for matching: slang, txt spellings, emoji, apostrophes.

Also the two views the checks need beyond the plain text: a copy in which a third person is
written as the first ("he wants to die" -> "i want to die", for carers' reports), and whether
a mention is negated or long past.
"""
from __future__ import annotations

import re

# Emoji people use alongside words, as the word they stand for. A skull or "dead" face is
# left alone: it usually means "that was funny".
EMOJI = {"💊": " pills ", "🔪": " knife ", "🗡": " knife ", "🩸": " blood ", "⚰": " coffin ", "🪦": " grave ",
         "🔫": " gun ", "🪢": " rope ", "🌉": " bridge ", "🚆": " train ", "🚂": " train ", "🚄": " train ",
         "💉": " needle ", "🥀": " ", "🙏": " please ", "😭": " crying ", "😢": " crying ", "💔": " heartbroken "}

_REPLACEMENTS = [
    (r"[’‘`´]", "'"),
    (r"(.)\1{2,}", r"\1\1"),                       # sooooo -> soo, killll -> kill
    (r"\bwanna\b", "want to"), (r"\bgonna\b", "going to"), (r"\bgotta\b", "got to"), (r"\bgunna\b", "going to"),
    (r"\bwana\b", "want to"), (r"\bwant ?2\b", "want to"), (r"\bgoing 2\b", "going to"), (r"\bgna\b", "going to"),
    (r"\bwnt\b", "want"), (r"\bw(?:a|e)nt(?:s)? 2\b", "want to"), (r"\bneed 2\b", "need to"), (r"\bhave 2\b", "have to"),
    (r"\b(my ?slef|myslf|mysefl|myelf|mysef|my self|meself|mysel|myslef|mysself)\b", "myself"),
    (r"\b(him ?slef|him self)\b", "himself"), (r"\b(her ?slef|her self)\b", "herself"),
    (r"\b(them ?selves|them self|themself)\b", "themselves"),
    (r"\bkil+\b", "kill"), (r"\bkilin?g?\b", "killing"), (r"\bkms\b", "kill myself"), (r"\bkys\b", "kill yourself"),
    (r"\bun ?alive\b", "kill"), (r"\bunaliving\b", "killing"), (r"\bsewer ?slide\b", "suicide"),
    (r"\b(su[ia]?c[ie]?d[ie]?a?l+e?|suicidle|suisidal|sucidal|suicida|suicdal|suicial|suicidial)\b", "suicidal"),
    (r"\b(sucide|suicde|suiside|sucicide|suicid|suicied|suiced)\b", "suicide"),
    (r"\bself[ -]?harm", "self harm"), (r"\bslef harm", "self harm"), (r"\bself[ -]?injur", "self injur"),
    (r"\bdont\b", "don't"), (r"\bdnt\b", "don't"), (r"\bdoesnt\b", "doesn't"), (r"\bdidnt\b", "didn't"),
    (r"\bcant\b", "can't"), (r"\bcnt\b", "can't"), (r"\bwont\b", "won't"), (r"\bwnt be\b", "won't be"),
    (r"\bisnt\b", "isn't"), (r"\bwasnt\b", "wasn't"), (r"\barent\b", "aren't"), (r"\bcouldnt\b", "couldn't"),
    (r"\bwouldnt\b", "wouldn't"), (r"\bshouldnt\b", "shouldn't"), (r"\bhavent\b", "haven't"), (r"\bhasnt\b", "hasn't"),
    (r"\bim\b", "i'm"), (r"\bive\b", "i've"), (r"\bi ?m\b", "i'm"), (r"\bid\b", "i'd"), (r"\bill (be|last|make|survive|do|go|end|kill|never|just|take|jump)\b", r"i'll \1"),
    (r"\bu\b", "you"), (r"\bur\b", "your"), (r"\bya\b", "you"), (r"\by'?all\b", "you all"),
    (r"\b(he|she|it|that|there|what|who)s\b", r"\1's"), (r"\b(he|she|they|you|we)ll\b", r"\1'll"),
    (r"\btheyre\b", "they're"), (r"\btheyve\b", "they've"), (r"\byoure\b", "you're"),
    (r"\bdie+\b", "die"), (r"\bded\b", "dead"), (r"\bo\.d\.?", "od"), (r"\bod'?ing\b", "overdosing"),
    (r"\banymore\b", "any more"), (r"\bany ?mo\b", "any more"), (r"\bcuz\b|\bcos\b|\bcoz\b|\bbc\b", "because"),
    (r"\b2(?:nite|nyt|night)\b|\btonite\b|\btonyt\b|\btnight\b", "tonight"),
    (r"\b2(?:moro+w?|morrow)\b|\btmrw?\b|\btmoz\b|\btomoz\b|\btomo\b", "tomorrow"),
    (r"\bb4\b", "before"), (r"\bppl\b", "people"), (r"\bsum1\b", "someone"), (r"\bevery1\b", "everyone"),
    (r"\bno1\b|\bno ?one\b|\bnoone\b", "nobody"), (r"\bany1\b", "anyone"), (r"\bsome1\b", "someone"),
    (r"\bpls\b|\bplz\b|\bplease+\b", "please"), (r"\bwiv\b|\bwit\b", "with"), (r"\babt\b", "about"),
    (r"\bwud\b", "would"), (r"\bcud\b|\bcld\b", "could"), (r"\bshud\b", "should"), (r"\bnvr\b", "never"),
    (r"\bluv\b", "love"), (r"\bthx\b|\bthnx\b|\bty\b", "thanks"),
    (r"\bsh\b(?= again| urges?| scars?| is| has| getting| every| was| wounds?| cuts?)", "self harm"),
    (r"\boff myself\b", "kill myself"), (r"\bbf\b", "boyfriend"), (r"\bgf\b", "girlfriend"),
    (r"\bhubby\b", "husband"), (r"\bmam\b|\bmom\b|\bmummy\b|\bma\b", "mum"), (r"\bda\b|\bdaddy\b", "dad"),
    (r"\bbro\b", "brother"), (r"\bsis\b", "sister"), (r"\bnan\b|\bnanna\b|\bgran\b|\bgranny\b", "nan"),
    (r"\bn\b", "and"), (r"&", " and "), (r"\bnd\b", "and"), (r"\bwiv\b", "with"),
]
_COMPILED = [(re.compile(p), r) for p, r in _REPLACEMENTS]
_ANY_REPLACEMENT = re.compile("|".join(f"(?:{p})" for p, _ in _REPLACEMENTS))
_EMOJI_RE = re.compile("|".join(map(re.escape, EMOJI)))


def normalise(text: str | None) -> str:
    """Lower case, plain apostrophes, txt spellings and slang written out, emoji as words."""
    t = (text or "").lower()
    if _EMOJI_RE.search(t):
        t = _EMOJI_RE.sub(lambda m: EMOJI[m.group()], t)
    if not _ANY_REPLACEMENT.search(t):  # one pass instead of one per rule, for most messages
        return t
    for pattern, repl in _COMPILED:
        t = pattern.sub(repl, t)
    return t


# --- someone else's risk, written as if the person were saying it of themselves ----------------
# "my son says he wants to die" -> "my son says i want to die": the same checks then find it, and
# the result is marked as reported about someone else.
REPORTED = ("son|daughter|child|kid|kids|boy|girl|teenager|mum|dad|mother|father|parent|wife|husband|partner|"
            "boyfriend|girlfriend|fiance|fiancee|brother|sister|sibling|friend|mate|bestie|nan|grandad|grandma|"
            "grandson|granddaughter|niece|nephew|aunt|auntie|uncle|cousin|flatmate|housemate|neighbour|client|"
            "student|resident|patient|service user|cared for|loved one|relative|relation|family member|ex|"
            "stepson|stepdaughter|stepdad|stepmum|carer|\\d+ ?(?:yr|year)s? old|lad|lads|girls|boys|young person|"
            "little one|teen|wee one|other half|fella|missus|hubby|husband's|wife's")
_THIRD_SUBJECT = re.compile(r"\b(he|she|they)( is|'s| was| has| had| will|'ll| keeps| kept| said| says| told"
                            r"| tells| wants| wanted| would| could| might| feels| felt| thinks| tried| has been"
                            r"| been| cannot| can't| doesn't| don't| won't| isn't| wasn't| needs| talks| talked"
                            r"| texted| messaged| sent| left| took| takes| swallowed| cut| cuts| keeps saying)?\b")
_THIRD_SWAPS = [
    (r"\b(himself|herself|themselves)\b", "myself"), (r"\b(his|her|their) own life\b", "my own life"),
    (r"\b(his|their) life\b", "my life"), (r"\bher life\b", "my life"),
    (r"\b(his|her|their) (arms?|legs?|wrists?|thighs?|skin|stomach|face|hands?|body|neck|head|tablets|pills|meds|"
     r"medication|things|stuff|belongings|dog|cat|room|note|notes|letters?)\b", r"my \2"),
    (r"\bwithout (him|her|them)\b", "without me"), (r"\bto (him|her|them)\b(?= (?:if|when))", "to me"),
    (r"\b(he|she)'s\b", "i'm"), (r"\bthey're\b", "i'm"), (r"\b(he|she|they) is\b", "i am"),
    (r"\b(he|she|they) was\b", "i was"), (r"\b(he|she) has\b", "i have"), (r"\b(he|she|they)'ve\b", "i've"),
    (r"\b(he|she|they) (wants|keeps|says|feels|thinks|needs|talks|takes|cuts|tells|tries|hurts|hits|"
     r"harms|burns|scratches|hates|plans|won't|can't|doesn't|don't|will|'ll|would|could|might|did|tried|"
     r"wanted|said|felt|took|cut|kept|told|talked|planned|started|stopped|went|has been|had|been|never|just)\b",
     lambda m: "i " + _base(m.group(2))),
    (r"\b(he|she|they)\b", "i"),
    (r"\bmy (?:" + REPORTED + r")(?:'s)?\b(?! (?:is|was|has|keeps|says|said|wants|feels)? ?(?:hit|hitting|"
     r"hurt|hurting|abus|beat|threat|bull|kick|push|punch))", "i"),
]
_BASE = {"wants": "want", "keeps": "keep", "says": "say", "feels": "feel", "thinks": "think", "needs": "need",
         "talks": "talk", "takes": "take", "cuts": "cut", "tells": "tell", "tries": "try", "hurts": "hurt",
         "hits": "hit", "harms": "harm", "burns": "burn", "scratches": "scratch", "hates": "hate", "plans": "plan",
         "has been": "have been", "doesn't": "don't", "does": "do", "is": "am", "has": "have"}


def _base(verb: str) -> str:
    return _BASE.get(verb, verb)


_THIRD_COMPILED = [(re.compile(p), r) for p, r in _THIRD_SWAPS]
_THIRD_CUE = re.compile(r"\b(he|she|they|him|her|them|himself|herself|themselves|his|their|my (?:"
                        + REPORTED + r"))\b")


def reported(norm: str) -> str | None:
    """The message with someone else written as "i", or None if it speaks of no one else."""
    if not _THIRD_CUE.search(norm):
        return None
    t = norm
    for pattern, repl in _THIRD_COMPILED:
        t = pattern.sub(repl, t)
    return t if t != norm else None


# --- negated or long past -----------------------------------------------------------------------
NEGATORS = frozenset({"not", "n't", "never", "no", "nobody", "noone", "nothing", "without", "nor", "stopped",
                      "hardly", "longer", "none", "dont", "didnt", "wont", "isnt", "wasnt", "cant"})
_CLAUSE_BREAK = frozenset({"but", "and", "so", "because", "just", "though", "although", "except", "yet"})
_WORDS = re.compile(r"[a-z']+|[.,;:!?]")
_UNDOES = frozenset({"stop", "stopping", "help", "wait", "resist", "shake", "get"})  # "can't stop thinking of..."


def negated_before(norm: str, start: int) -> bool:
    """A negator in the five words before a match, in the same clause."""
    before = _WORDS.findall(norm[:start])[-5:]
    after = None
    for word in reversed(before):
        if word in ".,;:!?" or word in _CLAUSE_BREAK:
            return False
        if (word in NEGATORS or word.endswith("n't")) and after not in _UNDOES:
            return True
        after = word
    return False


# A mention that is clearly over: years ago, as a teenager, "used to", now recovered.
_PAST = re.compile(
    r"\b(\d+|a few|few|couple of|many|several|two|three|four|five|ten) (years?|yrs?) (ago|back)\b|\bused to\b"
    r"|\bwhen i was (younger|a teen|a teenager|a kid|a child|at school|at uni|in my (teens|twenties)|\d+)\b"
    r"|\b(?:a long time|long time|ages|years) ago\b|\blast (?:winter|summer|spring|autumn|christmas)\b"
    r"|\b\d+ (?:years?|months?|yrs?) (?:self harm |sh |cutting |suicide attempt )?free\b|\b(?:self harm|sh) free\b"
    r"|\b(?:on|with) (?:the|my) old (?:meds|medication|tablets)\b|\bstopped (?:after|when|since)\b"
    r"|\bas a (teen|teenager|kid|child)\b|\bin the past\b|\bback in (19|20)\d\d\b|\bin (19|20)\d\d\b"
    r"|\b(years|months) clean\b|\bclean for\b|\bhaven't (self harmed|cut|hurt myself|felt like that) (in|for)\b"
    r"|\bnot since\b|\bi'm (much |so much |a lot )?(better|safe|ok|okay|well|doing (well|better|ok))"
    r" now\b|\b(saved|turned round|turned around|changed) my life\b|\bdoing (so )?much better\b"
    r"|\bin recovery\b|\brecovered\b|\bbeen well for\b|\blast year\b(?!.*\b(again|still|now)\b)")


def long_past(norm: str) -> bool:
    """The message speaks of a risk that is over (a recovery story), not of one now."""
    return bool(_PAST.search(norm)) and not re.search(r"\b(again|still|right now|tonight|this week|"
                                                         r"at the moment|lately|recently|starting to)\b", norm)
