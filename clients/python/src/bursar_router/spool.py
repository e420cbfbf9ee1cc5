"""Events waiting on disk while Bursar is unreachable: NDJSON lines appended in order, and the
offset of the first line not yet acknowledged (the Swift SDK's files: ``events.ndjson`` and
``events.offset``).

A batch is read from the offset, sent, and the offset moves past it only once Bursar has
acknowledged it, so a crash in between resends it (Bursar drops the duplicates by id). When
everything is acknowledged the files are removed."""

from __future__ import annotations

import os
from typing import List, Tuple

from .cache import replace, write_durably


class EventSpool:
    def __init__(self, directory: str) -> None:
        os.makedirs(directory, exist_ok=True)
        self._lines = os.path.join(directory, "events.ndjson")
        self._offset_path = os.path.join(directory, "events.offset")
        self.size = self._cut_partial_line()
        self.offset = 0
        if not self.size:
            # An offset without lines (a crash while removing them) would skip the next lines.
            try:
                os.remove(self._offset_path)
            except OSError:
                pass
        else:
            try:
                with open(self._offset_path, "r", encoding="ascii") as stored:
                    self.offset = min(int(stored.read().strip()), self.size)
            except (OSError, ValueError):
                self.offset = 0

    def _cut_partial_line(self) -> int:
        """Cuts a last line left unfinished by a crash (its events are spooled again from memory or
        were lost with it, never half-sent); the size of the whole lines that remain."""
        try:
            with open(self._lines, "r+b") as lines:
                size = lines.seek(0, os.SEEK_END)
                end = size
                while end > 0:
                    step = min(65536, end)
                    lines.seek(end - step)
                    chunk = lines.read(step)
                    newline = chunk.rfind(b"\n")
                    if newline >= 0:
                        end = end - step + newline + 1
                        break
                    end -= step
                if end != size:
                    lines.truncate(end)
                    os.fsync(lines.fileno())
                return end
        except FileNotFoundError:
            return 0

    @property
    def empty(self) -> bool:
        return self.offset >= self.size

    def append(self, lines: List[bytes]) -> None:
        """Appends lines (each one event's JSON) and flushes them to disk."""
        if not lines:
            return
        data = b"".join(line + b"\n" for line in lines)
        write_durably(self._lines, data, os.O_APPEND)
        self.size += len(data)

    def read(self, limit: int) -> Tuple[List[bytes], int]:
        """Up to ``limit`` lines from the offset, and the offset after them."""
        lines: List[bytes] = []
        position = self.offset
        with open(self._lines, "rb") as source:
            source.seek(self.offset)
            while len(lines) < limit:
                line = source.readline()
                if not line.endswith(b"\n"):
                    break  # the end (or a line cut short by a crash: it is written again)
                lines.append(line[:-1])
                position += len(line)
        return lines, position

    def acknowledge(self, end: int) -> None:
        """Marks everything before ``end`` acknowledged; removes the files once all is."""
        self.offset = end
        if self.offset >= self.size:
            # The offset first: a crash in between must not leave an offset for new lines.
            for path in (self._offset_path, self._lines):
                try:
                    os.remove(path)
                except OSError:
                    pass
            self.offset = self.size = 0
        else:
            replace(self._offset_path, str(self.offset).encode("ascii"))
