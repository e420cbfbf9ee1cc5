"""LiteLLM's proxy (from PyPI, run as its users run it) with the plugin named in its
config.yaml: requests for the model ``bursar`` go to the tier's model group and every call
reaches Bursar as an event with its tier and rule."""

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request

import pytest

import fake_openai
from helpers import wait_until

LITELLM = os.path.join(os.path.dirname(sys.executable), "litellm")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def proxy(bursar, state, tmp_path):
    fast, standard = fake_openai.start("gpt-4.1-nano"), fake_openai.start("gpt-4o-mini")
    config = tmp_path / "config.yaml"
    config.write_text(f"""model_list:
  - model_name: cheap
    litellm_params: {{model: openai/gpt-4.1-nano, api_base: "{fast[1]}", api_key: none}}
  - model_name: standard
    litellm_params: {{model: openai/gpt-4o-mini, api_base: "{standard[1]}", api_key: none}}
litellm_settings:
  callbacks: bursar_router.litellm.proxy_handler
general_settings:
  master_key: sk-proxy-test
""")
    port = free_port()
    environment = dict(os.environ, BURSAR_URL=bursar.url, BURSAR_KEY=bursar.keys["router"], BURSAR_STATE_DIR=state,
                       BURSAR_INSTANCE_ID="litellm-proxy", BURSAR_TIERS="fast=cheap", LITELLM_LOCAL_MODEL_COST_MAP="True")
    log = open(tmp_path / "proxy.log", "w")
    process = subprocess.Popen([LITELLM, "--config", str(config), "--host", "127.0.0.1", "--port", str(port)], env=environment,
                               stdout=log, stderr=subprocess.STDOUT, cwd=str(tmp_path))
    url = f"http://127.0.0.1:{port}"

    def live():
        try:
            return urllib.request.urlopen(url + "/health/liveliness", timeout=1).status == 200
        except OSError:
            return process.poll() is not None
    assert wait_until(live, timeout=90) and process.poll() is None, (tmp_path / "proxy.log").read_text()[-2000:]
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()
    for server, _ in (fast, standard):
        server.shutdown()
    shutil.rmtree(tmp_path / "state", ignore_errors=True)


def chat(url, body):
    request = urllib.request.Request(url + "/v1/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer sk-proxy-test", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_proxy_routes_by_bursars_policy_and_ships_every_call(bursar, proxy):
    for complexity, request_id in ((0.9, "proxy-hard"), (0.1, "proxy-easy")):
        status, answer = chat(proxy, {"model": "bursar", "messages": [{"role": "user", "content": "hello"}],
                                      "metadata": {"feature": "py-proxy", "bursar": {"complexity": complexity, "request_id": request_id}}})
        assert status == 200, answer

    def shipped():
        return {event["request_id"]: event for event in bursar.json("/v1/events?feature=py-proxy&limit=10", "viewer")["events"]}
    assert wait_until(lambda: len(shipped()) == 2, timeout=20)
    hard, easy = shipped()["proxy-hard"], shipped()["proxy-easy"]
    assert (hard["tier"], hard["rule"], hard["model"], hard["reason"]) == ("standard", "complex", "gpt-4o-mini", "primary")
    assert (easy["tier"], easy["model"]) == ("fast", "gpt-4.1-nano")
    # Another model name is LiteLLM's business, not Bursar's.
    status, answer = chat(proxy, {"model": "standard", "messages": [{"role": "user", "content": "hello"}]})
    assert status == 200
