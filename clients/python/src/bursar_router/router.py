"""What a Python router needs from Bursar in one place: the current bundle (kept fresh by a
``BundleClient``), decisions on it, per-tier circuit breakers fed by the router's outcomes,
and an ``EventShipper`` for every attempt.

>>> bursar = Router("https://bursar.internal:8443", key=ROUTER_KEY, instance_id="edge-1",
...                 state_directory="/var/lib/my-router/bursar", public_key=PINNED_BUNDLE_KEY)
>>> bursar.start()
>>> decision = bursar.decide({"user": "u-1", "feature": "support-chat", "complexity": 0.2})
>>> # … call decision.models in order, then:
>>> bursar.record(decision.tier, success=True)
>>> bursar.ship({"provider": "groq", "model": "llama-3.1-8b-instant", "tier": decision.tier, …})
"""

from __future__ import annotations

import os
import threading
from typing import Any, Mapping, Optional, Union

from . import timestamps
from .breaker import CircuitBreaker
from .bundle_client import BundleClient
from .decision import Decision
from .engine import PolicyEngine
from .request import RoutingRequest
from .shipper import EventShipper
from .transport import Endpoint


class Router:
    def __init__(self, url: str, key: str, instance_id: str, state_directory: Optional[str] = None, public_key: Optional[str] = None,
                 ca_file: Optional[str] = None, wait_seconds: int = 30, batch_size: int = 500, max_age: float = 1.0,
                 queue_limit: int = 50_000) -> None:
        """``state_directory`` keeps the last good bundle and the event spool (None: memory only)."""
        self.bundles = BundleClient(Endpoint(url, key, ca_file), instance_id,
                                    cache_directory=os.path.join(state_directory, "bundle") if state_directory else None,
                                    public_key=public_key, wait_seconds=wait_seconds)
        self.events = EventShipper(Endpoint(url, key, ca_file), os.path.join(state_directory, "spool") if state_directory else None,
                                   batch_size=batch_size, max_age=max_age, queue_limit=queue_limit)
        self._breakers: dict = {}
        self._lock = threading.Lock()

    def start(self) -> "Router":
        self.bundles.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stops polling; sends (or spools) the events still queued."""
        self.bundles.stop()
        self.events.close(timeout)

    def __enter__(self) -> "Router":
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.close()

    @property
    def engine(self) -> Optional[PolicyEngine]:
        """The policy engine of the bundle in use; None before any bundle (none cached, Bursar not reached yet)."""
        return self.bundles.engine

    @property
    def bundle_is_stale(self) -> bool:
        """Whether the bundle in use is past its signed ``stale_after`` (see ``BundleClient.stale``):
        decisions go on, but this router has not heard from Bursar; alarm on it."""
        return self.bundles.stale

    def decide(self, request: Union[RoutingRequest, Mapping[str, Any]], now: Optional[int] = None) -> Optional[Decision]:
        """Where a request goes under the current bundle, with open circuits avoided; None before
        any bundle is known. ``request`` is a ``RoutingRequest`` or a dict shaped like ``/v1/decide``'s body."""
        engine = self.bundles.engine
        if engine is None:
            return None
        if not isinstance(request, RoutingRequest):
            request = RoutingRequest.parse(request)
        when = timestamps.now_millis() if now is None else now
        decision = engine.decide(request, when)
        if not self._breakers:
            return decision
        return engine.avoiding_open_circuits(decision, lambda tier: self._refuses(tier, when))

    def _refuses(self, tier: str, now: int) -> bool:
        with self._lock:
            breaker = self._breakers.get(tier)
            return breaker is not None and not breaker.allows(now)

    def record(self, tier: str, success: bool, now: Optional[int] = None) -> None:
        """Feeds a tier's circuit breaker with one outcome."""
        engine = self.bundles.engine
        if engine is None:
            return
        when = timestamps.now_millis() if now is None else now
        with self._lock:
            breaker = self._breakers.get(tier)
            if breaker is None or breaker.settings != engine.policy.circuit_breaker:
                breaker = self._breakers[tier] = CircuitBreaker(engine.policy.circuit_breaker)
            breaker.record(success, when)

    def breaker_state(self, tier: str) -> str:
        """``closed``, ``open`` or ``half_open`` (closed when it has seen nothing)."""
        with self._lock:
            breaker = self._breakers.get(tier)
            return breaker.state if breaker else "closed"

    def ship(self, event: Mapping[str, Any]) -> bool:
        """Queues a usage event for Bursar (see ``EventShipper.ship``)."""
        return self.events.ship(dict(event))
