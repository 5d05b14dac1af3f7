"""The inbox's filtered stories as a CSV download, streamed in batches so a large set never sits in memory."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response as FlaskResponse
from flask import stream_with_context
from sqlalchemy import select, tuple_

from admin import inbox
from storage.models import Answer, Service, StoryAnalysis

BATCH = 1000
HEADER = ["story_id", "response_id", "date", "service_code", "service", "survey", "question", "channel",
          "fft_answer", "sentiment", "flagged", "themes", "text"]


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _rows(rt, filters: inbox.Filters, with_original: bool):
    tz = rt.settings.timezone
    columns = list(inbox.ROW) + ([Answer.value] if with_original else [])
    after = None
    with rt.factory() as db:
        services = dict(db.execute(select(Service.code, Service.name)).all())
        while True:
            query = inbox.base_query(filters, tz, *columns).order_by(*inbox.NEWEST)
            if after is not None:
                query = query.where(inbox.KEY < tuple_(*after))
            rows = list(db.execute(query.limit(BATCH)))
            if not rows:
                return
            tags = inbox.tags_for(db, [r.answer_id for r in rows])
            fft = inbox.fft_for(db, list({r.response_id for r in rows}))
            for r in rows:
                yield [r.answer_id, r.response_id, r.created_at.astimezone(ZoneInfo(tz)).date().isoformat(), r.service_code or "",
                       services.get(r.service_code, ""), r.survey_id, r.question_id, r.mode,
                       inbox.FFT_ANSWERS.get(fft.get(r.response_id, ""), ""), r.sentiment, r.risk or "",
                       "; ".join(t.theme for t in tags[r.answer_id]), r.value if with_original else r.redacted]
            after = (rows[-1].created_at, rows[-1].answer_id)


def feedback_csv(rt, filters: inbox.Filters, with_original: bool) -> FlaskResponse:
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # so Excel reads UTF-8
        writer.writerow(HEADER)
        for n, row in enumerate(_rows(rt, filters, with_original), start=1):
            writer.writerow([safe_cell(v) for v in row])
            if n % 200 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    name = f"feedback-{'original' if with_original else 'redacted'}-{stamp}.csv"
    return FlaskResponse(stream_with_context(generate()), mimetype="text/csv",
                         headers={"Content-Disposition": f'attachment; filename="{name}"',
                                  "Cache-Control": "no-store"})
