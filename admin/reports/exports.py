"""CSV and XLSX files for the exports: feedback, the FFT monthly return, participants, the diversity report.

Plain data in, bytes or text out; the caller checks the role, records the export in the
audit log and sends the file. Text that a spreadsheet would run as a formula never runs:
in CSV such a cell gets a leading apostrophe, in XLSX every text cell is stored as text.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Iterable, Sequence
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import select, tuple_

from admin.reports.qdc import major_category
from bot.fft import RETURN_KEYS
from storage.models import Answer, Contact, Opportunity, Participant, Response, Service, SignUp, StoryAnalysis
from storage.reports import fft_return

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000


@dataclass
class Table:
    """One sheet: a title, a header row, rows (any iterable, e.g. a generator), and notes under it."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    notes: list[str] = field(default_factory=list)


def csv_safe(value) -> str:
    """A CSV cell a spreadsheet will show as text, never run as a formula."""
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def write_csv(table: Table, out: IO[str]) -> None:
    """The table as CSV (header, rows, then notes as '# ...' lines), UTF-8 with a BOM so Excel reads it."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in table.header])
    for row in table.rows:
        writer.writerow([v if isinstance(v, (int, float)) and not isinstance(v, bool) else csv_safe(v) for v in row])
    for note in table.notes:
        writer.writerow([csv_safe("# " + note)])


def to_csv(table: Table) -> str:
    out = io.StringIO()
    write_csv(table, out)
    return out.getvalue()


def write_xlsx(tables: list[Table], out: IO[bytes]) -> None:
    """The tables as one workbook, a sheet each, streamed (write-only), text cells stored as text."""
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, book.sheetnames))
        header = []
        for name in table.header:
            cell = _cell(sheet, name)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_cell(sheet, v) for v in row])
        if table.notes:
            sheet.append([])
            for note in table.notes:
                sheet.append([_cell(sheet, note)])
    book.save(out)


def to_xlsx(tables: list[Table]) -> bytes:
    out = io.BytesIO()
    write_xlsx(tables, out)
    return out.getvalue()


def _cell(sheet, value) -> WriteOnlyCell:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", _text(value)))
    cell.data_type = "s"  # never a formula, whatever it starts with
    return cell


def _sheet_name(title: str, taken: list[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    n = 2
    while name in taken:
        suffix = f" ({n})"
        name = name[:31 - len(suffix)] + suffix
        n += 1
    return name


def _local(moment: datetime | None, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if moment else ""


# The datasets -------------------------------------------------------------------------------------

FEEDBACK_HEADER = ("story_id", "received", "service_code", "service", "survey", "question", "channel",
                   "fft_answer", "sentiment", "flagged", "themes", "major_categories", "text")
FFT_LABELS = {"1": "Very good", "2": "Good", "3": "Neither good nor poor", "4": "Poor", "5": "Very poor",
              "6": "Don't know"}


def feedback_table(db, query, *, tz: str = "Europe/London", original: bool = False) -> Table:
    """Stories with themes and sentiment; redacted text unless original=True (the caller audits that).

    query: a Select of StoryAnalysis.answer_id for the stories wanted, e.g. the inbox's filtered
    query (admin.inbox.base_query(filters, tz, StoryAnalysis.answer_id)) or a list of ids.
    Rows are read in batches by id, newest first, so a large export never sits in memory.
    """
    from admin import inbox  # the inbox's row and tag queries: one definition of a story

    def rows():
        services = dict(db.execute(select(Service.code, Service.name)).all())
        ids = select(query.subquery().c[0]) if not isinstance(query, (list, tuple)) else None
        after = None
        while True:
            q = (select(*inbox.ROW, Answer.value).select_from(StoryAnalysis)
                 .join(Answer, Answer.id == StoryAnalysis.answer_id)
                 .join(Response, Response.id == Answer.response_id)
                 .where(StoryAnalysis.answer_id.in_(ids if ids is not None else list(query)))
                 .order_by(*inbox.NEWEST).limit(BATCH))
            if after is not None:
                q = q.where(inbox.KEY < tuple_(*after))
            batch = list(db.execute(q))
            if not batch:
                return
            tags = inbox.tags_for(db, [r.answer_id for r in batch])
            fft = inbox.fft_for(db, list({r.response_id for r in batch}))
            for r in batch:
                themes = [t.theme for t in tags[r.answer_id]]
                majors = list(dict.fromkeys(major_category(t) for t in themes))
                yield (r.answer_id, _local(r.created_at, tz)[:10], r.service_code or "", services.get(r.service_code, ""),
                       r.survey_id, r.question_id, r.mode, FFT_LABELS.get(fft.get(r.response_id, ""), ""),
                       r.sentiment, r.risk or "", "; ".join(themes), "; ".join(majors),
                       r.value if original else r.redacted)
            after = (batch[-1].created_at, batch[-1].answer_id)
            if isinstance(query, (list, tuple)) and len(batch) < BATCH:
                return

    notes = ["Original text, as the person wrote it: handle as personal data." if original else
             "Text is redacted: names, numbers and addresses the NLP found are replaced."]
    return Table("Feedback", FEEDBACK_HEADER, rows(), notes)


FFT_RETURN_HEADER = ("service", "mode", *RETURN_KEYS.values(), "total", "percent_positive", "percent_negative")


def fft_return_table(db, start: datetime, end: datetime, month: str) -> Table:
    """The NHS England FFT monthly return (storage.reports.fft_return) as a table."""
    rows = [tuple(row[k] if row[k] is not None else "" for k in FFT_RETURN_HEADER) for row in fft_return(db, start, end)]
    return Table(f"FFT return {month}", FFT_RETURN_HEADER, rows,
                 ["% positive = (Very good + Good) / all answers including Don't know; "
                  "% negative = (Poor + Very poor) / all answers."])


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
