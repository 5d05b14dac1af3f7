"""FFT invitations from a CSV: checked row by row, queued in the outbox."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.answers import buttons, prompt_text
from bot.engine import invitation_state
from bot.flow import Survey
from bot.surveys import shipped
from bot.phones import to_e164
from bot.texts import Texts
from storage import contacts, outbox
from storage.models import Service

ADDRESS_COLUMNS = ("phone", "telegram_chat_id")


@dataclass
class InviteReport:
    """What happened to each row of an invitation file."""

    queued: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class InviteRules:
    texts: Texts
    interval: timedelta = timedelta(days=30)
    region: str = "GB"
    timezone: str = "Europe/London"
    survey: Survey = field(default_factory=lambda: shipped().latest("fft"))


def read_rows(data: str) -> tuple[list[dict], str | None]:
    """The rows of a CSV, or an error naming what is wrong with the whole file."""
    try:
        reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        return [], f"not a readable CSV file: {exc}"
    if not header:
        return [], "the file is empty; it needs a header row with phone and/or telegram_chat_id, and service"
    if not any(col in header for col in ADDRESS_COLUMNS):
        return [], f"no phone or telegram_chat_id column (found: {', '.join(header)})"
    if "service" not in header:
        return [], f"no service column (found: {', '.join(header)})"
    try:
        rows = [{(k or "").strip().lower(): (v or "").strip() if isinstance(v, str) else v for k, v in row.items()}
                for row in reader]
    except csv.Error as exc:
        return [], f"not a readable CSV file: {exc}"
    return rows, None


def _send_after(raw: str, rules: InviteRules, now: datetime) -> datetime:
    if not raw:
        return now
    value = datetime.fromisoformat(raw)  # ValueError for junk
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(rules.timezone))
    return max(value.astimezone(timezone.utc), now)


def queue(session: Session, rows: list[dict], rules: InviteRules, now: datetime) -> InviteReport:
    """Queue an invitation for every good row; report every bad or skipped one by its line."""
    report = InviteReport()
    services = dict(session.execute(select(Service.code, Service.name).where(Service.active)).all())
    by_upper = {code.upper(): code for code in services}
    seen: set[tuple[str, str]] = set()
    for line, row in enumerate(rows, start=2):
        targets, problem = _targets(row, rules)
        service = by_upper.get((row.get("service") or "").upper())
        if problem is None and service is None:
            problem = f"unknown service {row.get('service')!r} (known: {', '.join(sorted(services)) or 'none'})"
        if problem is None:
            try:
                due = _send_after(row.get("send_after") or "", rules, now)
            except ValueError:
                problem = f"send_after {row.get('send_after')!r} is not a date and time like 2026-12-01 10:00"
        if problem:
            report.errors.append(f"line {line}: {problem}")
            continue
        for channel, address in targets:
            if (channel, address) in seen:
                report.skipped.append(f"line {line}: {address} appears earlier in this file")
                continue
            seen.add((channel, address))
            why_not = _invite(session, channel, address, service, services[service], due, rules, now)
            if why_not:
                report.skipped.append(f"line {line}: {why_not}")
            else:
                report.queued += 1
    return report


def _targets(row: dict, rules: InviteRules) -> tuple[list[tuple[str, str]], str | None]:
    targets = []
    phone, chat = row.get("phone") or "", row.get("telegram_chat_id") or ""
    if phone:
        e164 = to_e164(phone, rules.region)
        if e164 is None:
            return [], f"phone {phone!r} is not a valid phone number"
        targets.append(("sms", e164))
    if chat:
        if not chat.lstrip("-").isdigit():
            return [], f"telegram_chat_id {chat!r} is not a number"
        targets.append(("telegram", chat))
    if not targets:
        return [], "no phone or telegram_chat_id"
    return targets, None


def _invite(session, channel, address, service, service_name, due, rules: InviteRules, now) -> str | None:
    contact = contacts.get_or_create(session, channel, address, now)
    masked = address[:-4] + "****" if channel == "sms" else "telegram chat"
    if contact.opted_out:
        return f"{masked} has opted out"
    if contact.last_invited_at and now - contact.last_invited_at < rules.interval:
        return f"{masked} was invited on {contact.last_invited_at:%d %b %Y}, less than {rules.interval.days} days ago"
    contact.last_invited_at = now
    # The conversation starts when the invitation is sent (outbox.delivery), not now: it may wait days.
    state = invitation_state(rules.survey, service, due)
    question = rules.survey.question(state["q"])
    sms = channel != "telegram"
    survey = rules.survey
    messages = rules.texts.invitation(service_name if survey.asks_service else None, prompt_text(question, sms=sms),
                                      (survey.intro_sms if sms and survey.intro_sms else survey.intro))
    for n, text in enumerate(messages, 1):
        last = n == len(messages)
        extra = {"buttons": [list(b) for b in buttons(question)], "state": state} if last else None
        outbox.enqueue(session, contact.channel, contact.id, "invite", text, due, now, extra=extra)
    return None

