"""One tier's circuit breaker, fed with the outcomes a router observes.

Closed: requests flow and outcomes are counted in a sliding window of one-second slots. When
at least ``min_requests`` were seen in the window and the share of failures reaches
``error_rate``, it opens for ``cooldown_seconds``; then it is half-open and lets one probe
through: a success closes it, a failure opens it again. A probe whose outcome is never recorded
(a cancelled request) is given up after another cooldown, and the next request probes again.
Not thread-safe: ``Router`` guards it."""

from __future__ import annotations

from .policy import CircuitBreakerSettings

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    __slots__ = ("settings", "state", "_opened_until", "_probe_in_flight", "_probe_started_at", "_cooldown", "_seconds", "_requests", "_failures")

    def __init__(self, settings: CircuitBreakerSettings) -> None:
        self.settings = settings
        self.state = CLOSED
        self._opened_until = 0
        self._probe_in_flight = False
        self._probe_started_at = 0
        self._cooldown = min(max(settings.cooldown_seconds, 0), 86_400) * 1000
        count = min(max(1, settings.window_seconds), CircuitBreakerSettings.MAXIMUM_WINDOW_SECONDS)
        self._seconds = [-1] * count
        self._requests = [0] * count
        self._failures = [0] * count

    def allows(self, now: int) -> bool:
        """Whether a request may go to this tier now (half-open lets one probe through)."""
        if self.state == CLOSED:
            return True
        if self.state == OPEN:
            if now < self._opened_until:
                return False
            self.state = HALF_OPEN
        elif self._probe_in_flight and now < self._probe_started_at + self._cooldown:
            return False
        self._probe_in_flight = True
        self._probe_started_at = now
        return True

    def is_open(self, now: int) -> bool:
        """Whether the breaker is open at ``now``, without taking the half-open probe."""
        if self.state == CLOSED:
            return False
        if self.state == OPEN:
            return now < self._opened_until
        return self._probe_in_flight and now < self._probe_started_at + self._cooldown

    def record(self, success: bool, now: int) -> None:
        """Records one outcome of a request sent to this tier."""
        if self.state == HALF_OPEN:
            self._probe_in_flight = False
            if success:
                self.state = CLOSED
                count = len(self._seconds)
                self._seconds, self._requests, self._failures = [-1] * count, [0] * count, [0] * count
            else:
                self._open(now)
            return
        if self.state == OPEN:
            return
        second = now // 1000 if now >= 0 else -((-now) // 1000)
        count = len(self._seconds)
        index = _remainder(second, count)
        if self._seconds[index] != second:
            self._seconds[index], self._requests[index], self._failures[index] = second, 0, 0
        self._requests[index] += 1
        if not success:
            self._failures[index] += 1
        requests, failures = self.window_counts(second)
        if requests >= self.settings.min_requests and failures >= self.settings.error_rate * requests:
            self._open(now)

    def window_counts(self, second: int) -> tuple:
        """Requests and failures in the window that ends at ``second``."""
        requests = failures = 0
        start = second - len(self._seconds)
        for index, slot in enumerate(self._seconds):
            if start < slot <= second:
                requests += self._requests[index]
                failures += self._failures[index]
        return requests, failures

    def _open(self, now: int) -> None:
        self.state = OPEN
        self._opened_until = now + self._cooldown
        self._probe_in_flight = False


def _remainder(value: int, divisor: int) -> int:
    """Swift's ``%``: the sign follows the dividend."""
    result = abs(value) % divisor
    return -result if value < 0 else result
