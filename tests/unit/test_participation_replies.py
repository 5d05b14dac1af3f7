"""Replies keep their meaning on every phone (issue 14): names and titles in any script, a question at
consent, media with no words, and the smaller fixes. The core only, with no I/O.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, assume, example, settings
from hypothesis import given as for_any
from hypothesis import strategies as st

from bot import engine, gsm7
from bot import participation as p
from bot.answers import NO, YES
from bot.engine import MEDIA, Context
from bot.keywords import SKIP_WORDS, normalise
from bot.texts import Texts, given

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
STARTS = T0 + timedelta(days=14, hours=4)  # Thursday 10 December, 2pm in London
DAY = "Thu 10 Dec 14:00"
TRUST = "Riverside and Northfield Partnership NHS Foundation Trust"


def opening(title: str = "Working Together group: crisis care", places_left: int | None = 5) -> p.Opening:
    return p.Opening(id=1, title=title, summary="Help shape crisis care. Paid.", type="working_together",
                     area="North", venue="Oak House", payment="paid", starts_at=STARTS, places_left=places_left)


class Talk:
    """One person in the participation conversation (bot/participation.py's step table), as the service drives it."""

    def __init__(self, sms: bool, snap: p.Snapshot):
        self.sms, self.snap, self.state, self.effects = sms, snap, {}, []

    def says(self, text: str) -> list[str]:
        result = p.handle(self.state, normalise(text), text, self.snap, self.sms, T0, TRUST)
        self.state = result.state
        self.effects += result.effects
        if self.sms:
            for reply in result.replies:
                assert gsm7.fits(reply.text), f"over the SMS budget: {reply.text!r}"
        return [r.text for r in result.replies]

    def member(self) -> p.Member:
        """What the service would hold after the effects so far."""
        [consent] = [e for e in self.effects if isinstance(e, p.Consent)]
        title = self.snap.openings[0].title
        places = tuple(p.Place(n, e.opportunity_id, title, "waiting" if e.waiting else "confirmed")
                       for n, e in enumerate(self.effects) if isinstance(e, p.SignUpFor))
        return p.Member(name=consent.name, consent_at=T0, access_needs=consent.access_needs, places=places)


def sign_up(sms: bool, title: str, name: str, needs: str, chatter: tuple[str, ...] = ()) -> tuple[Talk, list[str]]:
    talk = Talk(sms, p.Snapshot(openings=(opening(title),), address="+447700900123" if sms else ""))
    talk.says("JOIN"), talk.says("1"), talk.says("SIGN UP")
    for said in chatter:  # anything at consent but yes or no: asked again, answered if it is a question
        assert "Please reply YES to agree, or NO." in talk.says(said)[-1]
    assert "call you" in talk.says("YES")[0]
    assert "access needs" in talk.says(name)[0]
    return talk, talk.says(needs)


def my_data(talk: Talk) -> str:
    snap = p.Snapshot(openings=talk.snap.openings, member=talk.member(), address=talk.snap.address)
    return "\n".join(Talk(talk.sms, snap).says("MY DATA"))


# --- names, titles and access needs in any script -----------------------------------------

@pytest.mark.parametrize("name,on_sms", [("\u0141ukasz", "Lukasz"), ("Si\u00e2n", "Sian"), ("Zo\u00eb", "Zoe"),
                                         ("Ren\u00e9e", "Ren\u00e9e"), ("\u5f20\u4f1f", "ZhangWei")])
def test_a_name_outside_gsm7_is_spelt_in_gsm7_on_sms_and_kept_on_telegram(name, on_sms):
    for sms, shown in ((True, on_sms), (False, name)):
        talk, [booked, _offer] = sign_up(sms, "Working Together group: crisis care", name, "none")
        assert f"Thank you {shown}." in booked
        assert f"You're signed up for Working Together group: crisis care on {DAY}." in booked
        assert "Text WITHDRAW" in booked
        assert f"We hold: name {shown};" in my_data(talk)


def test_a_title_outside_gsm7_is_spelt_on_sms_and_the_booking_still_says_what_and_when():
    title = "Grupa wsparcia \u2013 \u0141\u00f3d\u017a \U0001F642"
    talk, [booked, _] = sign_up(True, title, "\u0141ukasz", "Wheelchair user, BSL \u2013 please")
    assert f"You're signed up for Grupa wsparcia - Lodz :slight_smile: on {DAY}." in booked
    held = my_data(talk)
    assert "Grupa wsparcia - Lodz :slight_smile: (place confirmed)" in held
    assert "Access needs: Wheelchair user, BSL - please" in held
    _, [booked, _] = sign_up(False, title, "\u0141ukasz", "none")
    assert f"You're signed up for {title} on {DAY}." in booked


names = st.one_of(st.sampled_from(["\u0141ukasz", "Si\u00e2n", "\u5f20\u4f1f", "\u0627\u0644\u0644\u0647", "A" * 80,
                                   "\U0001F600" * 80, "\u5f20" * 80]),
                  st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=100))
