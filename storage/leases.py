"""Leases: a named lock with an expiry, held by one process at a time."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Lease


def acquire(session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease; False if another live holder has it."""
    lease = session.get(Lease, name, with_for_update=True)
    if lease is None:
        try:
            with session.begin_nested():
                session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
        except IntegrityError:
            return False
        return True
    if lease.holder != holder and lease.expires_at > now:
        return False
    lease.holder, lease.expires_at = holder, now + ttl
    return True
