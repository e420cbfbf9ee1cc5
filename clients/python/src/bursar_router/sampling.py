"""Deterministic shadow sampling: a request id and a model map to a fraction in [0, 1) by
FNV-1a and a SplitMix64 finish, so that every router (in any language) samples the same
requests."""

from __future__ import annotations

from .policy import ModelKey

_MASK = (1 << 64) - 1
_PRIME = 0x0000_0100_0000_01B3


def shadow_hash53(request_id: str, model: ModelKey) -> int:
    """The 53 bits the fraction is made of."""
    value = 0xCBF2_9CE4_8422_2325
    for part in (request_id.encode("utf-8"), b"\0", model.provider.encode("utf-8"), b"\0", model.model.encode("utf-8")):
        for byte in part:
            value = ((value ^ byte) * _PRIME) & _MASK
    value ^= value >> 30
    value = (value * 0xBF58_476D_1CE4_E5B9) & _MASK
    value ^= value >> 27
    value = (value * 0x94D0_49BB_1331_11EB) & _MASK
    value ^= value >> 31
    return value >> 11


def shadow_fraction(request_id: str, model: ModelKey) -> float:
    return shadow_hash53(request_id, model) / float(1 << 53)
