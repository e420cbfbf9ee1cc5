"""``bursar_router.decide`` answers what ``POST /v1/decide`` answers, for the same bundle."""

import json
import time

import pytest
from bursar import utc_now

import bursar_router
from bursar_router import FieldError

REQUESTS = [
    {},
    {"user": "u-1", "feature": "support-chat", "intent": "faq", "complexity": 0.2, "confidence": 0.9, "context_tokens": 900, "request_id": "r-1"},
    {"pii": True, "complexity": 0.9},
    {"team": "executives"},
    {"intent": "contract_review", "keywords": ["Lawsuit"]},
    {"context_tokens": 50000},
    {"complexity": 0.75, "confidence": 0.5},
    {"complexity": 1, "context_tokens": 9000.0},
]


def bundle_body(bursar):
    status, body = bursar.request("GET", "/v1/bundle", "router")
    assert status == 200
    return body


def test_the_same_answer_as_the_server(bursar):
    body = bundle_body(bursar)
    for request in REQUESTS:
        status, answer = bursar.request("POST", "/v1/decide", "router", request)
        assert status == 200, answer
        server = json.loads(answer)
        local = bursar_router.decide(json.loads(body), request)
        assert {key: value for key, value in local.items() if key != "reasons"} == \
            {key: value for key, value in server.items() if key != "reasons"}, request
        # Bytes and parsed JSON are both taken.
        assert bursar_router.decide(body, request)["tier"] == server["tier"]


def test_overrides_and_budgets_in_the_bundle_are_honoured(bursar):
    status, _ = bursar.request("PUT", "/v1/overrides/alice-frontier", "admin",
                               {"match": {"user": "alice"}, "effect": "force_tier", "tier": "frontier", "reason": "test"})
    assert status in (200, 201)
    status, _ = bursar.request("PUT", "/v1/budgets/bob-blocked", "admin",
                               {"scope": {"user": "bob"}, "period": "day", "limit_usd": "0.000000001", "action": "block"})
    assert status in (200, 201)
    bursar.post_events([{"id": "bob-spend", "time": utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"), "provider": "openai", "model": "gpt-4o-2024-08-06",
                         "tier": "frontier", "input_tokens": 1000, "output_tokens": 1000, "user": "bob"}])
    body = None
    for _ in range(100):
        body = json.loads(bundle_body(bursar))
        if any(budget["id"] == "bob-blocked" and budget["state"] == "exceeded" for budget in body["budgets"]):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("bob's budget never crossed")
    for request in ({"user": "alice"}, {"user": "bob"}, {"user": "carol"}):
        _, answer = bursar.request("POST", "/v1/decide", "router", request)
        server = json.loads(answer)
        local = bursar_router.decide(body, request)
        assert (local["tier"], local["override"], local["blocked"], local["budget"]) == \
            (server["tier"], server["override"], server["blocked"], server["budget"]), request
    assert bursar_router.decide(body, {"user": "alice"})["override"] == "alice-frontier"
    assert bursar_router.decide(body, {"user": "bob"})["blocked"] is True


@pytest.mark.parametrize("request_body, field", [
    ({"complexity": 1.5}, "complexity"),
    ({"complexity": True}, "complexity"),
    ({"pii": "yes"}, "pii"),
    ({"context_tokens": -1}, "context_tokens"),
    ({"context_tokens": 1.5}, "context_tokens"),
    ({"keywords": "urgent"}, "keywords"),
    ({"user": 7}, "user"),
    ({"user": "x" * 257}, "user"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_request_names_its_field_like_the_server(bursar, request_body, field):
    body = bundle_body(bursar)
    status, answer = bursar.request("POST", "/v1/decide", "router", request_body)
    assert status == 422
    assert json.loads(answer)["error"]["field"] == field
    with pytest.raises(FieldError) as raised:
        bursar_router.decide(body, request_body)
    assert raised.value.field == field


def test_a_bundle_without_a_policy_says_so():
    with pytest.raises(FieldError) as raised:
        bursar_router.decide({"revision": "r", "policy": None}, {})
    assert raised.value.code == "no_active_policy"
