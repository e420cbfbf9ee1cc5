"""The last good bundle on disk (its exact bytes, ETag, signature and the key it verified
with), so that a router starting while Bursar is unreachable routes by it. The files are the
Swift SDK's (``bundle.json`` and ``bundle.meta``), replaced by rename: a crash leaves the old
bundle or the new one."""

from __future__ import annotations

import os
from typing import NamedTuple, Optional


class CachedBundle(NamedTuple):
    body: bytes
    etag: str
    signature: str
    public_key: str


class BundleCache:
    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._body = os.path.join(directory, "bundle.json")
        self._meta = os.path.join(directory, "bundle.meta")

    def load(self) -> Optional[CachedBundle]:
        try:
            with open(self._body, "rb") as body, open(self._meta, "r", encoding="utf-8") as meta:
                data = body.read()
                lines = meta.read().split("\n")
        except OSError:
            return None
        if len(lines) < 3:
            return None
        return CachedBundle(data, lines[0], lines[1], lines[2])

    def save(self, entry: CachedBundle) -> None:
        os.makedirs(self.directory, exist_ok=True)
        # The body first: a metadata file always describes a body at least as new.
        replace(self._body, entry.body)
        replace(self._meta, f"{entry.etag}\n{entry.signature}\n{entry.public_key}\n".encode("utf-8"))


def replace(path: str, data: bytes) -> None:
    """Writes a temporary file, flushes it to disk, and renames it over ``path``."""
    temporary = path + ".tmp"
    write_durably(temporary, data, os.O_TRUNC)
    os.replace(temporary, path)


def write_durably(path: str, data: bytes, mode: int) -> None:
    """Writes all of ``data`` (``mode``: ``os.O_TRUNC`` or ``os.O_APPEND``) and flushes it to disk."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | mode, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
