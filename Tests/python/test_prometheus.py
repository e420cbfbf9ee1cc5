"""/metrics against Debian's prometheus: promtool accepts it, and a real server scrapes it."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_promtool_accepts_the_metrics(bursar):
    status, body = bursar.request("GET", "/metrics", "viewer")
    assert status == 200
    checked = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True)
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
    text = body.decode()
    assert 'bursar_spend_usd_total{tier="frontier",provider="openai",model="gpt-4o-2024-08-06"}' in text
    assert "user" not in "".join(line for line in text.splitlines() if not line.startswith("#"))
    assert bursar.request("GET", "/metrics", "router")[0] == 403


def test_a_prometheus_server_scrapes_bursar_and_answers_a_spend_query(bursar):
    directory = tempfile.mkdtemp(prefix="bursar-prometheus-")
    port = free_port()
    target = urllib.parse.urlparse(bursar.url).netloc
    with open(os.path.join(directory, "prometheus.yml"), "w") as config:
        config.write(f"""
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: bursar
    authorization:
      credentials: {bursar.keys['viewer']}
    static_configs:
      - targets: ['{target}']
""")
    server = subprocess.Popen(
        ["prometheus", f"--config.file={directory}/prometheus.yml", f"--storage.tsdb.path={directory}/data",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        query = urllib.parse.quote("sum(bursar_spend_usd_total)")
        answer = None
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/query?query={query}", timeout=5) as response:
                    answer = json.loads(response.read())
                if answer["data"]["result"]:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert answer and answer["status"] == "success" and answer["data"]["result"], answer
        scraped = Decimal(answer["data"]["result"][0]["value"][1])
        status, body = bursar.request("GET", "/v1/spend?group_by=tier&from=2020-01-01&to=2030-01-01", "viewer")
        exact = Decimal(json.loads(body)["total"]["cost_usd"])
        assert abs(scraped - exact) <= Decimal("0.000001") * max(exact, 1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/targets", timeout=5) as response:
            targets = json.loads(response.read())["data"]["activeTargets"]
        assert [target["health"] for target in targets] == ["up"]
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(directory, ignore_errors=True)
