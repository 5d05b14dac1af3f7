"""Reports e-mailed on a schedule through a local SMTP server: rising themes each week to PPT and each service's
manager, and each manager's monthly pack as a PDF. Each goes once; a refusal is tried again next tick."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from storage.models import ReportMailing, Service
from tests.admin.factories import Seed
from tests.integration.test_staff_mail import smtp_server  # noqa: F401 (a fixture)
from yoursay.pack_mail import email_packs, pdf_maker
from yoursay.report_mail import due_month, due_week, week_label
from yoursay.rising_mail import email_rising_themes

PPT = "ppt@example.nhs.uk"
OAKLANDS_MANAGER = "oaklands.manager@example.nhs.uk"
CRISIS_MANAGER = "crisis.manager@example.nhs.uk"
WEEK = date(2026, 11, 23)  # Monday of ISO week 2026-W48; the week before is 16 to 22 November
MONDAY_8AM = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)  # GMT: trust time is UTC
STORY = "The night staff on the ward ignored my buzzer for an hour"
TIMELINESS = "Timeliness of care"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_a_week_is_due_from_8am_on_the_monday_after_it_in_trust_time():
    assert due_week(MONDAY_8AM, "Europe/London") == WEEK and week_label(WEEK) == "2026-W48"
    assert due_week(MONDAY_8AM - timedelta(minutes=1), "Europe/London") == WEEK - timedelta(days=7)
    assert due_week(utc("2026-12-06 23:59"), "Europe/London") == WEEK  # all week, until the next Monday 08:00
    # British Summer Time: 08:00 on Monday 6 July 2026 is 07:00 UTC
    assert due_week(utc("2026-07-06 07:00"), "Europe/London") == date(2026, 6, 29)
    assert due_week(utc("2026-07-06 06:59"), "Europe/London") == date(2026, 6, 22)
    assert week_label(date(2026, 12, 28)) == "2026-W53" and week_label(date(2027, 1, 4)) == "2027-W01"


def test_a_month_is_due_from_8am_on_the_2nd_of_the_month_after_in_trust_time():
    assert due_month(utc("2026-12-02 08:00"), "Europe/London") == date(2026, 11, 1)
    assert due_month(utc("2026-12-02 07:59"), "Europe/London") == date(2026, 10, 1)
    assert due_month(utc("2027-01-02 08:00"), "Europe/London") == date(2026, 12, 1)
    assert due_month(utc("2026-07-02 07:00"), "Europe/London") == date(2026, 6, 1)  # 08:00 BST


@pytest.fixture
def mail(runtime, smtp_server):
    controller, inbox = smtp_server
    runtime.settings = replace(runtime.settings, smtp_host="127.0.0.1", smtp_port=controller.port,
                               smtp_starttls=False, ppt_email=PPT, mail_from="yoursay@example.nhs.uk")
    return runtime.settings, inbox


@pytest.fixture
def managed(runtime, services):
    """Oaklands and Crisis have managers; CMHT North has none; a closed ward's manager hears nothing."""
    with runtime.factory.begin() as db:
        db.execute(update(Service).where(Service.code == "OAKLANDS").values(manager_email=OAKLANDS_MANAGER))
        db.execute(update(Service).where(Service.code == "CRISIS").values(manager_email=f" {CRISIS_MANAGER} "))
        db.add(Service(code="OLDWARD", name="Old Ward", active=False, manager_email="old.manager@example.nhs.uk"))
    return services


@pytest.fixture
def two_weeks(runtime, managed):
    """Oaklands: timeliness in 1 of 20 stories the week before, 9 of 20 last week (beyond chance). Crisis: 5 of
    10 each week (no rise). Each response is dated its local day, as the bot writes them."""
    seed = Seed(runtime)
    for i in range(20):
        day = timedelta(days=i % 7)
        seed.story(STORY, service="OAKLANDS", created_at=utc(f"{WEEK - timedelta(days=7)}T00:00") + day,
                   themes={TIMELINESS: 0.9} if i < 1 else {"Staff manner & personal attributes": 0.8})
        seed.story(STORY, service="OAKLANDS", created_at=utc(f"{WEEK}T00:00") + day,
                   themes={TIMELINESS: 0.9} if i < 9 else {"Staff manner & personal attributes": 0.8})
    for i in range(10):
        for monday in (WEEK - timedelta(days=7), WEEK):
            seed.story(STORY, service="CRISIS", created_at=utc(f"{monday}T00:00") + timedelta(days=i % 7),
                       themes={"Contacting services": 0.9} if i < 5 else {"Communication": 0.8})
    seed.story(STORY, service="OAKLANDS", created_at=utc("2026-11-30T00:00"), themes={TIMELINESS: 0.9})  # this week


