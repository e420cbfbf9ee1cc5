"""Small helpers the package's tests share."""

import time


def wait_until(condition, timeout=15, pause=lambda: time.sleep(0.05)):
    """Whether ``condition()`` came true within ``timeout`` seconds (``pause`` between tries)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        pause()
    return False
