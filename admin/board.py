"""Stories for the Trust Board: shortlisted from a story's page, written up by PPT, printed for the Board.

A board story draws on one or more stories (redacted text only), records the person's consent, and
links to what changed. A story flagged as a possible risk goes to the Board only when a reviewer
confirms it; a story whose consent was refused or withdrawn is never printed.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import delete, select

from admin import audit, board_story as parts, params, security
from admin.forms import Errors
from admin.qi import STATUSES
from admin.views import redact, rt, services
from storage.models import BoardStory, BoardStorySource

bp = security.protect(Blueprint("board", __name__, url_prefix="/admin/board"))
MAX_NOTE = 2000
FIELDS = ("title", "narrative", "consent", "consent_note", "qi_project_id", "you_said_we_did_id")


@bp.get("/")
def index():
    with rt().factory() as db:
        boards = list(db.scalars(select(BoardStory).order_by(BoardStory.created_at.desc(), BoardStory.id.desc())))
        found = {b.id: parts.stories(db, b, rt().settings.timezone) for b in boards}
    rows = [{"board": b, "title": parts.title(b), "status": parts.status(b), "stories": found[b.id],
             "services": parts.distinct(s["service"] for s in found[b.id]),
             "opening": (parts.paragraphs(b.narrative) or [s["redacted"] for s in found[b.id]] or [""])[0]}
            for b in boards]
    return render_template("admin/board_list.html", title="Board stories", section="board", rows=rows,
                           consents=parts.CONSENTS)


def _confirm_flagged(action: str, hidden: dict, story, verb: str):
    """The page that asks a reviewer to confirm a flagged story is right for the Board (400 if not ticked)."""
    errors = Errors()
    if request.form.get("confirming") == "yes":
        errors.add("confirm_flagged", "Tick to confirm you have checked this flagged story")
    page = render_template("admin/board_confirm.html", title="This story is flagged as a possible risk",
                           section="board", action=action, hidden=hidden, story=story, verb=verb, errors=errors)
    return page, 400 if errors else 200


def _flag_unconfirmed(story) -> bool:
    return story.risk is not None and request.form.get("confirm_flagged") != "yes"


@bp.post("/shortlist/<bigint:answer_id>")
@security.role_required("reviewer")
def shortlist(answer_id: int):
    note = request.form.get("note", "").strip()[:MAX_NOTE]
    with rt().factory.begin() as db:
        story = parts.analysed(db, answer_id) or abort(404)  # only analysed stories: they have redacted text
        row = db.scalar(select(BoardStory).where(BoardStory.answer_id == answer_id))
        if row is None:
            if _flag_unconfirmed(story):
                return _confirm_flagged(url_for("board.shortlist", answer_id=answer_id), {"note": note}, story,
                                        "Shortlist it for the Trust Board")
            now = rt().now()
            row = BoardStory(answer_id=answer_id, note=note, shortlisted_by=current_user.username, created_at=now,
                             narrative=story.redacted, consent=parts.UNRECORDED)
            db.add(row)
            db.flush()
            audit.record(db, "board_shortlist", f"answer:{answer_id}",
                         "flagged story, confirmed" if story.risk else "")
        board_id = row.id
    flash("Shortlisted for the Trust Board. Give it a title and check its narrative and consent.")
    return redirect(url_for("board.show", board_id=board_id))


def _show_page(board_id: int, errors: Errors | None = None, typed: str = ""):
    with rt().factory() as db:
        board = db.get(BoardStory, board_id) or abort(404)
        names = dict(services(db))
        found = parts.stories(db, board, rt().settings.timezone)
        changes = parts.changes(db, board, names)
    return render_template(
        "admin/board_story.html", title=parts.title(board), section="board", board=board, stories=found,
        paragraphs=parts.paragraphs(board.narrative), status=parts.status(board), changes=changes,
        consents=parts.CONSENTS, refused=parts.REFUSED, unready=parts.unready(board), errors=errors or Errors(),
        typed=typed, services=parts.distinct(s["service"] for s in found), months=parts.distinct(s["month"] for s in found),
    ), 400 if errors else 200


@bp.get("/<int:board_id>")
def show(board_id: int):
    """The working page: the narrative, its stories, consent and what changed."""
    return _show_page(board_id)


def _form() -> tuple[dict, Errors]:
    form = {k: request.form.get(k, "").replace("\r\n", "\n").strip() for k in FIELDS}
    errors = Errors()
    for name, label in (("title", "a title"), ("narrative", "the story's narrative")):
        if not form[name]:
            errors.add(name, f"Enter {label}")
    if form["consent"] not in parts.CONSENTS:
        errors.add("consent", "Select whether consent is not needed, was given, or was refused")
    elif form["consent"] == "given" and not form["consent_note"]:
        errors.add("consent_note", "Enter how and when the person gave their consent")
    for name, limit in parts.LIMITS.items():
        if len(form[name]) > limit:
            errors.add(name, f"{name.replace('_', ' ').capitalize()} must be {limit:,} characters or fewer")
    with rt().factory() as db:
        projects, entries = parts.choices(db, dict(services(db)))
    if form["qi_project_id"] and form["qi_project_id"] not in dict(projects):
        errors.add("qi_project_id", "Select a QI project from the list")
    if form["you_said_we_did_id"] and form["you_said_we_did_id"] not in dict(entries):
        errors.add("you_said_we_did_id", "Select a \u201cYou said, we did\u201d entry from the list")
    return form, errors


def _edit_page(board_id: int, form: dict | None = None, errors: Errors | None = None):
    with rt().factory() as db:
        board = db.get(BoardStory, board_id) or abort(404)
        names = dict(services(db))
        found = parts.stories(db, board, rt().settings.timezone)
        projects, entries = parts.choices(db, names)
    if form is None:  # never the original words: a narrative not written yet starts from the redacted stories
        form = {"title": board.title, "narrative": board.narrative or parts.default_narrative(found),
                "consent": board.consent, "consent_note": board.consent_note,
                "qi_project_id": str(board.qi_project_id or ""),
                "you_said_we_did_id": str(board.you_said_we_did_id or "")}
    return render_template("admin/board_story_edit.html", title=f"Edit: {parts.title(board)}", section="board",
                           board=board, form=form, errors=errors or Errors(), stories=found, projects=projects,
                           entries=entries, consents=parts.CONSENTS, limits=parts.LIMITS), 400 if errors else 200


@bp.route("/<int:board_id>/edit", methods=["GET", "POST"])
@security.role_required("reviewer")
def edit(board_id: int):
    if request.method == "GET":
        return _edit_page(board_id)
    form, errors = _form()
    if errors:
        return _edit_page(board_id, form, errors)
    note = form["consent_note"] if form["consent"] != "anonymous" else ""
    with rt().factory.begin() as db:
        board = db.get(BoardStory, board_id) or abort(404)
        board.title, board.narrative = redact(form["title"]), redact(form["narrative"])
        board.qi_project_id = int(form["qi_project_id"]) if form["qi_project_id"] else None
        board.you_said_we_did_id = int(form["you_said_we_did_id"]) if form["you_said_we_did_id"] else None
        if (board.consent, board.consent_note) != (form["consent"], note):
            board.consent, board.consent_note = form["consent"], note
            board.consent_recorded_by, board.consent_recorded_at = current_user.username, rt().now()
            audit.record(db, "board_consent", f"board:{board_id}", parts.CONSENTS[form["consent"]])
        board.updated_at = rt().now()
        audit.record(db, "board_update", f"board:{board_id}")
        refused = board.consent == "refused"
    flash("Board story saved" + (". Consent was refused, so it cannot be printed or used." if refused else ""))
    return redirect(url_for("board.show", board_id=board_id))


def _add(board_id: int, answer_id: int, action: str, hidden: dict):
    """Add a story to a board story, once; a flagged one only when confirmed. Returns a response."""
    with rt().factory.begin() as db:
        board = db.get(BoardStory, board_id) or abort(404)
        story = parts.analysed(db, answer_id)
        if story is None:
            errors = Errors()
            errors.add("answer_id", "There is no analysed story with that number")
            return None, errors
        if answer_id == board.answer_id or answer_id in parts.added_ids(db, board_id):
            errors = Errors()
            errors.add("answer_id", f"Story {answer_id} is already part of this board story")
            return None, errors
        if _flag_unconfirmed(story):
            return _confirm_flagged(action, hidden, story, "Add it to the board story"), None
        db.add(BoardStorySource(board_story_id=board_id, answer_id=answer_id))
        if board.updated_at is None:  # not edited yet: the narrative still follows its stories
            db.flush()
            board.narrative = parts.default_narrative(parts.stories(db, board, rt().settings.timezone))
        audit.record(db, "board_add_story", f"board:{board_id}",
                     f"answer:{answer_id}" + (", flagged story, confirmed" if story.risk else ""))
        followed = board.updated_at is None
    flash(f"Story {answer_id} added" + (" and its redacted text added to the narrative" if followed
                                        else ". Work its words into the narrative on the edit page"))
    return redirect(url_for("board.show", board_id=board_id)), None


@bp.post("/<int:board_id>/stories")
@security.role_required("reviewer")
def add_story(board_id: int):
    """From the board story's page: add another story by its number."""
    typed = request.form.get("answer_id", "").strip()
    answer_id = params.parse_id(typed, params.BIGINT_MAX)
    if answer_id is None:
        errors = Errors()
        errors.add("answer_id", "Enter a story number, like 4821930571" if typed else "Enter the number of a story")
        return _show_page(board_id, errors, typed)
    response, errors = _add(board_id, answer_id, url_for("board.add_story", board_id=board_id),
                            {"answer_id": str(answer_id)})
    return response if errors is None else _show_page(board_id, errors, typed)


