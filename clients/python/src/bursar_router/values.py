"""Reading JSON values the way Bursar's Swift reader does, so that both engines see the same
policy: a whole number written as ``300.0`` is an integer, ``true`` is never a number, and
``null`` is the same as an absent member."""

from __future__ import annotations

from typing import Any, Optional

from .errors import FieldError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def integer(value: Any) -> Optional[int]:
    """A whole number that fits 64 bits (``300`` or ``300.0``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if INT64_MIN <= value <= INT64_MAX else None
    if isinstance(value, float) and value.is_integer() and INT64_MIN <= value <= INT64_MAX:
        return int(value)
    return None


def number(value: Any) -> Optional[float]:
    """Any JSON number as a float (never a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def member(document: Any, name: str) -> Any:
    """A member of an object, None when absent, null or not an object."""
    if isinstance(document, dict):
        return document.get(name)
    return None


def text(document: Any, name: str, path: str = "") -> str:
    value = member(document, name)
    if not isinstance(value, str):
        raise FieldError(join(path, name), "must be a string")
    return value


def texts(document: Any, name: str, path: str = "") -> Optional[list]:
    value = member(document, name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(element, str) for element in value):
        raise FieldError(join(path, name), "must be a list of strings")
    return list(value)


def items(document: Any, name: str, path: str = "") -> list:
    value = member(document, name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldError(join(path, name), "must be a list")
    return value


def members(document: Any) -> list:
    """An object's members as pairs (none for anything else)."""
    return list(document.items()) if isinstance(document, dict) else []


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
