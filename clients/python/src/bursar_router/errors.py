"""Errors that name what is wrong, as Bursar's API does."""

from __future__ import annotations


class FieldError(ValueError):
    """A value that cannot be used, with the field it is in (``field`` may be empty)."""

    def __init__(self, field: str, message: str, code: str = "invalid_field") -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
        self.code = code

    @classmethod
    def missing(cls, field: str) -> "FieldError":
        return cls(field, "is required", code="missing_field")

    def to_json(self) -> dict:
        """The body of Bursar's error answers: ``{"error": {"code", "message", "field"}}``."""
        return {"error": {"code": self.code, "message": str(self), "field": self.field or None}}
