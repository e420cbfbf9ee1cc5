"""Bursar for Python routers: decide locally from Bursar's signed bundle, exactly as the Swift
engine does, keep working when Bursar is down, and ship every attempt as a usage event.

>>> import bursar_router
>>> bursar_router.decide(bundle_json, {"user": "u-1", "complexity": 0.9})["tier"]
'standard'
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

from . import timestamps
from .aio import AsyncRouter
from .breaker import CircuitBreaker
from .bundle import BudgetState, Bundle, Override
from .decision import Decision
from .engine import PolicyEngine
from .errors import FieldError
from .moves import Move
from .policy import ModelKey, Policy
from .request import RoutingRequest
from .bundle_client import BundleClient, KeyRefused, Snapshot
from .router import Router
from .shipper import EventShipper
from .transport import Endpoint, TransportError

__all__ = [
    "AsyncRouter", "BudgetState", "Bundle", "BundleClient", "CircuitBreaker", "Decision", "Endpoint", "EventShipper", "FieldError",
    "KeyRefused", "ModelKey", "Move", "Override", "Policy", "PolicyEngine", "Router", "RoutingRequest", "Snapshot", "TransportError",
    "decide",
]
__version__ = "0.1.0"


def decide(bundle: Union[Mapping[str, Any], bytes, str, Bundle], request: Mapping[str, Any], now: Optional[int] = None) -> dict:
    """The answer ``POST /v1/decide`` would give for ``request`` (a dict shaped like its body)
    under ``bundle`` (its parsed JSON, its bytes, or a ``Bundle``), at ``now`` (epoch ms, default now).

    For tools and tests: it reads the bundle on every call. Routers keep a ``PolicyEngine``
    (or a ``Router``) and call ``decide`` on it."""
    parsed = bundle if isinstance(bundle, Bundle) else Bundle.parse(dict(bundle) if isinstance(bundle, Mapping) else bundle)
    engine = PolicyEngine.from_bundle(parsed)
    if engine is None:
        raise FieldError("policy", "the bundle has no active policy; activate one with POST /v1/policies/{revision}/activate",
                         code="no_active_policy")
    when = timestamps.now_millis() if now is None else now
    return engine.decide(RoutingRequest.parse(request), when).to_json()
