"""The tables behind the exports: feedback, the FFT monthly return, participants, the diversity report.

Each is an admin.export.Table, which admin.export turns into a CSV or XLSX download.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select, tuple_

from admin import inbox
from admin.export import Table
from admin.reports import fft_sites
from admin.reports.qdc import major_category
from bot.fft import labels as fft_labels
from storage.models import Answer, Contact, Opportunity, Participant, Service, SignUp

BATCH = 1000
FEEDBACK_HEADER = ("story_id", "response_id", "received", "service_code", "service", "survey", "question", "channel",
                   "fft_answer", "sentiment", "flagged", "themes", "major_categories", "text")


def _local(moment: datetime | None, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if moment else ""


def feedback_table(factory, filters: inbox.Filters, *, tz: str = "Europe/London", original: bool = False,
                   where: Sequence = ()) -> Table:
    """The inbox's filtered stories, newest first, with themes and sentiment; redacted text unless original=True.

    Rows are read as they are sent, a batch per short session (paged as the inbox pages), so a
    large export never sits in memory nor holds the database while it downloads. The caller
    checks that original text may be given, and audits the export. where: more conditions
    (admin.bulk's choice of stories).
    """
    def rows():
        labels = fft_labels()
        query = (inbox.base_query(filters, tz, *inbox.ROW, *([Answer.value] if original else []))
                 .where(*where).order_by(*inbox.NEWEST))
        with factory() as db:
            services = dict(db.execute(select(Service.code, Service.name)).all())
        after = None
        while True:
            with factory() as db:
                page = query if after is None else query.where(inbox.KEY < tuple_(*after))
                batch = list(db.execute(page.limit(BATCH)))
                tags = inbox.tags_for(db, [r.answer_id for r in batch])
                fft = inbox.fft_for(db, list({r.response_id for r in batch}))
            if not batch:
                return
            for r in batch:
                themes = [t.theme for t in tags[r.answer_id]]
                majors = list(dict.fromkeys(major_category(t) for t in themes))
                yield (r.answer_id, r.response_id, _local(r.created_at, tz)[:10], r.service_code or "",
                       services.get(r.service_code, ""), r.survey_id, r.question_id, r.mode,
                       labels.get(fft.get(r.response_id, ""), ""), r.sentiment, r.risk or "", "; ".join(themes),
                       "; ".join(majors), r.value if original else r.redacted)
            after = (batch[-1].created_at, batch[-1].answer_id)

    notes = ["Original text, as the person wrote it: handle as personal data." if original else
             "Text is redacted: names, numbers and addresses the NLP found are replaced."]
    return Table("Feedback", FEEDBACK_HEADER, rows(), notes)


def fft_return_table(db, month: date, *, tz: str = "Europe/London", trust_ods_code: str | None = None) -> Table:
    """The NHS England FFT monthly return per ODS site, with the trust total (admin.reports.fft_sites) as a table."""
    return fft_sites.as_table(fft_sites.site_return(db, month, tz=tz, trust_ods_code=trust_ods_code))


PARTICIPANTS_HEADER = ("participant_id", "name", "channel", "address", "joined", "consent_text", "interests",
                       "areas", "access_needs", "alerts", "alerts_paused", "signups")


def participation_table(db, *, tz: str = "Europe/London") -> Table:
    """The participation database: who, how to reach them, what they agreed to and signed up for. Admins only."""
    signups: dict[int, list[str]] = {}
    for pid, title, status in db.execute(select(SignUp.participant_id, Opportunity.title, SignUp.status)
                                         .join(Opportunity, Opportunity.id == SignUp.opportunity_id)
                                         .order_by(SignUp.participant_id, Opportunity.title)):
        signups.setdefault(pid, []).append(f"{title} ({status})")
    query = (select(Participant, Contact.channel, Contact.address)
             .join(Contact, Contact.id == Participant.contact_id).order_by(Participant.id))
    rows = [(p.id, p.name, channel, address, _local(p.consent_at, tz), p.consent_text,
             "; ".join(p.interests or []) or "all", "; ".join(p.areas or []) or "anywhere", p.access_needs,
             p.alerts, p.alerts_paused, "; ".join(signups.get(p.id, [])))
            for p, channel, address in db.execute(query)]
    return Table("Participants", PARTICIPANTS_HEADER, rows,
                 ["Personal data: keep it safe, and delete copies when you have finished with them."])


def diversity_table(report: dict) -> Table:
    """admin.reports.diversity.diversity_report as one table, with what each column means in the notes."""
    cols = {c["key"]: c for c in report["columns"]}
    header = ("question", "answer", "respondents", "respondents_percent", "participants", "participants_percent",
              "baseline_percent")
    rows = []
    for q in report["questions"]:
        for r in q["rows"]:
            rows.append((q["text"], r["label"], *(_blank(r[k]) for k in header[2:])))
        rows.append((q["text"], "Total", _blank(q["totals"]["respondents"]), "",
                     _blank(q["totals"]["participants"]), "", ""))
    notes = [f"{c['label']}: {c['meaning']}" for c in cols.values()] + report["notes"]
    if report.get("baseline"):
        notes.append(f"Baseline: {report['baseline']['area']}, {report['baseline']['source']}")
    first, last = report["first"], report["last"]
    title = f"Diversity {first:%Y-%m}" + (f" to {last:%Y-%m}" if last != first else "")
    return Table(title, header, rows, notes)


def _blank(value):
    return "" if value is None else value
