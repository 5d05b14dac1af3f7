"""What a conversation step gives back: replies to send, the new state, and effects to carry out."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reply:
    """One message back to the person; buttons are (label, data) for channels that show them."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()


@dataclass
class Result:
    state: dict
    replies: list[Reply] = field(default_factory=list)
    effects: list = field(default_factory=list)
