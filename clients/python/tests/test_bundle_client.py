"""The bundle client against a real server: long poll, signature, replays, the disk, bad keys."""

import json
import shutil
import time

from helpers import NotModifiedProxy, wait_until

from bursar_router import BundleClient, Endpoint, RoutingRequest
from bursar_router.transport import Reply


def client(bursar, state=None, key=None, public_key=None, instance="py-edge-1", status_interval=1):
    return BundleClient(Endpoint(bursar.url, key or bursar.keys["router"]), instance, cache_directory=state, public_key=public_key,
                        wait_seconds=5, status_interval=status_interval)


def fleet_entry(bursar, instance):
    for _ in range(200):
        entries = {entry["instance_id"]: entry for entry in bursar.json("/v1/fleet", "viewer")["instances"]}
        if instance in entries:
            return entries[instance]
        time.sleep(0.05)
    raise AssertionError(f"{instance} never reported")


def test_the_client_follows_the_bundle_and_reports_itself(bursar, state):
    bundles = client(bursar, state)
    bundles.start()
    try:
        assert bundles.wait(10)
        revision = bundles.snapshot.bundle.revision
        assert bundles.snapshot.origin == "server"
        assert fleet_entry(bursar, "py-edge-1")["applied_revision"] == revision
        # A change reaches the router through the long poll it holds.
        assert wait_until(lambda: "\nbursar_bundle_long_polls_held 1\n" in bursar.request("GET", "/metrics", "viewer")[1].decode())
        status, _ = bursar.request("PUT", "/v1/overrides/py-alice", "admin",
                                   {"match": {"user": "alice"}, "effect": "force_tier", "tier": "frontier", "reason": "test"})
        assert status in (200, 201)
        assert bundles.wait(10, lambda snapshot: snapshot.bundle.revision != revision)
        decision = bundles.engine.decide(RoutingRequest(user="alice"), int(time.time() * 1000))
        assert (decision.tier, decision.override) == ("frontier", ("py-alice", "force_tier", "fast"))
    finally:
        bundles.stop()


def test_a_bundle_past_its_signed_maximum_age_is_stale_so_a_proxy_answering_304_cannot_hide_changes():
    """A proxy answering every bundle poll with 304 hides whatever Bursar publishes; the bundle
    carries a signed stale_after, and the router notices once it passes. A router that reaches
    Bursar never holds a stale bundle: the same content is issued again before."""
    from bursar import Bursar

    server = Bursar("--bundle-max-age", "4")
    proxy = NotModifiedProxy(server.url)
    bundles = BundleClient(Endpoint(proxy.url, server.keys["router"]), "py-stale", wait_seconds=2, status_interval=60)
    try:
        bundles.start()
        assert bundles.wait(10)
        first = bundles.snapshot.bundle
        assert first.stale_after == first.issued_at + 4000, "signed in the bundle: issued at plus the maximum age"
        assert bundles.wait(10, lambda snapshot: snapshot.bundle.issued_at > first.issued_at), "issued again within a quarter of the age"
        assert bundles.snapshot.bundle.revision == first.revision and bundles.snapshot.bundle.serial == first.serial
        assert not bundles.stale

        proxy.not_modified = True
        # One poll at a time: once the proxy has answered one, none is on its way to Bursar.
        assert wait_until(lambda: proxy.answered_not_modified >= 1)
        status, _ = server.request("PUT", "/v1/overrides/py-hidden", "admin",
                                   {"match": {"user": "alice"}, "effect": "force_tier", "tier": "frontier", "reason": "hidden"})
        assert status in (200, 201)
        assert wait_until(lambda: bundles.stale, timeout=15), "the router knows its bundle is stale"
        assert wait_until(lambda: "stale" in (bundles.last_error or "")), bundles.last_error
        assert bundles.snapshot.bundle.revision == first.revision, "the change was hidden"
        assert bundles.engine is not None, "and the router keeps routing by what it holds"

        proxy.not_modified = False
        assert bundles.wait(15, lambda snapshot: snapshot.bundle.revision != first.revision), "the hidden change arrives"
        assert wait_until(lambda: not bundles.stale), "fresh again"
    finally:
        bundles.stop()
        proxy.close()
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)


def test_a_bundle_that_does_not_verify_is_refused_and_reported(bursar):
    wrong = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
    bundles = client(bursar, public_key=wrong, instance="py-wrong-key")
    bundles.start()
    try:
        for _ in range(100):
            if bundles.rejected:
                break
            time.sleep(0.05)
        assert bundles.rejected >= 1 and bundles.snapshot is None
        entry = fleet_entry(bursar, "py-wrong-key")
        assert entry["state"] == "REJECTED" and entry["error"]["code"] == "signature_invalid", entry
    finally:
        bundles.stop()


