"""RFC 3339 times to and from epoch milliseconds, exactly as Bursar reads them."""

from __future__ import annotations

import calendar
import re
import time
from typing import Optional


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1] if 1 <= year <= 9999 else 31


_RFC3339 = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))")


def parse(value: str) -> Optional[int]:
    """``2026-11-22T19:32:06Z`` or ``2026-11-22T19:32:06.123+01:00`` as epoch milliseconds; None if not one."""
    match = _RFC3339.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.group(1, 2, 3, 4, 5, 6))
    if not 1 <= month <= 12 or year < 1 or not 1 <= day <= _days_in_month(year, month) or hour >= 24 or minute >= 60 or second >= 61:
        return None
    millis = int((match.group(7) or "0")[:3].ljust(3, "0"))
    offset = 0
    if match.group(8):
        hours, minutes = int(match.group(9)), int(match.group(10))
        if hours >= 24 or minutes >= 60:
            return None
        offset = (hours * 60 + minutes) * (-1 if match.group(8) == "-" else 1)
    days = calendar.timegm((year, month, day, 0, 0, 0, 0, 0, 0)) // 86400
    seconds = days * 86400 + hour * 3600 + minute * 60 + min(second, 59) - offset * 60
    return seconds * 1000 + millis


def format(millis: int) -> str:
    """Epoch milliseconds as ``2026-11-22T19:32:06Z`` (``.123`` when there are milliseconds)."""
    seconds, rest = divmod(millis, 1000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{text}.{rest:03d}Z" if rest else f"{text}Z"


def now_millis() -> int:
    return time.time_ns() // 1_000_000
