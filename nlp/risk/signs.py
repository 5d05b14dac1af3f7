"""Warning signs said without the obvious words: plans, means, timing, goodbyes, hopelessness.

Regular expressions over the normalised text (nlp.risk.text.normalise). Each sign names its
category and priority; the wording is drawn from public warning-sign guidance (Samaritans, NHS,
Zero Suicide Alliance): talking about being a burden, feeling trapped, no reason to live,
saying goodbye, giving things away, putting affairs in order, stockpiling medication,
researching methods, and a place or a time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

ME = r"(?:i|i'm|i've|i'll|i'd|im|ive|me|myself|my)"
DRUGS = (r"(?:tablets?|pills?|paracetamols?|meds|medications?|medicines?|prescriptions?|painkillers?|co-?codamol|"
         r"codeine|antidepressants?|anti depressants?|sleeping (?:pills|tablets)|sleepers|insulin|lithium|"
         r"sertraline|citalopram|fluoxetine|mirtazapine|olanzapine|quetiapine|diazepam|zopiclone|propranolol|"
         r"amitriptyline|everything in the medicine (?:cupboard|cabinet|box|drawer)|pregabalin|gabapentin|tramadol|morphine|oxycodone|methadone|aspirin|ibuprofen|"
         r"venlafaxine|clozapine|lorazepam|promethazine|anti ?histamines?|boxes of \w+|packets of \w+)")
STOCK = (r"(?:sav(?:e|ed|ing)(?: up)?|stockpil\w*|hoard\w*|stash\w*|collect(?:ed|ing)|squirrel\w*|"
         r"built up|building up|put(?:ting)? (?:aside|away)|kept (?:back|aside|hidden)|keeping (?:back|aside)|hidden|hid|"
         r"hiding|got (?:loads of|lots of|enough)|bought (?:loads|lots|extra|enough|a few boxes|boxes|packets)|(?:not|stopped) taking)")
PLACE = (r"(?:(?:the|a) (?:bridge|cliffs?|cliff edge|ledge|roof ?top|roof|railway|railway line|tracks|train tracks|"
         r"level crossing|motorway|viaduct|quarry|reservoir|tower block)|(?:the )?top (?:floor |level |deck |storey )?of (?:the|a) "
         r"(?:car park|multi ?stor[ey]+|building|block|flats|tower|hospital)|beachy head|the edge|the river|the canal|the sea|the platform)")
WHEN = (r"(?:tonight|tomorrow|this (?:weekend|evening|afternoon|morning|week)|on (?:friday|saturday|sunday|monday|"
        r"tuesday|wednesday|thursday)|at (?:midnight|\d+(?:am|pm)?)|when (?:everyone|the kids|they|my \w+|he|she)"
        r"(?:'s| is| are)? (?:asleep|in bed|at work|gone|out)|once (?:the kids|everyone|they)|after (?:christmas|"
        r"my birthday|the funeral|the kids)|before (?:the )?morning|by (?:the )?morning|soon|later)")
DEATH = (r"(?:die|dead|dying|death|end it|end it all|end things|end my life|kill myself|be gone|not be here|"
         r"not be around|not wake up|never wake up|disappear|ending it|(?:it|this|everything)(?:'ll| will) (?:all )?"
         r"be over|do it|go through with it)")
MEANS = r"(?:knife|knives|blade|blades|razor|razors|pills|pill|tablets|rope|noose|gun|needle|blood|coffin|grave)"
DESPAIR = (r"(?:can't (?:any more|do (?:this|it) any more|go on|cope|take (?:it|this|any more))|cannot go on|had enough|"
           r"give up|giving up|gave up|no way out|want (?:out|it to (?:end|stop)|it over|to go)|hate myself|"
           r"done with (?:it all|everything|life|this)|not worth it|goodbye|bye)")
BESIDE = r"(?:crying|heartbroken|please|sorry|again|now|tonight|i'm done|done)"  # emoji-words and the like between
# Something that is not a drug, that people say they "overdosed on" in fun: a food, a treat, a show.
TREATS = (r"(?:chocolates?|choc|sweets|sugar|cakes?|biscuits?|crisps|cheese|pizza|mince pies?|turkey|pudding|"
          r"candy|ice cream|junk food|carbs|food|snacks?|chips|doughnuts?|donuts?|easter eggs?|selection box(?:es)?|"
          r"quality street|haribo|jelly babies|fruit|cookies|popcorn|sprouts|gravy|custard|cream|pancakes|bacon|"
          r"netflix|tv|telly|box ?sets?|love|kindness|sunshine|fresh air|christmas|festive \w+|tinsel|carols|"
          r"sleep|naps?|memes|tiktok|social media|gossip|nostalgia|cuteness)")
LAUGH = r"(?:lol|lmao|lmfao|rofl|haha\w*|hehe\w*|jk|joking)"
# Not a figure of speech whatever follows: a drug or a drink.
TAKEN = rf"(?:{DRUGS}|drugs?|heroin|cocaine|coke|ket|ketamine|mdma|spice|alcohol|booze|vodka|gin|whisky|drink|pills?|everything|all of (?:it|them)|the lot)"
OD = r"(?:overdos(?:e|ed|ing)|od(?:'d|d|ed)?|(?:an|a) (?:overdose|od))"

KIN = (r"(?:kids|children|son|daughter|mum|dad|family|wife|husband|partner|boyfriend|girlfriend|parents|"
       r"brother|sister|nan|friends?|everyone|you all)")


@dataclass(frozen=True)
class Sign:
    category: str
    priority: str
    reason: str
    pattern: str
    negatable: bool = True


SIGNS = [
    # -- preparations and plans: urgent ------------------------------------------------------------
    Sign("suicide", "urgent", "speaks of saving up or taking a lot of medication",
         rf"\b{STOCK}\b(?:\s+\w+){{0,4}}\s+{DRUGS}\b"),
    Sign("suicide", "urgent", "speaks of saving up or taking a lot of medication",
         rf"\b{DRUGS}\b(?:\s+\w+){{0,4}}\s+(?:saved up|stockpiled|stashed|hidden|put aside|ready|lined up|counted out)\b"),
    Sign("suicide", "urgent", "speaks of taking a lot of medication",
         rf"\b(?:took|taken|take|taking|swallow\w*|necked|downed|gone through|had)\b(?:\s+\w+){{0,2}}\s+"
         rf"(?:all|loads|lots|load|a handful|handfuls|the whole|a whole|whole|every|\d{{2,}}|a box|a packet|boxes|"
         rf"packets|a bottle|double|triple|too many|extra|a lot|\d+ (?:packs?|packets?|boxes|box|bottles?|strips?))"
         rf"(?:\s+(?:of|my|the|these|those))*\s+{DRUGS}\b"),
    Sign("suicide", "urgent", "speaks of buying or getting a lot of medication",
         rf"\b(?:bought|buying|got|getting|ordered)\s+(?:\d+|loads of|lots of|enough|a few|several|extra)\s+"
         rf"(?:packs?|packets?|boxes|bottles?|strips?)?\s*(?:of )?{DRUGS}\b|\b{DRUGS}\b(?:\s+\w+){{0,6}}\s+enough "
         rf"(?:so|that|to)\b|\bfrom different (?:shops|chemists|pharmacies)\b|\b(?:taking|take|took|swallow\w*) "
         rf"(?:everything|all of it|the lot|whatever) (?:in|from) (?:the|my) (?:medicine|meds|bathroom) "
         rf"(?:cupboard|cabinet|box|drawer)\b"),
    Sign("suicide", "urgent", "is about to take everything they have",
         r"\b(?:going to|gonna|will|'ll|about to|i'm|am|want to|ready to) (?:take|swallow|down|neck) (?:them all|all of "
         r"them|the lot|the whole (?:box|packet|lot|bottle)|everything|every last one)\b"),
    Sign("suicide", "urgent", "stopped taking medication and is keeping it",
         r"\bstop\w* (?:taking )?(?:her|his|my|their|the) \w+\b.{0,60}\b(?:keeping|kept|saving|saved|hiding|hid|"
         r"hoarding|stockpiling|stashing) (?:them|it|the|all)\b"),
    Sign("suicide", "urgent", "looks up how to end their life",
         rf"\b(?:looked up|looking up|looking into|googl\w*|search\w*|research\w*|read(?:ing)? up on|been reading about|"
         rf"worked out|working out|finding out|find out)\b(?:\s+\w+){{0,3}}\s+(?:how (?:many|much)\b(?:\s+\w+){{0,3}}"
         rf"\s+(?:{DRUGS}|would|it takes|to (?:die|kill|take))|how long (?:it takes|does it take)|how to (?:die|kill|end|"
         rf"hang|overdose|do it)|what (?:dose|amount)|lethal|painless|quickest|fatal|the best way|ways to (?:die|kill|"
         rf"end)|methods|ways of (?:dying|killing|ending)|suicide|overdos\w*)\b"),
    Sign("suicide", "urgent", "asks how much medication would be fatal",
         rf"\bhow (?:many|much)\b(?:\s+\w+){{0,3}}\s+(?:would|does|will|do|to)\b(?:\s+\w+){{0,3}}\s+"
         rf"(?:kill|take to die|be fatal|be enough|be lethal|finish|end|stop my heart)"),
    Sign("suicide", "urgent", "speaks of a lethal or painless way",
         r"\b(?:lethal dose|fatal dose|painless way|quickest way to (?:die|go|end)|best way to (?:die|end)|"
         r"way out that|easiest way to (?:die|go|end))"),
    Sign("suicide", "urgent", "speaks of a place to end their life",
         rf"\b(?:going|go|goin|walk(?:ing|ed)?|driv(?:e|ing)|head(?:ing)?|went|gone|get|getting|jump(?:ing)?|"
         rf"step(?:ping)?|throw(?:ing)? myself|i'm|i am|im|stood|standing|sat|sitting|am)\b(?:\s+\w+){{0,3}}\s+"
         rf"(?:to|at|on|off|from|up|near|by|into|in front of|onto|over)\s+{PLACE}"),
    Sign("suicide", "urgent", "speaks of jumping or stepping in front of a train or traffic",
         r"\b(?:jump|jumping|jumped|step|stepping|walk|walking|throw myself|lie|lying|lay)\b(?:\s+\w+){0,2}\s+"
         r"(?:in front of|under|onto|off)\s+(?:a|the|an)?\s*(?:train|bus|lorry|car|truck|traffic|tracks|"
         r"bridge|building|roof|cliff|balcony|window|motorway|platform)|\b(?:going to|gonna|will|'ll|want to|"
         r"about to|ready to|might|could) jump\b(?! (?:in|on|at|the queue|through|ship|ahead|for|up|back|into the "
         r"(?:pool|shower|car|conversation)|to|right in|around))"),
    Sign("suicide", "urgent", "speaks of walking into water",
         r"\b(?:walk|walking|swim|swimming|wade|wading|go|going|jump|jumping)\b(?:\s+\w+){0,2}\s+(?:into|in|out into)"
         r"\s+the (?:sea|river|canal|lake|reservoir|water)\b(?! for| with| on holiday)"),
    Sign("suicide", "urgent", "speaks of a means of hanging or a weapon made ready",
         r"\b(?:rope|noose|belt|cord|cable|scarf|ligature|dressing gown cord|shoelaces?)\b(?:\s+\w+){0,4}\s+"
         r"(?:tied|ready|round my neck|around my neck|from the|to the (?:bannister|banister|door|beam|loft|tree|"
         r"hook)|in the (?:loft|shed|garage|wardrobe|bag|car)|hidden|under my bed)"),
    Sign("suicide", "urgent", "speaks of a means of ending their life made ready",
         r"\b(?:practis\w*|practic\w*|tried|trying|tested|testing) (?:with )?(?:the|a|my) (?:belt|rope|cord|scarf|"
         r"ligature|noose|knife|blade)|\b(?:tied|tie|tying|put|wrapped|wrap) (?:something|a \w+|it|the \w+|my \w+)? "
         r"?(?:round|around) my neck\b|\b(?:belt|rope|cord|scarf) (?:on|over|to) (?:the )?(?:back of the )?(?:door|"
         r"bannister|banister|beam|wardrobe)|\b(?:is|are|looks|seems|it's) (?:high|tall|deep|strong) enough\b|"
         r"\b(?:garage|car) with the engine running\b|\bengine running in the garage\b|\b(?:hose ?pipe|hose)\b"
         r"(?:\s+\w+){0,3}\s+(?:in the (?:boot|car)|to the exhaust|exhaust)\b|\b(?:drank|drink|drinking|swallowed|"
         r"swallowing|downed) (?:some |the |a bottle of )?(?:bleach|antifreeze|anti freeze|weed ?killer|poison|"
         r"screenwash)\b|\b(?:so|that|make sure|making sure) (?:that )?i (?:don't|won't|never|wouldn't|do not) "
         r"(?:wake up|survive|come back|come round)\b|\bi know (?:which|what|where|when|how)\b(?:\s+\w+){0,3}\s+"
         r"(?:bridge|time|place|spot|way|i'm (?:going to|doing)|i'll do it|to do it)\b|\bfor (?:my \w+|someone|"
         r"them|him|her|you|the \w+) to find\b"),
    Sign("suicide", "urgent", "speaks of getting a means of ending their life",
         r"\b(?:bought|buying|got|getting|ordered|found)\b(?:\s+\w+){0,2}\s+(?:a |some )?(?:rope|noose|"
         r"charcoal|helium|a hose|hosepipe|exhaust|gun|shotgun|poison|razor blades|blades)\b"),
    Sign("suicide", "urgent", "writes notes or letters of goodbye",
         rf"\b(?:wrote|written|writing|write|left|leaving|finished|done)\b(?:\s+\w+){{0,3}}\s+(?:a |my |the |some )?"
         rf"(?:suicide |goodbye |last |final )?(?:notes?|letters?|messages?|videos?)\b(?:\s+\w+){{0,2}}\s+"
         rf"(?:to|for)\s+(?:my |the |each of my |all my )?{KIN}"),
    Sign("suicide", "urgent", "writes notes or letters of goodbye",
         r"\b(?:suicide|goodbye|farewell|last|final)\s+(?:note|notes|letter|letters|message|messages|video|text|"
         r"post)\b(?! (?:about|from) (?:the|your|a) (?:clinic|appointment|service|ward|team))"),
    Sign("suicide", "urgent", "gives things away or puts affairs in order",
         r"\b(?:giv(?:e|en|ing)|gave) away (?:my|all my|most of my|his|her|their) \w+\b(?<!away my time)|"
         r"\b(?:giv(?:e|en|ing)|gave)\b(?:\s+away)?(?:\s+\w+){0,2}\s+(?:my|all my|away my|away all my|most of my)\s+"
         r"(?:things|stuff|belongings|possessions|clothes|jewellery|games|records|books|savings|money|dog|cat|pets?|"
         r"rings?|watch|guitar|console|xbox|playstation)\b"),
    Sign("suicide", "urgent", "gives things away or puts affairs in order",
         r"\b(?:rehom\w*|found (?:a )?(?:new )?home for)\s+(?:my|the)\s+(?:dog|cat|pets?|animals)\b|"
         r"\b(?:affairs in order|sort(?:ed|ing)? (?:out )?(?:my|everything for my|all my) (?:will|affairs|funeral|"
         r"passwords|life insurance|bank)|(?:wrote|written|writing|made|updated|finished) (?:my|a) will\b|"
         r"plann\w* my (?:own )?funeral|(?:chose|chosen|picked) (?:the )?(?:songs|music) for my funeral|"
         r"tidying up loose ends|tying up loose ends|everything is sorted for when|everything(?:'s| is) in order|"
         r"paid off (?:all )?my debts|cancelled (?:my|all my) (?:phone|contracts?|subscriptions|direct debits)|"
         r"(?:sorry|apologi[sz]\w*) for everything|if anything (?:happens|should happen) to (?:me|him|her))"),
    Sign("suicide", "urgent", "says goodbye",
         rf"\b(?:this is (?:my )?goodbye|(?:saying|said|say|sent|texted|sending) (?:my )?goodbyes?|goodbye (?:to )?"
         rf"(?:everyone|all|forever|world|cruel)|(?:bye|goodbye) for(?:ever| good)|last time you(?:'ll| will)? "
         rf"(?:hear|see)|you won't (?:hear from|see) me again|won't hear from me again|never see me again|"
         rf"tell (?:my )?{KIN} (?:i love|i'm sorry|that i love|sorry)|look after (?:my )?(?:kids|children|dog|cat|"
         rf"mum|family) for me|when i'm gone(?! (?:on|to|for|away))|after i'm gone|once i'm gone)"),
    Sign("suicide", "urgent", "speaks of dying at a set time",
         rf"\b(?:{DEATH})\b(?:\s+\w+){{0,4}}\s+{WHEN}\b|\b{WHEN}\b(?:\s+\w+){{0,6}}\s+(?:{DEATH})\b|\b{WHEN}\b(?:\s+\w+){{0,3}}\s+(?:i'll|i will|i'm going to|"
         rf"i'm gonna|is the night|is the day|will be the (?:day|night|end)|it all ends|it ends|i end it|"
         rf"i'm ending it|i'll be dead|i'll be gone|i won't be)\b"),
    Sign("suicide", "urgent", "plans to end their life",
         r"\b(?:i(?:'ve| have)? (?:got|made|have) (?:a|the|my) plan|i know how i'm going to do it|i know how i'd do it|"
         r"worked out how|decided how|it's (?:all )?planned|everything is planned|planned it all|"
         r"made my (?:mind up|decision)|i've decided to (?:end|go|die|do it)|(?:going|planning|plan) to do it)\b"),
    Sign("suicide", "urgent", "speaks of taking their own life",
         r"\b(?:take|taking|took|end|ending|ended) (?:my|me) (?:own )?life\b|\bkill myself\b|"
         r"\b(?:want|wanna|going|gonna|ready|need|have|decided|plan(?:ning)?) to (?:die|end it|check out|"
         r"not exist|stop existing|stop living)\b|\boff myself\b"),
    Sign("suicide", "high", "says they will not be here",
         r"\b(?:won't|will not|not going to|wont|not gonna|might not|may not) (?:be (?:here|around|alive|about)|"
         r"make it|see (?:christmas|my birthday|the morning|tomorrow|next week|another|the new year|spring|"
         r"summer))\b(?! (?:for|on) (?:my|the|your|our|that|this) (?:appointment|session|call|meeting|review|"
         r"visit|group))"),
    Sign("suicide", "high", "says they no longer want to live",
         r"\b(?:no longer|not any more|don't|do not|didn't|doesn't|does not|never)\s+(?:want|wish|wanna|care|feel "
         r"like)\s+(?:to )?(?:live|be alive|exist|be here|carry on|go on|wake up|living|existing)\b|\bdon't think "
         r"i'll (?:last|make it|survive|be (?:here|around|alive))\b",
         negatable=False),
    Sign("distress", "low", "says they cannot go on",
         r"\b(?:can't|cannot|can not|don't think i can|unable to) (?:go on|carry on|keep going|cope|do this|"
         r"take (?:it|this|any more)|live like this|keep living)\b(?! (?:the|a|any|holiday|outings?|leave|trips?|"
         r"without|with the|to the|phone|computer|website|app|online|forms?))",
         negatable=False),
    Sign("someone-else", "high", "reports someone missing",
         r"\b(?:went|gone|has gone|is|been|go|going|reported (?:him|her|them)) missing\b|\bnot answering (?:his|her|"
         r"their) (?:phone|door|texts)\b|\bcan't (?:get hold of|reach|find) (?:him|her|them|my \w+)\b"),
    # -- hopelessness, burden, passive wishes: possible distress (low) ------------------------------
    Sign("distress", "low", "speaks of hopelessness or being a burden",
         r"\b(?:i'm|i am|feel like|feel|i feel|being|just|such|i'm just) (?:a |such a |nothing but a )?"
         r"(?:burden|waste of (?:space|oxygen|air|time)|problem to everyone|drain on everyone|hopeless|worthless|"
         r"useless to everyone|better off gone)\b"),
    Sign("distress", "low", "speaks of hopelessness or being a burden",
         rf"\b(?:{KIN}|people|they|everybody|the world|nobody|everything|life) (?:would|will|'d|'ll)? ?(?:all )?be "
         rf"(?:better|happier|fine|easier|lighter|better off) (?:off )?(?:without me|if i (?:wasn't|was not|weren't|were not) (?:here|around|alive)|"
         rf"if i (?:died|was gone|were gone|disappeared))|\bbetter off (?:without me|dead|gone)\b|"
         rf"\bnobody would (?:even )?(?:miss|notice|care)(?: if)? (?:me|i)\b|\bwouldn't (?:even )?(?:miss|notice) me\b|"
         rf"\bwithout me (?:in it|around|here|being here)\b"),
    Sign("distress", "low", "speaks of a passive wish not to be alive",
         r"\b(?:wish|hope|hoping|pray|praying|want) (?:i|i'd|i had|that i|to)? ?(?:just |only |really |could just )?(?:would not|wouldn't|won't|don't|never|not|"
         r"could|would|will|was|were|didn't) ?(?:just |simply |quietly )?(?:wake up|be here|been born|exist|disappear|fall asleep and|"
         r"die|dead|gone|go to sleep and|stop existing|get hit by|have an accident|vanish|been born|never been born)\b"),
    Sign("distress", "low", "speaks of no hope or no way out",
         r"\b(?:no|not any|lost all|can't see any|can't find any|no more) (?:point|reason|reasons)(?: in| to| for)? "
         r"(?:anything|living|life|going on|carrying on|trying|being here|me|it all|stay|staying|live|keep going|"
         r"be here|be alive|get up)\b|\b(?:no|not any|lost all|lost) (?:hope|future|way out|escape|purpose|light "
         r"at the end)\b(?! (?:of|in|for|that) (?:the|a|getting|seeing|an|my|this|your))|"
         r"\b(?:hard|harder|hardest|struggling|can't) (?:\w+ )?(?:to )?find (?:any )?reasons? to (?:stay|live|keep "
         r"going|carry on|be here|get up)\b"),
    Sign("distress", "low", "speaks of feeling trapped, empty or done with life",
         r"\b(?:tired of (?:living|life|being alive|existing|everything|it all|fighting)|sick of (?:living|life|"
         r"being alive|existing)|done with (?:life|living|everything|it all)|given up on (?:everything|life|"
         r"myself)|give up on (?:everything|life)|what's the point (?:of|in) (?:anything|living|life|going on|me|"
         r"trying|it all)|feel(?:ing)? trapped|no way out|can't see a way out|can't see (?:a|any) future|"
         r"can't see the point|nothing to live for|don't see the point (?:in|of) (?:living|anything|life|going on)|"
         r"everything is pointless|life is pointless|life isn't worth|not worth living|not worth it any more|"
         r"just want (?:it|everything|the pain|this|it all|all of it|the thoughts|my life) (?:all )?to (?:stop|end|be over)|"
         r"(?:feel like|want to|ready to|thinking of|about to|close to) giv(?:e|ing) up\b(?! (?:smoking|drinking|"
         r"on (?:the|this|your) (?:service|ward|team|nhs|gp|trust)|my (?:place|seat|job)|work|chocolate|sugar))|want to sleep forever|"
         r"want to go to sleep forever|just want to disappear|want to vanish|can't do it any more|"
         r"can't do this any more|can't take (?:it|this|any more|much more)|at the end of my tether|"
         r"the end of the road for me|nothing left|ready to give up|want to give up)"),
    # -- self-harm without the word -------------------------------------------------------------
    Sign("self-harm", "high", "speaks of hurting themselves",
         rf"(?:\b(?:cut|cutting|cuts|slash\w*|slic\w*|burn\w*|scratch\w*|carv\w*|scald\w*|stab\w*)\b(?:\s+\w+){{0,2}}|"
         rf"\b(?:bit|bite|biting|hit|hitting|punch\w*|bang\w*|pick\w*|tear\w*))\s+(?:my|me)\s+(?:own )?(?:arms?|legs?|"
         rf"wrists?|thighs?|skin|stomach|tummy|face|hands?|body|head|chest|hips?|fingers)\b(?:\s+\w+){{0,4}}\s*"
         rf"(?:till|until|with|again|open|to feel|so it|on purpose|deliberately|when|because|blade|razor|lighter|"
         rf"knife|glass|compass|bleed|bled|blood|scars?|marks|deep)?"),
    Sign("self-harm", "high", "speaks of hurting themselves",
         r"\b(?:razor|razors|blade|blades|sharps?|broken glass|a lighter|lighter|compass|pencil sharpener)\b"
         r"(?:\s+\w+){0,4}\s+(?:on|to|into|across) (?:my|me)\b|\b(?:scars|fresh cuts|new cuts|wounds|stitches|"
         r"steri ?strips|butterfly stitches) (?:on|all over|up) my (?:arms?|legs?|wrists?|thighs?|stomach|body)\b|"
         r"\b(?:relapsed|relapse|started again|back to|urges?|urge to|want to|need to|itching to)\b(?:\s+\w+){0,2}"
         r"\s+(?:cut|cutting|burn|burning|hurt myself|self harm|harm myself|use the blade)\b|"
         r"\b(?:swallow\w*|took|taken)\b(?:\s+\w+){0,2}\s+(?:batteries|bleach|glass|screws|razor|blades|"
         r"something sharp)\b|\b(?:starv\w*|punish\w*)\s+myself\b|\bhitting (?:my head|walls?) (?:against|on|into)\b|"
         r"\bpunch(?:ed|ing) (?:the |a )?walls?\b|\b(?:knuckles|fists?) (?:broke|bled|"
         r"bleeding|split)\b|\b(?:been|keep|kept|started|stop|the|urge|urges|is|by|from|into) (?:harming|cutting)\b"
         r"(?! (?:down|back|costs|hair|corners|the|staff|services|my hours|it|out|off|edge|waiting|funding|"
         r"budgets?|jobs?|beds?|team|nurses|others|people|someone|him|her|them))|\bself harm\w* is getting worse\b"),
    Sign("self-harm", "high", "speaks of punishing themselves", r"\bas (?:a )?punishment\b(?! (?:for|from) (?:the|staff|"
         r"them|being))|\bto punish myself\b", negatable=False),
    # -- harm to others, danger from others -------------------------------------------------------
    Sign("harm-to-others", "high", "speaks of harming someone else",
         r"\b(?:going to|gonna|will|'ll|want to|wanna|feel like|could|might|plan to|planning to|thinking of|"
         r"thoughts of|urges? to|end up|scared i'll|afraid i'll|worried i'll)\s+(?:\w+ )?(?:kill|hurt|harm|stab|"
         r"batter|strangle|smother|shoot|beat|attack|do something to|snap and hurt)\s+(?:him|her|them|someone|"
         r"somebody|my|the|that|this|a|people|anyone|everyone|one of|whoever|anybody)\b"),
    Sign("harm-to-others", "high", "speaks of harming someone else",
         r"\b(?:smash|punch|kick|knock|cave|bash) (?:his|her|their|your|the \w+'?s?|that \w+'?s?) (?:face|head|teeth) "
         r"in\b|\bburn (?:his|her|their|the|your|that) (?:house|flat|car|place|home) down\b|\b(?:will|'ll|going to|"
         r"gonna) pay for (?:what|this|it)\b|\bwon't (?:see|know) (?:it|what's) coming\b|\bpush\w* (?:someone|"
         r"somebody|people|him|her|a stranger|a kid) (?:onto|under|off|in front of)\b|\bvoices? (?:\w+ )?"
         r"(?:telling|tell|told|saying|say|says) (?:me|her|him|them) to (?:hurt|kill|harm|stab|attack|push)\b"
         r"(?! (?:myself|herself|himself|themselves))|\b(?:kill|stab|hurt|batter|murder|strangle) (?:my |his |her )?"
         r"(?:dad|mum|father|mother|brother|sister|wife|husband|partner|baby|son|daughter|nan|neighbour|boss|"
         r"consultant|nurse|doctor|receptionist|social worker)\b(?! (?:myself|herself))"),
    Sign("harm-to-others", "high", "speaks of a weapon meant for someone",
         r"\b(?:knife|machete|gun|bat|hammer|blade)\b(?:\s+\w+){0,4}\s+(?:for (?:him|her|them)|to use on|ready for|"
         r"in my (?:bag|pocket|coat))|\b(?:i've got|i have got|i have|carrying|i carry|bought|i'm carrying) (?:a|my) "
         r"(?:knife|blade|machete|gun|weapon)\b|\b(?:coming|come|bring\w*|turn(?:ing)? up)\b(?:\s+\w+){0,5}\s+with (?:a|my|the) "
         r"(?:hammer|knife|machete|bat|gun|blade|weapon)\b"),
    Sign("unsafe", "urgent", "says someone is threatening or hurting them",
         r"\b(?:he|she|they|him|someone|somebody|a man|a woman|my (?:ex|partner|husband|wife|boyfriend|girlfriend|"
         r"dad|stepdad|brother|son|neighbour|landlord|dealer)|the (?:man|guy|bloke|dealer|neighbour|landlord))\b"
         r"(?:\s+\w+){0,3}?\s+(?:is|'s|keeps|has been|was|are|'re|have been|keep)?\s*(?:outside|banging on|"
         r"trying to get in(?:to)?|breaking in(?:to)?|following|watching|waiting (?:for|outside)|coming (?:round "
         r"for|for|after)|threatening)\s+(?:me|my (?:door|house|flat|window|room|home|car)|the (?:door|house|"
         r"flat|window))\b"),
    Sign("unsafe", "urgent", "says they are not safe or in danger now",
         r"\b(?:scared|afraid|frightened|terrified|petrified) (?:to|of) (?:go(?:ing)? (?:home|back)|what (?:he|she|"
         r"they)(?:'ll| will| might) do|him|her|them|my (?:ex|partner|husband|wife|boyfriend|girlfriend|dad|"
         r"stepdad|brother|son|neighbour|carer))\b|\b(?:he|she|they)(?:'ll| will| is going to| said (?:he|she|they)"
         r"(?:'d| would| will))\s+(?:kill|hurt|hit|beat|stab|come for|find) me\b|\blocked (?:myself )?in (?:the|my) "
         r"(?:bathroom|room|toilet)\b|\bhiding from\b|\bnot safe\b|\bin danger\b|\bhiding in (?:the|my) "
         r"(?:bathroom|toilet|bedroom|wardrobe|room|loo|cupboard)\b|\b(?:found out|knows|know) where i (?:live|am|"
         r"stay)\b|\b(?:keeps|kept) turning up\b|\bturn(?:ed|s|ing)? up (?:at|outside) my (?:door|house|flat|"
         r"work)\b|\b(?:do|did) me in\b|\bbreak my (?:legs?|arms?|neck|face|jaw|nose)\b|\b(?:next time|it'll|it will)"
         r" (?:it(?:'ll| will) )?be me\b"),
    # -- abuse and neglect ---------------------------------------------------------------------------
    Sign("abuse", "high", "may disclose abuse, assault or neglect",
         r"\b(?:takes|took|taking|steals|stole|stealing|spends|spent|controls|control|keeps|kept|won't give me)\s+"
         r"(?:all )?(?:my|her|his|their|mum's|dad's|nan's) (?:money|benefits|pension|bank card|card|pin|wages|"
         r"pip|universal credit|savings)\b|\b(?:takes|took|taking|steals|stole|stealing|nicks|nicked)\s+"
         r"(?:money|cash|cards?|notes)\s+(?:out of|from)\b|\b(?:if|don't|not to|mustn't|never to|never) tell "
         r"(?:anyone|anybody|someone|nobody|my \w+)\b(?:\s+\w+){0,3}|\b(?:come|comes|came|coming|creeps|crept) "
         r"(?:in|into) my (?:room|bed|bedroom) (?:at night|in the night|when i'm asleep|while i sleep|and touch\w*)\b|\b(?:nobody|no one|nobody has|not been|hasn't been|haven't been|"
         r"wasn't|weren't|isn't being|not being) (?:\w+ )?(?:changed|washed|fed|bathed|turned|checked on|given "
         r"(?:food|water|a drink|meds|medication))\b|\b(?:left|got|has|developed|with) (?:with )?(?:bad |awful |"
         r"terrible )?(?:pressure sores|bed sores|bedsores)\b|\bleft (?:with|without) (?:no )?(?:food|meds|"
         r"medication|water|a drink|heating|help|care)\b|\b(?:is|being|so|very|really) controlling (?:me|her|him)\b|"
         r"\bbruises? (?:on|all over|up) (?:my|her|his)\b|\brestrain\w* (?:me|my \w+|her|him|them) for no reason\b|\b(?:left|leave|leaves|leaving)\b(?:\s+\w+){0,2}\s+(?:in|"
         r"without|lying in|sitting in) (?:soiled|wet|dirty|her own|his own|my own|their own) ?(?:clothes|pad|"
         r"sheets|bed|urine|mess|faeces|wee|poo|food|water|a drink|meds|medication|help)?\b|"
         r"\b(?:is|was|being|been|are|were|isn't|wasn't|aren't|weren't|hasn't been|haven't been) not (?:fed|washed|changed)\b|"
         r"\bnot being (?:fed|washed|changed|given (?:food|water|a drink|meds|medication))\b|"
         r"\b(?:locks|locked|lock) (?:me|her|him|them) (?:in|out)\b|\bwon't let (?:me|her|him) (?:leave|go out|see|"
         r"eat|have|call|phone|speak)\b|\b(?:sexual|sexually|inappropriate|unwanted) (?:comments|touching|"
         r"advances|messages|photos|pictures|contact)\b|\b(?:made|makes|make|forced|forces|force) (?:me|her|him|them) "
         r"(?:to )?(?:have sex|do sexual|do things|touch|watch porn|send (?:photos|pictures|nudes)|hand over|give (?:him|"
         r"her|them) (?:my|her|his|their|all))"),
    Sign("abuse", "high", "may disclose abuse, assault or neglect",
         r"\b(?:calls|called|calling|tells|told|telling)\s+(?:me|her|him) (?:i'm|i am|she's|he's|that i'm)?\s*"
         r"(?:worthless|useless|stupid|fat|ugly|mental|a psycho|nothing|a waste)\b(?:\s+\w+){0,3}\s*(?:every day|"
         r"all the time|constantly|and|if)|\b(?:grabbed|grabs|squeezed|twisted|pinned|pinches|pinched|shook|shakes|"
         r"slammed|threw|throws|dragged|drags|spat at|spits at|shoved|shoves|shoving|push|pushed|pushes|pushing|"
         r"shout at|shouts at|shouted at|screams at|slaps|slapped)\s+(?:me|my|her|him|mum|dad|nan)\b"
         r"(?! (?:through|to (?:get|do|try|go)|forward|along))"),
    # -- asking for help now: the answer is that this is not a crisis line -----------------------
    Sign("help-seeking", "low", "asks for help or whether this is a crisis line",
         r"\b(?:is this (?:a |the )?(?:crisis|emergency|help ?line|samaritans|mental health line|someone|a real "
         r"person|monitored|manned)|is (?:anyone|anybody|someone|somebody) (?:there|reading|real|listening)|"
         r"(?:can|could|will|would) (?:someone|somebody|anyone|you) (?:please )?(?:help|call|ring|phone|talk to|"
         r"speak to|come|contact) me|i need (?:help|someone|to talk|to speak|support|a (?:doctor|nurse|"
         r"crisis))\b(?! (?:with|filling|to fill|changing|to change|getting|to get|booking|to book|about my "
         r"(?:appointment|prescription|form|letter)))|please help|help me please|who (?:can|do) i (?:talk|speak|"
         r"call|ring|contact)|who should i (?:call|ring|talk to)|where can i get help|i don't know what to do any more"
         r"|i don't know who else to (?:talk|turn|ask|tell)|nobody (?:to talk|to turn|is listening|listens))",
         negatable=False),
    # -- a means (a knife, pills, a rope: often an emoji, which text.normalise writes as the word) beside words of
    # despair, with nothing between but other such words: "😭 i cant anymore 🔪", "💊💊 had enough". Not a means
    # someone owns or talks about ("they changed my pills", "can't cope with the pills"): a bare word.
    Sign("self-harm", "high", "shows a means of harm beside words of despair",
         rf"\b{DESPAIR}(?:\W+{BESIDE})*\W+{MEANS}\b|\b{MEANS}(?:\W+(?:{MEANS}|{BESIDE}))*\W+(?:i |i'm |im )?"
         rf"{DESPAIR}\b", negatable=False),
]

# Figures of speech and harmless uses that contain a sign's words. A match inside one is dropped.
IDIOMS = re.compile("|".join(f"(?:{p})" for p in [
    r"(?:wait|waiting|queue|back|head|headache|pain|feet|knees|legs|heat|suspense|traffic|paperwork|forms?|"
    r"phone|system|commute|boredom|it|this|that|stress)s? (?:is|are|was|were|will be)? ?(?:\w+ )?killing me",
    r"to die for", r"dying (?:to|for|of (?:boredom|embarrassment|laughter|thirst|hunger))",
    r"(?:bored|scared|worried|frightened|freezing|starving|sick|tired|done) to death", r"died laughing",
    r"(?:nearly|almost) died (?:laughing|of|when)", r"would kill for", r"kill for a", r"(?:would|will|'ll) kill me if",
    r"killed it", r"kill(?:ed|ing)? time", r"killing it", r"over my dead body", r"dead (?:nice|good|funny|easy|"
    r"lucky|on|right|busy|quiet|slow|boring|tired|keen|chuffed|proud|happy|friendly|helpful|kind)",
    r"i'm dead\b(?! (?:inside|serious))", r"drop dead gorgeous", r"dead (?:loss|end|line|lines)", r"deadline",
    r"shoot (?:me )?(?:a|an) (?:text|message|email)", r"cut to the chase", r"cut (?:the|down|back|waiting|my hours|"
    r"our|their|your|costs|corners|it short|me off|off)", r"(?:hair|nails|fringe) cut", r"cut my (?:hair|nails|fringe)",
    r"end of (?:my|the) tether with (?:the|your|this)", r"(?:the|your|this|that) (?:service|system|trust|place|"
    r"ward|team|nhs|appointment system|phone line) (?:will be|is|was) the death of", r"bored stiff",
    r"dying (?:laughing|inside laughing)", r"the death of me(?! tonight)",
    r"(?:watched|watching|reading|read|played|playing) (?:a |the )?(?:\w+ )?(?:film|movie|game|book|series|thriller|"
    r"murder mystery|horror|crime drama|documentary)", r"(?:call of duty|gta|grand theft auto|fortnite|"
    r"eastenders|coronation street|emmerdale|hollyoaks|casualty|line of duty|the bill)",
    r"(?:risk|safety|crisis|care|discharge) (?:assessment|plan|planning)", r"zero suicide", r"(?:suicide|self harm|ligature|"
    r"safeguarding|overdose) (?:prevention|awareness|training|risk assessment|risks?|policy|course|information|"
    r"leaflet|point|points|audit|checks?|free|advice|warning|cutters?|team)", r"sharps bin",
    r"(?:no|not any|lost all) (?:point|hope) (?:in|of) (?:ringing|calling|phoning|asking|complaining|waiting|"
    r"going|contacting|chasing|getting|them|you|the)",
    r"can't (?:go on|cope with) (?:the|a|any|holiday|outings?|leave|trips?|waiting|the waiting|this waiting)",
    r"(?:take|took|taking) (?:all )?my (?:tablets|meds|medication|pills) (?:as prescribed|every|each|at|in the|"
    r"with|on time|regularly|properly|now|since|like)", r"(?:collect|collected|collecting|pick(?:ed)? up) (?:my|the) "
    r"(?:prescription|meds|tablets|medication)", r"prescription (?:was|is|wasn't|isn't|has|hasn't|had) ",
    r"(?:pharmacy|chemist|gp|surgery|nurse|doctor|ward|staff|they|he|she) (?:\w+ )?(?:kept|keeps|keeping|hid|hidden|"
    r"gave|give|put|collected|collects|saved|sorted|stopped|changed|reduced|increased) (?:\w+ )?(?:my|the|his|her) "
    r"(?:tablets|meds|medication|pills|prescription)",
    r"(?:going|go|went|walk|walking|walked) (?:to|along|by|over|down to|on) (?:the|a) (?:bridge club|river walk|"
    r"sea front|seafront|canal path|towpath|beach)", r"(?:bridge|river|sea|canal) (?:club|walk|view|front|path|side)",
    r"(?:the|a) (?:car park|multi ?storey) (?:is|was|were|has|had|needs|charges|fees|costs|spaces|prices)",
    r"(?:give|gave|giving) (?:my|the) (?:details|name|number|address|feedback|consent|opinion|views|time|thanks)",
    r"(?:like|is|was) banging my head against", r"brick wall",
    r"(?:shoot|kill|hang|top) myself if i (?:have to|fill|hear|see|get|do|am|'m|wait)",
    rf"{OD} (?:on|of) (?:(?:my|the|all the|too much|so much|a lot of|loads of|lots of|some|christmas|easter|"
    rf"birthday|[\w']+'s) )?{TREATS}\b",  # "overdosed on chocolate"
    rf"{OD} (?:on|of) (?:(?!{TAKEN}\b)[\w']+ ){{1,6}}{LAUGH}\b",  # "od'd on the new album lol": no drug before the laugh
    r"suicide squad", r"(?:risk|risks|danger|dangers) of (?:an )?overdose", r"end it (?:there|early|with)",
    r"on the edge of my seat", r"hit (?:and|or) miss", r"hit the ground", r"assault course", r"rope swing",
    r"on the roof (?:of|was|is)", r"at the end of the day", r"(?:substance|alcohol|drug) abuse", r"please end the",
    r"jump from (?:one|topic|thing|subject|question)", r"neglected (?:to|the|my garden)", r"(?:is|was|be) suicide for (?:my|the|your)", r"(?:suicide|overdose|self harm) (?:rates?|storylines?|statistics|figures|stories|story|numbers|data|research)",
    r"lost (?:his|her|their|my|a) \w+ to suicide", r"(?:die|died|dying) (?:of|from) (?:embarrassment|shame|boredom|"
    r"laughter|laughing|cringe|thirst|hunger|the heat)", r"anti ?ligature", r"(?:don't|do not|never|didn't) feel unsafe",
    r"if i (?:ever )?(?:feel|am|get|start feeling|start to feel) (?:unsafe|suicidal|like (?:hurting|harming) myself)"
    r"(?: [\w']+){0,3}", r"the old me(?: [\w']+){0,6}",
    r"if i (?:have to|hear|see|get) (?:\w+ ){0,6}(?:i'm )?(?:going to|gonna|i'll|will) (?:shoot|kill|hang|top) myself",
    r"(?:film|movie|game|book|series|episode|show|documentary|drama|play|novel|news|podcast|soap|storyline|story line|"
    r"programme|program|article|talk|campaign|play|song|video)s? (?:about|on|where|with|in which|covering)(?: [\w']+){0,8}",
    r"abuse of (?:\w+ )?(?:time|trust|power|process|position|system|resources|money|authority)",
    r"neglect of (?:your|their|his|her|its|the|our) (?:duty|duties|responsibilit\w+|job|patients)",
    r"(?:not|no longer|never|wasn't|isn't|aren't|weren't) (?:in )?(?:any )?danger", r"not unsafe",
    r"asked (?:me )?(?:about|if i (?:had|have|was|am|ever|felt|wanted|want|would|feel)|whether i (?:\w+)) "
    r"(?:\w+ ){0,3}(?:suicid\w*|self harm\w*|thoughts|harming|hurt myself|hurting myself|abuse|domestic abuse|"
    r"kill myself|end my life)(?: [\w']+){0,4}", r"kicked out", r"unsafe if", r"accidental(?:ly)? overdos",
    r"(?:wrote|written|writing|write|left|leaving) (?:a |my |the )?(?:note|letter|message|review|complaint|"
    r"feedback|card)s? (?:to|for) (?:the|my|your) (?:gp|doctor|team|ward|staff|nurse|manager|pals|complaints|mp)",
    r"(?:thank you|thanks) (?:note|card|letter)", r"(?:last|final) (?:letter|message|text|note) (?:from|about|"
    r"said|says|was|i got|we got)", r"(?:last|final) (?:appointment|session|review|meeting|message from)",
    r"see (?:you|me) (?:tomorrow|tonight|later|soon|on)", r"(?:will|won't|wont) be (?:here|around) (?:for|on|at|"
    r"till|until|next|this|when|in) (?:my|the|your|a|our|that|\d)", r"said goodbye to (?:the|my) (?:staff|team|"
    r"nurses|ward|doctor|care coordinator|therapist|group)", r"goodbye (?:party|card|do|lunch)",
    r"(?:leaving|left) (?:the )?(?:ward|service|hospital|team|group)", r"(?:help|helped) me (?:with|to|get|"
    r"understand|fill|through)", r"please help me (?:with|to|get|understand|fill)",
]))
_COMPILED = [(sign, re.compile(sign.pattern)) for sign in SIGNS]


def idioms(norm: str) -> list[tuple[int, int]]:
    """Where the figures of speech are in a normalised text."""
    return [m.span() for m in IDIOMS.finditer(norm)]


def find(norm: str, idioms_at: list[tuple[int, int]] | None = None) -> list[tuple[Sign, int, int, str]]:
    """Every sign in a normalised text that is not inside a figure of speech: (sign, start, end, words)."""
    idioms_at = idioms(norm) if idioms_at is None else idioms_at
    found = []
    for sign, pattern in _COMPILED:
        for m in pattern.finditer(norm):
            a, b = m.span()
            if any(s <= a < e or s < b <= e for s, e in idioms_at):
                continue
            found.append((sign, a, b, m.group().strip()))
    return found
