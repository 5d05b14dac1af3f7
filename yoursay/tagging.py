"""Tag stories with the shipped NLP model: the scheduled job, and the backlog command's engine."""
from __future__ import annotations

import hashlib
import logging
from functools import lru_cache

from service.stories import backlog, tag_stories
from yoursay.runtime import Runtime

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def model_version() -> str:
    """A short hash of the model files: a new model means every story is tagged again."""
    from nlp.pipeline import MODEL_DIR

    digest = hashlib.sha256()
    for path in sorted(p for p in MODEL_DIR.rglob("*") if p.is_file() and p.suffix != ".md"):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def analyse(pairs: list[tuple[str, str | None]]):
    from nlp.pipeline import analyse_batch

    return analyse_batch([text for text, _ in pairs], [question for _, question in pairs])


def tag_new(rt: Runtime, limit: int = 500) -> int:
    """Tag stories stored since the last run (a few hundred a tick, so other jobs are not held up)."""
    done = tag_stories(rt.factory, rt.bot.surveys, analyse, model_version(), rt.now, limit=limit)
    if done:
        log.info("tagged %s stories", done)
    return done


def retag_all(rt: Runtime, progress=None) -> int:
    """Tag every story the current model has not tagged, e.g. after `yoursay nlp train`."""
    return tag_stories(rt.factory, rt.bot.surveys, analyse, model_version(), rt.now, progress=progress)


def pending(rt: Runtime) -> int:
    return backlog(rt.factory, rt.bot.surveys, model_version())
