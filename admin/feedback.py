"""The feedback inbox, a story's page, correcting its themes, and bulk actions on a filtered set."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import delete, insert, literal, select
from sqlalchemy.exc import IntegrityError

from admin import audit, inbox, params, saved_searches, security
from admin import bulk as bulk_choice
from admin.forms import Errors
from admin.reports_views import FORMATS as EXPORT_FORMATS, feedback_download
from bot.fft import labels as fft_labels
from nlp.labels import SAFEGUARDING
from service.conversations import MODES
from storage.models import (Answer, QIEvidence, QIProject, Response, Service, StoryAnalysis, StoryTag,
                            ThemeCorrection)
from storage import upsert
from storage.stories import REVIEWER_FLAG

bp = security.protect(Blueprint("feedback", __name__, url_prefix="/admin/feedback"))


def _rt():
    return current_app.extensions["yoursay"]


def _cursor(name: str) -> int | None:
    return params.parse_id(request.args.get(name), params.BIGINT_MAX)


def _choices(db) -> dict:
    """What the filters offer: services, surveys, channels, QI projects."""
    registry = _rt().bot.surveys
    return {
        "services": list(db.execute(select(Service.code, Service.name).order_by(Service.name))),
        "surveys": sorted((sid, versions[0].title) for sid, versions in registry.surveys.items()
                          if versions and versions[0].store == "feedback"),
        "channels": sorted(set(MODES.values())),
        "projects": list(db.execute(select(QIProject.id, QIProject.title).order_by(QIProject.title))),
    }


@bp.get("/", endpoint="inbox")
def inbox_page():
    return _render_inbox(request.args)


def _render_inbox(args, errors: Errors | None = None, save: dict | None = None, status: int = 200):
    """The inbox for a query string (or a posted form with the same fields): count, sort, a page, saved searches."""
    rt = _rt()
    filters, filter_errors = inbox.parse(args)
    sort = inbox.parse_sort(args)
    errors = errors or filter_errors
    tz = rt.settings.timezone
    with rt.factory() as db:
        after, before = _cursor("after"), _cursor("before")
        page = inbox.page(db, filters, tz, after=after, before=before, sort=sort)
        whole = after is None and before is None and page.older is None  # every match is on this page
        matches = len(page.rows) if whole else inbox.count_capped(db, filters, tz)
        tags = inbox.tags_for(db, [row.answer_id for row in page.rows])
        fft = inbox.fft_for(db, list({row.response_id for row in page.rows}))
        choices = _choices(db)
        mine = [(s.id, s.name, *saved_searches.parse(s.query)) for s in saved_searches.mine(db, current_user.username)]
    services, surveys = dict(choices["services"]), dict(choices["surveys"])

    def describe(f: inbox.Filters, by: str) -> list[str]:
        return saved_searches.describe(f, by, services, surveys, fft_labels())

    args = saved_searches.args(filters, sort)
    saved = [{"id": sid, "name": name, "args": saved_searches.args(f, by), "words": describe(f, by)}
             for sid, name, f, by in mine]
    sort_links = [(key, label, url_for("feedback.inbox", **saved_searches.args(filters, key)))
                  for key, label in inbox.SORTS.items()]
    return render_template("admin/feedback.html", title="Feedback", section="feedback", filters=filters,
                           errors=errors, page=page, tags=tags, fft=fft, services=services, choices=choices,
                           categories=inbox.CATEGORIES, fft_answers=fft_labels(), sentiments=inbox.SENTIMENTS,
                           sort=sort, sorts=inbox.SORTS, sort_links=sort_links, args=args, matches=matches,
                           cap=inbox.COUNT_CAP, pick_limit=bulk_choice.LIMIT, summary=describe(filters, "newest"),
                           saved=saved, save=save or {}, name_max=saved_searches.NAME_MAX), status


@bp.post("/searches")
def save_search():
    """Save the inbox's current filters and sort under a name, for this person only."""
    rt = _rt()
    filters, errors = inbox.parse(request.form)
    sort = inbox.parse_sort(request.form)
    name = saved_searches.clean_name(request.form.get("search_name"))
    problem = saved_searches.name_problem(name)
    if not problem and not saved_searches.args(filters, sort):
        problem = "Choose some filters or a sort order before saving a search"
    taken = False
    if not problem and not errors:
        try:
            with rt.factory.begin() as db:
                problem = saved_searches.save(db, current_user.username, name,
                                              saved_searches.query_string(filters, sort), rt.now(),
                                              replace=request.form.get("replace") == "yes")
                taken = problem is not None and saved_searches.named(db, current_user.username, name) is not None
        except IntegrityError:  # the same name saved at the same moment, in another tab
            problem, taken = f"You already have a saved search called \u201c{name}\u201d", True
    if problem or errors:
        errors = errors or Errors()
        if problem:
            errors.add("search_name", problem)
        return _render_inbox(request.form, errors, {"name": name, "taken": taken}, status=400)
    flash(f"Search saved as \u201c{name}\u201d")
    return redirect(url_for("feedback.inbox", **saved_searches.args(filters, sort)))


