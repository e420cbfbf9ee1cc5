"""Bursar's policy inside LiteLLM: each request for the model ``bursar`` (configurable) goes to
the LiteLLM model group of the tier Bursar's policy chooses (tier names are model group names
unless ``tiers`` maps them), exceeded budgets and overrides included; every call is shipped to
Bursar as a usage event with its tier, rule, reason, request id and attempt.

The SDK, one call::

    router = litellm.Router(model_list=[...groups named fast, standard, frontier...])
    bursar_router.litellm.install(router, url="https://bursar:8443", key=ROUTER_KEY, instance_id="litellm-1")
    await router.acompletion(model="bursar", messages=[...], metadata={"bursar": {"feature": "support-chat", "complexity": 0.3}})

The proxy, one line in ``config.yaml`` (settings from ``BURSAR_URL``, ``BURSAR_KEY``,
``BURSAR_INSTANCE_ID``, ``BURSAR_STATE_DIR``, ``BURSAR_PUBLIC_KEY``, ``BURSAR_TIERS``
as ``fast=cheap-group,standard=mid-group``, ``BURSAR_MODEL``)::

    litellm_settings:
      callbacks: bursar_router.litellm.proxy_handler
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any, Dict, Mapping, Optional

from litellm.integrations.custom_logger import CustomLogger

from .decision import Decision
from .request import REQUEST_FIELDS
from .router import Router

ROUTING_KEY = "bursar"
# Who a request is for: in the proxy these come from the key's own fields, never from the caller.
IDENTITY_FIELDS = ("user", "team")


class BursarBlocked(Exception):
    """Bursar's policy blocks the request (an exceeded budget with the block action, or every
    circuit open); LiteLLM's proxy answers it as an error to the caller."""

    status_code = 429

    def __init__(self, decision: Decision) -> None:
        reason = f"budget {decision.budget} is exceeded" if decision.budget else f"tier {decision.open_circuit}'s circuit is open"
        super().__init__(f"Bursar blocks this request: {reason}")
        self.decision = decision


class BursarUnavailable(Exception):
    """No bundle yet: Bursar has not been reached and nothing is cached."""

    status_code = 503


