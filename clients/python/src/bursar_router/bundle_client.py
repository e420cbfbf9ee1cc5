"""Keeps a router's bundle current: long polls Bursar with its ETag, verifies each new bundle's
signature before using it, refuses bundles older than the one in use, keeps the last good one
on disk (and starts from it when Bursar is unreachable), and reports every apply or refusal
with ``POST /v1/status``.

A 401 or 403 stops polling and is kept in ``failure``: a router with a bad key should page
someone, not retry forever. Other errors are retried with jittered backoff."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Callable, NamedTuple, Optional

from . import timestamps
from .backoff import Backoff
from .bundle import Bundle
from .cache import BundleCache, CachedBundle
from .engine import PolicyEngine
from .errors import FieldError
from .transport import Endpoint, Reply, TransportError
from .verifier import verify

logger = logging.getLogger("bursar_router.bundle_client")


class Snapshot(NamedTuple):
    """The bundle in use, its engine (None without an active policy) and where it came from."""

    bundle: Bundle
    engine: Optional[PolicyEngine]
    etag: str
    origin: str  # "server" or "disk"


class KeyRefused(Exception):
    """Bursar refused the key (401 or 403); polling stopped."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Bursar refused the key ({status}): {message}")
        self.status = status


class BundleClient:
    def __init__(self, endpoint: Endpoint, instance_id: str, cache_directory: Optional[str] = None, public_key: Optional[str] = None,
                 wait_seconds: int = 30, status_interval: float = 30.0, backoff: Optional[Backoff] = None) -> None:
        """``public_key`` (base64 Ed25519, from ``/v1/bundle/keys``) is the bundle key to trust; pin it
        in production. Without it the key Bursar publishes at first contact is trusted and kept
        with the cached bundle."""
        self.endpoint = endpoint
        self.instance_id = instance_id
        self.wait_seconds = max(1, min(60, wait_seconds))
        self.status_interval = status_interval
        self.backoff = backoff or Backoff()
        self.snapshot: Optional[Snapshot] = None
        self.failure: Optional[KeyRefused] = None
        self.last_error: Optional[str] = None
        self.rejected = 0
        self.applied = 0
        self._cache = BundleCache(cache_directory) if cache_directory else None
        self._pinned = public_key
        self._trusted = public_key
        self._stopping = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._changed = threading.Condition()
        self._stale_alarm = False
        self._load_cached()

    @property
    def engine(self) -> Optional[PolicyEngine]:
        snapshot = self.snapshot
        return snapshot.engine if snapshot else None

    @property
    def stale(self) -> bool:
        """Whether the bundle in use is past its signed ``stale_after``: Bursar issues a fresh one
        well before, so this router has not heard from Bursar (it is down, or something in between
        answers for it) and may be missing budgets and overrides. Routing goes on by the bundle;
        raise an alarm (the client logs an error when it turns stale)."""
        snapshot = self.snapshot
        return snapshot is not None and snapshot.bundle.is_stale(int(time.time() * 1000))

    def start(self) -> None:
        """Starts polling on a daemon thread of its own."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="bursar-bundle-client", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stops polling (ending a long poll in flight) and waits for the thread."""
        self._stopping.set()
        self.endpoint.interrupt()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait(self, timeout: float, until: Callable[[Snapshot], bool] = lambda snapshot: True) -> bool:
        """Waits until the bundle in use satisfies ``until``, up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                snapshot = self.snapshot
                if snapshot is not None and until(snapshot):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.1))

    # Polling

    def _run(self) -> None:
        last_status = 0.0
        contacted = False  # the first poll after a start or an error asks at once
        while not self._stopping.is_set():
            try:
                self._ensure_key()
                asked = time.monotonic()
                waited = contacted and self.snapshot is not None
                changed = self._poll(wait=contacted)
                contacted = True
                self.backoff.reset()
                self._check_freshness()
                # A poll told to wait but answered "not modified" at once (a proxy answering for
                # Bursar, or a server draining) is not asked again at once: no tight loop.
                if waited and not changed and time.monotonic() - asked < 1:
                    self._stopping.wait(1)
                if changed:
                    last_status = time.monotonic()
                elif time.monotonic() - last_status >= self.status_interval:
                    self._report(applied=self.snapshot.bundle.revision if self.snapshot else None)
                    last_status = time.monotonic()
            except KeyRefused as refused:
                self.failure = refused
                self.last_error = str(refused)
                return
            except (TransportError, FieldError, ValueError) as error:
                if self._stopping.is_set():
                    return
                contacted = False
                last_status = 0.0
                self.last_error = str(error)
                self._check_freshness()
                self._stopping.wait(self.backoff.next_delay())

    def _check_freshness(self) -> None:
        """Raises the alarm once when the bundle in use turns stale; clears it when a fresh one arrives."""
        stale = self.stale
        if stale == self._stale_alarm or self.snapshot is None:
            return
        self._stale_alarm = stale
        bundle = self.snapshot.bundle
        if stale:
            since = timestamps.format(bundle.stale_after) if bundle.stale_after is not None else "?"
            logger.error("the bundle in use is stale: Bursar has not issued a fresh one since %s (stale after %s); routing goes on "
                         "by it, but budgets and overrides may be out of date (last error: %s)",
                         timestamps.format(bundle.issued_at), since, self.last_error)
            self.last_error = f"the bundle in use is stale (stale after {since})"
        else:
            logger.warning("a fresh bundle is in use again (revision %s)", bundle.revision)

    def _poll(self, wait: bool) -> bool:
        headers = {}
        current = self.snapshot
        if current is not None:
            headers["If-None-Match"] = current.etag
            if wait:
                headers["Prefer"] = f"wait={self.wait_seconds}"
        reply = self.endpoint.send("GET", "/v1/bundle", headers=headers, timeout=self.wait_seconds + 15)
        if reply.status == 200:
            self._receive(reply)
            return True
        if reply.status == 304 and current is not None:
            return False
        if reply.status in (401, 403):
            raise KeyRefused(reply.status, reply.error_message)
        raise TransportError(f"GET /v1/bundle answered {reply.status}: {reply.error_message}")

    def _receive(self, reply: Reply) -> None:
        etag = reply.headers.get("etag", "")
        revision = etag.strip('"').split("-")[0]  # the content's revision, then its issue's serial and time
        signature = reply.headers.get("bursar-signature", "")
        key = self._trusted or ""
        if not verify(signature, reply.body, key):
            self._refuse(revision, "signature_invalid", f"the bundle's signature does not verify with key {key[:12]}…")
            raise TransportError("a bundle with a bad signature was refused")
        try:
            bundle = Bundle.parse(reply.body)
            engine = PolicyEngine.from_bundle(bundle)
        except FieldError as error:
            self._refuse(revision, "bundle_unreadable", str(error))
            raise TransportError("an unreadable bundle was refused") from None
        held = self.snapshot.bundle if self.snapshot else None
        # A correctly signed but older bundle (replayed by whoever sits between us and Bursar)
        # never replaces a newer one.
        if held is not None and is_older(bundle, held):
            self._refuse(bundle.revision, "bundle_replayed",
                         f"bundle serial {bundle.serial} (issued {timestamps.format(bundle.issued_at)}) is older than serial {held.serial} in use")
            raise TransportError("an older bundle was refused")
        self._apply(Snapshot(bundle, engine, etag, "server"))
        if self._cache is not None:
            try:
                self._cache.save(CachedBundle(reply.body, etag, signature, key))
            except OSError as error:
                self.last_error = f"cannot keep the bundle on disk: {error}"
        self._report(applied=bundle.revision)

    def _apply(self, snapshot: Snapshot) -> None:
        with self._changed:
            self.snapshot = snapshot
            self.applied += 1
            self._changed.notify_all()

    def _refuse(self, revision: str, code: str, message: str) -> None:
        self.rejected += 1
        self.last_error = message
        self._report(applied=self.snapshot.bundle.revision if self.snapshot else None, attempted=revision, error=(code, message))

    def _ensure_key(self) -> None:
        """Learns the bundle key from Bursar when none is pinned or cached."""
        if self._trusted is not None:
            return
        reply = self.endpoint.send("GET", "/v1/bundle/keys")
        if reply.status in (401, 403):
            raise KeyRefused(reply.status, reply.error_message)
        try:
            key = reply.json()["keys"][0]["public_key"] if reply.status == 200 else None
        except (ValueError, KeyError, IndexError, TypeError):
            key = None
        if not isinstance(key, str):
            raise TransportError(f"GET /v1/bundle/keys answered {reply.status}")
        self._trusted = key

    def _report(self, applied: Optional[str], attempted: Optional[str] = None, error: Optional[tuple] = None) -> None:
        """``POST /v1/status``, best effort (a failure here never stops routing)."""
        body = {"instance_id": self.instance_id, "poll_interval_s": self.wait_seconds}
        if applied:
            body["applied_revision"] = applied
        if attempted:
            body["attempted_revision"] = attempted
        if error:
            body["error"] = {"code": error[0], "message": error[1]}
        try:
            self.endpoint.send("POST", "/v1/status", json.dumps(body).encode(), {"Content-Type": "application/json"}, timeout=5)
        except TransportError:
            pass

    def _load_cached(self) -> None:
        """Starts from the bundle on disk if it still verifies with the key kept beside it (or, when
        a key is pinned, with that key)."""
        entry = self._cache.load() if self._cache else None
        if entry is None:
            return
        key = self._pinned or entry.public_key
        try:
            if not verify(entry.signature, entry.body, key):
                raise ValueError("the signature does not verify")
            bundle = Bundle.parse(entry.body)
            engine = PolicyEngine.from_bundle(bundle)
        except (ValueError, FieldError):
            self.last_error = "the cached bundle does not verify; ignored"
            return
        self._trusted = key
        self.snapshot = Snapshot(bundle, engine, entry.etag, "disk")


def is_older(bundle: Bundle, held: Bundle) -> bool:
    """Whether ``bundle`` was issued before ``held``: by time, then serial (a database restored
    from a backup issues lower serials, but at a later time). The same content issued earlier is
    older too (it would bring back an earlier ``stale_after``)."""
    return bundle.issued_before(held)