@bp.post("/searches/<int:search_id>/delete")
def delete_search(search_id: int):
    """Delete one of your own saved searches (another person's is not found)."""
    rt = _rt()
    with rt.factory.begin() as db:
        name = saved_searches.remove(db, current_user.username, search_id)
    if name is None:
        abort(404)
    flash(f"Saved search \u201c{name}\u201d deleted")
    filters, _ = inbox.parse(request.form)
    return redirect(url_for("feedback.inbox", **saved_searches.args(filters, inbox.parse_sort(request.form))))


def _story(db, answer_id: int):
    row = db.execute(select(Answer, StoryAnalysis, Response)
                     .join(StoryAnalysis, StoryAnalysis.answer_id == Answer.id)
                     .join(Response, Response.id == Answer.response_id)
                     .where(Answer.id == answer_id)).first()
    if row is None:
        abort(404)
    return row


def _render_story(answer_id: int, show_original: bool = False, errors: Errors | None = None,
                  chosen: list[str] | None = None, typed: str = "", staged: bool = False, status: int = 200):
    """The story page; chosen, typed and staged carry a theme correction not saved yet."""
    rt = _rt()
    with rt.factory() as db:
        answer, analysis, response = _story(db, answer_id)
        survey = rt.bot.surveys.get(response.survey_id, response.survey_version)
        others = []
        analysed = dict(db.execute(select(StoryAnalysis.answer_id, StoryAnalysis.redacted)
                                   .join(Answer, Answer.id == StoryAnalysis.answer_id)
                                   .where(Answer.response_id == response.id)).all())
        for other in db.scalars(select(Answer).where(Answer.response_id == response.id, Answer.id != answer.id)
                                .order_by(Answer.id)):
            question = survey.question(other.question_id) if survey else None
            if question is not None and question.type == "text" or other.id in analysed:
                value = analysed.get(other.id, "(not analysed yet, so not shown)")
            elif question is not None and question.options:
                value = next((o.label for o in question.options if o.value == other.value), other.value)
            else:
                value = other.value
            others.append({"question": question.text if question else other.question_id, "value": value})
        tags = inbox.tags_for(db, [answer.id])[answer.id]
        projects = list(db.execute(select(QIProject.id, QIProject.title, QIProject.status)
                                   .join(QIEvidence, QIEvidence.project_id == QIProject.id)
                                   .where(QIEvidence.answer_id == answer.id).order_by(QIProject.title)))
        correction = db.get(ThemeCorrection, answer.id)
        choices = _choices(db)
        service = db.scalar(select(Service.name).where(Service.code == response.service_code))
        original = answer.value if show_original else None
    question = survey.question(answer.question_id) if survey else None
    chosen = chosen if chosen is not None else [t.theme for t in tags]
    return render_template(
        "admin/story.html", title=f"Story {answer.id}", section="feedback", answer=answer, analysis=analysis,
        response=response, survey=survey, question=question, others=others, tags=tags, projects=projects,
        correction=correction, choices=choices, service=service, original=original,
        errors=errors or Errors(), chosen=chosen, listed=list(dict.fromkeys([t.theme for t in tags] + chosen)),
        typed=typed, staged=staged, categories=inbox.CATEGORIES, back=request.args.get("back", "")), status


