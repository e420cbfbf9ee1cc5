"""The Router facade: decisions with circuit breakers, sync and asyncio."""

import asyncio
import shutil
import subprocess
import time

from bursar import Bursar

from bursar_router import AsyncRouter, Router


def test_an_open_circuit_moves_requests_up_the_ladder(bursar, state):
    with Router(bursar.url, bursar.keys["router"], "py-router", state) as router:
        assert router.bundles.wait(10)
        now = int(time.time() * 1000)
        assert router.decide({"user": "u-1"}, now=now).tier == "fast"
        for index in range(20):
            router.record("fast", success=False, now=now + index)
        assert router.breaker_state("fast") == "open"
        moved = router.decide({"user": "u-1"}, now=now + 100)
        assert (moved.tier, moved.open_circuit) == ("standard", "fast")
        assert any("circuit is open" in reason for reason in moved.reasons)
        # After the cooldown one probe goes through; its success closes the circuit.
        later = now + 61_000
        assert router.decide({"user": "u-1"}, now=later).tier == "fast"
        assert router.breaker_state("fast") == "half_open"
        router.record("fast", success=True, now=later + 1)
        assert router.breaker_state("fast") == "closed"


def test_decisions_before_any_bundle_are_none(bursar):
    bursar.stop()
    router = Router(bursar.url, bursar.keys["router"], "py-nothing")
    assert router.decide({}) is None
    router.close(0.1)


def test_the_router_in_asyncio(bursar, state):
    async def main():
        async with AsyncRouter(bursar.url, bursar.keys["router"], "py-async", state) as router:
            assert await router.wait_for_bundle(10)
            decision = router.decide({"complexity": 0.9, "request_id": "async-1"})
            assert decision.tier == "standard"
            router.ship({"provider": "anthropic", "model": "claude-3-5-haiku-20241022", "tier": decision.tier, "input_tokens": 10,
                         "output_tokens": 5, "feature": "py-async", "request_id": "async-1"})
            assert await router.flush(10)
    asyncio.run(main())
    assert bursar.json("/v1/spend?feature=py-async", "viewer")["total"]["requests"] == 1


def _https_bursar(tmp_path, names):
    """A Bursar serving HTTPS with a self-signed certificate for ``names``; (certificate path, server)."""
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", f"subjectAltName={names}", "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True)
    return certificate, Bursar("--tls-cert", str(certificate), "--tls-key", str(key))


def test_https_is_verified_against_the_ca_given(tmp_path):
    """A Bursar serving HTTPS with its own CA: trusted with ``ca_file``, refused without it."""
    certificate, server = _https_bursar(tmp_path, "DNS:localhost,IP:127.0.0.1")
    try:
        assert server.url.startswith("https://")
        trusted = Router(server.url, server.keys["router"], "py-https", ca_file=str(certificate)).start()
        assert trusted.bundles.wait(10) and trusted.decide({"complexity": 0.9}).tier == "standard"
        trusted.close()
        untrusted = Router(server.url, server.keys["router"], "py-https-untrusted").start()
        assert not untrusted.bundles.wait(2)
        assert "CERTIFICATE_VERIFY_FAILED" in (untrusted.bundles.last_error or ""), untrusted.bundles.last_error
        untrusted.close(0.5)
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)


def test_a_certificate_for_another_name_is_refused_even_from_the_ca_given(tmp_path):
    """The certificate names localhost only: trusted there, refused at 127.0.0.1 though its CA is given."""
    certificate, server = _https_bursar(tmp_path, "DNS:localhost")
    try:
        port = server.url.rsplit(":", 1)[1]
        trusted = Router(f"https://localhost:{port}", server.keys["router"], "py-tls-name", ca_file=str(certificate)).start()
        assert trusted.bundles.wait(10)
        trusted.close()
        wrong = Router(f"https://127.0.0.1:{port}", server.keys["router"], "py-tls-ip", ca_file=str(certificate)).start()
        assert not wrong.bundles.wait(2)
        assert "CERTIFICATE_VERIFY_FAILED" in (wrong.bundles.last_error or ""), wrong.bundles.last_error
        wrong.close(0.5)
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)

