"""The LiteLLM plugin with a real LiteLLM Router (from PyPI) in front of fake OpenAI-style
providers and a real Bursar: routing by the policy, a budget crossing flipping the next
requests to the cheaper group, fallbacks shipped as such, and Bursar down."""

import asyncio
import os
import time

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network here

import fake_openai  # noqa: E402
from helpers import wait_until  # noqa: E402
import litellm  # noqa: E402
from litellm import Router as LiteLLMRouter  # noqa: E402

import bursar_router.litellm as plugin_module  # noqa: E402

GROUP_MODELS = {"fast": "gpt-4.1-nano", "standard": "gpt-4o-mini", "frontier": "gpt-4o-2024-08-06"}


@pytest.fixture
def providers():
    servers = {}
    for group, model in GROUP_MODELS.items():
        servers[group] = fake_openai.start(model)
    servers["down"] = fake_openai.start("gpt-4o-2024-08-06", down=True)
    yield {name: url for name, (_, url) in servers.items()}
    for server, _ in servers.values():
        server.shutdown()


def litellm_router(urls, frontier_down=False):
    model_list = [{"model_name": group, "litellm_params": {"model": f"openai/{model}", "api_base": urls[group], "api_key": "none"}}
                  for group, model in GROUP_MODELS.items() if not (group == "frontier" and frontier_down)]
    if frontier_down:
        model_list.append({"model_name": "frontier", "litellm_params": {"model": "openai/gpt-4o-2024-08-06", "api_base": urls["down"], "api_key": "none"}})
    return LiteLLMRouter(model_list=model_list, fallbacks=[{"frontier": ["standard"]}], num_retries=0)


@pytest.fixture(autouse=True)
def clean_callbacks():
    yield
    litellm.callbacks = []


@pytest.fixture(scope="module")
def loop():
    """One event loop for every call: LiteLLM's logging callbacks run as tasks on it, by a
    worker that stays with the first loop it met."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    loop.run_until_complete(asyncio.sleep(0.2))
    loop.close()
    asyncio.set_event_loop(None)


def ask(router, **inputs):
    call = router.acompletion(model="bursar", messages=[{"role": "user", "content": "hello there"}], metadata={"bursar": inputs})
    return asyncio.get_event_loop().run_until_complete(call)


def events_of(bursar, feature):
    return bursar.json(f"/v1/events?feature={feature}&limit=500", "viewer")["events"]


def wait_for(condition, timeout=20):
    """Waits, letting the loop run LiteLLM's pending logging tasks."""
    return wait_until(condition, timeout, pause=lambda: asyncio.get_event_loop().run_until_complete(asyncio.sleep(0.05)))


def test_requests_go_to_the_group_of_the_tier_and_every_call_is_shipped(bursar, state, providers, loop):
    router = litellm_router(providers)
    bursar_plugin = plugin_module.install(router, url=bursar.url, key=bursar.keys["router"], instance_id="litellm-test", state_directory=state)
    assert ask(router, feature="py-litellm-route").model == GROUP_MODELS["fast"]
    assert ask(router, feature="py-litellm-route", complexity=0.9, request_id="hard-1").model == GROUP_MODELS["standard"]
    assert ask(router, feature="py-litellm-route", intent="contract_review").model == GROUP_MODELS["frontier"]
    assert wait_for(lambda: len(events_of(bursar, "py-litellm-route")) == 3)
    hard = next(event for event in events_of(bursar, "py-litellm-route") if event["request_id"] == "hard-1")
    assert (hard["tier"], hard["rule"], hard["reason"], hard["attempt"], hard["provider"], hard["model"]) == \
        ("standard", "complex", "primary", 1, "openai", "gpt-4o-mini")
    assert (hard["input_tokens"], hard["output_tokens"], hard["complexity"]) == (12, 7, 0.9)
    bursar_plugin.close()


