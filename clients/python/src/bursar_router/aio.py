"""The ``Router`` for asyncio code. Deciding and shipping never wait on the network (they are
plain calls, safe in a coroutine); what does wait (the first bundle, flushing, closing) is
awaited here without blocking the event loop.

>>> async with AsyncRouter("https://bursar.internal:8443", key=KEY, instance_id="edge-1") as bursar:
...     await bursar.wait_for_bundle(10)
...     decision = bursar.decide({"user": "u-1", "complexity": 0.8})
"""

from __future__ import annotations

import asyncio
from typing import Any

from .router import Router


class AsyncRouter(Router):
    async def __aenter__(self) -> "AsyncRouter":
        self.start()
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.aclose()

    async def wait_for_bundle(self, timeout: float) -> bool:
        """Waits (without blocking the loop) until a bundle is in use, up to ``timeout`` seconds."""
        return await asyncio.to_thread(self.bundles.wait, timeout)

    async def flush(self, timeout: float = 5.0) -> bool:
        return await asyncio.to_thread(self.events.flush, timeout)

    async def aclose(self, timeout: float = 5.0) -> None:
        await asyncio.to_thread(self.close, timeout)