def text(message) -> str:
    """An e-mail's text as the reader sees it (long lines come quoted-printable)."""
    return message.get_payload(decode=True).decode()


def subject(message) -> str:
    return " ".join(message["Subject"].split())


def by_recipient(inbox) -> dict:
    return {to[0]: message for _, to, message in inbox.messages}


def mailings(runtime) -> set[tuple]:
    with runtime.factory() as db:
        return set(db.execute(select(ReportMailing.kind, ReportMailing.period, ReportMailing.recipient,
                                     ReportMailing.service_code).where(ReportMailing.sent_at.is_not(None))).all())


def test_the_weekly_email_goes_to_ppt_and_each_manager_with_only_their_service(runtime, mail, two_weeks):
    settings, inbox = mail
    assert email_rising_themes(runtime.factory, settings, MONDAY_8AM) == 3

    sent = by_recipient(inbox)
    assert set(sent) == {PPT, OAKLANDS_MANAGER, CRISIS_MANAGER}
    assert subject(sent[PPT]) == "[YourSay] Rising themes, week 2026-W48 (Monday 23 Nov to Sunday 29 Nov 2026)"
    ppt = text(sent[PPT])
    assert "Oaklands Ward (20 stories this week, 20 the week before)" in ppt
    # 1/20 then 9/20: pooled 0.25, se = sqrt(0.25 * 0.75 * 0.1) = 0.1369, z = 0.4 / 0.1369 = 2.921, p = 0.002
    assert "- Timeliness of care: 45% (9 of 20 stories), up from 5% (1 of 20 stories); p = 0.002" in ppt
    assert ppt.count("No theme rose beyond chance this week.") == 2  # Crisis Team and CMHT North
    assert "Community Mental Health Team North (0 stories this week, 0 the week before)" in ppt
    assert "https://yoursay.example.nhs.uk/admin/services/OAKLANDS" in ppt and "Old Ward" not in ppt
    assert "one-sided two-proportion z-test" in ppt

    oaklands = text(sent[OAKLANDS_MANAGER])
    assert subject(sent[OAKLANDS_MANAGER]).startswith("[YourSay] Rising themes at Oaklands Ward, week 2026-W48")
    assert "Timeliness of care: 45%" in oaklands and "Crisis Team" not in oaklands and "Community" not in oaklands
    crisis = text(sent[CRISIS_MANAGER])
    assert "Crisis Team (10 stories this week, 10 the week before)" in crisis
    assert "No theme rose beyond chance this week." in crisis and "Oaklands" not in crisis
    assert all(STORY not in text(m) and "buzzer" not in text(m) for m in sent.values())  # never a story's words

    assert mailings(runtime) == {("rising", "2026-W48", PPT, ""), ("rising", "2026-W48", OAKLANDS_MANAGER, "OAKLANDS"),
                                 ("rising", "2026-W48", CRISIS_MANAGER, "CRISIS")}


@pytest.mark.slow  # the ticks draw four packs too, as they would on a server
def test_the_weekly_email_goes_once_a_week_however_many_ticks(runtime, mail, two_weeks):
    from yoursay.scheduler import tick

    _, inbox = mail

    def weeks() -> list[str]:
        return [subject(m).split(", week ")[1][:8] for _, _, m in inbox.messages if "Rising themes" in m["Subject"]]

    runtime.now = lambda: MONDAY_8AM - timedelta(minutes=1)
    assert tick(runtime)  # until 08:00 the week before last is due: sent, as if last Monday
    assert weeks() == ["2026-W47"] * 3
    for when in (MONDAY_8AM, MONDAY_8AM + timedelta(minutes=1), MONDAY_8AM + timedelta(days=3)):
        runtime.now = lambda when=when: when
        assert tick(runtime)
    assert weeks() == ["2026-W47"] * 3 + ["2026-W48"] * 3
    runtime.now = lambda: MONDAY_8AM + timedelta(days=7)
    assert tick(runtime)
    assert weeks() == ["2026-W47"] * 3 + ["2026-W48"] * 3 + ["2026-W49"] * 3
    packs = sorted((subject(m).rsplit(" for ", 1)[1], to[0]) for _, to, m in inbox.messages if "pack" in m["Subject"])
    assert packs == [("November 2026", CRISIS_MANAGER), ("November 2026", OAKLANDS_MANAGER),  # due 2 December
                     ("October 2026", CRISIS_MANAGER), ("October 2026", OAKLANDS_MANAGER)]  # due since 2 November


