"""A routing policy as the bundle carries it: tiers with their fallback chains, the ladder,
first-match rules, and how routers escalate, fall back, break circuits and shadow.

Read with the same defaults as Bursar's Swift reader (``Policy(json:)``); the bundle is made
from a validated policy, so this checks shape, not meaning."""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from . import values
from .errors import FieldError


class ModelKey(NamedTuple):
    provider: str
    model: str

    def to_json(self) -> dict:
        return {"provider": self.provider, "model": self.model}

    @classmethod
    def read(cls, document: Any, path: str) -> "ModelKey":
        return cls(values.text(document, "provider", path), values.text(document, "model", path))


class NumberRange(NamedTuple):
    """``{at_least: 0.7}``, ``{below: 0.3}`` or both; at_least is inclusive, below exclusive."""

    at_least: Optional[float]
    below: Optional[float]

    def contains(self, value: float) -> bool:
        return (self.at_least is None or value >= self.at_least) and (self.below is None or value < self.below)

    @classmethod
    def read(cls, document: Any, name: str) -> Optional["NumberRange"]:
        value = values.member(document, name)
        if value is None:
            return None
        return cls(values.number(values.member(value, "at_least")), values.number(values.member(value, "below")))


class Tier(NamedTuple):
    name: str
    models: tuple
    latency_slo_ms: Optional[int]
    max_context_tokens: Optional[int]


class Conditions(NamedTuple):
    intent: Optional[list] = None
    complexity: Optional[NumberRange] = None
    confidence: Optional[NumberRange] = None
    pii: Optional[bool] = None
    keywords: Optional[list] = None
    user: Optional[list] = None
    team: Optional[list] = None
    feature: Optional[list] = None
    context_tokens: Optional[NumberRange] = None


class Rule(NamedTuple):
    id: str
    when: Conditions
    tier: str
    lock: bool


class Escalation(NamedTuple):
    confidence_band: Optional[tuple] = None
    on_invalid_output: str = "next_tier"
    max_steps: int = 1


class Fallback(NamedTuple):
    on: tuple = ("timeout", "rate_limited", "server_error")
    latency_guardrail: bool = False


class CircuitBreakerSettings(NamedTuple):
    error_rate: float = 0.5
    min_requests: int = 20
    window_seconds: int = 30
    cooldown_seconds: int = 60
    when_open: str = "promote"

    MAXIMUM_WINDOW_SECONDS = 3600

    @classmethod
    def read(cls, document: Any) -> "CircuitBreakerSettings":
        defaults = cls()
        error_rate = values.number(values.member(document, "error_rate"))
        min_requests = values.integer(values.member(document, "min_requests"))
        window = values.integer(values.member(document, "window_seconds"))
        cooldown = values.integer(values.member(document, "cooldown_seconds"))
        when_open = values.member(document, "when_open")
        return cls(
            error_rate=defaults.error_rate if error_rate is None else error_rate,
            min_requests=defaults.min_requests if min_requests is None else min_requests,
            window_seconds=defaults.window_seconds if window is None else window,
            cooldown_seconds=defaults.cooldown_seconds if cooldown is None else cooldown,
            when_open=when_open if when_open in ("promote", "demote", "fail") else defaults.when_open,
        )


class Shadow(NamedTuple):
    tier: str
    model: ModelKey
    sample: float


class Policy(NamedTuple):
    name: str
    description: str
    revision: str
    baseline_tier: str
    ladder: tuple
    default_tier: str
    tiers: tuple
    rules: tuple
    escalation: Escalation
    fallback: Fallback
    circuit_breaker: CircuitBreakerSettings
    shadows: tuple

    def tier(self, name: str) -> Optional[Tier]:
        return next((tier for tier in self.tiers if tier.name == name), None)

    @classmethod
    def read(cls, document: Any) -> "Policy":
        """Reads the policy member of a bundle (a dict from its JSON)."""
        description = values.member(document, "description")
        revision = values.member(document, "revision")
        return cls(
            name=values.text(document, "name"),
            description=description if isinstance(description, str) else "",
            revision=revision if isinstance(revision, str) else "",
            baseline_tier=values.text(document, "baseline_tier"),
            ladder=tuple(values.texts(document, "ladder") or ()),
            default_tier=values.text(document, "default_tier"),
            tiers=tuple(_tier(tier, f"tiers[{index}]") for index, tier in enumerate(values.items(document, "tiers"))),
            rules=tuple(_rule(rule, f"rules[{index}]") for index, rule in enumerate(values.items(document, "rules"))),
            escalation=_escalation(values.member(document, "escalation")),
            fallback=_fallback(values.member(document, "fallback")),
            circuit_breaker=CircuitBreakerSettings.read(values.member(document, "circuit_breaker")),
            shadows=tuple(_shadow(shadow, f"shadow[{index}]") for index, shadow in enumerate(values.items(document, "shadow"))),
        )


def _tier(document: Any, path: str) -> Tier:
    return Tier(
        name=values.text(document, "name", path),
        models=tuple(ModelKey.read(model, f"{path}.models") for model in values.items(document, "models", path)),
        latency_slo_ms=values.integer(values.member(document, "latency_slo_ms")),
        max_context_tokens=values.integer(values.member(document, "max_context_tokens")),
    )


def _rule(document: Any, path: str) -> Rule:
    when = values.member(document, "when")
    when = {} if when is None else when
    where = f"{path}.when"
    pii = values.member(when, "pii")
    conditions = Conditions(
        intent=values.texts(when, "intent", where),
        complexity=NumberRange.read(when, "complexity"),
        confidence=NumberRange.read(when, "confidence"),
        pii=pii if isinstance(pii, bool) else None,
        keywords=values.texts(when, "keywords", where),
        user=values.texts(when, "user", where),
        team=values.texts(when, "team", where),
        feature=values.texts(when, "feature", where),
        context_tokens=NumberRange.read(when, "context_tokens"),
    )
    lock = values.member(document, "lock")
    return Rule(id=values.text(document, "id", path), when=conditions, tier=values.text(document, "tier", path),
                lock=lock if isinstance(lock, bool) else False)


def _escalation(document: Any) -> Escalation:
    band = None
    bounds = values.member(document, "confidence_band")
    if isinstance(bounds, list):
        numbers = [number for number in (values.number(bound) for bound in bounds) if number is not None]
        if len(numbers) == 2 and numbers[0] <= numbers[1]:
            band = (numbers[0], numbers[1])
    action = values.member(document, "on_invalid_output")
    steps = values.integer(values.member(document, "max_steps"))
    return Escalation(confidence_band=band,
                      on_invalid_output=action if action in ("next_tier", "retry", "none") else "next_tier",
                      max_steps=1 if steps is None else steps)


def _fallback(document: Any) -> Fallback:
    on = values.texts(document, "on", "fallback")
    guardrail = values.member(document, "latency_guardrail")
    return Fallback(on=Fallback().on if on is None else tuple(on), latency_guardrail=guardrail if isinstance(guardrail, bool) else False)


def _shadow(document: Any, path: str) -> Shadow:
    model = values.member(document, "model")
    if model is None:
        raise FieldError.missing(f"{path}.model")
    sample = values.number(values.member(document, "sample"))
    return Shadow(tier=values.text(document, "tier", path), model=ModelKey.read(model, f"{path}.model"), sample=0.0 if sample is None else sample)