@bp.post("/add/<bigint:answer_id>")
@security.role_required("reviewer")
def add_from_story(answer_id: int):
    """From a story's page: add that story to a chosen board story."""
    board_id = params.parse_id(request.form.get("board_id")) or abort(404)
    with rt().factory() as db:
        if parts.analysed(db, answer_id) is None:
            abort(404)
    response, errors = _add(board_id, answer_id, url_for("board.add_from_story", answer_id=answer_id),
                            {"board_id": str(board_id)})
    if errors is not None:  # already part of it: a second click, or a page opened twice
        flash(f"Story {answer_id} is already part of this board story")
        return redirect(url_for("board.show", board_id=board_id))
    return response


@bp.post("/<int:board_id>/stories/<bigint:answer_id>/remove")
@security.role_required("reviewer")
def remove_story(board_id: int, answer_id: int):
    """Take an added story off a board story (the first one stays: it is the story shortlisted)."""
    with rt().factory.begin() as db:
        board = db.get(BoardStory, board_id) or abort(404)
        gone = db.execute(delete(BoardStorySource).where(BoardStorySource.board_story_id == board_id,
                                                         BoardStorySource.answer_id == answer_id)).rowcount
        if not gone:
            abort(404)
        if board.updated_at is None:
            board.narrative = parts.default_narrative(parts.stories(db, board, rt().settings.timezone))
        audit.record(db, "board_remove_story", f"board:{board_id}", f"answer:{answer_id}")
    flash(f"Story {answer_id} taken off this board story")
    return redirect(url_for("board.show", board_id=board_id))


