"""Decides where requests go under one bundle, exactly as Bursar's Swift engine does (the
conformance corpus in ``conformance/`` is the definition both pass).

Precedence, strongest first: an exceeded budget that blocks; an override (force, at least,
at most); an exceeded budget that downgrades; the first matching rule; the default tier. A
locked rule's tier is never moved by overrides or downgrades (it can still be blocked). Built
once per bundle; deciding reads only precomputed tables."""

from __future__ import annotations

from typing import Callable, Iterable, Optional

from .bundle import Bundle, BudgetState, Override
from .decision import Decision
from .moves import ESCALATE, FALLBACK, RETRY, STOP, Move
from .names import canonical, lowercase
from .policy import ModelKey, Policy, Rule
from .request import RoutingRequest
from .sampling import shadow_fraction

_MATCHABLE = frozenset(("user", "team", "feature"))
_UNMATCHABLE_SCOPE = frozenset(("source", "status", "reason"))


def _rule_predicate(rule: Rule) -> Callable[[RoutingRequest], bool]:
    """One function that holds when every condition of the rule does."""
    when = rule.when
    checks: list = []
    if when.pii is not None:
        pii = when.pii
        checks.append(lambda request: request.pii == pii)
    for field in ("intent", "team", "user", "feature"):
        names = getattr(when, field)
        if names is not None:
            allowed = frozenset(canonical(name) for name in names)
            checks.append(lambda request, allowed=allowed, field=field: getattr(request, field) in allowed)
    for field in ("complexity", "confidence"):
        bounds = getattr(when, field)
        if bounds is not None:
            checks.append(lambda request, bounds=bounds, field=field: getattr(request, field) is not None and bounds.contains(getattr(request, field)))
    if when.context_tokens is not None:
        tokens_range = when.context_tokens
        checks.append(lambda request: request.context_tokens is not None and tokens_range.contains(float(request.context_tokens)))
    if when.keywords is not None:
        words = frozenset(lowercase(word) for word in when.keywords)
        checks.append(lambda request: not words.isdisjoint(request.keywords))
    if not checks:
        return lambda request: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda request: first(request) and second(request)

    def every(request: RoutingRequest) -> bool:
        for check in checks:
            if not check(request):
                return False
        return True
    return every


class _Who:
    """The user, team and feature an override or budget names (None: any)."""

    __slots__ = ("user", "team", "feature")

    def __init__(self, names: dict) -> None:
        self.user, self.team, self.feature = (None if names.get(field) is None else canonical(names[field]) for field in ("user", "team", "feature"))

    def matches(self, request: RoutingRequest) -> bool:
        return ((self.user is None or self.user == request.user) and (self.team is None or self.team == request.team)
                and (self.feature is None or self.feature == request.feature))


class _CompiledOverride:
    __slots__ = ("source", "tier", "ladder_position", "who", "unmatchable")

    def __init__(self, override: Override, tier: int, ladder_position: Optional[int]) -> None:
        self.source = override
        self.tier = tier
        self.ladder_position = ladder_position
        self.who = _Who(override.match)
        self.unmatchable = any(name not in _MATCHABLE for name in override.match)


class _CompiledBudget:
    __slots__ = ("id", "downgrade_to", "who", "tier", "model", "provider", "unmatchable")

    def __init__(self, budget: BudgetState, downgrade_to: Optional[int], tiers: dict) -> None:
        self.id = budget.id
        self.downgrade_to = downgrade_to
        self.who = _Who(budget.scope)
        tier = budget.scope.get("tier")
        self.tier = None if tier is None else tiers.get(canonical(tier), -1)
        self.model = None if budget.scope.get("model") is None else canonical(budget.scope["model"])
        self.provider = None if budget.scope.get("provider") is None else canonical(budget.scope["provider"])
        self.unmatchable = any(name in _UNMATCHABLE_SCOPE for name in budget.scope)

    def covers(self, request: RoutingRequest, tier: int, primary: Optional[ModelKey]) -> bool:
        if self.unmatchable or not self.who.matches(request):
            return False
        if self.tier is not None and self.tier != tier:
            return False
        if self.model is not None and (primary is None or primary.model != self.model):
            return False
        if self.provider is not None and (primary is None or primary.provider != self.provider):
            return False
        return True


