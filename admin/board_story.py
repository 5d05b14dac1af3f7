"""A board story's parts: the stories it draws on (redacted), its paragraphs, consent, and what changed."""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage.models import (Answer, BoardStory, BoardStorySource, QIProject, Response, Service, StoryAnalysis,
                            YouSaidWeDid)

# BoardStory.consent: what PPT recorded about the person's consent.
CONSENTS = {"anonymous": "Anonymous, consent not needed", "given": "Consent given",
            "refused": "Consent refused or withdrawn"}
UNRECORDED = "unrecorded"  # shortlisted, and nobody has yet recorded consent (or that none was needed)
LIMITS = {"title": 200, "narrative": 10000, "consent_note": 2000}
REFUSED = ("The person refused or withdrew their consent, so this story cannot be printed or used at the Board. "
           "Take it off the shortlist, or record new consent if they change their mind.")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def paragraphs(text: str) -> list[str]:
    """The narrative's paragraphs: split on blank lines, each trimmed, none empty."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in _BLANK_LINE.split(text) if p.strip()]


def title(board: BoardStory) -> str:
    return board.title or f"Board story {board.id} (no title yet)"


def status(board: BoardStory) -> tuple[str, str]:
    """(words, NHS tag colour): ready for the Board, a draft, or not to be used."""
    if board.consent == "refused":
        return "Cannot be used: consent refused", "red"
    if not unready(board):
        return "Ready for the Board", "green"
    return "Draft: " + unready(board)[0].lower() + unready(board)[1:], "grey"


def unready(board: BoardStory) -> str:
    """Why it cannot go to the Board yet ("" when it can): someone must decide on consent, and give it words."""
    if board.consent == "refused":
        return REFUSED
    missing = [what for what, gap in (("consent", board.consent not in CONSENTS), ("a title", not board.title.strip()),
                                      ("a narrative", not paragraphs(board.narrative))) if gap]
    return ("Needs " + " and ".join(missing).replace("consent", "consent recorded (or that none was needed)", 1)
            if missing else "")


def added_ids(db, board_id: int) -> list[int]:
    return list(db.scalars(select(BoardStorySource.answer_id).where(BoardStorySource.board_story_id == board_id)))


def analysed(db, answer_id: int) -> StoryAnalysis | None:
    """A story that may go to the Board: only analysed ones, which have redacted text."""
    return db.get(StoryAnalysis, answer_id)


def stories(db, board: BoardStory, tz: str) -> list[dict]:
    """The stories it draws on, the first one first, then the added ones oldest first (redacted text only).

    [{answer_id, redacted, risk, received, month, service_code, service, first}]
    """
    ids = [board.answer_id, *added_ids(db, board.id)]
    rows = db.execute(select(StoryAnalysis.answer_id, StoryAnalysis.redacted, StoryAnalysis.risk, Response.created_at,
                             Response.service_code, Service.name)
                      .join(Answer, Answer.id == StoryAnalysis.answer_id)
                      .join(Response, Response.id == Answer.response_id)
                      .outerjoin(Service, Service.code == Response.service_code)
                      .where(StoryAnalysis.answer_id.in_(ids)).order_by(Response.created_at, StoryAnalysis.answer_id))
    zone = ZoneInfo(tz)
    out = [{"answer_id": a, "redacted": text, "risk": risk, "received": received,
            "month": f"{received.astimezone(zone):%B %Y}", "service_code": code, "service": name or code or "",
            "first": a == board.answer_id} for a, text, risk, received, code, name in rows]
    return sorted(out, key=lambda s: not s["first"])


def default_narrative(found: list[dict]) -> str:
    """The narrative a new board story starts from: its stories' redacted text, a paragraph each."""
    return "\n\n".join(s["redacted"].strip() for s in found if s["redacted"].strip())


def distinct(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def changes(db, board: BoardStory, names: dict[str, str]) -> dict:
    """What followed: the QI project {id, title, status} and the entry {id, you_said, we_did, status, service}.

    Either is None when none is linked.
    """
    project = db.get(QIProject, board.qi_project_id) if board.qi_project_id else None
    entry = db.get(YouSaidWeDid, board.you_said_we_did_id) if board.you_said_we_did_id else None
    return {"project": {"id": project.id, "title": project.title, "status": project.status} if project else None,
            "entry": {"id": entry.id, "you_said": entry.you_said, "we_did": entry.we_did, "status": entry.status,
                      "service": names.get(entry.service_code, entry.service_code) or "Trust-wide"}
            if entry else None}


def choices(db, names: dict[str, str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The QI projects and "You said, we did" entries a board story can link to: [(id, label)] each."""
    projects = [(str(p.id), f"{p.title} ({p.status})")
                for p in db.scalars(select(QIProject).order_by(QIProject.title, QIProject.id))]
    entries = []
    for e in db.scalars(select(YouSaidWeDid).order_by(YouSaidWeDid.happened_on.desc(), YouSaidWeDid.id.desc())):
        said = e.you_said if len(e.you_said) <= 70 else e.you_said[:69].rstrip() + "\u2026"
        where = names.get(e.service_code, e.service_code) or "Trust-wide"
        entries.append((str(e.id), f"{said} ({where}, {e.happened_on:%d/%m/%Y}, {e.status})"))
    return projects, entries
