"""Form errors shown the NHS way: a summary at the top linking to each field, and a message by the field."""
from __future__ import annotations


class Errors:
    """Field id -> message, in the order the fields appear on the page."""

    def __init__(self) -> None:
        self._messages: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self._messages.setdefault(field, message)

    def __bool__(self) -> bool:
        return bool(self._messages)

    def __contains__(self, field: str) -> bool:
        return field in self._messages

    def message(self, field: str) -> dict | None:
        """For a macro's errorMessage parameter."""
        return {"text": self._messages[field]} if field in self._messages else None

    @property
    def summary(self) -> list[dict]:
        """For the error summary's errorList."""
        return [{"text": text, "href": f"#{field}"} for field, text in self._messages.items()]
