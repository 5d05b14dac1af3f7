"""Demo data: a few services and a month of made-up, anonymous feedback."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Answer, Response, Service

SERVICES = (
    ("OAKLANDS", "Oaklands Ward"),
    ("CMHTNORTH", "Community Mental Health Team North"),
    ("CRISIS", "Crisis Resolution and Home Treatment"),
    ("EIP", "Early Intervention in Psychosis"),
)
STORIES = {
    "1": "Staff listened to me and never rushed me.",
    "2": "Good care but the waiting time was long.",
    "3": "Some days were fine, some were not.",
    "4": "Hard to get through on the phone.",
    "5": "Nobody told me when my appointment had moved.",
    "6": "",
}


def seed(factory: sessionmaker[Session], now: datetime, responses: int = 60) -> int:
    """Add the demo services, and sample responses if there are none yet. Returns responses added."""
    rng = random.Random(2020)
    with factory.begin() as session:
        known = set(session.scalars(select(Service.code)))
        session.add_all(Service(code=c, name=n, active=True) for c, n in SERVICES if c not in known)
        if session.scalar(select(func.count()).select_from(Response)):
            return 0
        for _ in range(responses):
            score = rng.choices("123456", weights=(45, 30, 8, 7, 6, 4))[0]
            when = (now - timedelta(days=rng.randint(0, 27), hours=rng.randint(0, 23))).replace(
                minute=0, second=0, microsecond=0)
            response = Response(ref=str(uuid.UUID(int=rng.getrandbits(128))), survey_id="fft", survey_version=1,
                                service_code=rng.choice(SERVICES)[0], mode=rng.choice(("SMS/text message", "Online")),
                                created_at=when)
            session.add(response)
            session.flush()
            session.add(Answer(response_id=response.id, question_id="fft", value=score))
            if STORIES[score]:
                session.add(Answer(response_id=response.id, question_id="why", value=STORIES[score]))
    return responses
