"""What an alert, a digest and a broadcast check say: pure functions, no database."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot import gsm7
from bot.texts import Texts, shorten
from service.alerts import broadcast_problem, week_key
from storage.models import Opportunity
from yoursay.config import ConfigError, parse_digest_at

TRUST = "Riverside NHS Foundation Trust"
TEXTS = Texts(trust_name=TRUST)


def opportunity(**changes) -> Opportunity:
    fields = dict(id=7, title="Working Together group - North", summary="Help shape crisis care in the North.",
                  description="", type="working_together", area="North", venue="Riverside House",
                  starts_at=datetime(2030, 12, 3, 14, 0, tzinfo=timezone.utc), ends_at=None, places=12,
                  payment="paid", accessibility="", closes_on=date(2030, 12, 1), status="published")
    return Opportunity(**{**fields, **changes})


def test_an_alert_names_the_trust_title_type_area_date_payment_and_how_to_join_or_stop():
    assert TEXTS.alert(opportunity()) == (
        "New from Riverside NHS Foundation Trust: Working Together group - North (Working Together group, North, "
        "Tue 3 Dec 2pm, paid). Help shape crisis care in the North. "
        "Text JOIN to see it, ALERTS to change alerts, STOP to stop.")


def test_an_online_opportunity_says_online_instead_of_its_area():
    text = TEXTS.alert(opportunity(venue="Online", payment="expenses", starts_at=None))
    assert "(Working Together group, online, expenses)." in text and "North)" not in text


def test_a_long_summary_is_cut_at_a_word_to_fit_two_texts_but_telegram_gets_it_whole():
    summary = "We are looking for people with lived experience to help us " + "redesign the service " * 12
    sms = TEXTS.alert(opportunity(summary=summary.strip()), sms=True)
    assert gsm7.fits(sms) and gsm7.segments(sms) == 2
    assert "... Text JOIN to see it" in sms and "redesign the serv..." not in sms
    telegram = TEXTS.alert(opportunity(summary=summary.strip()), sms=False)
    assert summary.strip() in telegram and "Where: Riverside House" in telegram


def test_shorten_cuts_at_a_word_and_marks_the_cut():
    assert shorten("one two three four", 12) == "one two..."
    assert shorten("short", 12) == "short"


def test_a_digest_lists_the_titles_and_what_to_do():
    text = TEXTS.digest(["Peer role - Oaklands", "QI project: discharge letters"])
    assert text == ("New this week from Riverside NHS Foundation Trust:\n- Peer role - Oaklands\n"
                    "- QI project: discharge letters\nText JOIN to see them, ALERTS to change alerts, STOP to stop.")


def test_a_digest_too_long_for_two_texts_lists_what_fits_and_counts_the_rest():
    titles = [f"Opportunity {n}: a group that meets monthly" for n in range(12)]
    text = TEXTS.digest(titles)
    shown = text.count("\n- ")
    assert gsm7.fits(text) and 0 < shown < 12
    assert f"and {12 - shown} more: text JOIN to see them" in text
    assert TEXTS.digest(titles, sms=False).count("\n- ") == 12


@pytest.mark.parametrize("body,problem", [
    ("", "the message is empty"),
    ("  \n ", "the message is empty"),
    ("x" * 307, "too long: 307 characters, 3 text messages; at most 306"),
    ("News \U0001F4F0 this month", "characters a plain text message cannot carry"),
    ("Don\u2019t miss it", "'\u2019'"),
])
def test_a_broadcast_that_would_not_fit_two_plain_texts_is_refused_saying_why(body, problem):
    assert problem in broadcast_problem(body)


def test_a_broadcast_of_exactly_two_texts_is_fine():
    assert broadcast_problem("x" * 306) is None


def test_the_digest_week_is_the_iso_week():
    assert week_key(date(2026, 12, 28)) == "digest:2026-W53"
    assert week_key(date(2027, 1, 4)) == "digest:2027-W01"


@pytest.mark.parametrize("value,expected", [("Monday 10:00", (1, "10:00")), ("fri 16:30", (5, "16:30"))])
def test_the_digest_time_is_a_weekday_and_a_local_time(value, expected):
    weekday, at = parse_digest_at(value)
    assert (weekday, at.strftime("%H:%M")) == expected


@pytest.mark.parametrize("value", ["10:00", "Moonday 10:00", "Monday 25:00", "M 10:00"])
def test_a_bad_digest_time_is_refused(value):
    with pytest.raises(ConfigError, match="YOURSAY_DIGEST_AT"):
        parse_digest_at(value)