def test_an_older_bundle_replayed_is_refused(bursar):
    old = bursar_reply(bursar)
    # No periodic report (it would say the instance is in sync again) before the check.
    bundles = client(bursar, instance="py-replayed", status_interval=60)
    bundles.start()
    try:
        assert bundles.wait(10)
        bursar.request("PUT", "/v1/overrides/py-newer", "admin", {"match": {"team": "t"}, "effect": "force_tier", "tier": "fast", "reason": "newer"})
        assert bundles.wait(10, lambda snapshot: snapshot.bundle.revision != old.headers["etag"].strip('"').split("-")[0])
        newer = bundles.snapshot.bundle.revision
        # The client's own report of the newer bundle first (else it could land after the refusal's).
        assert wait_until(lambda: fleet_entry(bursar, "py-replayed")["applied_revision"] == newer)
        try:
            bundles._receive(old)
            raise AssertionError("an older bundle was taken")
        except OSError as error:
            assert "older bundle" in str(error)
        assert bundles.snapshot.bundle.revision == newer
        entry = fleet_entry(bursar, "py-replayed")
        assert entry.get("error", {}).get("code") == "bundle_replayed", entry
    finally:
        bundles.stop()


def bursar_reply(bursar):
    """The bundle as the server sends it (body and headers), through the package's transport."""
    return Endpoint(bursar.url, bursar.keys["router"]).send("GET", "/v1/bundle")


def test_the_last_good_bundle_is_used_when_bursar_is_down(bursar, state):
    first = client(bursar, state)
    first.start()
    assert first.wait(10)
    revision = first.snapshot.bundle.revision
    first.stop()
    bursar.stop()
    again = client(bursar, state, instance="py-restarted")
    assert again.snapshot is not None and again.snapshot.origin == "disk" and again.snapshot.bundle.revision == revision
    assert again.engine.decide(RoutingRequest(complexity=0.9), 0).tier == "standard"
    again.start()
    try:
        time.sleep(1)
        assert again.last_error and again.snapshot.origin == "disk"
        bursar.restart()
        # Back: it reports at once, and takes the (same) bundle from the server.
        assert fleet_entry(bursar, "py-restarted")["applied_revision"] == revision
    finally:
        again.stop()


def test_a_tampered_cache_is_ignored(bursar, state):
    first = client(bursar, state)
    first.start()
    assert first.wait(10)
    first.stop()
    path = f"{state}/bundle.json"
    with open(path, "rb") as source:
        body = json.loads(source.read())
    body["overrides"] = [{"id": "evil", "match": {}, "effect": "force_tier", "tier": "frontier"}]
    with open(path, "w") as target:
        target.write(json.dumps(body))
    again = client(bursar, state)
    assert again.snapshot is None and "does not verify" in again.last_error


def test_a_refused_key_stops_polling_and_says_why(bursar):
    bundles = client(bursar, key="not-a-key", public_key="11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
    bundles.start()
    for _ in range(100):
        if bundles.failure:
            break
        time.sleep(0.05)
    assert bundles.failure is not None and bundles.failure.status == 401
    assert not bundles._thread.is_alive()


def test_reply_error_message_reads_bursar_errors():
    assert Reply(401, {}, b'{"error":{"code":"unauthorized","message":"no such key"}}').error_message == "no such key"
    assert Reply(502, {}, b"bad gateway").error_message == "bad gateway"


def _hostile_server(answer):
    """A one-connection server on loopback that reads a request and then runs ``answer(sock)``."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            try:
                answer(connection)
            except OSError:
                pass
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_reply_that_drips_for_ever_is_given_up_at_the_requests_deadline():
    import threading

    def drip(connection):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
        for _ in range(600):  # a byte every 0.1 s: no single read ever times out
            connection.sendall(b" ")
            time.sleep(0.1)

    endpoint = Endpoint(_hostile_server(drip), "bsr_test", timeout=1.0)
    outcome = []

    def fetch():
        try:
            endpoint.send("GET", "/v1/bundle")
            outcome.append("answered")
        except OSError as error:
            outcome.append(str(error))

    thread = threading.Thread(target=fetch, daemon=True)
    thread.start()
    thread.join(30)
    assert outcome and ("in time" in outcome[0] or "timed out" in outcome[0]), outcome


def test_a_reply_larger_than_the_limit_is_refused_unread():
    def huge(connection):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1500000000\r\n\r\n{")
        time.sleep(5)

    endpoint = Endpoint(_hostile_server(huge), "bsr_test", timeout=10.0)
    try:
        endpoint.send("GET", "/v1/bundle")
        raise AssertionError("a 1.5 GB reply was taken")
    except OSError as error:
        assert "larger than 67108864 bytes" in str(error), error
