"""Getting involved in people's own words (issue 14's fresh-eyes walk): a name with words around it, yes and no
said loosely, the rights to one's data asked without the keywords, and keeping a place at WITHDRAW. The core
only, with no I/O."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot import participation as p
from bot.keywords import normalise

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
OPENING = p.Opening(id=1, title="Working Together group", summary="Help shape crisis care.", type="working_together",
                    area="North", venue="Oak House", payment="paid", starts_at=T0 + timedelta(days=14))
MEMBER = p.Member(name="Sam", consent_at=T0 - timedelta(days=30),
                  places=(p.Place(7, 1, "Working Together group", "confirmed"),))


class Talk:
    def __init__(self, member: p.Member | None = None):
        self.snap, self.state, self.effects = p.Snapshot(openings=(OPENING,), member=member), {}, []

    def says(self, text: str) -> list[str]:
        result = p.handle(self.state, normalise(text), text, self.snap, True, T0, "Riverside NHS Foundation Trust")
        self.state, self.effects = result.state, self.effects + result.effects
        return [r.text for r in result.replies]

    def at_consent(self) -> Talk:
        self.says("JOIN"), self.says("1"), self.says("SIGN UP")
        assert self.state["step"] == "consent"
        return self


@pytest.mark.parametrize("said,name", [
    ("my name is Chidi Okonkwo", "Chidi Okonkwo"), ("Thank you my name is Chidi Okonkwo", "Chidi Okonkwo"),
    ("I'm Sam", "Sam"), ("im Sam", "Sam"), ("I am Aisha, thanks!", "Aisha"), ("It's Priya thanks", "Priya"),
    ("call me Dee x", "Dee"), ("you can call me Big Mo", "Big Mo"), ("Name: Ann Lee", "Ann Lee"),
    ("Imogen", "Imogen"), ("Isla", "Isla"), ("Łukasz", "Łukasz"), ("0:", "0:")])
def test_the_name_is_kept_without_the_words_around_it(said, name):
    talk = Talk().at_consent()
    talk.says("yes")
    talk.says(said)
    talk.says("none")
    [consent] = [e for e in talk.effects if isinstance(e, p.Consent)]
    assert consent.name == name


@pytest.mark.parametrize("said", ["yes ok", "ok yes", "yes that's fine", "Yeah go on", "yes i agree", "sure, why not"])
def test_yes_at_consent_in_own_words(said):
    talk = Talk().at_consent()
    assert "call you" in talk.says(said)[0] and talk.state["step"] == "name"


@pytest.mark.parametrize("said", ["no thanks", "not now", "No, not now thanks", "nah I'm good"])
def test_no_at_consent_in_own_words(said):
    talk = Talk().at_consent()
    assert "haven't kept anything" in talk.says(said)[0] and talk.state == {}


@pytest.mark.parametrize("said", ["no, what do you need my name for", "yes but who sees it?", "ok?", "maybe later"])
def test_a_question_or_a_doubt_at_consent_is_not_taken_as_yes_or_no(said):
    talk = Talk().at_consent()
    talk.says(said)
    assert talk.state["step"] == "consent" and not talk.effects


@pytest.mark.parametrize("said", ["please delete everything you have on me", "delete my details", "remove my data",
                                  "Please can you erase all my info", "get rid of my details please"])
@pytest.mark.parametrize("at", ["opps", "withdraw", "needs"])
def test_asking_to_delete_in_own_words_starts_delete_my_data(said, at):
    talk = Talk(MEMBER)
    if at == "opps":
        talk.says("JOIN")
    elif at == "withdraw":
        talk.says("WITHDRAW")
    else:
        talk.state = {"step": "needs", "wording": "w", "name": "Sam", "opp": 1}
    replies = talk.says(said)
    assert talk.state["step"] == "erase" and "Reply DELETE to confirm" in replies[0] and not talk.effects


@pytest.mark.parametrize("said", ["what do you have about me", "what data do you hold on me",
                                  "What info have you got on me?", "show me my data"])
def test_asking_what_we_hold_in_own_words_gets_my_data(said):
    talk = Talk(MEMBER)
    talk.says("JOIN")
    replies = talk.says(said)
    assert talk.state == {} and "Sam" in " ".join(replies)


@pytest.mark.parametrize("said", ["don't delete my data", "the lift should remove everything from the hall",
                                  "can I delete it later?", "what do you keep?"])
def test_words_that_only_mention_data_are_not_a_request(said):
    assert not p.asks_to_delete(said) and not p.asks_for_data(said)


@pytest.mark.parametrize("said", ["no actually not now", "not now thanks", "no thanks", "No."])
def test_not_now_at_the_listing_closes_politely_and_asks_nothing(said):
    talk = Talk()
    talk.says("JOIN")
    [reply] = talk.says(said)
    assert talk.state == {} and "?" not in reply and "No problem" in reply


@pytest.mark.parametrize("said", ["actually no keep me on it", "no keep it", "keep my place", "No, I'll stay"])
def test_keeping_the_place_at_withdraw_is_no(said):
    talk = Talk(MEMBER)
    talk.says("WITHDRAW")
    assert talk.says(said) == ["OK, nothing has changed."] and not talk.effects


@pytest.mark.parametrize("said", ["yes", "yes withdraw me", "don't keep my place"])
def test_leaving_at_withdraw_is_never_read_as_keeping(said):
    assert not p.keeps(said)
