"""Seed rows for the QI, "You said, we did", board, participation and notice pages."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import update

from storage.models import (BoardStory, BoardStorySource, Contact, EqualityAnswer, EqualityResponse, Opportunity,
                            Participant, Service, SignUp, StaffNotice, YouSaidWeDid)


def entry(rt, you_said="The phone line was always busy", we_did="We added a second line", *,
          service="OAKLANDS", status="draft", happened_on=date(2026, 2, 20)) -> int:
    with rt.factory.begin() as db:
        row = YouSaidWeDid(you_said=you_said, we_did=we_did, service_code=service, happened_on=happened_on,
                           status=status, created_by="seed", created_at=rt.now(),
                           published_at=rt.now() if status == "published" else None)
        db.add(row)
        db.flush()
        return row.id


READY = {"title": "Being listened to", "narrative": "A nurse sat with me.", "consent": "anonymous"}  # printable


def board_story(rt, answer_id: int, note: str = "", *, also: tuple[int, ...] = (), **fields) -> int:
    """A shortlisted story; fields: title, narrative, consent, consent_note, qi_project_id... also: more stories."""
    with rt.factory.begin() as db:
        row = BoardStory(answer_id=answer_id, note=note, shortlisted_by="seed", created_at=rt.now(), **fields)
        db.add(row)
        db.flush()
        db.add_all(BoardStorySource(board_story_id=row.id, answer_id=a) for a in also)
        return row.id


def screen(rt, code: str = "OAKLANDS", *, on: bool = True, minimum: int = 20) -> None:
    """Switch a service's public screen on (or off) with its minimum number of answers, as PPT would."""
    with rt.factory.begin() as db:
        db.execute(update(Service).where(Service.code == code).values(screen_enabled=on, screen_min_answers=minimum))


def opportunity(rt, title="Join the Working Together group", *, status="draft", type_="working_together",
                area="North", venue="online", closes_on: date | None = None) -> int:
    with rt.factory.begin() as db:
        row = Opportunity(title=title, summary="Help shape our services. Meet monthly.", description="", type=type_,
                          area=area, venue=venue, payment="paid", accessibility="", closes_on=closes_on,
                          status=status, created_at=rt.now(), published_at=rt.now() if status != "draft" else None)
        db.add(row)
        db.flush()
        return row.id


def participant(rt, name="Sam Taylor", address="+447700900321", *, alerts="instant", interests=(), areas=(),
                channel="sms", consent_at: datetime | None = None, paused=False) -> int:
    with rt.factory.begin() as db:
        contact = Contact(channel=channel, address=address, state={}, created_at=rt.now())
        db.add(contact)
        db.flush()
        row = Participant(contact_id=contact.id, name=name, consent_at=consent_at or rt.now(),
                          consent_text="I agree to be contacted", interests=list(interests), areas=list(areas),
                          access_needs="Step-free access", alerts=alerts, alerts_paused=paused,
                          created_at=rt.now(), updated_at=rt.now())
        db.add(row)
        db.flush()
        return row.id


def signup(rt, participant_id: int, opportunity_id: int, status="interested") -> int:
    with rt.factory.begin() as db:
        row = SignUp(participant_id=participant_id, opportunity_id=opportunity_id, status=status,
                     created_at=rt.now(), updated_at=rt.now())
        db.add(row)
        db.flush()
        return row.id


def notice(rt, subject="New sign-up: Working Together group", kind="signup", body="Sam Taylor signed up.",
           ago: timedelta = timedelta(0)) -> int:
    with rt.factory.begin() as db:
        row = StaffNotice(kind=kind, subject=subject, body=body, created_at=rt.now() - ago)
        db.add(row)
        db.flush()
        return row.id


def equality(rt, answers: dict[str, str], month: date, survey="about-you", times: int = 1) -> None:
    with rt.factory.begin() as db:
        for _ in range(times):
            response = EqualityResponse(survey_id=survey, month=month)
            db.add(response)
            db.flush()
            for qid, value in answers.items():
                db.add(EqualityAnswer(response_id=response.id, question_id=qid, value=value))