class BursarRouting(CustomLogger):
    def __init__(self, url: Optional[str] = None, key: Optional[str] = None, instance_id: Optional[str] = None,
                 state_directory: Optional[str] = None, public_key: Optional[str] = None, ca_file: Optional[str] = None,
                 model: str = "bursar", tiers: Optional[Mapping[str, str]] = None, router: Optional[Router] = None,
                 first_bundle_timeout: float = 10.0) -> None:
        super().__init__()
        self.model = model
        self.tiers = dict(tiers or {})
        self.groups = {group: tier for tier, group in self.tiers.items()}
        # Public and a string: LiteLLM tells callback instances apart by such attributes.
        self.instance_id = instance_id or f"litellm-{os.uname().nodename}"
        if router is None:
            if not url or not key:
                raise ValueError("Bursar's url and key are needed (or BURSAR_URL and BURSAR_KEY for the proxy)")
            router = Router(url, key, self.instance_id, state_directory, public_key, ca_file).start()
        self.router = router
        self.first_bundle_timeout = first_bundle_timeout
        self._attempts: "OrderedDict[str, int]" = OrderedDict()
        self._lock = threading.Lock()

    def close(self, timeout: float = 5.0) -> None:
        """Takes the plugin out of LiteLLM's callbacks, stops polling and sends (or spools) the events queued."""
        import litellm

        manager = getattr(litellm, "logging_callback_manager", None)
        if manager is not None and hasattr(manager, "remove_callback_from_all_lists"):
            manager.remove_callback_from_all_lists(self)
        else:
            litellm.callbacks = [callback for callback in litellm.callbacks if callback is not self]
        self.router.close(timeout)

    # Routing

    def route(self, model: str, request: Dict[str, Any]) -> str:
        """The model group to call for a request (LiteLLM's keyword arguments, or the proxy's body)
        asking for ``model``; records the decision in its metadata for the events. Before any
        bundle it waits up to ``first_bundle_timeout`` for one (blocking: sync callers)."""
        if model == self.model and self.router.engine is None:
            self.router.bundles.wait(self.first_bundle_timeout)
        return self._route(model, request)

    async def aroute(self, model: str, request: Dict[str, Any]) -> str:
        """``route`` for coroutines: waiting for a first bundle never blocks the event loop."""
        if model == self.model and self.router.engine is None:
            await asyncio.to_thread(self.router.bundles.wait, self.first_bundle_timeout)
        return self._route(model, request)

    def _route(self, model: str, request: Dict[str, Any]) -> str:
        if model != self.model:
            return model
        if self.router.engine is None:
            raise BursarUnavailable("Bursar has not been reached yet and no bundle is cached: cannot route by its policy")
        inputs = routing_inputs(request)
        decision = self.router.decide(inputs)
        if decision is None:
            raise BursarUnavailable("no bundle with an active policy: cannot route by Bursar's policy")
        if decision.blocked:
            raise BursarBlocked(decision)
        # A copy: the caller's metadata dict may be reused for its next request.
        metadata = dict(request["metadata"]) if isinstance(request.get("metadata"), dict) else {}
        metadata[ROUTING_KEY] = {**inputs, "tier": decision.tier, "rule": decision.rule, "policy_revision": self._policy_revision()}
        request["metadata"] = metadata
        return self.tiers.get(decision.tier, decision.tier)

    def _policy_revision(self) -> Optional[str]:
        snapshot = self.router.bundles.snapshot
        return snapshot.bundle.policy_revision if snapshot else None

    async def async_pre_call_hook(self, user_api_key_dict: Any, cache: Any, data: dict, call_type: Any) -> dict:
        """The proxy's hook: sets the model group before LiteLLM routes the request."""
        if isinstance(data, dict) and isinstance(data.get("model"), str):
            metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
            requester = metadata.get("requester_metadata") if isinstance(metadata.get("requester_metadata"), dict) else {}
            # What the caller says about its request; never who it is (the key says that).
            given = requester.get(ROUTING_KEY)
            metadata.pop(ROUTING_KEY, None)
            if isinstance(given, dict):
                metadata[ROUTING_KEY] = {name: value for name, value in given.items() if name not in IDENTITY_FIELDS}
            data["metadata"] = metadata
            data["model"] = await self.aroute(data["model"], data)
        return data

    # Events

    def log_success_event(self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._ship(kwargs, success=True)

    def log_failure_event(self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._ship(kwargs, success=False)

    async def async_log_success_event(self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._ship(kwargs, success=True)

    async def async_log_failure_event(self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._ship(kwargs, success=False)

    def _ship(self, kwargs: dict, success: bool) -> None:
        payload = kwargs.get("standard_logging_object")
        metadata = (kwargs.get("litellm_params") or {}).get("metadata") or kwargs.get("metadata") or {}
        routed = metadata.get(ROUTING_KEY) if isinstance(metadata, dict) else None
        if not isinstance(payload, dict) or not isinstance(routed, dict):
            return  # not routed by Bursar (another model), or LiteLLM gave no payload
        request_id = str(routed.get("request_id") or payload.get("trace_id") or payload.get("id"))
        attempt = self._next_attempt(request_id)
        # A LiteLLM fallback may have gone to another tier's group.
        group = payload.get("model_group")
        tier = self.groups.get(group, group) if group else None
        engine = self.router.engine
        if not tier or engine is None or not engine.has_tier(tier):
            tier = routed.get("tier")
        self.router.record(tier, success)
        self.router.ship(event(payload, routed, tier=tier, request_id=request_id, attempt=attempt, success=success))

    def _next_attempt(self, request_id: str) -> int:
        with self._lock:
            attempt = self._attempts.pop(request_id, 0) + 1
            self._attempts[request_id] = attempt
            while len(self._attempts) > 100_000:
                self._attempts.popitem(last=False)
        return attempt


def routing_inputs(request: Mapping[str, Any]) -> Dict[str, Any]:
    """The routing inputs a LiteLLM request carries, as ``/v1/decide``'s body: ``metadata.bursar``
    (any request field), else the end user (``user``, ``metadata.user_api_key_end_user_id``),
    the team (``metadata.user_api_key_team_alias``, ``requester_metadata.team``), the feature
    (``requester_metadata.feature``) and the context size (about four characters a token)."""
    metadata = request.get("metadata") if isinstance(request.get("metadata"), dict) else {}
    requester = metadata.get("requester_metadata") if isinstance(metadata.get("requester_metadata"), dict) else {}
    given = metadata.get(ROUTING_KEY) if isinstance(metadata.get(ROUTING_KEY), dict) else {}
    inputs = {name: value for name, value in given.items() if name in REQUEST_FIELDS}
    # The key's team (the proxy's authenticated alias) wins over anything the request says.
    team = metadata.get("user_api_key_team_alias")
    if _usable(team):
        inputs["team"] = team
    for name, value in (("user", request.get("user") or metadata.get("user_api_key_end_user_id")),
                        ("team", requester.get("team")), ("feature", requester.get("feature"))):
        if name not in inputs and _usable(value):
            inputs[name] = value
    if "context_tokens" not in inputs:
        characters = sum(len(message.get("content") or "") if isinstance(message.get("content"), str) else 0
                         for message in request.get("messages") or [] if isinstance(message, dict))
        inputs["context_tokens"] = characters // 4
    inputs.setdefault("request_id", uuid.uuid4().hex)
    return inputs


def _usable(value: Any) -> bool:
    """A name Bursar takes (a longer one is left out rather than failing the call)."""
    return isinstance(value, str) and 0 < len(value.encode("utf-8", "replace")) <= 256


_STATUS = {"RateLimitError": "rate_limited", "Timeout": "timeout", "APITimeoutError": "timeout"}


def event(payload: Mapping[str, Any], routed: Mapping[str, Any], tier: str, request_id: str, attempt: int, success: bool) -> dict:
    """A Bursar usage event for one LiteLLM call (its StandardLoggingPayload)."""
    provider = payload.get("custom_llm_provider") or ""
    model = str(payload.get("model") or "")
    if provider and model.startswith(provider + "/"):
        model = model[len(provider) + 1:]
    start, end = payload.get("startTime"), payload.get("endTime")
    result = {
        "id": str(payload.get("id") or uuid.uuid4().hex),
        "time": _rfc3339(start),
        "provider": provider or "unknown",
        "model": model or "unknown",
        "tier": tier or "unassigned",
        "input_tokens": int(payload.get("prompt_tokens") or 0),
        "output_tokens": int(payload.get("completion_tokens") or 0),
        "request_id": request_id,
        "attempt": attempt,
        "reason": "primary" if attempt == 1 else "fallback",
        "status": "ok" if success else _STATUS.get(((payload.get("error_information") or {}).get("error_class") or ""), "error"),
    }
    if isinstance(start, (int, float)) and isinstance(end, (int, float)) and end >= start:
        result["latency_ms"] = int(round((end - start) * 1000))
    cost = payload.get("response_cost")
    if success and isinstance(cost, (int, float)) and cost > 0:
        result["cost_usd"] = f"{cost:.9f}"
    for name in ("rule", "policy_revision", "user", "team", "feature", "intent", "complexity", "confidence", "pii", "context_tokens"):
        value = routed.get(name)
        if value is not None and value != "":
            result[name] = value
    return result


def _rfc3339(seconds: Any) -> str:
    moment = datetime.fromtimestamp(seconds, timezone.utc) if isinstance(seconds, (int, float)) else datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def install(router: Any, **options: Any) -> BursarRouting:
    """Routes ``router``'s requests for ``model`` (default ``bursar``) by Bursar's policy and ships
    every call to Bursar: one call for a LiteLLM SDK ``Router``. Options are ``BursarRouting``'s."""
    import litellm

    plugin = BursarRouting(**options)
    litellm.callbacks = [*litellm.callbacks, plugin]
    original_acompletion, original_completion = router.acompletion, router.completion

    async def acompletion(model: str, messages: list, **kwargs: Any) -> Any:
        kwargs["messages"] = messages
        group = await plugin.aroute(model, kwargs)
        return await original_acompletion(model=group, **kwargs)

    def completion(model: str, messages: list, **kwargs: Any) -> Any:
        kwargs["messages"] = messages
        group = plugin.route(model, kwargs)
        return original_completion(model=group, **kwargs)

    router.acompletion = acompletion
    router.completion = completion
    return plugin


def __getattr__(name: str) -> Any:
    """``proxy_handler``: the plugin for LiteLLM's proxy, made on first use from the environment."""
    if name != "proxy_handler":
        raise AttributeError(name)
    handler = globals().get("_proxy_handler")
    if handler is None:
        tiers = dict(pair.split("=", 1) for pair in os.environ.get("BURSAR_TIERS", "").split(",") if "=" in pair)
        handler = BursarRouting(url=os.environ.get("BURSAR_URL"), key=os.environ.get("BURSAR_KEY"),
                                instance_id=os.environ.get("BURSAR_INSTANCE_ID"), state_directory=os.environ.get("BURSAR_STATE_DIR"),
                                public_key=os.environ.get("BURSAR_PUBLIC_KEY"), ca_file=os.environ.get("BURSAR_CA_FILE"),
                                model=os.environ.get("BURSAR_MODEL", "bursar"), tiers=tiers)
        globals()["_proxy_handler"] = handler
    return handler
