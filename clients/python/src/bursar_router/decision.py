"""Where one request goes and why: the tier, its model chain, and each step that led there."""

from __future__ import annotations

from typing import Optional

from .policy import ModelKey

_VERBS = {"force_tier": "forces", "min_tier": "raises to at least", "max_tier": "caps at"}


class Decision:
    """The answer of the policy engine, shaped like ``POST /v1/decide``'s by ``to_json()``.

    ``downgrade`` is ``(budget id, tier before)``; ``override`` is ``(override id, effect,
    tier before)``; ``held_by_lock`` names an override or budget a locked rule kept out;
    ``blocked_by`` is the budget that blocks; ``open_circuit`` the tier whose open circuit
    moved (or, when blocked, failed) the request."""

    __slots__ = ("tier", "models", "rule", "locked", "blocked", "revision", "rule_tier", "context_climbed_from",
                 "downgrade", "override", "held_by_lock", "blocked_by", "open_circuit")

    def __init__(self, tier: str, models: tuple, rule: Optional[str], locked: bool, revision: str) -> None:
        self.tier = tier
        self.models = models
        self.rule = rule
        self.locked = locked
        self.blocked = False
        self.revision = revision
        self.rule_tier = tier
        self.context_climbed_from: Optional[str] = None
        self.downgrade: Optional[tuple] = None
        self.override: Optional[tuple] = None
        self.held_by_lock: Optional[str] = None
        self.blocked_by: Optional[str] = None
        self.open_circuit: Optional[str] = None

    def copy(self) -> "Decision":
        other = Decision.__new__(Decision)
        for name in self.__slots__:
            setattr(other, name, getattr(self, name))
        return other

    @property
    def primary(self) -> Optional[ModelKey]:
        return self.models[0] if self.models else None

    @property
    def budget(self) -> Optional[str]:
        """The budget that blocks the request, else the one that downgraded it."""
        if self.blocked_by is not None:
            return self.blocked_by
        return self.downgrade[0] if self.downgrade else None

    @property
    def reasons(self) -> list:
        """The steps in words, in the order they were applied."""
        reasons = [f"rule {self.rule} matched: tier {self.rule_tier}" if self.rule is not None
                   else f"no rule matched: the default tier {self.rule_tier}"]
        if self.context_climbed_from is not None:
            after = self.downgrade[1] if self.downgrade else self.override[2] if self.override else self.tier
            reasons.append(f"the context does not fit {self.context_climbed_from}'s window: up to {after}")
        if self.downgrade:
            reasons.append(f"budget {self.downgrade[0]} is exceeded: downgraded from {self.downgrade[1]}")
        if self.override:
            reasons.append(f"override {self.override[0]} {_VERBS[self.override[1]]} tier {self.tier} (was {self.override[2]})")
        if self.held_by_lock is not None:
            reasons.append(f"{self.held_by_lock} does not apply: rule {self.rule or ''} locks the tier")
        if self.blocked_by is not None:
            reasons.append(f"budget {self.blocked_by} is exceeded and blocks the request")
        if self.open_circuit is not None:
            reasons.append(f"tier {self.open_circuit}'s circuit is open and no tier the policy allows is closed: the request fails"
                           if self.blocked and self.blocked_by is None else f"tier {self.open_circuit}'s circuit is open: moved to {self.tier}")
        return reasons

    def to_json(self) -> dict:
        """The JSON object ``POST /v1/decide`` answers."""
        return {
            "tier": self.tier,
            "models": [model.to_json() for model in self.models],
            "rule": self.rule,
            "locked": self.locked,
            "blocked": self.blocked,
            "override": self.override[0] if self.override else None,
            "budget": self.budget,
            "reasons": self.reasons,
            "revision": self.revision,
        }

    def __repr__(self) -> str:
        return f"Decision(tier={self.tier!r}, rule={self.rule!r}, locked={self.locked}, blocked={self.blocked}, budget={self.budget!r})"
