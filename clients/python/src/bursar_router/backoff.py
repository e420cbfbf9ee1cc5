"""Jittered exponential backoff: each failure doubles the delay up to a cap, and each delay is
drawn from its upper half so that a fleet of routers does not retry in step."""

from __future__ import annotations

import random


class Backoff:
    def __init__(self, minimum: float = 0.25, maximum: float = 30.0) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.failures = 0

    def next_delay(self) -> float:
        ceiling = min(self.maximum, self.minimum * (2 ** min(self.failures, 20)))
        self.failures += 1
        return ceiling * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.failures = 0
