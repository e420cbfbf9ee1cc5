"""Ships a router's usage events to Bursar without ever making the router wait.

``ship`` only appends to a bounded memory queue. A thread of its own sends batches (by count,
or when the oldest event has waited ``max_age`` seconds) as NDJSON. When Bursar cannot be
reached the batch and everything queued after it go to a spool file on disk, in order, and
are replayed from there when Bursar answers again; retries keep the events' ids, so Bursar
counts each event once. A batch Bursar refuses whole for what is not every event's fault (too
large; a stored counter one of its events would overflow) is sent again in halves, so that only
the events that cannot be stored are refused. Events are dropped (and counted) only when the
memory queue is full, or when Bursar rejects them as invalid."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from typing import List, Optional

from . import timestamps
from .backoff import Backoff
from .spool import EventSpool
from .transport import Endpoint, TransportError


class ShipperStatistics:
    __slots__ = ("queued", "accepted", "duplicates", "rejected", "dropped", "spooled", "failed_sends", "last_error")

    def __init__(self) -> None:
        self.queued = self.accepted = self.duplicates = self.rejected = self.dropped = self.spooled = self.failed_sends = 0
        self.last_error: Optional[str] = None

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self) -> str:
        return f"ShipperStatistics({self.as_dict()})"


class EventShipper:
    def __init__(self, endpoint: Endpoint, spool_directory: Optional[str] = None, batch_size: int = 500, max_age: float = 1.0,
                 queue_limit: int = 50_000, backoff: Optional[Backoff] = None) -> None:
        self.endpoint = endpoint
        self.batch_size = batch_size
        self.max_age = max_age
        self.queue_limit = queue_limit
        self.backoff = backoff or Backoff(0.1, 10.0)
        self.statistics = ShipperStatistics()
        self._queue: deque = deque()
        self._oldest = 0.0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = False
        self._flushing = False
        self._busy = False
        self._spool = EventSpool(spool_directory) if spool_directory else None
        self._thread = threading.Thread(target=self._run, name="bursar-event-shipper", daemon=True)
        self._thread.start()

    def ship(self, event: dict) -> bool:
        """Queues an event (a dict shaped like ``POST /v1/events``'s); never waits on the network.
        An event without ``id`` gets one now (so that a resend is recognised) and one without
        ``time`` the current time. The dict is kept until it is sent: do not change it after shipping.
        False when the queue was full and the event was dropped."""
        if "id" not in event or "time" not in event:
            event = dict(event)
            event.setdefault("id", uuid.uuid4().hex)
            event.setdefault("time", timestamps.format(timestamps.now_millis()))
        with self._lock:
            if self._closing or len(self._queue) >= self.queue_limit:
                self.statistics.dropped += 1
                return False
            if not self._queue:
                self._oldest = time.monotonic()
            self._queue.append(event)
            self.statistics.queued += 1
            full = len(self._queue) == self.batch_size
        if full:
            self._wake.set()
        return True

    @property
    def pending(self) -> tuple:
        """Events not yet acknowledged: (in memory, whether the spool holds any)."""
        return len(self._queue), bool(self._spool and not self._spool.empty)

    def flush(self, timeout: float) -> bool:
        """Waits up to ``timeout`` seconds until everything shipped so far is acknowledged."""
        deadline = time.monotonic() + timeout
        self._flushing = True
        self._wake.set()
        try:
            while time.monotonic() < deadline:
                memory, spooled = self.pending
                if memory == 0 and not spooled and not self._busy:
                    return True
                time.sleep(0.01)
            return False
        finally:
            self._flushing = False

    def close(self, timeout: float = 5.0) -> None:
        """Sends what it can within ``timeout`` seconds, spools the rest, and stops."""
        self.flush(timeout)
        with self._lock:
            self._closing = True
        self._wake.set()
        self._thread.join(timeout + 35)
        with self._lock:
            # Without a spool, what Bursar did not take is lost with the process: say so.
            self.statistics.dropped += len(self._queue)
            self._queue.clear()

    # The shipping thread

    def _run(self) -> None:
        while True:
            closing = self._closing
            if not closing:
                self._wake.wait(self.max_age / 4)
                self._wake.clear()
            self._busy = True
            try:
                self._send_spooled()
                self._send_queued(force=closing or self._flushing)
                self.backoff.reset()
            except Exception as error:  # noqa: BLE001 - the thread must outlive anything one send meets
                self.statistics.failed_sends += 1
                self.statistics.last_error = str(error)
                self._spool_everything()
                if closing:
                    return
                self._busy = False
                self._wake.wait(self.backoff.next_delay())
                self._wake.clear()
                continue
            finally:
                self._busy = False
            if closing:
                self._spool_everything()
                return

    def _take_all(self) -> List[dict]:
        with self._lock:
            events = list(self._queue)
            self._queue.clear()
        return events

    def _lines(self, events: List[dict]) -> List[bytes]:
        """Each event as one JSON line; one that cannot be written as JSON (NaN, a key that is not a
        string, a cycle, a lone surrogate) is counted as rejected and left out, so that it never
        takes a batch down with it."""
        lines = []
        for event in events:
            try:
                lines.append(_line(event))
            except (TypeError, ValueError, RuntimeError, RecursionError) as error:
                self.statistics.rejected += 1
                self.statistics.last_error = f"an event could not be written as JSON and was left out: {error}"
        return lines

    def _send_spooled(self) -> None:
        spool = self._spool
        if spool is None or spool.empty:
            return
        # Keep the order: whatever is queued now goes after what is already spooled.
        queued = self._take_all()
        try:
            spool.append(self._lines(queued))
        except OSError:
            with self._lock:
                self._queue.extendleft(reversed(queued))
            raise
        self.statistics.spooled += len(queued)
        while not spool.empty:
            lines, end = spool.read(self.batch_size)
            if not lines:
                spool.acknowledge(spool.size)
                break
            self._send(lines)
            spool.acknowledge(end)

    def _send_queued(self, force: bool) -> None:
        while True:
            with self._lock:
                due = len(self._queue) >= self.batch_size or force or (self._queue and time.monotonic() - self._oldest >= self.max_age)
                if not due or not self._queue:
                    return
                batch = [self._queue[index] for index in range(min(self.batch_size, len(self._queue)))]
            self._send(self._lines(batch))
            with self._lock:
                for _ in batch:
                    self._queue.popleft()
                self._oldest = time.monotonic()

    def _spool_everything(self) -> None:
        if self._spool is None:
            return
        events = self._take_all()
        try:
            self._spool.append(self._lines(events))
            self.statistics.spooled += len(events)
        except OSError as error:
            # The disk refused: put them back in front, still in order.
            with self._lock:
                self._queue.extendleft(reversed(events))
            self.statistics.last_error = f"cannot spool events: {error}"

    def _send(self, lines: List[bytes]) -> None:
        """One POST of NDJSON lines; raises when it should be retried. A batch refused whole
        through no fault of most of its events is sent again in halves."""
        if not lines:
            return
        body = b"\n".join(lines) + b"\n"
        reply = self.endpoint.send("POST", "/v1/events", body, {"Content-Type": "application/x-ndjson"}, timeout=30)
        if reply.status == 200:
            try:
                answer = reply.json()
                self.statistics.accepted += int(answer.get("accepted", 0))
                self.statistics.duplicates += int(answer.get("duplicates", 0))
                self.statistics.rejected += len(answer.get("rejected", []))
            except (ValueError, AttributeError, TypeError):
                pass
        elif len(lines) > 1 and (reply.status == 413 or (reply.status == 422 and _refused_for_others(reply))):
            middle = len(lines) // 2
            self._send(lines[:middle])
            self._send(lines[middle:])
        elif reply.status in (400, 413, 415, 422):
            # Bursar will never take these as they are: count them, do not retry forever.
            self.statistics.rejected += len(lines)
            self.statistics.last_error = f"Bursar refused a batch ({reply.status}): {reply.error_message}"
        else:
            raise TransportError(f"POST /v1/events answered {reply.status}: {reply.error_message}")


def _refused_for_others(reply) -> bool:
    """Whether a whole batch was refused because some of its events would overflow a stored
    counter (``counter_overflow``): the others may well be stored."""
    try:
        return reply.json()["error"]["code"] == "counter_overflow"
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


def _line(event: dict) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=str).encode("utf-8")
