"""Stories for the Trust Board: shortlisted from a story's page, each with a printable, redacted page."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import delete, select

from admin import audit, inbox, security
from admin.views import rt, services
from storage.models import Answer, BoardStory, Response, StoryAnalysis

bp = security.protect(Blueprint("board", __name__, url_prefix="/admin/board"))
MAX_NOTE = 2000


def _rows(db, board_id: int | None = None):
    query = (select(BoardStory, StoryAnalysis.redacted, StoryAnalysis.sentiment, Response.created_at,
                    Response.service_code, Response.survey_id, Answer.question_id)
             .join(StoryAnalysis, StoryAnalysis.answer_id == BoardStory.answer_id)
             .join(Answer, Answer.id == BoardStory.answer_id).join(Response, Response.id == Answer.response_id)
             .order_by(BoardStory.created_at.desc(), BoardStory.id.desc()))
    if board_id is not None:
        query = query.where(BoardStory.id == board_id)
    return list(db.execute(query))


@bp.get("/")
def index():
    with rt().factory() as db:
        rows = _rows(db)
        names = dict(services(db))
    return render_template("admin/board_list.html", title="Board stories", section="board", rows=rows, names=names)


@bp.post("/shortlist/<bigint:answer_id>")
@security.role_required("reviewer")
def shortlist(answer_id: int):
    note = request.form.get("note", "").strip()[:MAX_NOTE]
    with rt().factory.begin() as db:
        if db.get(StoryAnalysis, answer_id) is None:  # only analysed stories: they have redacted text
            abort(404)
        row = db.scalar(select(BoardStory).where(BoardStory.answer_id == answer_id))
        if row is None:
            row = BoardStory(answer_id=answer_id, note=note, shortlisted_by=current_user.username,
                             created_at=rt().now())
            db.add(row)
            db.flush()
            audit.record(db, "board_shortlist", f"answer:{answer_id}")
        board_id = row.id
    flash("Shortlisted for the Trust Board")
    return redirect(url_for("board.show", board_id=board_id))


@bp.get("/<int:board_id>")
def show(board_id: int):
    """The printable page: redacted text only, with what the board needs to know around it."""
    with rt().factory() as db:
        rows = _rows(db, board_id)
        if not rows:
            abort(404)
        board, redacted, sentiment, received, service_code, survey_id, question_id = rows[0]
        themes = [t.theme for t in inbox.tags_for(db, [board.answer_id])[board.answer_id]]
        names = dict(services(db))
    survey = rt().bot.surveys.latest(survey_id)
    question = survey.question(question_id) if survey else None
    return render_template("admin/board_story.html", title=f"Board story {board.id}", section="board",
                           board=board, redacted=redacted, sentiment=sentiment, received=received,
                           service=names.get(service_code, service_code), themes=themes,
                           question=question.text if question else "")


@bp.post("/<int:board_id>/remove")
@security.role_required("reviewer")
def remove(board_id: int):
    with rt().factory.begin() as db:
        row = db.get(BoardStory, board_id) or abort(404)
        db.execute(delete(BoardStory).where(BoardStory.id == board_id))
        audit.record(db, "board_remove", f"answer:{row.answer_id}")
    flash("Taken off the board shortlist")
    return redirect(url_for("board.index"))