def test_a_budget_crossing_flips_the_next_requests_to_the_cheaper_group(bursar, state, providers, loop):
    status, body = bursar.request("PUT", "/v1/budgets/py-litellm", "admin", {
        "scope": {"feature": "py-litellm-budget"}, "period": "day", "limit_usd": "0.000001", "action": "downgrade", "downgrade_to": "fast"})
    assert status in (200, 201), body
    router = litellm_router(providers)
    bursar_plugin = plugin_module.install(router, url=bursar.url, key=bursar.keys["router"], instance_id="litellm-budget", state_directory=state)
    # The first hard request goes to standard and costs more than the budget allows.
    assert ask(router, feature="py-litellm-budget", complexity=0.9).model == GROUP_MODELS["standard"]
    crossed = time.monotonic()
    models = []
    while time.monotonic() - crossed < 10:
        models.append(ask(router, feature="py-litellm-budget", complexity=0.9).model)
        if models[-1] == GROUP_MODELS["fast"]:
            break
        asyncio.get_event_loop().run_until_complete(asyncio.sleep(0.1))
    assert models[-1] == GROUP_MODELS["fast"], models
    print(f"the budget crossing reached LiteLLM's routing {time.monotonic() - crossed:.2f} s after the crossing request")
    bursar_plugin.close()


def test_a_litellm_fallback_is_shipped_as_one(bursar, state, providers, loop):
    router = litellm_router(providers, frontier_down=True)
    bursar_plugin = plugin_module.install(router, url=bursar.url, key=bursar.keys["router"], instance_id="litellm-fallback", state_directory=state)
    assert ask(router, feature="py-litellm-fallback", intent="contract_review", request_id="legal-1").model == GROUP_MODELS["standard"]
    assert wait_for(lambda: len(events_of(bursar, "py-litellm-fallback")) == 2)
    attempts = sorted(events_of(bursar, "py-litellm-fallback"), key=lambda event: event["attempt"])
    assert [(event["attempt"], event["reason"], event["tier"], event["status"], event["request_id"]) for event in attempts] == \
        [(1, "primary", "frontier", "error", "legal-1"), (2, "fallback", "standard", "ok", "legal-1")]
    bursar_plugin.close()


def test_with_bursar_down_litellm_routes_from_the_cached_bundle_and_events_arrive_later(bursar, state, providers, loop):
    router = litellm_router(providers)
    bursar_plugin = plugin_module.install(router, url=bursar.url, key=bursar.keys["router"], instance_id="litellm-down", state_directory=state)
    assert ask(router, feature="py-litellm-down").model == GROUP_MODELS["fast"]
    bursar.stop()
    for index in range(5):
        assert ask(router, feature="py-litellm-down", complexity=0.9).model == GROUP_MODELS["standard"]
    bursar_plugin.close(timeout=1)
    # A LiteLLM started while Bursar is still down routes by the bundle kept on disk.
    restarted = litellm_router(providers)
    second = plugin_module.install(restarted, url=bursar.url, key=bursar.keys["router"], instance_id="litellm-down", state_directory=state)
    assert second.router.bundles.snapshot.origin == "disk"
    assert ask(restarted, feature="py-litellm-down", intent="contract_review").model == GROUP_MODELS["frontier"]
    bursar.restart()
    assert second.router.events.flush(30)
    assert wait_for(lambda: len(events_of(bursar, "py-litellm-down")) == 7)
    assert len({event["id"] for event in events_of(bursar, "py-litellm-down")}) == 7
    second.close()