def test_a_refused_weekly_email_is_tried_again_after_a_wait_that_grows_and_only_then_recorded(runtime, mail,
                                                                                              two_weeks):
    settings, inbox = mail
    inbox.refuse = True
    assert email_rising_themes(runtime.factory, settings, MONDAY_8AM) == 0
    assert mailings(runtime) == set() and inbox.refused == 3  # PPT and two managers
    # not tried every tick (5 s): again after 15 minutes, then after 30, so a bad address costs little
    assert email_rising_themes(runtime.factory, settings, MONDAY_8AM + timedelta(minutes=14)) == 0
    assert inbox.refused == 3
    assert email_rising_themes(runtime.factory, settings, MONDAY_8AM + timedelta(minutes=16)) == 0
    assert inbox.refused == 6
    assert email_rising_themes(runtime.factory, settings, MONDAY_8AM + timedelta(minutes=40)) == 0
    assert inbox.refused == 6
    inbox.refuse = False
    assert email_rising_themes(runtime.factory, settings, MONDAY_8AM + timedelta(minutes=47)) == 3
    assert email_rising_themes(runtime.factory, settings, MONDAY_8AM + timedelta(hours=5)) == 0
    assert len(inbox.messages) == 3


def test_without_smtp_no_report_is_sent_or_recorded(runtime, managed):
    assert email_rising_themes(runtime.factory, runtime.settings, MONDAY_8AM) == 0
    assert email_packs(runtime.factory, runtime.settings, utc("2026-12-02 08:00"), pdf_maker(runtime)) == 0
    assert mailings(runtime) == set()


@pytest.fixture
def november(runtime, managed):
    seed = Seed(runtime)
    for i in range(6):
        seed.story("The staff were kind and listened to me.", service="OAKLANDS", fft="1" if i else "5",
                   created_at=utc(f"2026-11-{10 + i}T00:00"))
        seed.story("Quick to call me back.", service="CRISIS", created_at=utc(f"2026-11-{10 + i}T00:00"))


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_each_manager_gets_their_pack_as_a_pdf_once_a_month(runtime, mail, november):
    settings, inbox = mail
    drawn = []
    real = pdf_maker(runtime)

    def pdf(code, month):
        drawn.append((code, month))
        return real(code, month)

    assert email_packs(runtime.factory, settings, utc("2026-12-02 08:00"), pdf) == 2
    assert email_packs(runtime.factory, settings, utc("2026-12-20 08:00"), pdf) == 0
    assert drawn == [("CRISIS", date(2026, 11, 1)), ("OAKLANDS", date(2026, 11, 1))]  # only what went

    sent = by_recipient(inbox)
    assert set(sent) == {OAKLANDS_MANAGER, CRISIS_MANAGER}  # not CMHT North (no manager), not a closed ward
    message = sent[OAKLANDS_MANAGER]
    assert subject(message) == "[YourSay] Oaklands Ward: feedback pack for November 2026"
    [attachment] = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "OAKLANDS-2026-11.pdf"  # as the admin names it
    content = attachment.get_payload(decode=True)
    assert content.startswith(b"%PDF")
    words = pdf_text(content)
    assert "Oaklands Ward" in words and "November 2026" in words and "Crisis Team" not in words
    assert "https://yoursay.example.nhs.uk/admin/services/OAKLANDS" in text(next(
        part for part in message.walk() if part.get_content_type() == "text/plain"))
    assert mailings(runtime) == {("pack", "2026-11", OAKLANDS_MANAGER, "OAKLANDS"),
                                 ("pack", "2026-11", CRISIS_MANAGER, "CRISIS")}

    assert email_packs(runtime.factory, settings, utc("2027-01-02 07:59"), pdf) == 0  # December's not due yet
    assert email_packs(runtime.factory, settings, utc("2027-01-02 08:00"), pdf) == 2
    assert {("pack", "2026-12", OAKLANDS_MANAGER, "OAKLANDS")} < mailings(runtime)


def test_a_pack_that_cannot_be_drawn_does_not_hold_up_the_others_and_is_tried_again(runtime, mail, november):
    settings, inbox = mail
    real = pdf_maker(runtime)
    broken = {"CRISIS"}

    def pdf(code, month):
        if code in broken:
            raise RuntimeError("the PDF library failed")
        return real(code, month)

    assert email_packs(runtime.factory, settings, utc("2026-12-02 08:00"), pdf) == 1
    assert list(by_recipient(inbox)) == [OAKLANDS_MANAGER]
    broken.clear()
    assert email_packs(runtime.factory, settings, utc("2026-12-02 08:05"), pdf) == 0  # not drawn again every tick
    assert email_packs(runtime.factory, settings, utc("2026-12-02 08:16"), pdf) == 1
    assert list(by_recipient(inbox)) == [OAKLANDS_MANAGER, CRISIS_MANAGER]