class PolicyEngine:
    """The policy, overrides and budgets of one bundle, compiled for deciding."""

    def __init__(self, policy: Policy, revision: str, overrides: Iterable[Override] = (), budgets: Iterable[BudgetState] = ()) -> None:
        self.policy = policy
        self.revision = revision
        # Names are looked up in NFC, as Swift's dictionaries find canonically equivalent keys.
        tier_index = {}
        for index, tier in enumerate(policy.tiers):
            tier_index.setdefault(canonical(tier.name), index)
        ladder_index = {}
        for index, name in enumerate(policy.ladder):
            ladder_index.setdefault(canonical(name), index)
        self._tier_index = tier_index
        self._ladder_index = ladder_index
        self._names = [tier.name for tier in policy.tiers]
        self._models = [tuple(tier.models) for tier in policy.tiers]
        # For budgets scoped to a model or provider (compared in NFC).
        self._primaries = [ModelKey(canonical(tier.models[0].provider), canonical(tier.models[0].model)) if tier.models else None
                           for tier in policy.tiers]
        self._context_limits = [tier.max_context_tokens for tier in policy.tiers]
        self._ladder_positions = [ladder_index.get(canonical(tier.name)) for tier in policy.tiers]
        self._tiers_above = []
        for tier in policy.tiers:
            position = ladder_index.get(canonical(tier.name))
            above = None
            if position is not None and position + 1 < len(policy.ladder):
                above = tier_index.get(canonical(policy.ladder[position + 1]))
            self._tiers_above.append(above)
        self._default_tier = tier_index.get(canonical(policy.default_tier), 0)
        self._rules = [(rule.id, tier_index[canonical(rule.tier)], rule.lock, _rule_predicate(rule)) for rule in policy.rules
                       if canonical(rule.tier) in tier_index]
        # Most specific first, so that a user's override wins over their team's.
        ordered = sorted(enumerate(overrides), key=lambda entry: (-len(entry[1].match), entry[0]))
        self._overrides = [_CompiledOverride(override, tier_index[canonical(override.tier)], ladder_index.get(canonical(override.tier)))
                           for _, override in ordered if canonical(override.tier) in tier_index]
        exceeded = [budget for budget in budgets if budget.state == "exceeded"]
        self._downgrades = [_CompiledBudget(budget, tier_index[canonical(budget.downgrade_to)], tier_index) for budget in exceeded
                            if budget.action == "downgrade" and budget.downgrade_to is not None and canonical(budget.downgrade_to) in tier_index]
        self._blocks = [_CompiledBudget(budget, None, tier_index) for budget in exceeded if budget.action == "block"]

    @classmethod
    def from_bundle(cls, bundle: Bundle) -> Optional["PolicyEngine"]:
        """The engine for a bundle; None when the bundle has no active policy."""
        if bundle.policy is None:
            return None
        return cls(bundle.policy, bundle.revision, bundle.overrides, bundle.budgets)

    def decide(self, request: RoutingRequest, now: int) -> Decision:
        """Where ``request`` goes at ``now`` (epoch milliseconds; overrides past their expiry are skipped)."""
        matched = None
        for rule in self._rules:
            if rule[3](request):
                matched = rule
                break
        if matched is None:
            chosen, locked, rule_id = self._default_tier, False, None
        else:
            rule_id, chosen, locked, _ = matched
        tier = chosen
        names = self._names
        decision = Decision(names[chosen], (), rule_id, locked, self.revision)

        tokens = request.context_tokens
        if not locked and tokens is not None:
            limits = self._context_limits
            limit = limits[tier]
            if limit is not None and tokens > limit:
                candidate: Optional[int] = tier
                while candidate is not None and limits[candidate] is not None and tokens > limits[candidate]:
                    candidate = self._tiers_above[candidate]
                if candidate is not None:
                    decision.context_climbed_from = names[tier]
                    tier = candidate
        for budget in self._downgrades:
            if budget.covers(request, tier, self._primaries[tier]):
                target = budget.downgrade_to
                if target == tier:
                    break
                if locked:
                    decision.held_by_lock = f"budget {budget.id}"
                else:
                    decision.downgrade = (budget.id, names[tier])
                    tier = target
                break
        if self._overrides:
            found = self._override_target(request, tier, now)
            if found is not None and found[1] != tier:
                override, target = found
                if locked:
                    if decision.held_by_lock is None:
                        decision.held_by_lock = f"override {override.id}"
                else:
                    decision.override = (override.id, override.effect, names[tier])
                    tier = target
        for budget in self._blocks:
            if budget.covers(request, tier, self._primaries[tier]):
                decision.blocked = True
                decision.blocked_by = budget.id
                break
        if tier != chosen:
            decision.tier = names[tier]
        decision.models = self._models[tier]
        return decision

    def _override_target(self, request: RoutingRequest, tier: int, now: int) -> Optional[tuple]:
        """The most specific force_tier, else the tier raised by every min_tier and capped by every max_tier."""
        result = None
        current = tier
        positions = self._ladder_positions
        for override in self._overrides:
            if override.unmatchable or not override.who.matches(request) or not override.source.is_active(now):
                continue
            effect = override.source.effect
            if effect == "force_tier":
                return (override.source, override.tier)
            have = positions[current]
            wanted = override.ladder_position
            if have is None or wanted is None:
                continue
            if (effect == "min_tier" and wanted > have) or (effect == "max_tier" and wanted < have):
                current = override.tier
                result = (override.source, current)
        return result

    # Tiers and the ladder

    def has_tier(self, name: str) -> bool:
        return canonical(name) in self._tier_index

    def tier_above(self, name: str) -> Optional[str]:
        """The next tier up the ladder; None at the top or off the ladder (a secure tier)."""
        position = self._ladder_index.get(canonical(name))
        if position is None or position + 1 >= len(self.policy.ladder):
            return None
        return self.policy.ladder[position + 1]

    def tier_below(self, name: str) -> Optional[str]:
        position = self._ladder_index.get(canonical(name))
        if position is None or position == 0:
            return None
        return self.policy.ladder[position - 1]

    def _tier_models(self, name: str) -> Optional[tuple]:
        index = self._tier_index.get(canonical(name))
        return None if index is None else self._models[index]

    # What to do after an attempt

    def escalation(self, tier: str, confidence: float, steps_taken: int, locked: bool) -> Optional[str]:
        """A confidence inside the escalation band: the next tier up while steps remain."""
        escalation = self.policy.escalation
        band = escalation.confidence_band
        if locked or steps_taken >= escalation.max_steps or band is None or not band[0] <= confidence <= band[1]:
            return None
        return self.tier_above(tier)

    def move_for_invalid_output(self, tier: str, model_index: int, steps_taken: int, retried: bool, locked: bool) -> Move:
        action = self.policy.escalation.on_invalid_output
        if action == "none":
            return STOP
        if action == "retry":
            return self._fallback(tier, model_index) if retried else RETRY
        if not locked and steps_taken < self.policy.escalation.max_steps:
            above = self.tier_above(tier)
            if above is not None:
                return ESCALATE(above)
        return self._fallback(tier, model_index) if "invalid_output" in self.policy.fallback.on else STOP

    def move_for_latency(self, millis: int, tier: str, model_index: int) -> Move:
        """Past the tier's SLO with the latency guardrail on: the next model."""
        if not self.policy.fallback.latency_guardrail:
            return STOP
        index = self._tier_index.get(canonical(tier))
        found = None if index is None else self.policy.tiers[index]
        if found is None or found.latency_slo_ms is None or millis <= found.latency_slo_ms:
            return STOP
        return self._fallback(tier, model_index)

    def move_for_failure(self, outcome: str, tier: str, model_index: int) -> Move:
        """A failed attempt: the next model of the tier when the policy falls back on that outcome."""
        if outcome not in self.policy.fallback.on:
            return STOP
        return self._fallback(tier, model_index)

    def _fallback(self, tier: str, after: int) -> Move:
        models = self._tier_models(tier)
        if models is None or after + 1 >= len(models):
            return STOP
        return FALLBACK(after + 1)

    def avoiding_open_circuits(self, decision: Decision, is_open: Callable[[str], bool]) -> Decision:
        """The decision with open circuits avoided: ``when_open`` promotes (or demotes) to the next
        tier whose circuit lets requests through, or fails the request. A locked decision stays."""
        if decision.blocked or not is_open(decision.tier):
            return decision
        result = decision.copy()
        when_open = self.policy.circuit_breaker.when_open
        step = self.tier_above if when_open == "promote" else self.tier_below
        candidate = None
        if not decision.locked and when_open != "fail":
            candidate = step(decision.tier)
            while candidate is not None and is_open(candidate):
                candidate = step(candidate)
        result.open_circuit = decision.tier
        models = None if candidate is None else self._tier_models(candidate)
        if models is None:
            result.blocked = True
            return result
        result.tier = candidate
        result.models = models
        return result

    def shadow(self, decision: Decision, request_id: str) -> Optional[ModelKey]:
        """The shadow model to also call, if the tier has one and the request falls in its sample."""
        if decision.blocked:
            return None
        for shadow in self.policy.shadows:
            if canonical(shadow.tier) == canonical(decision.tier) and shadow_fraction(request_id, shadow.model) < shadow.sample:
                return shadow.model
        return None
