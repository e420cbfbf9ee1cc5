"""Real LiteLLM (PyPI): a Router falls back between two fake OpenAI-compatible endpoints, and its
generic_api logger, pointed at Bursar by environment variables, ships every call."""

import asyncio
import os
from decimal import Decimal

import fake_openai

FEATURE = "litellm-support"


def test_litellm_calls_reach_bursar_with_tokens_cost_and_user(bursar):
    down, down_url = fake_openai.start("gpt-4o-mini", down=True)
    up, up_url = fake_openai.start("gpt-4o-2024-08-06")
    # What a LiteLLM user sets (plus the callback in their config):
    os.environ["GENERIC_LOGGER_ENDPOINT"] = bursar.url + "/v1/integrations/litellm"
    os.environ["GENERIC_LOGGER_HEADERS"] = f"Authorization=Bearer {bursar.keys['router']}"
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # no network here
    import litellm
    from litellm import Router
    from litellm.integrations.generic_api.generic_api_callback import GenericAPILogger

    async def run():
        logger = GenericAPILogger()
        litellm.callbacks = [logger]
        router = Router(model_list=[
            {"model_name": "primary", "litellm_params": {"model": "openai/gpt-4o-mini", "api_base": down_url, "api_key": "none"}},
            {"model_name": "backup", "litellm_params": {"model": "openai/gpt-4o-2024-08-06", "api_base": up_url, "api_key": "none"}},
        ], fallbacks=[{"primary": ["backup"]}], num_retries=0)
        for index in range(3):
            answer = await router.acompletion(
                model="primary", messages=[{"role": "user", "content": f"question {index}"}],
                metadata={"user_api_key_end_user_id": "alice@example.com",
                          "requester_metadata": {"feature": FEATURE, "team": "support"}})
            assert answer.model == "gpt-4o-2024-08-06"
        # The success and failure callbacks run as tasks: wait (with a deadline) until all six
        # calls (three failures, three fallbacks) are queued or already sent, then send the
        # queue once (sending while callbacks still append can lose one: the logger clears its
        # queue after the request) and wait until Bursar holds all six.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10

        def stored():
            return bursar.json(f"/v1/spend?feature={FEATURE}", "viewer")["total"]["requests"]

        while len(logger.log_queue) + stored() < 6 and loop.time() < deadline:
            await asyncio.sleep(0.02)
        await logger.async_send_batch()
        while stored() < 6 and loop.time() < deadline:
            await asyncio.sleep(0.02)
        litellm.callbacks = []

    try:
        asyncio.run(run())
    finally:
        down.shutdown()
        up.shutdown()
        for name in ("GENERIC_LOGGER_ENDPOINT", "GENERIC_LOGGER_HEADERS"):
            os.environ.pop(name, None)

    rows = bursar.json(f"/v1/spend?group_by=user,team,provider,model,tier,status,reason&feature={FEATURE}", "viewer")["rows"]
    by_model = {row["model"]: row for row in rows}
    assert set(by_model) == {"gpt-4o-mini", "gpt-4o-2024-08-06"}
    failed = by_model["gpt-4o-mini"]
    assert (failed["requests"], failed["status"], failed["reason"], failed["input_tokens"]) == (3, "error", "primary", 0)
    served = by_model["gpt-4o-2024-08-06"]
    assert (served["requests"], served["status"], served["reason"]) == (3, "ok", "fallback")
    assert (served["user"], served["team"], served["provider"], served["tier"]) == ("alice@example.com", "support", "openai", "frontier")
    assert (served["input_tokens"], served["output_tokens"]) == (36, 21)
    # Bursar's catalog: 12 in at $2.50/M + 7 out at $10/M = $0.0001 per call, exactly.
    assert served["cost_usd"] == "0.000300000"
    assert Decimal(served["reported_cost_usd"]) == Decimal("0.000300000")