@bp.get("/<bigint:answer_id>")
def story(answer_id: int):
    return _render_story(answer_id)


@bp.post("/<bigint:answer_id>/original")
@security.role_required("reviewer")
def original(answer_id: int):
    """Show the words as given, before redaction. Recorded in the audit log."""
    rt = _rt()
    with rt.factory.begin() as db:
        _story(db, answer_id)
        audit.record(db, "view_original", f"answer:{answer_id}")
    return _render_story(answer_id, show_original=True)




def _flag_by_reviewer(db, answer_id: int, concern: bool) -> None:
    """A reviewer's "Safeguarding concerns?" theme flags the story, as the risk check would, so every
    place that leaves flagged stories out (service pages, packs, board, bulk work) leaves it out too.
    Taking the theme off again clears only a reviewer's flag, never the risk check's."""
    analysis = db.get(StoryAnalysis, answer_id)
    if concern and analysis.risk is None:
        analysis.risk = REVIEWER_FLAG
    elif not concern and analysis.risk == REVIEWER_FLAG:
        analysis.risk = None


@bp.post("/<bigint:answer_id>/tags")
@security.role_required("reviewer")
def tags(answer_id: int):
    """Replace the story's themes with the reviewer's set; the set is kept as a training example.

    The form lists the story's themes as tick boxes (untick to remove) and has an "Add a theme"
    box with the framework's themes to choose from. "Add theme" shows the set again, not saved.
    """
    rt = _rt()
    chosen = list(dict.fromkeys(t for t in request.form.getlist("theme") if t in inbox.THEMES))
    typed = " ".join(request.form.get("add_theme", "").split())[:200]
    adding = request.form.get("action") == "add"
    errors = Errors()
    if typed:
        theme = inbox.theme_named(typed)
        if theme is None:
            errors.add("add_theme", f"\u201c{typed}\u201d is not a theme in the framework: choose one from the list")
            return _render_story(answer_id, errors=errors, chosen=chosen, typed=typed, staged=True, status=400)
        chosen = list(dict.fromkeys(chosen + [theme]))
    elif adding:
        errors.add("add_theme", "Enter the theme to add")
        return _render_story(answer_id, errors=errors, chosen=chosen, staged=True, status=400)
    if adding:
        return _render_story(answer_id, chosen=chosen, staged=True)
    if not chosen:
        errors.add("add_theme", "Select at least one theme (choose \"Labelling not possible\" if none fits)")
        return _render_story(answer_id, errors=errors, chosen=[], staged=True, status=400)
    with rt.factory.begin() as db:
        _story(db, answer_id)
        current = set(db.scalars(select(StoryTag.theme).where(StoryTag.answer_id == answer_id)))
        removed, added = sorted(current - set(chosen)), [t for t in chosen if t not in current]
        if removed:
            db.execute(delete(StoryTag).where(StoryTag.answer_id == answer_id, StoryTag.theme.in_(removed)))
        if added:
            db.execute(insert(StoryTag), [{"answer_id": answer_id, "theme": t, "confidence": 1.0,
                                           "source": "reviewer"} for t in added])
        _flag_by_reviewer(db, answer_id, SAFEGUARDING in chosen)
        values = {"themes": chosen, "corrected_by": current_user.username, "corrected_at": rt.now()}
        db.execute(upsert.insert(db, ThemeCorrection.__table__).values(answer_id=answer_id, **values)
                   .on_conflict_do_update(index_elements=["answer_id"], set_=values))
        audit.record(db, "change_tags", f"answer:{answer_id}",
                     f"added: {', '.join(added) or 'none'}; removed: {', '.join(removed) or 'none'}")
    flash("Themes saved. Thank you: your correction helps the model learn.")
    return redirect(url_for("feedback.story", answer_id=answer_id))


