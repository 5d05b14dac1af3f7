"""Text analysis for stories: QDC v6 themes, sentiment, safeguarding flags and redaction.

    from nlp import analyse
    a = analyse("Nothing", question="What was good?")
    a.themes, a.sentiment, a.risk, a.redacted

Safeguarding flags (nlp.risk.detect) are screening aids for staff review, never a clinical
assessment of risk.
"""
from __future__ import annotations

__all__ = ["Analysis", "analyse", "analyse_batch", "load"]


def __getattr__(name):  # import lazily: `import nlp` stays cheap
    if name in __all__:
        from nlp import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
