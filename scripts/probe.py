#!/usr/bin/env python3
"""make probe: a real `bursar serve` under hostile traffic of every class the hardening issue
names, for a bounded time, while a monitor polls /healthz and /v1/bundle, an admin changes
keys and a well-behaved router ships events. Then: the process never died, health answered
throughout, no stored rollup counter is negative, every acknowledged event is stored exactly
once; and what the second hardening added: no body decoded past the memory bound (peak
memory), no event of the well-behaved router refused because of another router, admin
changes answered while viewers read, /metrics never refused, no log line forged or carrying a
control byte, fleet entries bounded per source, trickling heads closed.

Standard library only. Traffic goes to 127.0.0.1 only. Exits 1 when a check fails.
"""

import argparse
import gzip
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def now_text(offset_seconds=-60):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset_seconds))


class Probe:
    def __init__(self, binary, seconds):
        self.binary = binary
        self.seconds = seconds
        self.directory = tempfile.mkdtemp(prefix="bursar-probe-")
        self.database = os.path.join(self.directory, "bursar.db")
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counts = {}
        self.failures = []
        self.acknowledged = set()
        self.health_failures = 0
        self.health_polls = 0
        self.slowest_health = 0.0
        self.slowest_admin = 0.0
        self.admin_actions = 0
        self.log_path = os.path.join(self.directory, "serve.log")
        # Gzip bodies that inflate to about 64 MiB of values two bytes each (built once).
        self.zeros = gzip.compress(b"[" + b"0," * 33_000_000 + b"0]", 9)
        spans = b"\x12\x00" * 30_000_000
        scope = b"\x12" + self.varint(len(spans)) + spans
        resource = b"\x12" + self.varint(len(scope)) + scope
        self.empty_spans = gzip.compress(b"\x0a" + self.varint(len(resource)) + resource, 9)

    @staticmethod
    def varint(value):
        out = b""
        while value >= 0x80:
            out += bytes([value & 0x7F | 0x80])
            value >>= 7
        return out + bytes([value])

    # -- set-up -----------------------------------------------------------------------------

    def key(self, role, name, sources=None):
        arguments = [self.binary, "keys", "create", "--db", self.database, "--role", role, "--name", name]
        if sources:
            arguments += ["--sources", sources]
        return subprocess.run(arguments, check=True, capture_output=True, text=True).stdout.strip()

    def start(self):
        self.keys = {
            "admin": self.key("admin", "probe-admin"),
            "viewer": self.key("viewer", "probe-viewer"),
            "hostile": self.key("router", "hostile-router"),
            "victim": self.key("router", "victim-router"),
        }
        # A webhook receiver that accepts and never answers.
        self.hanging = socket.socket()
        self.hanging.bind(("127.0.0.1", 0))
        self.hanging.listen(64)
        held = []
        threading.Thread(target=lambda: [held.append(self.hanging.accept()) for _ in iter(int, 1)], daemon=True).start()
        hook = "http://127.0.0.1:%d/hook" % self.hanging.getsockname()[1]
        self.process = subprocess.Popen(
            [self.binary, "serve", "--db", self.database, "--listen", "127.0.0.1:0", "--policies", os.path.join(ROOT, "policies"),
             "--web", os.path.join(ROOT, "web"), "--max-body-mib", "4", "--max-body-memory-mib", "32",
             "--connection-timeout", "10", "--alert-webhook", hook],
            stdout=subprocess.PIPE, stderr=open(self.log_path, "wb"), text=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if "listening on http://" in line:
                self.port = int(line.split("listening on http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
                break
        else:
            raise SystemExit("the server did not start")
        threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True).start()
        # A catalog price at the limit ($10,000 per 1M tokens): one event of 10^8 tokens costs $1,000,000.
        status, catalog = self.request("GET", "/v1/prices", "admin")
        prices = json.loads(catalog)["prices"]
        prices.append({"provider": "luxury", "model": "dearest", "input": "10000", "output": "10000"})
        self.request("PUT", "/v1/prices", "admin", json.dumps({"prices": prices}), "application/json")
        self.request("PUT", "/v1/budgets/all-day", "admin", json.dumps({"period": "day", "limit_usd": "1", "action": "block"}),
                     "application/json")
        # The hostile router fills every row it may write for the user the well-behaved router serves.
        for round in range(4):
            batch = [self.event("fill-%d-%d" % (round, index), provider="luxury", model="dearest", tier="frontier", user="u0",
                                input_tokens=100_000_000, output_tokens=0) for index in range(3_000)]
            self.request("POST", "/v1/events", "hostile", json.dumps(batch), "application/json", timeout=120)

    # -- plumbing ---------------------------------------------------------------------------

    def request(self, method, path, role=None, body=None, content_type=None, headers=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        sent = dict(headers or {})
        if role:
            sent["Authorization"] = "Bearer " + self.keys[role]
        if content_type:
            sent["Content-Type"] = content_type
        data = body.encode() if isinstance(body, str) else body
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def count(self, name, status):
        with self.lock:
            key = "%s %s" % (name, status)
            self.counts[key] = self.counts.get(key, 0) + 1
            if status >= 500 and status not in (503,):
                self.failures.append("%s answered %d" % (name, status))

    def loop(self, name, body):
        def run():
            while not self.stop.is_set():
                try:
                    status = body()
                    if status is not None:
                        self.count(name, status)
                except (OSError, http.client.HTTPException) as error:
                    self.count(name + " (connection " + type(error).__name__ + ")", 0)
                    time.sleep(0.05)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    # -- traffic ----------------------------------------------------------------------------

    def event(self, identifier, **fields):
        event = {"id": identifier, "time": now_text(), "provider": "openai", "model": "gpt-4o-mini", "tier": "standard",
                 "input_tokens": 1000, "output_tokens": 200}
        event.update(fields)
        return event

    def legit(self):
        """A well-behaved router: what it is told is acknowledged must be stored exactly once."""
        start = len(self.acknowledged) + random.randrange(10 ** 9)
        batch = [self.event("legit-%d-%d" % (start, index), user="u%d" % (index % 7), provider="luxury", model="dearest",
                            tier="frontier", input_tokens=1000, output_tokens=10) for index in range(50)]
        status, text = self.request("POST", "/v1/events", "victim", json.dumps(batch), "application/json")
        if status == 200:
            answer = json.loads(text)
            rejected = {item["index"] for item in answer["rejected"]}
            if any(item["error"]["code"] == "counter_overflow" for item in answer["rejected"]):
                self.failures.append("another router's sums made a well-behaved router's event be refused: %s" % text[:200])
            if answer["duplicates"]:
                self.failures.append("a fresh legit batch was answered with duplicates: %s" % text[:200])
            with self.lock:
                self.acknowledged.update(event["id"] for index, event in enumerate(batch) if index not in rejected)
        return status

    def overflow(self):
        batch = [self.event("over-%d" % random.randrange(10 ** 12), provider="luxury", model="dearest", tier="frontier",
                            input_tokens=100_000_000, output_tokens=100_000_000, reasoning_tokens=100_000_000,
                            cached_input_tokens=100_000_000, cost_usd="100000")
                 for _ in range(3_000)]
        return self.request("POST", "/v1/events", "hostile", json.dumps(batch), "application/json", timeout=60)[0]

    def parsers(self):
        cases = [
            ("/v1/events", ";", b'[{"id":"x"}]'),
            ("/v1/events", "application/json", b"[" * 100_000 + b"]" * 100_000),
            ("/v1/events", "application/json", b'[{"id":"\xff\xfe","time":"x"}]'),
            ("/v1/events", "application/json", b'[{"id":"a\x00b"}]'),
            ("/v1/events", "application/json", b'[{"id":"n","input_tokens":1e400}]'),
            ("/v1/integrations/litellm", "application/json",
             json.dumps([{"id": "l%d" % random.randrange(10 ** 9), "startTime": random.choice([1e300, -1e300, -5, 9.3e15]),
                          "endTime": 1e308, "model": "gpt-4o-mini", "custom_llm_provider": "openai"}]).encode()),
            ("/v1/traces", "application/x-protobuf", os.urandom(256)),
            ("/v1/events", "application/json", b'{"id":' + b'"' * 5000),
        ]
        path, content_type, body = random.choice(cases)
        return self.request("POST", path, "hostile", body, content_type)[0]

    def unauthenticated_bodies(self):
        """Large bodies with no key, or to routes that take none, on many connections, some
        waiting for 100 Continue."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        try:
            expect = random.random() < 0.5
            line = random.choice(["POST /v1/events", "GET /healthz", "GET /index.html"])
            head = (line + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000000\r\n"
                    + ("Expect: 100-continue\r\n" if expect else "") + "\r\n")
            sock.sendall(head.encode())
            if not expect:
                chunk = b" " * 40000
                for _ in range(100):
                    sock.sendall(chunk)
            reply = sock.recv(4096).decode("latin-1")
            return int(reply.split(" ")[1]) if reply.startswith("HTTP/") else 0
        except OSError:
            return 0
        finally:
            sock.close()

    def spoofing(self):
        event = self.event("legit-spoof-%d" % random.randrange(10 ** 9), source="victim-router")
        status, text = self.request("POST", "/v1/events", "hostile", json.dumps([event]), "application/json")
        if status == 200:
            self.failures.append("a foreign source was accepted: %s" % text[:200])
        report = json.dumps({"instance_id": "victim-1", "applied_revision": "x", "source": "victim-router"})
        self.request("POST", "/v1/status", "hostile", report, "application/json")
        return status

    def slow_reads(self):
        path = random.choice([
            "/v1/spend?group_by=user,model,feature&limit=1000", "/v1/spend/summary", "/v1/spend.csv?group_by=user",
            "/metrics", "/v1/budgets", "/v1/fleet", "/v1/audit", "/v1/policies",
        ])
        status = self.request("GET", path, "viewer", timeout=60)[0]
        if path == "/metrics" and status == 422:
            self.failures.append("a /metrics scrape was refused on data")
        return status

    def heads(self):
        choice = random.randrange(4)
        if choice == 0:
            return self.request("GET", "/v1/spend?x=" + "a" * 20000, "viewer")[0]
        if choice == 1:
            return self.request("GET", "/healthz", headers={"X-Big-%d" % i: "b" * 1000 for i in range(24)})[0]
        if choice == 2:
            return self.request("GET", "/index.html%00.png")[0]
        return self.request("GET", "/../../etc/passwd")[0]

    def csv_injection(self):
        event = self.event("csv-%d" % random.randrange(10 ** 9), user="=HYPERLINK(\"http://evil\")")
        self.request("POST", "/v1/events", "victim", json.dumps([event]), "application/json")
        status, text = self.request("GET", "/v1/spend.csv?group_by=user", "viewer")
        if "\r\n=HYPERLINK" in text:
            self.failures.append("a formula reached the CSV unneutralised")
        return status

    def decode_bombs(self):
        """Small gzip bodies that decode into far more than their size."""
        choice = random.randrange(3)
        if choice == 0:
            return self.request("POST", "/v1/integrations/litellm", "hostile", self.zeros, "application/json",
                                headers={"Content-Encoding": "gzip"}, timeout=120)[0]
        if choice == 1:
            return self.request("POST", "/v1/traces", "hostile", self.empty_spans, "application/x-protobuf",
                                headers={"Content-Encoding": "gzip"}, timeout=120)[0]
        return self.request("POST", "/v1/decide", "hostile", b"[" + b"0," * 1_000_000 + b"0]", "application/json", timeout=120)[0]

    def fleet_flood(self):
        """Many instances, long codes and messages of wide characters."""
        grapheme = "a" + "\u0301" * 2000
        report = {"instance_id": "flood-%d" % random.randrange(10 ** 9), "applied_revision": "x",
                  "error": {"code": random.choice(["c" * 70, "bad"]), "message": grapheme * 50}}
        status = self.request("POST", "/v1/status", "hostile", json.dumps(report), "application/json")[0]
        self.request("GET", "/v1/fleet?limit=1000", "viewer")
        return status

    def forged_logs(self):
        """Targets and names that would start log lines of their own or colour a terminal."""
        choice = random.randrange(4)
        if choice == 0:
            return self.request("GET", "/x%0A2026-01-01T00:00:00+0000%20info%20bursar.http%20:%20FORGED")[0]
        if choice == 1:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            try:
                sock.sendall(b"GET /esc\x1b[31mred\x7f HTTP/1.1\r\nHost: x\r\n\r\n")
                return int(sock.recv(4096).split(b" ")[1] or 0)
            except (OSError, ValueError, IndexError):
                return 0
            finally:
                sock.close()
        if choice == 2:
            status = self.request("POST", "/v1/keys", "admin", json.dumps({"name": "ops\nFORGED", "role": "viewer"}), "application/json")[0]
            if status == 201:
                self.failures.append("a key name with a newline was made")
            return status
        status = self.request("PUT", "/v1/budgets/nul-%d" % random.randrange(1000), "admin",
                              json.dumps({"scope": {"user": "a\u0000b"}, "period": "day", "limit_usd": "5"}), "application/json")[0]
        if status != 422:
            self.failures.append("a budget scope holding U+0000 answered %d" % status)
        return status

    def repeated_headers(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        try:
            sock.sendall(("GET /v1/spend HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nAuthorization: Bearer bsr_x\r\n\r\n"
                          % self.keys["viewer"]).encode())
            status = int(sock.recv(4096).split(b" ")[1])
            if status == 200:
                self.failures.append("two Authorization headers were admitted")
            return status
        except (OSError, ValueError, IndexError):
            return 0
        finally:
            sock.close()

    def trickled_heads(self):
        """A head sent a byte at a time; the server closes it at its deadline (--connection-timeout, 10 s here)."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        started = time.time()
        try:
            for byte in b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"s" * 1000:
                if self.stop.is_set():
                    return None
                sock.sendall(bytes([byte]))
                time.sleep(0.5)
                if time.time() - started > 40:
                    self.failures.append("a trickled head was held open for 40 s")
                    return 0
            return 0
        except OSError:
            return 408  # closed by the server, as it should be
        finally:
            sock.close()

    def admin_changes(self):
        """An admin makes and revokes a key while viewers read: each must answer promptly."""
        name = "probe-temp-%d" % random.randrange(10 ** 9)
        started = time.time()
        made = self.request("POST", "/v1/keys", "admin", json.dumps({"name": name, "role": "viewer"}), "application/json")[0]
        revoked = self.request("DELETE", "/v1/keys/" + name, "admin")[0]
        with self.lock:
            self.admin_actions += 1
            self.slowest_admin = max(self.slowest_admin, time.time() - started)
        return made if made != 201 else revoked

    def monitor(self):
        while not self.stop.is_set():
            started = time.time()
            try:
                health = self.request("GET", "/healthz", timeout=5)[0]
                bundle = self.request("GET", "/v1/bundle", "victim", timeout=5)[0]
                ok = health == 200 and bundle == 200
            except (OSError, http.client.HTTPException):
                ok = False
            elapsed = time.time() - started
            with self.lock:
                self.health_polls += 1
                self.slowest_health = max(self.slowest_health, elapsed)
                if not ok:
                    self.health_failures += 1
            time.sleep(0.1)

    # -- run and check ----------------------------------------------------------------------

    def run(self):
        self.start()
        print("probing %s on port %d for %d s" % (self.binary, self.port, self.seconds))
        threads = [threading.Thread(target=self.monitor, daemon=True)]
        threads[0].start()
        for name, body, copies in [
            ("legit", self.legit, 2), ("overflow", self.overflow, 1), ("parsers", self.parsers, 2),
            ("unauthenticated", self.unauthenticated_bodies, 6), ("spoofing", self.spoofing, 1),
            ("slow reads", self.slow_reads, 3), ("heads", self.heads, 1), ("csv", self.csv_injection, 1),
            ("decode bombs", self.decode_bombs, 1), ("fleet flood", self.fleet_flood, 1), ("forged logs", self.forged_logs, 1),
            ("repeated headers", self.repeated_headers, 1), ("trickled heads", self.trickled_heads, 4),
            ("admin changes", self.admin_changes, 1),
        ]:
            threads += [self.loop(name, body) for _ in range(copies)]
        deadline = time.time() + self.seconds
        while time.time() < deadline and self.process.poll() is None:
            time.sleep(0.5)
        self.stop.set()
        for thread in threads:
            thread.join(timeout=90)
        alive = self.process.poll() is None
        self.peak = self.peak_memory()
        status = None
        if alive:
            self.process.send_signal(signal.SIGTERM)
            status = self.process.wait(timeout=60)
        return self.check(alive, status)

    def peak_memory(self):
        """The server's peak resident memory (VmHWM), in bytes."""
        try:
            with open("/proc/%d/status" % self.process.pid) as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def check(self, alive, status):
        problems = list(self.failures[:20])
        if not alive:
            problems.append("the server process died")
        elif status != 0:
            problems.append("the server exited %s after SIGTERM" % status)
        if self.peak > 2 * 1024 ** 3:
            problems.append("the server's peak memory was %d MiB" % (self.peak // 1024 ** 2))
        if self.slowest_admin > 10:
            problems.append("an admin change took %.1f s while viewers read" % self.slowest_admin)
        with open(self.log_path, "rb") as log:
            text = log.read()
        if b"\x1b" in text or b"\x7f" in text:
            problems.append("a control byte reached the log")
        if any(line.startswith(b"2026-01-01T00:00:00+0000") or line.startswith(b"FORGED") for line in text.split(b"\n")):
            problems.append("a caller forged a log line")
        if self.health_failures:
            problems.append("/healthz or /v1/bundle failed %d of %d times" % (self.health_failures, self.health_polls))
        database = sqlite3.connect(self.database)
        negative = 0
        rows = 0
        tables = [row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type='table' AND sql LIKE '%sums BLOB%'")]
        for table in tables:
            for (blob,) in database.execute("SELECT sums FROM %s" % table):
                rows += 1
                if any(value < 0 for value in struct.unpack("<%dq" % (len(blob) // 8), blob)):
                    negative += 1
        if negative:
            problems.append("%d stored rollup rows hold a negative (wrapped) counter" % negative)
        stored = {}
        for (identifier,) in database.execute("SELECT event_id FROM events WHERE source = 'victim-router'"):
            stored[identifier] = stored.get(identifier, 0) + 1
        missing = [i for i in self.acknowledged if stored.get(i, 0) != 1]
        if missing:
            problems.append("%d acknowledged events are not stored exactly once (e.g. %s)" % (len(missing), missing[:3]))
        most = database.execute("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM fleet_instances GROUP BY source)").fetchone()[0] or 0
        if most > 1000:
            problems.append("one source holds %d fleet instances" % most)
        spoofed = database.execute("SELECT COUNT(*) FROM events WHERE source = 'victim-router' AND event_id LIKE 'legit-spoof-%'").fetchone()[0]
        if spoofed:
            problems.append("%d events written by the hostile key landed in the victim's source" % spoofed)
        print("answers: " + ", ".join("%s: %d" % item for item in sorted(self.counts.items())))
        print("health: %d polls, %d failed, slowest %.3f s" % (self.health_polls, self.health_failures, self.slowest_health))
        print("admin: %d changes, slowest %.3f s; peak memory %d MiB" % (self.admin_actions, self.slowest_admin, self.peak // 1024 ** 2))
        print("stored: %d rollup rows in %d tables checked, %d acknowledged events checked" % (rows, len(tables), len(self.acknowledged)))
        for problem in problems:
            print("FAIL: " + problem)
        print("probe: %s" % ("failed" if problems else "passed"))
        return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "bursar"))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("PROBE_SECONDS", "60")))
    arguments = parser.parse_args()
    sys.exit(Probe(arguments.binary, arguments.seconds).run())


if __name__ == "__main__":
    main()
