"""Runs the routing conformance corpus (``conformance/`` in Bursar's repository) against this
engine: ``python -m bursar_router.conformance conformance/`` prints every case that differs
and exits 1 if any does. The file format is described in ``conformance/README.md``."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Iterator, List, NamedTuple

from . import timestamps
from .breaker import CircuitBreaker
from .bundle import Bundle
from .engine import PolicyEngine
from .errors import FieldError
from .moves import ESCALATE, STOP
from .policy import CircuitBreakerSettings, ModelKey
from .request import RoutingRequest
from .sampling import shadow_hash53


class Result(NamedTuple):
    file: str
    name: str
    expected: Any
    actual: Any

    @property
    def passed(self) -> bool:
        return _canonical(self.expected) == _canonical(self.actual)


def _canonical(value: Any) -> str:
    return json.dumps(_normalise(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _normalise(value: Any) -> Any:
    # 1.0 and 1 are the same JSON number.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    return value


def files(*folders: str) -> List[str]:
    """The corpus files under the folders, in a stable order (``manifest.json``, the list of files
    and their case counts, is not one)."""
    found = []
    for folder in folders:
        for root, _, names in os.walk(folder):
            found.extend(os.path.join(root, name) for name in names
                         if name.endswith(".json") and not (name == "manifest.json" and os.path.samefile(root, folder)))
    return sorted(found)


def run_file(path: str) -> Iterator[Result]:
    with open(path, "rb") as source:
        document = json.loads(source.read())
    kind = document.get("kind")
    if kind == "decisions":
        yield from _decisions(path, document)
    elif kind == "breakers":
        for item in document["breakers"]:
            yield _breaker(path, item)
    elif kind == "samples":
        for item in document["samples"]:
            model = ModelKey.read(item["model"], "samples[].model")
            actual = {"request_id": item["request_id"], "model": model.to_json(), "hash53": shadow_hash53(item["request_id"], model)}
            yield Result(path, f"sample {item['request_id']}", item, actual)
    elif kind == "bundles":
        for item in document["cases"]:
            held, received = _bundle(item["held"]), _bundle(item["received"])
            actual = {"older": received.issued_before(held), "stale": received.is_stale(_time(item["now"], "cases[].now"))}
            yield Result(path, item.get("name", "(unnamed)"), item["expect"], actual)
    else:
        raise FieldError("kind", "must be decisions, breakers, samples or bundles")


def _bundle(document: dict) -> Bundle:
    """A bundle's issue as a ``bundles`` case names it (revision, serial, issued_at, stale_after)."""
    stale_after = document.get("stale_after")
    return Bundle(revision=document["revision"], serial=document["serial"], issued_at=_time(document["issued_at"], "issued_at"),
                  policy_revision="", policy=None, overrides=(), budgets=(),
                  stale_after=_time(stale_after, "stale_after") if stale_after is not None else None)


def _decisions(path: str, document: dict) -> Iterator[Result]:
    shared_now = _time(document.get("now"), "now")
    engines = {}
    for item in document["cases"]:
        name = item.get("name", "(unnamed)")
        key = (json.dumps(item.get("overrides"), sort_keys=True), json.dumps(item.get("budgets"), sort_keys=True))
        engine = engines.get(key)
        if engine is None:
            bundle = dict(document["bundle"])
            for member in ("overrides", "budgets"):
                if member in item:
                    bundle[member] = item[member]
            engine = engines[key] = PolicyEngine.from_bundle(Bundle.parse(bundle))
        now = _time(item.get("now"), f"{name}: now") or shared_now
        request = RoutingRequest.parse(item.get("request", {}))
        expected = item["expect"]
        decision = engine.decide(request, now)
        open_circuits = set(item.get("open_circuits", []))
        if open_circuits:
            decision = engine.avoiding_open_circuits(decision, open_circuits.__contains__)
        answer = decision.to_json()
        actual = {"decision": {key: value for key, value in answer.items() if key not in ("reasons", "revision")}}
        if "shadow" in expected:
            shadow = engine.shadow(decision, request.request_id)
            actual["shadow"] = shadow.to_json() if shadow else None
        attempt = item.get("attempt")
        if attempt is not None:
            actual["move"] = _move(engine, attempt, decision).to_json()
        yield Result(path, name, expected, actual)


def _move(engine: PolicyEngine, attempt: dict, decision):
    outcome = attempt.get("outcome")
    index = attempt.get("model_index", 0)
    steps = attempt.get("steps_taken", 0)
    if outcome in ("timeout", "rate_limited", "server_error"):
        return engine.move_for_failure(outcome, decision.tier, index)
    if outcome == "invalid_output":
        return engine.move_for_invalid_output(decision.tier, index, steps, attempt.get("retried", False), decision.locked)
    if outcome == "latency":
        return engine.move_for_latency(attempt["latency_ms"], decision.tier, index)
    if outcome == "confidence":
        tier = engine.escalation(decision.tier, attempt["confidence"], steps, decision.locked)
        return STOP if tier is None else ESCALATE(tier)
    raise FieldError("attempt.outcome", "must be timeout, rate_limited, server_error, invalid_output, latency or confidence")


def _breaker(path: str, item: dict) -> Result:
    breaker = CircuitBreaker(CircuitBreakerSettings.read(item.get("settings", {})))
    actual = []
    for step in item["steps"]:
        at, action = step["at_ms"], step["do"]
        answer = None
        if action in ("success", "failure"):
            breaker.record(action == "success", at)
        elif action == "allows":
            answer = breaker.allows(at)
        elif action == "is_open":
            answer = breaker.is_open(at)
        else:
            raise FieldError("steps[].do", "must be success, failure, allows or is_open")
        result = {"at_ms": at, "do": action}
        if answer is not None:
            result["answer"] = answer
        result["state"] = breaker.state
        actual.append(result)
    return Result(path, item.get("name", "(unnamed)"), item["steps"], actual)


def _time(value: Any, field: str) -> int:
    if value is None:
        return 0
    millis = timestamps.parse(value)
    if millis is None:
        raise FieldError(field, "must be an RFC 3339 time")
    return millis


def main(arguments: List[str]) -> int:
    passed = failed = 0
    for path in files(*(arguments or ["conformance"])):
        for result in run_file(path):
            if result.passed:
                passed += 1
            else:
                failed += 1
                print(f"{path}: {result.name}\n  expected {_canonical(result.expected)}\n  answered {_canonical(result.actual)}")
    print(f"{passed} cases passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
