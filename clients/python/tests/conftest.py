"""The package's tests run against a real ``bursar serve`` (the debug build), started by the
helpers of the repository's browser tests (Tests/python)."""

import os
import shutil
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "python"))

from bursar import Bursar  # noqa: E402


@pytest.fixture
def bursar():
    """A server of its own per test (tests stop, restart and fill it)."""
    server = Bursar()
    yield server
    if server.process.poll() is None:
        server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture
def state(tmp_path):
    return str(tmp_path / "router-state")