@bp.get("/<int:board_id>/print")
def printable(board_id: int):
    """The A4 page for the Board: title, paragraphs, service, month, consent and what changed."""
    with rt().factory() as db:
        board = db.get(BoardStory, board_id) or abort(404)
        names = dict(services(db))
        found = parts.stories(db, board, rt().settings.timezone)
        changes = parts.changes(db, board, names)
    refused = parts.unready(board)  # refused consent, or consent, a title or a narrative still to come
    return render_template(
        "admin/board_story_print.html", title=parts.title(board) if not refused else "Cannot be printed",
        section="board", board=board, heading=board.title or f"Board story {board.id}",
        paragraphs=parts.paragraphs(board.narrative), services=parts.distinct(s["service"] for s in found),
        months=parts.distinct(s["month"] for s in found), changes=changes, refused=refused,
        statuses=STATUSES, trust=rt().settings.trust_name), 409 if refused else 200


@bp.post("/<int:board_id>/remove")
@security.role_required("reviewer")
def remove(board_id: int):
    with rt().factory.begin() as db:
        row = db.get(BoardStory, board_id) or abort(404)
        db.execute(delete(BoardStory).where(BoardStory.id == board_id))
        audit.record(db, "board_remove", f"answer:{row.answer_id}")
    flash("Taken off the board shortlist")
    return redirect(url_for("board.index"))


@bp.app_template_global()
def board_stories_for(answer_id: int) -> dict:
    """For a story's page: the board stories it is part of, and the others it could be added to."""
    with rt().factory() as db:
        boards = list(db.scalars(select(BoardStory).order_by(BoardStory.created_at.desc(), BoardStory.id.desc())))
        added = set(db.scalars(select(BoardStorySource.board_story_id).where(BoardStorySource.answer_id == answer_id)))
    part_of = [b for b in boards if b.answer_id == answer_id or b.id in added]
    return {"part_of": [(b.id, parts.title(b)) for b in part_of],
            "others": [(str(b.id), parts.title(b)) for b in boards if b not in part_of]}
