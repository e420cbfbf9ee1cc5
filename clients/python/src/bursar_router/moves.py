"""What a router does after an attempt: fall back along the tier's chain, escalate up the
ladder, retry, or stop."""

from __future__ import annotations

from typing import NamedTuple, Optional


class Move(NamedTuple):
    kind: str
    model_index: Optional[int] = None
    tier: Optional[str] = None

    def to_json(self) -> dict:
        if self.kind == "fallback":
            return {"move": "fallback", "model_index": self.model_index}
        if self.kind == "escalate":
            return {"move": "escalate", "tier": self.tier}
        return {"move": self.kind}


STOP = Move("stop")
RETRY = Move("retry")


def FALLBACK(model_index: int) -> Move:  # noqa: N802 - reads as the move it makes
    return Move("fallback", model_index=model_index)


def ESCALATE(tier: str) -> Move:  # noqa: N802
    return Move("escalate", tier=tier)
