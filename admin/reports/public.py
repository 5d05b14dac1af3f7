"""Data for the public pages ("You said, we did", the public screen) and the QI evidence pages.

Public data holds no personal data: published entries only, FFT totals only, and no
percentages at all when fewer than MIN_PUBLIC answers could single someone out (a service's
screen sets its own, higher minimum).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from admin.reports import screen
from admin.reports.fft import COUNTS
from admin.reports.qdc import major_category
from storage.models import Answer, QIEvidence, QIProject, Response, Service, StoryAnalysis, StoryTag, YouSaidWeDid

MIN_PUBLIC = 5  # fewer FFT answers than this: show that there are too few, not the split; a screen's floor


def you_said_we_did(db, *, service: str | None = None, limit: int | None = None) -> list[dict]:
    """Published entries, newest first: [{id, you_said, we_did, service_code, service, happened_on, published_at}].

    Drafts never appear. Entries are written by staff from redacted stories; this shows them as written.
    """
    query = (select(YouSaidWeDid, Service.name).outerjoin(Service, Service.code == YouSaidWeDid.service_code)
             .where(YouSaidWeDid.status == "published")
             .order_by(YouSaidWeDid.happened_on.desc(), YouSaidWeDid.published_at.desc(), YouSaidWeDid.id.desc()))
    if service is not None:
        query = query.where(YouSaidWeDid.service_code == service)
    if limit is not None:
        query = query.limit(limit)
    return [{"id": e.id, "you_said": e.you_said, "we_did": e.we_did, "service_code": e.service_code,
             "service": name or "", "happened_on": e.happened_on, "published_at": e.published_at}
            for e, name in db.execute(query)]


def public_screen(db, service: str, now: datetime, *, days: int = 30, entries: int = 3, update: int | str = 5,
                  tz: str = "Europe/London") -> dict:
    """What a screen in a public area shows: a service's FFT over the last days and recent entries.

    {service, service_name, enabled, minimum, days, total, enough, percent_positive, percent_negative, counts,
     updated, entries}. A screen shows nothing until PPT switch it on (Service.screen_enabled): then
    enabled is False, nothing is published and no entries are given. The figures are published in
    steps (admin.reports.screen; the caller commits): `updated` is when. With fewer published answers
    than the service's minimum (Service.screen_min_answers, never below MIN_PUBLIC), enough is False
    and no total, counts or percentages are given. Entries are published ("approved") ones only.
    """
    row = db.scalar(select(Service).where(Service.code == service))
    out = {"service": service, "service_name": row.name if row else service, "enabled": False, "minimum": None,
           "days": days, "total": None, "enough": False, "updated": None, "percent_positive": None,
           "percent_negative": None, "counts": None, "entries": []}
    if row is None or not row.screen_enabled:
        return out
    fft = screen.published(db, service, now, days=days, update=update, tz=tz)
    minimum = max(row.screen_min_answers, MIN_PUBLIC)
    enough = fft["total"] >= minimum
    return {**out, "enabled": True, "minimum": minimum, "enough": enough, "updated": fft["published_at"],
            "total": fft["total"] if enough else None,
            "percent_positive": fft["percent_positive"] if enough else None,
            "percent_negative": fft["percent_negative"] if enough else None,
            "counts": {k: fft[k] for k in COUNTS} if enough else None,
            "entries": you_said_we_did(db, service=service, limit=entries)}


def project_evidence(db, project_id: int) -> dict | None:
    """A QI project and its evidence: linked stories (redacted) and linked themes with how often they come up.

    {project: {id, title, service_code, lead, status, aims}, stories: [{answer_id, redacted, sentiment,
     received, service_code, themes, linked_by}], themes: [{theme, major_category, stories, linked_by}]}
    Theme counts are stories with that theme for the project's service (all services if it has none).
    """
    project = db.get(QIProject, project_id)
    if project is None:
        return None
    stories = []
    story_rows = db.execute(
        select(StoryAnalysis.answer_id, StoryAnalysis.redacted, StoryAnalysis.sentiment, Response.created_at,
               Response.service_code, QIEvidence.linked_by)
        .select_from(QIEvidence).join(StoryAnalysis, StoryAnalysis.answer_id == QIEvidence.answer_id)
        .join(Answer, Answer.id == QIEvidence.answer_id).join(Response, Response.id == Answer.response_id)
        .where(QIEvidence.project_id == project_id).order_by(Response.created_at.desc())).all()
    tags: dict[int, list[str]] = {}
    if story_rows:
        for answer_id, theme in db.execute(select(StoryTag.answer_id, StoryTag.theme).where(
                StoryTag.answer_id.in_([r[0] for r in story_rows])).order_by(StoryTag.theme)):
            tags.setdefault(answer_id, []).append(theme)
    for answer_id, redacted, sentiment, created_at, service, linked_by in story_rows:
        stories.append({"answer_id": answer_id, "redacted": redacted, "sentiment": sentiment, "received": created_at,
                        "service_code": service, "themes": tags.get(answer_id, []), "linked_by": linked_by})
    themes = []
    for theme, linked_by in db.execute(select(QIEvidence.theme, QIEvidence.linked_by).where(
            QIEvidence.project_id == project_id, QIEvidence.theme.is_not(None)).order_by(QIEvidence.theme)):
        count = (select(func.count()).select_from(StoryTag).join(Answer, Answer.id == StoryTag.answer_id)
                 .join(Response, Response.id == Answer.response_id).where(StoryTag.theme == theme))
        if project.service_code:
            count = count.where(Response.service_code == project.service_code)
        themes.append({"theme": theme, "major_category": major_category(theme), "stories": db.scalar(count),
                       "linked_by": linked_by})
    return {"project": {"id": project.id, "title": project.title, "service_code": project.service_code,
                        "lead": project.lead, "status": project.status, "aims": project.aims},
            "stories": stories, "themes": themes}


def qi_by_service(db) -> list[dict]:
    """For each service, its QI projects and whether feedback backs each: the strategy's measure of a
    clear link between feedback and QI in every care delivery service.

    [{service_code, service, projects: [{id, title, status, stories, themes, backed}], backed_projects}],
    every active service listed (with no projects if it has none), then projects with no service.
    """
    evidence = {pid: (stories, themes) for pid, stories, themes in db.execute(
        select(QIEvidence.project_id, func.count(QIEvidence.answer_id), func.count(QIEvidence.theme))
        .group_by(QIEvidence.project_id))}
    by_service: dict[str | None, list[dict]] = {}
    for p in db.scalars(select(QIProject).order_by(QIProject.title)):
        stories, themes = evidence.get(p.id, (0, 0))
        by_service.setdefault(p.service_code, []).append(
            {"id": p.id, "title": p.title, "status": p.status, "stories": stories, "themes": themes,
             "backed": bool(stories or themes)})
    out = []
    services = db.execute(select(Service.code, Service.name, Service.active).order_by(Service.name)).all()
    known = {code for code, _, _ in services}
    for code, name, active in services:
        if active or code in by_service:
            projects = by_service.get(code, [])
            out.append({"service_code": code, "service": name, "projects": projects,
                        "backed_projects": sum(p["backed"] for p in projects)})
    for code in sorted(c for c in by_service if c not in known and c is not None):
        out.append({"service_code": code, "service": code, "projects": by_service[code],
                    "backed_projects": sum(p["backed"] for p in by_service[code])})
    if None in by_service:
        out.append({"service_code": None, "service": "No service", "projects": by_service[None],
                    "backed_projects": sum(p["backed"] for p in by_service[None])})
    return out