needs = st.one_of(st.just("none"), st.text(st.characters(blacklist_categories=("Cs",)), max_size=1000),
                  st.sampled_from(["\u624b\u8bed " * 300, "Step-free \u2013 \u201cquiet\u201d room " * 30]))
titles = st.one_of(st.sampled_from(["Working Together group", "\u5f20\u4f1f " * 40,
                                    "Caf\u00e9 \u201cchat\u201d \u2013 \u0141\u00f3d\u017a"]),
                   st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120))
chatter = st.lists(st.one_of(st.sampled_from(["what do u keep about me?", "who sees it?", "why do you need my name",
                                              "can I delete it later?", "is it paid?", "hmm"]),
                             st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200)),
                   max_size=3)


def usable(text: str) -> bool:
    """Not a word that steers the conversation elsewhere (JOIN, MY DATA, ...)."""
    return not p.is_keyword(normalise(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@for_any(sms=st.booleans(), title=titles, name=names, access=needs, said=chatter)
@example(sms=True, title="Working Together group", name="\u0141ukasz", access="none", said=("who sees it?",))
@example(sms=True, title="Working Together group", name="Si\u00e2n", access="Step-free " * 100, said=())
def test_any_name_title_answer_or_access_needs_keep_what_every_reply_must_say(sms, title, name, access, said):
    stored = " ".join(name.split())[:80]
    assume(stored.strip(" .!?") and normalise(stored) not in SKIP_WORDS and usable(name) and usable(access))
    assume(title.strip() and all(usable(s) and normalise(s) not in {*YES, *NO, "i agree", "agree", "yes i agree"}
                                 for s in said))
    talk, [booked, offer] = sign_up(sms, title, name, access, tuple(said))
    # the booking says what and when, on every phone
    assert f"You're signed up for {given(title, sms, 120)} on {DAY}." in booked
    assert "Text WITHDRAW if you can't make it." in booked and "YES or NO" in offer
    [consent] = [e for e in talk.effects if isinstance(e, p.Consent)]
    assert consent.name == stored  # kept as written: only the reply is spelt for SMS
    # MY DATA says what we hold: the name, and the access needs whole or clearly shortened
    held = my_data(talk)
    shown = given(stored, sms, 80)
    assert f"We hold: name {shown or 'not given'};" in held
    assert gsm7.is_gsm7(shown) if sms else shown == stored
    kept = consent.access_needs
    if not kept:
        assert "Access needs: none given" in held
    else:
        after = held.split("Access needs: ", 1)[1].split("\n", 1)[0]
        whole = given(kept, sms, 1000)
        assert after == whole or (sms and after.endswith("...") and whole.startswith(after[:-3].rstrip(" ,.;:-"))
                                  and len(after) > 20), f"access needs {kept!r} said as {after!r}"
    assert f"{given(title, sms, 120)} (place confirmed)" in held


def test_a_name_with_nothing_to_spell_is_shown_as_a_question_mark_not_dropped():
    talk, _ = sign_up(True, "Working Together group", "\u200b\ue000", "none")
    assert "We hold: name ?;" in my_data(talk)


# --- a question at consent gets the plain answer, then the consent question again -----------

@pytest.mark.parametrize("question,answer", [
    ("what do u keep about me?", "We keep your name, this phone number"),
    ("What do you store", "We keep your name"),
    ("who sees it?", "Only the People Participation Team see them"),
    ("is my data shared with anyone", "Only the People Participation Team see them"),
    ("why do you need my name", "We ask for a name so we know what to call you"),
    ("y do u want that", "We ask for a name"),
    ("can I delete it later?", "Text DELETE MY DATA any time"),
    ("how do i remove my details", "Text DELETE MY DATA any time"),
    ("is it paid?", "I can only answer questions here about what we keep, who sees it"),
])
def test_a_question_at_consent_gets_a_plain_answer_then_the_consent_question(question, answer):
    talk = Talk(True, p.Snapshot(openings=(opening(),), address="+447700900123"))
    talk.says("JOIN"), talk.says("1"), talk.says("SIGN UP")
    [reply] = talk.says(question)
    assert answer in reply and reply.endswith("Please reply YES to agree, or NO.")
    assert talk.state["step"] == "consent" and talk.effects == []
    assert "call you" in talk.says("yes")[0]


@pytest.mark.parametrize("text", ["hmm", "do it", "Sam", "maybe later", "delete"])
def test_anything_else_at_consent_is_simply_asked_again(text):
    talk = Talk(True, p.Snapshot(openings=(opening(),)))
    talk.says("JOIN"), talk.says("1"), talk.says("SIGN UP")
    assert talk.says(text) == ["Please reply YES to agree, or NO."]


def test_on_telegram_the_answer_names_the_chat_and_keeps_the_buttons():
    talk = Talk(False, p.Snapshot(openings=(opening(),)))
    talk.says("JOIN"), talk.says("1"), talk.says("SIGN UP")
    result = p.handle(talk.state, "what do you keep", "what do you keep?", talk.snap, False, T0, TRUST)
    assert "this Telegram chat" in result.replies[0].text and result.replies[0].buttons == p.AGREE


# --- the smaller ones --------------------------------------------------------------------

def test_one_place_left_is_said_in_the_singular():
    talk = Talk(True, p.Snapshot(openings=(opening(places_left=1),)))
    talk.says("JOIN")
    facts = talk.says("1")[-1]
    assert "1 place left." in facts and "places" not in facts
    assert "2 places left." in Texts().details(opening(places_left=2), DAY, 2, sms=True)[1]


@pytest.mark.parametrize("sms", [True, False])
def test_the_alerts_menu_puts_each_choice_on_its_own_line(sms):
    member = p.Member(name="Si\u00e2n", consent_at=T0, alerts="instant")
    [menu] = Talk(sms, p.Snapshot(member=member)).says("ALERTS")
    lines = menu.split("\n")
    assert lines[-6:] == ["1 Instant", "2 Weekly digest", "3 Pause", "4 Choose kinds", "5 Choose areas", "6 Turn off"]
    assert lines[0].startswith("Alerts: on, as they are published.")


def test_the_alerts_menu_counts_long_settings_rather_than_dropping_the_choices():
    member = p.Member(name="\u5f20" * 80, consent_at=T0, alerts="weekly", interests=tuple(c for c, _, _ in p.TYPES),
                      areas=tuple(f"\u0141\u00f3d\u017a district {n} " * 4 for n in range(12)))
    [menu] = Talk(True, p.Snapshot(member=member)).says("ALERTS")
    assert "Alerts: on, a weekly digest. About: 9 kinds. Where: 12 areas.\n1" not in menu
    assert "About: 9 kinds. Where: 12 areas.\nReply with a number:\n1 Instant" in menu


def erasing(member: p.Member) -> Talk:
    talk = Talk(True, p.Snapshot(member=member))
    assert "Reply DELETE to confirm" in talk.says("DELETE MY DATA")[0]
    return talk


@pytest.mark.parametrize("yes", ["YES", "yes", "y", "Yeah", "ok", "confirm"])
def test_at_delete_my_data_yes_is_not_delete_the_bot_asks_for_delete_again(yes):
    talk = erasing(p.Member(name="Sam", consent_at=T0))
    assert talk.says(yes) == ["To delete your details, reply DELETE. To keep them, reply NO."]
    assert talk.effects == [] and talk.state["step"] == "erase"
    assert "deleted" in talk.says("DELETE")[0] and talk.effects == [p.Erase()]
    talk = erasing(p.Member(name="Sam", consent_at=T0))
    talk.says(yes)
    assert "kept your details" in talk.says("NO")[0] and talk.effects == []


@pytest.mark.parametrize("reply", ["1", "2", "one"])
def test_at_withdraw_from_a_single_place_a_number_is_not_yes(reply):
    member = p.Member(name="Sam", consent_at=T0, places=(p.Place(7, 1, "Working Together group", "confirmed"),))
    talk = Talk(True, p.Snapshot(member=member))
    assert "Reply YES to withdraw" in talk.says("WITHDRAW")[0]
    assert talk.says(reply) == ["Please reply YES or NO."]
    assert talk.effects == [] and talk.state["step"] == "withdraw"
    assert "withdrawn" in talk.says("YES")[0] and talk.effects == [p.Withdraw(7)]


# --- media with no words -------------------------------------------------------------------

@pytest.mark.parametrize("channel", ["sms", "telegram"])
@pytest.mark.parametrize("state", [{}, "mid-survey", "at the name step"])
def test_media_with_no_words_gets_an_honest_reply_and_nothing_changes(channel, state):
    ctx = Context(now=T0, channel=channel, ref="r", participation=p.Snapshot(openings=(opening(),)))
    if state == "mid-survey":
        state = engine.handle({}, "FEEDBACK", ctx).state
    elif state == "at the name step":
        state = {"step": "name", "then": "signup", "opp": 1, "wording": "w", "updated_at": T0.isoformat()}
    result = engine.handle(state, MEDIA, ctx)
    assert [r.text for r in result.replies] == [Texts().media()]
    assert "only read text" in result.replies[0].text and "type" in result.replies[0].text
    assert result.state == state and result.effects == []
    assert Texts().media() != Texts().empty()
    assert [r.text for r in engine.handle(state, "  ", ctx).replies] == [Texts().empty()]


# --- spelling in GSM-7 ---------------------------------------------------------------------

@pytest.mark.parametrize("text,spelt", [
    ("\u0141ukasz", "Lukasz"), ("Si\u00e2n", "Sian"), ("Si\u0061\u0302n", "Sian"),  # composed or not
    ("Ren\u00e9e \u00c5sa \u00df \u00d8 \u00c7", "Ren\u00e9e \u00c5sa \u00df \u00d8 \u00c7"),  # GSM-7's own letters
    ("\u00e0 \u00f1 \u00fc \u0394 \u00c9", "\u00e0 \u00f1 \u00fc \u0394 \u00c9"),
    ("e\u0301", "\u00e9"),  # an accent GSM-7 has, typed as two characters
    ("\u2018quoted\u2019 \u201cwords\u201d \u2013 \u2026", "'quoted' \"words\" - ..."),
    ("\u5f20\u4f1f", "ZhangWei"), ("\u041f\u0440\u0438\u0432\u0435\u0442", "Privet"), ("a`b", "a'b"),
    ("tab\there", "tab here"), ("zero\u200bwidth", "zerowidth"), ("\ue000", "?"), ("{[~]}", "{[~]}"),
])
def test_transliterate_keeps_gsm7_letters_and_spells_the_rest(text, spelt):
    assert gsm7.transliterate(text) == spelt
    assert gsm7.is_gsm7(gsm7.transliterate(text))


@settings(max_examples=500, deadline=None)
@for_any(st.text(st.characters(blacklist_categories=("Cs",))))
def test_transliterate_always_gives_gsm7_and_leaves_gsm7_alone(text):
    spelt = gsm7.transliterate(text)
    assert gsm7.is_gsm7(spelt)
    if gsm7.is_gsm7(text) and not any(ch.isspace() and ch not in " \n\r" for ch in text):
        assert spelt == text


# --- a name is a name, not a message in another language ---------------------------------------

def at_the_name_step(text: str, risk: engine.Risk) -> engine.Result:
    state = {"step": "name", "then": "signup", "opp": 1, "wording": "w", "updated_at": T0.isoformat()}
    ctx = Context(now=T0, channel="sms", ref="r", risk=risk, participation=p.Snapshot(openings=(opening(),)))
    return engine.handle(state, text, ctx)


@pytest.mark.parametrize("name,language", [("\u0141ukasz", "Polish"), ("Si\u00e2n", "Welsh"),
                                           ("Mar\u00eda Jos\u00e9 Garc\u00eda", "Spanish")])
def test_a_name_that_reads_as_another_language_is_taken_as_the_name(name, language):
    result = at_the_name_step(name, engine.Risk("other-language", "high", name, language=language))
    assert "access needs" in result.replies[0].text and result.state["name"] == name
    assert not [e for e in result.effects if isinstance(e, engine.RaiseFlag)]


def test_a_sentence_in_another_language_or_any_other_risk_at_the_name_step_is_still_read_by_a_human():
    sentence = "Nie wiem co mam teraz zrobi\u0107 z tym wszystkim"
    for text, risk in ((sentence, engine.Risk("other-language", "high", sentence, language="Polish")),
                       ("Sam, I want to die", engine.Risk("suicide", "urgent", "want to die"))):
        result = at_the_name_step(text, risk)
        assert [e.category for e in result.effects if isinstance(e, engine.RaiseFlag)] == [risk.category]
        assert result.state["step"] == "name" and "name" not in result.state
