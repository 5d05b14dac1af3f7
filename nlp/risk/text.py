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

def _words(pairs: str) -> dict[str, str]:
    """ "a b=c d; e=f" -> {"a b": "c d", "e": "f"}; several spellings may share one: "x|y=z"."""
    out = {}
    for pair in pairs.split(";"):
        if pair.strip():
            spellings, _, meaning = pair.partition("=")
            out.update({w.strip(): meaning.strip() for w in spellings.split("|")})
    return out


# Whole words and phrases as people text them, and what they mean: one pass over the text.
WORDS = _words("""
wanna|wana|want 2|want2|wnt 2|went 2=want to; wants 2=wants to; gonna|gunna|gna|going 2=going to; gotta=got to;
need 2=need to; have 2=have to; wnt=want;
myslef|myslf|mysefl|myelf|mysef|my self|meself|mysel|mysself|my slef|myslef=myself;
himslef|him slef|him self=himself; herslef|her slef|her self=herself;
themselves|them selves|them self|themself=themselves;
kms=kill myself; kys=kill yourself; unalive|un alive=kill; unaliving=killing; sewerslide|sewer slide=suicide;
suicidle|suisidal|sucidal|suicida|suicdal|suicial|suicidial|sucidle|suicidel|suicdial|suacidal=suicidal;
sucide|suicde|suiside|sucicide|suicid|suicied|suiced|suicde=suicide; off myself=kill myself;
dont|dnt=don't; doesnt=doesn't; didnt=didn't; cant|cnt=can't; wont=won't; wnt be=won't be; isnt=isn't;
wasnt=wasn't; arent=aren't; couldnt=couldn't; wouldnt=wouldn't; shouldnt=shouldn't; havent=haven't;
hasnt=hasn't; im|i m=i'm; ive=i've; id=i'd; u|ya=you; ur=your; yall|y'all=you all;
hes=he's; shes=she's; its=it's; thats=that's; theres=there's; whats=what's; whos=who's;
theyll=they'll; youll=you'll; theyre=they're; theyve=they've; youre=you're;
ded=dead; anymore|any more|any mo|anymo=any more; cuz|cos|coz|bc=because;
2nite|2nyt|2night|tonite|tonyt|tnight=tonight; 2moro|2morro|2morrow|2morow|tmr|tmrw|tmoz|tomoz|tomo=tomorrow;
b4=before; ppl=people; sum1|some1=someone; every1=everyone; no1|no one|noone=nobody; any1=anyone;
pls|plz=please; wiv|wit=with; abt=about; wud=would; cud|cld=could; shud=should; nvr=never; luv=love;
thx|thnx|ty=thanks; bf=boyfriend; gf=girlfriend; hubby=husband; mam|mom|mummy|ma=mum; da|daddy=dad;
bro=brother; sis=sister; nan|nanna|gran|granny=nan; n|nd=and
""")
# What a dictionary cannot say: typos of any length, letters held down, and context.
_REPLACEMENTS = [
    (r"[’‘`´]", "'"),
    (r"(.)\1{2,}", r"\1\1"),                       # sooooo -> soo, killll -> kill
    (r"&", " and "),
    (r"\bkil+\b", "kill"), (r"\bkilin?g?\b", "killing"), (r"\bdie+\b", "die"), (r"\bplease+\b", "please"),
    (r"\bsu[ia]?c[ie]?d[ie]?a?l+e?\b", "suicidal"), (r"\bself[ -]?harm", "self harm"), (r"\bslef harm", "self harm"),
    (r"\bself[ -]?injur", "self injur"), (r"\bo\.d\.?", "od"), (r"\bod'?ing\b", "overdosing"),
    (r"\bill (be|last|make|survive|do|go|end|kill|never|just|take|jump)\b", r"i'll \1"),
    (r"\bsh\b(?= again| urges?| scars?| is| has| getting| every| was| wounds?| cuts?)", "self harm"),
]
_CHARS = [(re.compile(p), r) for p, r in _REPLACEMENTS[:3]]  # quotes, held-down letters, "&": before any word
_COMPILED = [(re.compile(p), r) for p, r in _REPLACEMENTS[3:]]
_ANY_REPLACEMENT = re.compile(r"\b(?:kil|kilin|kiling|di|su|self|slef|o\.d|od|ill|sh|pl)")
_WORD_SWAP_RE = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, WORDS), key=len, reverse=True)) + r")\b")
_EMOJI_RE = re.compile("|".join(map(re.escape, EMOJI)))


def normalise(text: str | None) -> str:
    """Lower case, plain apostrophes, txt spellings and slang written out, emoji as words."""
    t = (text or "").lower()
    if _EMOJI_RE.search(t):
        t = _EMOJI_RE.sub(lambda m: EMOJI[m.group()], t)
    for pattern, repl in _CHARS:
        t = pattern.sub(repl, t)
    if _ANY_REPLACEMENT.search(t):  # a quick look for what the regular expressions need
        for pattern, repl in _COMPILED:
            t = pattern.sub(repl, t)
    return _WORD_SWAP_RE.sub(lambda m: WORDS[m.group()], t)


