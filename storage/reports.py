"""The NHS England FFT monthly return."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.fft import RETURN_KEYS
from storage.models import Answer, Response

UNKNOWN_SERVICE = "unknown"


def fft_return(session: Session, start: datetime, end: datetime) -> list[dict]:
    """Counts of each FFT answer per service and mode, for responses in [start, end)."""
    query = (
        select(Response.service_code, Response.mode, Answer.value, func.count())
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.question_id == "fft", Response.created_at >= start, Response.created_at < end)
        .group_by(Response.service_code, Response.mode, Answer.value)
    )
    rows: dict[tuple[str, str], dict] = {}
    for service, mode, value, count in session.execute(query):
        key = (service or UNKNOWN_SERVICE, mode)
        row = rows.setdefault(key, {"service": key[0], "mode": mode, **{k: 0 for k in RETURN_KEYS.values()}})
        if value in RETURN_KEYS:
            row[RETURN_KEYS[value]] += count
    result = []
    for key in sorted(rows):
        row = rows[key]
        total = sum(row[k] for k in RETURN_KEYS.values())
        row["total"] = total
        row["percent_positive"] = _percent(row["very_good"] + row["good"], total)
        row["percent_negative"] = _percent(row["poor"] + row["very_poor"], total)
        result.append(row)
    return result


def _percent(part: int, total: int) -> float | None:
    return round(100.0 * part / total, 1) if total else None
