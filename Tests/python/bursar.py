"""A real `bursar serve` on a fresh database, its keys, and a small client for its API."""

import json
import os
import random
import re
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from postgres import PostgresCluster

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("BURSAR_BINARY", os.path.join(ROOT, ".build", "debug", "bursar"))
XSS_USER = "<img src=x onerror=alert(1)>"


# The backend the servers store into: SQLite (a file in a temporary directory) unless
# BURSAR_TEST_BACKEND=postgresql, then a new database in a throwaway PostgreSQL cluster.
BACKEND = os.environ.get("BURSAR_TEST_BACKEND", "sqlite")
if BACKEND not in ("sqlite", "postgresql"):
    raise RuntimeError(f"BURSAR_TEST_BACKEND is sqlite or postgresql, not {BACKEND!r}")


class Bursar:
    """Starts the server with admin, viewer and router keys made by `bursar keys create`."""

    def __init__(self, *serve_arguments):
        self.directory = tempfile.mkdtemp(prefix="bursar-browser-")
        if BACKEND == "postgresql":
            self.storage = ["--database", PostgresCluster.shared().create_database()]
        else:
            self.storage = ["--db", os.path.join(self.directory, "bursar.db")]
        # The router key writes its own source and the OpenTelemetry services' (service.name otel-*).
        grants = {"router": ["--sources", "router-key,otel-*"]}
        self.keys = {role: self.command("keys", "create", *self.storage, "--role", role, "--name", f"{role}-key",
                                        *grants.get(role, [])).strip()
                     for role in ("admin", "viewer", "router")}
        self.serve = [BINARY, "serve", *self.storage, "--policies", os.path.join(ROOT, "policies"), "--web", os.path.join(ROOT, "web"),
                      *serve_arguments]
        self.log = []
        self._start("127.0.0.1:0")

    def _start(self, listen):
        self.process = subprocess.Popen([*self.serve, "--listen", listen], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.url = self._wait_for_address()
        threading.Thread(target=self._drain, daemon=True).start()

    def restart(self):
        """Stops the server and starts it again on the same database and port."""
        port = self.url.rsplit(":", 1)[1]
        self.stop()
        self._start(f"127.0.0.1:{port}")

    def router_demo(self, *arguments):
        """Starts `bursar router-demo` against this server; returns (process, url)."""
        process = subprocess.Popen(
            [BINARY, "router-demo", "--url", self.url, "--key", self.keys["router"], "--listen", "127.0.0.1:0",
             "--state", os.path.join(self.directory, "router-demo"), *arguments],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"router-demo exited with {process.poll()}")
            match = re.search(r"listening on (https?://127\.0\.0\.1:\d+)/", line)
            if match:
                threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
                return process, match.group(1)
        raise RuntimeError("router-demo did not start listening")

    def command(self, *arguments):
        return subprocess.run([BINARY, *arguments], check=True, capture_output=True, text=True).stdout

    def _wait_for_address(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"bursar serve exited with {self.process.poll()}")
            match = re.search(r"listening on (https?://127\.0\.0\.1:\d+)/", line)
            if match:
                return match.group(1)
        raise RuntimeError("bursar serve did not start listening")

    def _drain(self):
        for line in self.process.stdout:
            self.log.append(line)

    def stop(self):
        """Stops the server and fails unless it exited cleanly (status 0: every request drained,
        nothing reported at shutdown)."""
        self.process.terminate()
        status = self.process.wait(timeout=30)
        crash = next((index for index, line in enumerate(self.log) if "Fatal error" in line or "Crash" in line or "💣" in line), None)
        assert status == 0, f"bursar serve exited {status}:\n" + "".join(self.log[crash:crash + 60] if crash is not None else self.log[-40:])

    # The API, as a client other than the browser sees it.

    def request(self, method, path, role="admin", body=None, content_type="application/json"):
        data = None
        headers = {"Authorization": f"Bearer {self.keys[role]}"}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, path, role="admin"):
        status, body = self.request("GET", path, role)
        assert status == 200, (path, status, body)
        return json.loads(body)

    def post_events(self, events):
        for start in range(0, len(events), 2000):
            status, body = self.request("POST", "/v1/events", "router", events[start:start + 2000])
            answer = json.loads(body)
            assert status == 200 and not answer["rejected"], answer


MODELS = {
    "fast": ("groq", "llama-3.1-8b-instant"),
    "standard": ("anthropic", "claude-3-5-haiku-20241022"),
    "frontier": ("openai", "gpt-4o-2024-08-06"),
    "secure": ("onprem", "llama-3.1-70b-instruct"),
}


def traffic(now, days=20, count=3000, seed=7):
    """Events spread over `days` up to `now`: tiers 70/20/8/2, a power user, escalations and fallbacks,
    one user id that is an HTML injection attempt, and a model with no price."""
    generator = random.Random(seed)
    features = ["support-chat", "summarize", "contract-review", "code-assist", "search"]
    events = []
    for index in range(count):
        moment = now - timedelta(seconds=generator.uniform(0, days * 86400 - 3600))
        tier = generator.choices(list(MODELS), weights=[70, 20, 8, 2])[0]
        user = "power-user@example.com" if tier == "frontier" and generator.random() < 0.4 else f"user-{generator.randrange(60)}@example.com"
        if index % 50 == 0:
            user, tier = XSS_USER, "frontier"
        provider, model = MODELS[tier]
        reason = generator.choices(["primary", "escalation", "fallback"], weights=[88, 8, 4])[0]
        event = {
            "id": f"seed-{seed}-{index}", "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "provider": provider, "model": model, "tier": tier,
            "input_tokens": generator.randrange(100, 4000), "output_tokens": generator.randrange(20, 900),
            "user": user, "team": generator.choice(["support", "legal", "engineering"]),
            "feature": generator.choice(features), "latency_ms": generator.randrange(80, 4000),
            "status": "ok" if generator.random() > 0.03 else "error", "reason": reason,
            "request_id": f"r-{index}",
        }
        if index % 500 == 0:
            event["model"] = "unpriced-experimental-model"
        events.append(event)
    return events


def utc_now():
    return datetime.now(timezone.utc)
