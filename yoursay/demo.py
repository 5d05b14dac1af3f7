"""Demo data: a few services and a month of made-up, anonymous feedback."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Answer, Opportunity, Response, Service
from yoursay.config import DEMO_TRUST_ODS_CODE

SERVICES = (  # code, name, a made-up ODS site code of the demo trust
    ("OAKLANDS", "Oaklands Ward", f"{DEMO_TRUST_ODS_CODE}01"),
    ("CMHTNORTH", "Community Mental Health Team North", f"{DEMO_TRUST_ODS_CODE}02"),
    ("CRISIS", "Crisis Resolution and Home Treatment", f"{DEMO_TRUST_ODS_CODE}03"),
    ("EIP", "Early Intervention in Psychosis", f"{DEMO_TRUST_ODS_CODE}04"),
)
STORIES = {
    "1": "Staff listened to me and never rushed me.",
    "2": "Good care but the waiting time was long.",
    "3": "Some days were fine, some were not.",
    "4": "Hard to get through on the phone.",
    "5": "Nobody told me when my appointment had moved.",
    "6": "",
}


OPPORTUNITIES = (  # (title, type, area, venue, payment, places, days from now)
    ("Working Together group: crisis care", "working_together", "North", "Oak House, Riverside", "paid", 12, 9),
    ("Expert by Experience training (4 mornings)", "ebe_training", "Central", "online", "expenses", 2, 16),
    ("Recovery college cafe volunteer", "volunteering", "South", "Recovery College", "voluntary", None, 6),
    ("Service user seat on the Quality Committee", "committee", "Central", "Trust HQ", "paid", 1, 30),
    ("QI project: a calmer waiting room", "qi_project", "North", "Oaklands Ward", "expenses", 6, 12),
)


def seed_opportunities(session: Session, now: datetime) -> None:
    """A few published opportunities, so JOIN has something to show."""
    if session.scalar(select(func.count()).select_from(Opportunity)):
        return
    for title, kind, area, venue, payment, places, days in OPPORTUNITIES:
        starts = (now + timedelta(days=days)).replace(hour=14, minute=0, second=0, microsecond=0)
        session.add(Opportunity(title=title, type=kind, area=area, venue=venue, payment=payment, places=places,
                                summary=f"{title}. Come and help us shape our services with your experience.",
                                starts_at=starts, closes_on=(starts - timedelta(days=2)).date(), status="published",
                                created_at=now, published_at=now, accessibility="Step-free access. Ask us about "
                                "anything else you need."))


def seed(factory: sessionmaker[Session], now: datetime, responses: int = 60) -> int:
    """Add the demo services, and sample responses if there are none yet. Returns responses added."""
    rng = random.Random(2020)
    with factory.begin() as session:
        known = set(session.scalars(select(Service.code)))
        # Screens on, with the lowest minimum (5), so /screen/OAKLANDS shows figures from the demo's few answers.
        session.add_all(Service(code=c, name=n, ods_code=ods, active=True, screen_enabled=True, screen_min_answers=5)
                        for c, n, ods in SERVICES if c not in known)
        seed_opportunities(session, now)
        if session.scalar(select(func.count()).select_from(Response)):
            return 0
        for _ in range(responses):
            score = rng.choices("123456", weights=(45, 30, 8, 7, 6, 4))[0]
            when = (now - timedelta(days=rng.randint(0, 27))).astimezone(ZoneInfo("Europe/London")).replace(
                hour=0, minute=0, second=0, microsecond=0)  # only the day is kept, as for real responses
            response = Response(survey_id="fft", survey_version=1,
                                service_code=rng.choice(SERVICES)[0], mode=rng.choice(("SMS/text message", "Online")),
                                created_at=when)
            session.add(response)
            session.flush()
            session.add(Answer(response_id=response.id, question_id="fft", value=score))
            if STORIES[score]:
                session.add(Answer(response_id=response.id, question_id="why", value=STORIES[score]))
    return responses