# --- someone else's risk, written as if the person were saying it of themselves ----------------
# "my son says he wants to die" -> "my son says i want to die": the same checks then find it, and
# the result is marked as reported about someone else.
REPORTED = ("son|daughter|child|kid|kids|boy|girl|teenager|mum|dad|mother|father|parent|wife|husband|partner|"
            "boyfriend|girlfriend|fiance|fiancee|brother|sister|sibling|friend|mate|bestie|nan|grandad|grandma|"
            "grandson|granddaughter|niece|nephew|aunt|auntie|uncle|cousin|flatmate|housemate|neighbour|client|"
            "student|resident|patient|service user|cared for|loved one|relative|relation|family member|ex|"
            "stepson|stepdaughter|stepdad|stepmum|carer|\\d+ ?(?:yr|year)s? old|lad|lads|girls|boys|young person|"
            "little one|teen|wee one|other half|fella|missus|hubby|husband's|wife's")
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


_FIRST = frozenset({"i", "i'm", "i've", "i'll", "i'd", "me", "myself", "my", "im", "mine"})
_THIRD = frozenset({"he", "she", "they", "he's", "she's", "they're", "he'll", "she'll", "they'll", "he'd", "she'd",
                    "him", "her", "them", "his", "their", "himself", "herself", "themselves"})
_REPORTED_WORD = re.compile(r"^(?:" + REPORTED + r")$")


def reported_subject(norm: str, start: int, phrase: str) -> bool:
    """True if the words just before a match say it is about someone else ("my son ... he's going to jump")."""
    if _FIRST & set(phrase.split()):
        return False
    for word in reversed(_WORDS.findall(norm[:start])[-8:]):
        if word in _FIRST:
            return False
        if word in _THIRD or _REPORTED_WORD.match(word):
            return True
    return False


# --- negated or long past -----------------------------------------------------------------------
NEGATORS = frozenset({"not", "n't", "never", "no", "nobody", "noone", "nothing", "without", "nor", "stopped",
                      "hardly", "longer", "none", "dont", "didnt", "wont", "isnt", "wasnt", "cant"})
_CLAUSE_BREAK = frozenset({"but", "and", "so", "because", "just", "though", "although", "except", "yet"})
_WORDS = re.compile(r"[a-z']+|[.,;:!?]")
# A negator followed by these says something else: "can't stop thinking of...", "can't cope no more, going to..."
_UNDOES = frozenset({"stop", "stopping", "help", "wait", "resist", "shake", "get", "cope", "coping", "stand", "take",
                     "handle", "bear", "carry", "go", "sleep", "eat", "breathe", "face", "deal", "more", "keep",
                     "anymore", "any", "way", "hope", "point", "reason", "one", "body", "sleeping", "eating"})


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
    r"|\bwhen i was (younger|a teen|a teenager|a kid|a child|at school|at uni|in my (teens|twenties)|\d+|(first )?"
    r"(admitted|in hospital|on the ward|sectioned|unwell|poorly|at my worst))\b|\bsurvived\b|\bthe old me\b"
    r"|\bbefore (my|the) (admission|treatment|therapy|diagnosis)\b|\bnow i have hope\b|\bhope again\b"
    r"|\b(?:a long time|long time|ages|years) ago\b|\blast (?:winter|summer|spring|autumn|christmas)\b"
    r"|\b(?:a|one|two|three|\d+) (?:years?|yrs?) since\b|\bin my (?:teens|20s|30s|40s|twenties|thirties)\b"
    r"|\b\d+ (?:years?|months?|yrs?) (?:self harm |sh |cutting |suicide attempt )?free\b|\b(?:self harm|sh) free\b"
    r"|\b(?:on|with) (?:the|my) old (?:meds|medication|tablets)\b|\bstopped (?:after|when|since)\b"
    r"|\bas a (teen|teenager|kid|child)\b|\bin the past\b|\bback in (19|20)\d\d\b|\bin (19|20)\d\d\b"
    r"|\b(years|months) clean\b|\bclean for\b|\bhaven't (self harmed|cut|hurt myself|felt like that) (in|for)\b"
    r"|\bnot since\b|\bi'm (much |so much |a lot )?(better|safe|ok|okay|well|doing (well|better|ok))"
    r" now\b|\b(saved|turned round|turned around|changed) my life\b|\bdoing (so )?much better\b"
    r"|\bnow i've got\b|\bfeel like me again\b|\bin recovery\b|\brecovered\b|\bbeen well for\b|\blast year\b")


def long_past(norm: str) -> bool:
    """The message speaks of a risk that is over (a recovery story), not of one now."""
    return bool(_PAST.search(norm)) and not _NOW.search(norm)


# Words that say it is happening again, or now: a recovery story does not have them.
_NOW = re.compile(r"\b(?:still|right now|tonight|this week|at the moment|lately|recently|starting to|started again|"
                  r"(?:doing|cutting|hurting|harming|thinking|feeling|happening|relapsed|back) (?:it |that |this |myself )?"
                  r"again|again (?:last night|today|this week|tonight))\b")
