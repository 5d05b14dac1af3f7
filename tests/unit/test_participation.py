"""The participation conversation, driven through the engine with no I/O, on SMS and Telegram."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from bot import engine, gsm7
from bot import participation as p
from bot.engine import Context, OptOut
from bot.texts import Texts

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
LONG_TRUST = "Riverside and Northfield Partnership NHS Foundation Trust"
SUMMARY = ("Join service users and staff to reshape crisis care in the north of the county. Lunch, travel and "
           "your time paid at the trust's involvement rate. Two hours a month.")


def opening(id_: int, title: str, type_: str = "working_together", area: str = "North", venue: str = "Oak House",
            places_left: int | None = 5, **more) -> p.Opening:
    return p.Opening(id=id_, title=title, summary=SUMMARY, type=type_, area=area, venue=venue, payment="paid",
                     starts_at=T0 + timedelta(days=id_, hours=4), places_left=places_left,
                     closes_on=date(2026, 12, 20), accessibility="Step-free access and a hearing loop.", **more)


OPENINGS = (
    opening(1, "Working Together group: crisis care"),
    opening(2, "Expert by Experience training", "ebe_training", "South", "online", places_left=0),
    opening(3, "Volunteer at the recovery college cafe", "volunteering", places_left=None),
    opening(4, "Service user governor seat on the Trust Board of Directors' quality committee", "committee",
            "Central"),
    opening(5, "QI project: a calmer waiting room", "qi_project", "South"),
)
MEMBER = p.Member(name="Sam", consent_at=T0 - timedelta(days=30), access_needs="Wheelchair user",
                  alerts="instant", places=(p.Place(7, 1, "Working Together group: crisis care", "confirmed"),))


class Person:
    def __init__(self, channel: str = "sms", member: p.Member | None = None, openings=OPENINGS,
                 trust: str = "Riverside NHS Foundation Trust"):
        self.channel, self.state, self.effects = channel, {}, []
        self.snap = p.Snapshot(openings=openings, member=member, areas=("Central", "North", "South"),
                               address="+447700900123")
        self.texts_config = Texts(trust_name=trust)

    def says(self, text: str) -> list[engine.Reply]:
        ctx = Context(now=T0, channel=self.channel, ref="r", texts=self.texts_config,
                      participation=self.snap if engine.wants_participation(self.state, text) else None)
        result = engine.handle(self.state, text, ctx)
        self.state = result.state
        self.effects.extend(result.effects)
        if self.channel == "sms":
            for reply in result.replies:
                assert gsm7.fits(reply.text), f"over the SMS budget: {reply.text!r}"
        return result.replies

    def text(self, text: str) -> str:
        return "\n".join(r.text for r in self.says(text))

    def of(self, kind) -> list:
        return [e for e in self.effects if isinstance(e, kind)]


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_a_newcomer_finds_an_opportunity_and_signs_up_with_consent(channel):
    person = Person(channel)
    listing = person.says("JOIN")[0]
    assert "1 Working Together group: crisis care" in listing.text and "MORE" in listing.text
    if channel == "telegram":
        assert ("More", "MORE") in listing.buttons and ("1", "1") in listing.buttons
    assert "Oak House" in person.text("1") and "SIGN UP" in person.text("1")
    consent = person.text("SIGN UP")
    assert "Only the People Participation Team" in consent and "DELETE MY DATA" in consent
    assert "anonymous" in consent and "YES" in consent
    assert "call you" in person.text("yes")
    assert "access needs" in person.text("Sam Taylor")
    done = person.text("I use a wheelchair")
    assert "Thank you Sam Taylor" in done and "signed up for Working Together group: crisis care" in done
    assert person.of(p.Consent) == [p.Consent(consent, "Sam Taylor", "I use a wheelchair")]
    assert person.of(p.SignUpFor) == [p.SignUpFor(1, waiting=False)]
    assert "optional questions about you" in done and person.state["step"] == "equality_offer"


def test_a_new_participant_may_answer_the_equality_questions_kept_apart():
    person = Person()
    for text in ("JOIN", "1", "SIGN UP", "yes", "Sam", "none"):
        person.says(text)
    assert "What is your age?" in person.text("YES")
    assert (person.state["survey"], person.state["step"]) == ("about-you-participants", "question")
    person.says("3")
    [answer] = [e for e in person.effects if isinstance(e, engine.RecordAnswer)]
    assert (answer.survey_id, answer.store, answer.value) == ("about-you-participants", "equality", "25_34")
    declined = Person()
    for text in ("JOIN", "1", "SIGN UP", "yes", "Sam", "none"):
        declined.says(text)
    assert "ALERTS" in declined.text("no") and declined.state == {}


def test_numbers_run_on_across_pages_and_more_wraps_round():
    person = Person()
    assert "(1-3 of 5)" in person.text("JOIN")
    page2 = person.text("MORE")
    assert "(4-5 of 5)" in page2 and "\n4 " in page2 and "\n5 QI project" in page2
    assert "calmer waiting room" in person.text("5")
    assert "From the start" in person.text("MORE")


def test_saying_no_to_consent_keeps_nothing():
    person = Person()
    person.says("JOIN"), person.says("1"), person.says("SIGN UP")
    assert "haven't kept anything" in person.text("no")
    assert person.effects == [] and person.state == {}


def test_a_full_opportunity_offers_the_waiting_list():
    person = Person(member=MEMBER)
    person.says("JOIN")
    assert "waiting list" in person.text("2")
    assert "is full" in person.text("SIGN UP")
    assert "on the waiting list" in person.text("YES")
    assert person.of(p.SignUpFor) == [p.SignUpFor(2, waiting=True)]


def test_a_participant_signs_up_without_being_asked_again_and_cannot_sign_up_twice():
    person = Person(member=MEMBER)
    person.says("JOIN"), person.says("3")
    assert "Thank you Sam" in person.text("sign up")
    assert not person.of(p.Consent) and person.of(p.SignUpFor) == [p.SignUpFor(3, waiting=False)]
    person.says("JOIN"), person.says("1")
    assert "already signed up" in person.text("SIGN UP")


def test_the_list_follows_the_participants_interests_and_areas():
    member = replace(MEMBER, interests=("qi_project", "ebe_training"), areas=("South",))
    listing = Person(member=member).text("JOIN")
    assert "QI project" in listing and "Expert by Experience" in listing and "crisis care" not in listing
    nothing = replace(MEMBER, interests=("research",))
    assert "here is everything" in Person(member=nothing).text("JOIN")
    by_area = Person().text("JOIN CENTRAL")
    assert "(1-1 of 1)" in by_area and "governor" in by_area


def test_no_open_opportunities_points_to_alerts():
    assert "ALERTS" in Person(openings=()).text("JOIN")


def test_stop_works_in_the_middle_of_signing_up():
    person = Person()
    person.says("JOIN"), person.says("1"), person.says("SIGN UP")
    assert "opted out" in person.text("STOP")
    assert person.of(OptOut) and not person.of(p.Consent)
    assert person.text("JOIN") == ""  # nothing at all is sent after STOP


def test_a_survey_keyword_leaves_the_list_and_join_leaves_a_survey():
    person = Person()
    person.says("JOIN")
    assert "Overall, how was your experience" in person.text("FEEDBACK")
    assert "Ways to get involved" in person.text("JOIN")


def test_withdrawing_from_one_or_from_a_choice():
    person = Person(member=MEMBER)
    assert "Withdraw from Working Together group" in person.text("WITHDRAW")
    assert "withdrawn" in person.text("yes")
    assert person.of(p.Withdraw) == [p.Withdraw(7)]
    two = replace(MEMBER, places=MEMBER.places + (p.Place(8, 2, "Expert by Experience training", "waiting"),
                                                  p.Place(9, 3, "Old one", "withdrawn")))
    person = Person(member=two)
    listing = person.text("WITHDRAW")
    assert "1 Working Together" in listing and "2 Expert by Experience training (waiting list)" in listing
    assert "Old one" not in listing
    assert "Please reply with a number" in person.text("7")
    person.says("2")
    assert person.of(p.Withdraw) == [p.Withdraw(8)]
    assert "not signed up" in Person().text("WITHDRAW")


def test_alerts_for_a_newcomer_start_with_consent_then_the_menu():
    person = Person()
    assert "To send you alerts" in person.text("ALERTS")
    person.says("yes")
    menu = person.text("Jo")
    assert "alerts are on" in menu and "2 Weekly digest" in menu
    assert person.of(p.Consent)[0].alerts == "instant"


@pytest.mark.parametrize("choice,effect", [
    ("1", p.SetAlerts(alerts="instant", paused=False)),
    ("2", p.SetAlerts(alerts="weekly", paused=False)),
    ("3", p.SetAlerts(paused=True)),
    ("6", p.SetAlerts(alerts="off")),
])
def test_the_alerts_menu(choice, effect):
    person = Person(member=MEMBER)
    assert "Alerts: on, as they are published" in person.text("ALERTS")
    person.says(choice)
    assert person.of(p.SetAlerts) == [effect]


def test_paused_alerts_offer_resume():
    person = Person(member=replace(MEMBER, paused=True))
    assert "3 Resume" in person.text("ALERTS") and "Alerts: paused" in person.text("ALERTS")
    assert "back on" in person.text("3")
    assert person.of(p.SetAlerts) == [p.SetAlerts(paused=False)]


def test_choosing_kinds_and_areas():
    person = Person(member=MEMBER)
    person.says("ALERTS")
    assert "9 Other" in person.text("4")
    assert "Please reply with numbers" in person.text("12")
    assert "QI project" in person.text("1, 5")
    person.says("ALERTS"), person.says("5")
    person.says("2 and 3")
    person.says("ALERTS"), person.says("4")
    person.says("all")
    assert person.of(p.SetAlerts) == [p.SetAlerts(interests=("ebe_training", "qi_project")),
                                      p.SetAlerts(areas=("North", "South")), p.SetAlerts(interests=())]


def test_my_data_tells_a_participant_everything_we_hold():
    replies = Person(member=MEMBER).says("MY DATA")
    text = "\n".join(r.text for r in replies)
    for held in ("Sam", "+447700900123", "Wheelchair user", "Working Together group: crisis care (place confirmed)",
                 "Alerts: on", "DELETE MY DATA", "anonymous"):
        assert held in text
    assert "no participant record" in Person().text("MY DATA")


def test_delete_my_data_asks_first_and_only_delete_erases():
    person = Person(member=MEMBER)
    ask = person.text("DELETE MY DATA")
    assert "1 sign-up" in ask and "anonymous feedback is not affected" in ask
    assert "reply DELETE" in person.text("yes") and not person.of(p.Erase)  # the bot asked for DELETE (issue 14)
    assert "kept your details" in person.text("hmm")
    assert not person.of(p.Erase)
    person.says("DELETE MY DATA")
    assert "deleted" in person.text("DELETE")
    assert person.of(p.Erase) == [p.Erase()]
    assert "nothing to delete" in Person().text("DELETE MY DATA")


def test_telegram_commands_work_like_the_words():
    person = Person("telegram", member=MEMBER)
    assert "Ways to get involved" in person.text("/join@YourSayBot")
    assert "We hold" in person.text("/mydata")


@pytest.mark.parametrize("trust", ["the trust", LONG_TRUST])
def test_every_participation_sms_fits_two_segments_even_with_long_names(trust):
    long_title = "Expert by Experience training for the community mental health transformation programme (North)"
    openings = tuple(replace(o, title=long_title + f" {o.id}") for o in OPENINGS)
    member = replace(MEMBER, name="A" * 80, access_needs="needs " * 150,
                     places=tuple(p.Place(n, n, long_title, "confirmed") for n in range(1, 8)),
                     interests=tuple(code for code, _, _ in p.TYPES), areas=("Central", "North", "South"))
    for who in (None, member):
        person = Person(member=who, openings=openings, trust=trust)
        for text in ("JOIN", "MORE", "MORE", "2", "SIGN UP", "yes", "yes", "B" * 80, "x " * 500, "MY DATA",
                     "ALERTS", "4", "ALERTS", "5", "WITHDRAW", "DELETE MY DATA", "no"):
            person.says(text)  # Person checks the budget on every reply
