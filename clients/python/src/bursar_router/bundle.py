"""The parts of Bursar's signed bundle (``GET /v1/bundle``) that routing needs: the policy,
the overrides in force and the budgets' states."""

from __future__ import annotations

import json
from typing import Any, NamedTuple, Optional, Union

from . import timestamps, values
from .errors import FieldError
from .policy import Policy

OVERRIDE_EFFECTS = ("force_tier", "min_tier", "max_tier")
BUDGET_STATES = ("ok", "warning", "exceeded")
BUDGET_ACTIONS = ("alert", "downgrade", "block")
# The dimensions a budget's scope can name (Bursar's rollup dimensions); others are ignored.
SCOPE_DIMENSIONS = ("source", "user", "team", "feature", "tier", "provider", "model", "status", "reason")


class Override(NamedTuple):
    id: str
    match: dict
    effect: str
    tier: str
    expires_at: Optional[int]
    reason: str = ""
    author: str = ""

    def is_active(self, now: int) -> bool:
        return self.expires_at is None or now < self.expires_at


class BudgetState(NamedTuple):
    id: str
    scope: dict
    state: str
    action: str
    downgrade_to: Optional[str] = None


class Bundle(NamedTuple):
    revision: str
    serial: int
    issued_at: int
    policy_revision: str
    policy: Optional[Policy]
    overrides: tuple
    budgets: tuple
    #: Past this time (epoch ms) the bundle is stale: Bursar issues a fresh one well before, so a
    #: router still holding it has not heard from Bursar. None in a bundle that has none.
    stale_after: Optional[int] = None

    def issued_before(self, held: "Bundle") -> bool:
        """Whether this bundle was issued before ``held``, so that a router holding ``held`` refuses
        it: by issue time, then serial (a database restored from a backup issues lower serials, but
        at later times). The same content issued earlier is older too (it would bring back an
        earlier ``stale_after``); the same issue again is not."""
        issue, held_issue = (self.issued_at, self.serial), (held.issued_at, held.serial)
        return issue < held_issue if self.revision == held.revision else issue <= held_issue

    def is_stale(self, now: int) -> bool:
        """Whether the bundle is past its signed ``stale_after`` at ``now`` (never, without one)."""
        return self.stale_after is not None and now > self.stale_after

    @classmethod
    def parse(cls, source: Union[bytes, str, dict]) -> "Bundle":
        """Reads a bundle from its bytes or from its parsed JSON; a problem names its field."""
        if isinstance(source, dict):
            document: Any = source
        else:
            try:
                document = json.loads(source, parse_constant=_no_constant)
            except (ValueError, UnicodeDecodeError) as error:
                raise FieldError("", f"the bundle is not JSON: {error}", code="invalid_bundle") from None
        revision = values.member(document, "revision")
        if not isinstance(revision, str):
            raise FieldError.missing("revision")
        policy = None
        policy_revision = ""
        policy_json = values.member(document, "policy")
        if policy_json is not None:
            policy = Policy.read(policy_json)
            policy_revision = policy.revision
        overrides = values.member(document, "overrides")
        budgets = values.member(document, "budgets")
        issued = values.member(document, "issued_at")
        stale_after = values.member(document, "stale_after")
        return cls(
            revision=revision,
            serial=values.integer(values.member(document, "serial")) or 0,
            issued_at=(timestamps.parse(issued) if isinstance(issued, str) else None) or 0,
            policy_revision=policy_revision,
            policy=policy,
            overrides=tuple(_override(item, f"overrides[{index}]") for index, item in enumerate(overrides if isinstance(overrides, list) else [])),
            budgets=tuple(_budget(item, f"budgets[{index}]") for index, item in enumerate(budgets if isinstance(budgets, list) else [])),
            stale_after=timestamps.parse(stale_after) if isinstance(stale_after, str) else None,
        )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _optional_text(document: Any, name: str) -> str:
    value = values.member(document, name)
    return value if isinstance(value, str) else ""


def _override(document: Any, path: str) -> Override:
    effect = values.text(document, "effect", path)
    if effect not in OVERRIDE_EFFECTS:
        raise FieldError(f"{path}.effect", "is not a known effect")
    match = {name: value if isinstance(value, str) else "" for name, value in values.members(values.member(document, "match"))}
    expires = values.member(document, "expires_at")
    return Override(id=values.text(document, "id", path), match=match, effect=effect, tier=values.text(document, "tier", path),
                    expires_at=timestamps.parse(expires) if isinstance(expires, str) else None,
                    reason=_optional_text(document, "reason"), author=_optional_text(document, "author"))


def _budget(document: Any, path: str) -> BudgetState:
    state = values.text(document, "state", path)
    if state not in BUDGET_STATES:
        raise FieldError(f"{path}.state", "is not a known state")
    action = values.text(document, "action", path)
    if action not in BUDGET_ACTIONS:
        raise FieldError(f"{path}.action", "is not a known action")
    scope = {name: value if isinstance(value, str) else "" for name, value in values.members(values.member(document, "scope"))
             if name in SCOPE_DIMENSIONS}
    downgrade_to = values.member(document, "downgrade_to")
    return BudgetState(id=values.text(document, "id", path), scope=scope, state=state, action=action,
                       downgrade_to=downgrade_to if isinstance(downgrade_to, str) else None)
