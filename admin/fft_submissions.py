"""When each month's FFT return was submitted to NHS England, and whether answers have arrived since.

Responses keep only their local day, never when they were written (so no one can be picked out by
timing), so late answers are found by count: each record keeps how many FFT answers the month had
when the submission was recorded, and the page compares that with now.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from admin import audit, params
from admin.forms import Errors
from admin.reports.periods import add_months
from storage import upsert
from storage.models import FFTSubmission

MAX_NOTE = 500


def target(month: date) -> str:
    return f"fft-return:{month:%Y-%m}"


@dataclass
class Record:
    """A month's submission as the page shows it."""

    submitted_on: date
    recorded_by: str
    recorded_at: datetime
    note: str
    answers_then: int | None  # the month's FFT answers when it was recorded (None: not known)


def read(db, month: date) -> Record | None:
    row = db.get(FFTSubmission, f"{month:%Y-%m}")
    if row is None:
        return None
    return Record(row.submitted_on, row.recorded_by, row.recorded_at, row.note, row.answers)


def parse(form, month: date, now: datetime, tz: str) -> tuple[dict, date | None, Errors]:
    """(what was typed, the day it was submitted, errors) from the form's day, month and year."""
    typed = {k: form.get(f"submitted-{k}", "").strip() for k in ("day", "month", "year")}
    typed["note"] = form.get("note", "").strip()
    errors = Errors()
    day = None
    if not any(typed[k] for k in ("day", "month", "year")):
        errors.add("submitted-day", "Enter the date the return was submitted")
    elif not all(typed[k].isascii() and typed[k].isdigit() for k in ("day", "month", "year")):
        errors.add("submitted-day", "The date the return was submitted must be a real date, like 12 12 2026")
    else:
        try:
            day = date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
        except ValueError:
            day = None
        if day is None or not params.in_years(day):
            errors.add("submitted-day", "The date the return was submitted must be a real date, like 12 12 2026")
            day = None
    after = add_months(month, 1)
    today = now.astimezone(ZoneInfo(tz)).date()
    if day is not None and day < after:
        errors.add("submitted-day", f"The date the return was submitted must be on or after {after.day} "
                                f"{after:%B %Y}, when {month:%B}'s figures were complete")
    elif day is not None and day > today:
        errors.add("submitted-day", "The date the return was submitted must be today or in the past")
    if len(typed["note"]) > MAX_NOTE:
        errors.add("note", f"Note must be {MAX_NOTE} characters or fewer")
    return typed, (None if errors else day), errors


def save(db, month: date, day: date, note: str, answers: int, username: str, now: datetime) -> None:
    """Record (or change) the month's submission, audited with the old and new dates and the answers now."""
    before = read(db, month)
    if before is not None and before.submitted_on == day and before.answers_then is not None:
        answers = before.answers_then  # only the note changed: still compare with the figures as submitted
    was = f"{before.submitted_on:%Y-%m-%d}" if before else "not recorded"
    values = {"submitted_on": day, "recorded_by": username, "recorded_at": now, "note": note, "answers": answers}
    db.execute(upsert.insert(db, FFTSubmission.__table__).values(month=f"{month:%Y-%m}", **values)
               .on_conflict_do_update(index_elements=["month"], set_=values))  # two at once: the last one stands
    audit.record(db, "fft_submitted", target(month),
                 f"submitted on {day:%Y-%m-%d} (was {was}); {answers} FFT answers in the return"
                 + (f"; note: {note}" if note else ""))


def remove(db, month: date) -> bool:
    """Take a month's record away (recorded by mistake), audited. False if there was none."""
    row = db.get(FFTSubmission, f"{month:%Y-%m}")
    if row is None:
        return False
    audit.record(db, "fft_submission_removed", target(month), f"was submitted on {row.submitted_on:%Y-%m-%d}")
    db.delete(row)
    return True
