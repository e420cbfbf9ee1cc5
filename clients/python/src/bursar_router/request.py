"""What a router knows about one request before choosing a model: who asks, for what, how
hard it looks, and whether it carries personal data."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from . import values
from .errors import FieldError
from .names import canonical, lowercase

REQUEST_FIELDS = ("complexity", "confidence", "context_tokens", "feature", "intent", "keywords", "pii", "request_id", "team", "user")


class RoutingRequest:
    """The routing inputs of one request. Keywords are kept lowercased."""

    __slots__ = ("user", "team", "feature", "intent", "complexity", "confidence", "pii", "keywords", "context_tokens", "request_id")

    def __init__(self, user: str = "", team: str = "", feature: str = "", intent: str = "", complexity: Optional[float] = None,
                 confidence: Optional[float] = None, pii: bool = False, keywords: Sequence[str] = (),
                 context_tokens: Optional[int] = None, request_id: str = "") -> None:
        self.user = canonical(user)
        self.team = canonical(team)
        self.feature = canonical(feature)
        self.intent = canonical(intent)
        self.complexity = complexity
        self.confidence = confidence
        self.pii = pii
        self.keywords = tuple(lowercase(word) for word in keywords)
        self.context_tokens = context_tokens
        self.request_id = request_id

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__ if getattr(self, name) not in ("", None, False, ()))
        return f"RoutingRequest({shown})"

    @classmethod
    def parse(cls, body: Any) -> "RoutingRequest":
        """Reads a dict shaped like ``POST /v1/decide``'s body, naming the field that is wrong."""
        if not isinstance(body, Mapping):
            raise FieldError("", "a request descriptor is a JSON object", code="invalid_body")
        for name in body:
            if name not in REQUEST_FIELDS:
                raise FieldError(name, f"is not a request field ({', '.join(REQUEST_FIELDS)})")
        request = cls(user=_text(body, "user"), team=_text(body, "team"), feature=_text(body, "feature"), intent=_text(body, "intent"),
                      complexity=_fraction(body, "complexity"), confidence=_fraction(body, "confidence"), request_id=_text(body, "request_id"))
        pii = body.get("pii")
        if pii is not None:
            if not isinstance(pii, bool):
                raise FieldError("pii", "must be true or false")
            request.pii = pii
        words = body.get("keywords")
        if words is not None:
            if not isinstance(words, list) or len(words) > 256 or not all(isinstance(word, str) for word in words):
                raise FieldError("keywords", "must be a list of at most 256 strings")
            request.keywords = tuple(lowercase(word) for word in words)
        tokens = body.get("context_tokens")
        if tokens is not None:
            whole = values.integer(tokens)
            if whole is None or whole < 0:
                raise FieldError("context_tokens", "must be a whole number, 0 or more")
            request.context_tokens = whole
        return request


def _text(body: Mapping, name: str) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(name, "must be a string")
    if len(value.encode("utf-8", "surrogatepass")) > 256:
        raise FieldError(name, "must be at most 256 bytes")
    return value


def _fraction(body: Mapping, name: str) -> Optional[float]:
    value = body.get(name)
    if value is None:
        return None
    number = values.number(value)
    if number is None or not 0 <= number <= 1:
        raise FieldError(name, "must be a number from 0 to 1")
    return number
