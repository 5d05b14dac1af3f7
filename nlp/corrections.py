"""Staff corrections of themes, to learn from at the next `yoursay nlp train --include-corrections`."""
from __future__ import annotations


class CorrectionsUnavailable(RuntimeError):
    pass


def load_corrections(database_url: str) -> list[tuple[str, str | None, list[str]]]:
    """(text, question, [theme names]) for every correction stored in the database.

    Reads them with `storage.corrections.load(engine)`, imported only when asked for.
    """
    try:
        from storage.corrections import load
    except ImportError as exc:
        if getattr(exc, "name", None) not in ("storage.corrections", "storage"):
            raise
        raise CorrectionsUnavailable(
            "cannot include corrections: storage.corrections is not available in this version "
            "(it should provide load(engine) -> [(text, question, [themes])])") from exc
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    try:
        return list(load(engine))
    finally:
        engine.dispose()
