from datetime import date

import pytest

from admin.reports import participation
from storage.models import Contact, Opportunity, Participant, SignUp
from tests.reports.conftest import at

MONTHS = [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]


@pytest.fixture
def people(runtime):
    with runtime.factory.begin() as s:
        def person(n, when, alerts="off", paused=False):
            contact = Contact(channel="sms", address=f"+4477009000{n:02d}", created_at=at(when))
            s.add(contact)
            s.flush()
            p = Participant(contact_id=contact.id, name=f"P{n}", consent_at=at(when), consent_text="yes",
                            alerts=alerts, alerts_paused=paused, created_at=at(when), updated_at=at(when))
            s.add(p)
            s.flush()
            return p

        people = [person(1, "2026-04-02 10:00", "instant"), person(2, "2026-04-20 10:00", "weekly"),
                  person(3, "2026-06-01 10:00", "instant", paused=True), person(4, "2026-06-30 23:30"),
                  person(5, "2026-03-31 22:30", "weekly")]  # 31 March 23:30 in the UK: March
        opps = [Opportunity(title=t, summary="s", type=k, area="North", venue="online", payment="paid",
                            status="published", created_at=at("2026-04-01 09:00")) for t, k in
                [("Course", "training"), ("Panel", "interview panel"), ("Group", "training")]]
        s.add_all(opps)
        s.flush()
        for p, o, status in [(people[0], opps[0], "confirmed"), (people[1], opps[0], "waiting"),
                             (people[1], opps[1], "interested"), (people[2], opps[2], "attended"),
                             (people[3], opps[2], "withdrawn")]:
            s.add(SignUp(participant_id=p.id, opportunity_id=o.id, status=status, created_at=at("2026-05-01 10:00"),
                         updated_at=at("2026-05-01 10:00")))


def test_new_participants_against_the_target(runtime, people):
    with runtime.factory() as db:
        rows = participation.new_participants(db, MONTHS, yearly_target=120)
    assert [(r["new"], r["cumulative"], r["target"], r["cumulative_target"]) for r in rows] == [
        (2, 2, 10.0, 10.0), (0, 2, 10.0, 20.0), (1, 3, 10.0, 30.0)]  # 30 June 23:30 UTC is 1 July in the UK


def test_signups_by_type(runtime, people):
    with runtime.factory() as db:
        rows = participation.signups_by_type(db)
        none_in_april = participation.signups_by_type(db, MONTHS[:1])
    assert rows == [
        {"type": "interview panel", "interested": 1, "confirmed": 0, "waiting": 0, "attended": 0,
         "withdrawn": 0, "total": 1},
        {"type": "training", "interested": 0, "confirmed": 1, "waiting": 1, "attended": 1, "withdrawn": 1,
         "total": 4}]
    assert none_in_april == []


def test_subscribers_leave_out_paused_and_off(runtime, people):
    with runtime.factory() as db:
        assert participation.subscribers(db) == {"instant": 1, "weekly": 2, "paused": 1, "off": 1,
                                                 "participants": 5, "subscribed": 3}