def test_a_blocked_request_is_refused_before_any_provider_is_called(bursar, state, providers, loop):
    bursar.request("PUT", "/v1/budgets/py-blocked", "admin", {"scope": {"user": "mallory"}, "period": "day", "limit_usd": "0.000001", "action": "block"})
    bursar.post_events([{"id": "mallory-1", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "provider": "openai",
                         "model": "gpt-4o-2024-08-06", "tier": "frontier", "input_tokens": 1000, "output_tokens": 1000, "user": "mallory"}])
    router = litellm_router(providers)
    bursar_plugin = plugin_module.install(router, url=bursar.url, key=bursar.keys["router"], instance_id="litellm-block", state_directory=state)
    assert bursar_plugin.router.bundles.wait(10, lambda snapshot: any(budget.id == "py-blocked" and budget.state == "exceeded"
                                                                       for budget in snapshot.bundle.budgets))
    with pytest.raises(plugin_module.BursarBlocked) as raised:
        ask(router, user="mallory")
    assert raised.value.decision.budget == "py-blocked"
    assert ask(router, user="someone-else").model == GROUP_MODELS["fast"]
    bursar_plugin.close()


def test_the_proxy_hook_sets_the_model_group(bursar, state, monkeypatch, loop):
    monkeypatch.setenv("BURSAR_URL", bursar.url)
    monkeypatch.setenv("BURSAR_KEY", bursar.keys["router"])
    monkeypatch.setenv("BURSAR_STATE_DIR", state)
    monkeypatch.setenv("BURSAR_TIERS", "fast=cheap,standard=mid")
    monkeypatch.delitem(plugin_module.__dict__, "_proxy_handler", raising=False)
    handler = plugin_module.proxy_handler
    data = {"model": "bursar", "messages": [{"role": "user", "content": "hi"}],
            "metadata": {"requester_metadata": {"feature": "proxy", "bursar": {"complexity": 0.9}}}}
    routed = loop.run_until_complete(handler.async_pre_call_hook(None, None, data, "completion"))
    assert routed["model"] == "mid" and routed["metadata"]["bursar"]["tier"] == "standard"
    other = loop.run_until_complete(handler.async_pre_call_hook(None, None, {"model": "gpt-4o", "messages": []}, "completion"))
    assert other["model"] == "gpt-4o"
    handler.close()


def test_in_the_proxy_the_keys_team_wins_over_what_the_caller_says(bursar, state, monkeypatch, loop):
    handler = plugin_module.BursarRouting(url=bursar.url, key=bursar.keys["router"], instance_id="litellm-proxy-team", state_directory=state)
    # The default policy sends team executives to frontier; this caller's key is team-a's.
    data = {"model": "bursar", "messages": [], "metadata": {"user_api_key_team_alias": "team-a",
                                                            "requester_metadata": {"bursar": {"team": "executives", "user": "ceo"}}}}
    routed = loop.run_until_complete(handler.async_pre_call_hook(None, None, data, "completion"))
    assert routed["model"] == "fast" and routed["metadata"]["bursar"]["team"] == "team-a"
    assert "user" not in routed["metadata"]["bursar"]
    handler.close()


def test_waiting_for_a_first_bundle_does_not_block_the_event_loop(state, loop):
    handler = plugin_module.BursarRouting(url="http://127.0.0.1:9", key="unused", instance_id="litellm-unreachable",
                                          state_directory=state, first_bundle_timeout=1)
    ticks = []

    async def ticker():
        for _ in range(8):
            ticks.append(1)
            await asyncio.sleep(0.1)

    async def both():
        tick = asyncio.ensure_future(ticker())
        with pytest.raises(plugin_module.BursarUnavailable):
            await handler.async_pre_call_hook(None, None, {"model": "bursar", "messages": []}, "completion")
        during.append(len(ticks))
        await tick
    during = []
    loop.run_until_complete(both())
    # The hook waited its 1 s; a blocked loop would have let the ticker run once at most meanwhile.
    assert during[0] >= 7, f"the event loop ran {during[0]} ticks while the hook waited"
    assert len(ticks) == 8
    handler.close(timeout=0.5)


def test_a_long_end_user_id_is_left_out_rather_than_failing_the_call():
    inputs = plugin_module.routing_inputs({"user": "u" * 300, "messages": [{"role": "user", "content": "x" * 400}]})
    assert "user" not in inputs and inputs["context_tokens"] == 100