@bp.post("/<bigint:answer_id>/qi")
@security.role_required("reviewer")
def link_one(answer_id: int):
    rt = _rt()
    project_id = params.parse_id(request.form.get("project_id"))
    with rt.factory.begin() as db:
        _story(db, answer_id)
        project = db.get(QIProject, project_id) if project_id else None
        if project is None:
            errors = Errors()
            errors.add("project_id", "Select a QI project")
            db.rollback()
            return _render_story(answer_id, errors=errors, status=400)
        already = db.scalar(select(QIEvidence.id).where(QIEvidence.project_id == project.id,
                                                        QIEvidence.answer_id == answer_id))
        if already is None:
            db.add(QIEvidence(project_id=project.id, answer_id=answer_id, linked_by=current_user.username,
                              created_at=rt.now()))
            audit.record(db, "link_qi", f"qi:{project.id}", f"answer {answer_id}")
        title = project.title
    flash(f"Linked to the QI project \u201c{title}\u201d")
    return redirect(url_for("feedback.story", answer_id=answer_id))


def _dates_refused(errors: Errors, filters: inbox.Filters):
    flash("Check the dates: " + "; ".join(e["text"] for e in errors.summary))
    return redirect(url_for("feedback.inbox", **filters.as_args()))


@bp.post("/bulk")
@security.role_required("reviewer")
def bulk():
    """Link stories from the filtered set to a QI project: lists them first, flagged ones left out unless ticked."""
    rt = _rt()
    filters, errors = inbox.parse(request.form)
    if errors:  # never link a wider set than the one asked for
        return _dates_refused(errors, filters)
    tz = rt.settings.timezone
    project_id = params.parse_id(request.form.get("project_id"))
    choice = bulk_choice.parse(request.form)
    with rt.factory.begin() as db:
        project = db.get(QIProject, project_id) if project_id else None
        if project is None:
            flash("Select a QI project to link the stories to")
            return redirect(url_for("feedback.inbox", **filters.as_args()))
        confirmed = request.form.get("confirm") == "yes"
        refused = bulk_choice.refused(db, filters, tz, choice) if confirmed else None
        if not confirmed or refused:
            preview = bulk_choice.preview(db, filters, tz, choice, request.form)
            services = dict(_choices(db)["services"])
            return render_template("admin/bulk_confirm.html", title="Link stories to a QI project",
                                   section="feedback", filters=filters, project=project, preview=preview,
                                   choice=choice, services=services, refused=refused,
                                   limit=bulk_choice.LIMIT), 400 if refused else 200
        linked = inbox.base_query(filters, tz, literal(project.id), StoryAnalysis.answer_id,
                                  literal(current_user.username), literal(rt.now(), type_=QIEvidence.created_at.type))
        linked = linked.where(*choice.conditions(),
                              ~select(QIEvidence.id).where(QIEvidence.project_id == project.id,
                                                           QIEvidence.answer_id == StoryAnalysis.answer_id).exists())
        result = db.execute(insert(QIEvidence).from_select(["project_id", "answer_id", "linked_by", "created_at"],
                                                           linked)
                            .execution_options(preserve_rowcount=True))  # INSERT ... SELECT: counted on PostgreSQL too
        audit.record(db, "link_qi", f"qi:{project.id}",
                     f"{result.rowcount} stories; {choice.describe()}; filters {filters.as_args()}")
        title, count = project.title, result.rowcount
    flash(f"Linked {count} stor{'y' if count == 1 else 'ies'} to the QI project \u201c{title}\u201d")
    return redirect(url_for("feedback.inbox", **filters.as_args()))


@bp.post("/export", endpoint="export_csv")
@security.role_required("reviewer")
def export():
    """The filtered stories as CSV or Excel, listed first to pick from; redacted unless an admin asks. Audited."""
    filters, errors = inbox.parse(request.form)
    kind = request.form.get("format", "csv")
    kind = kind if kind in EXPORT_FORMATS else "csv"
    with_original = request.form.get("original") == "yes"
    if with_original and not current_user.can("admin"):
        abort(403)
    if errors:  # never export a wider set than the one asked for
        return _dates_refused(errors, filters)
    return feedback_download(filters, with_original, kind, url_for("feedback.export_csv"),
                             url_for("feedback.inbox", **filters.as_args()))
