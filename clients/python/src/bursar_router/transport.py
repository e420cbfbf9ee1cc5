"""HTTP(S) to Bursar with certificate verification: one connection per thread, kept alive,
replaced after any error; every answer is (status, headers with lowercased names, body)."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
from typing import Dict, NamedTuple, Optional
from urllib.parse import urlsplit


class Reply(NamedTuple):
    status: int
    headers: Dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)

    @property
    def error_message(self) -> str:
        """Bursar's error message from a JSON error body, else the body as text."""
        try:
            return str(json.loads(self.body)["error"]["message"])
        except (ValueError, KeyError, TypeError):
            return self.body.decode("utf-8", "replace")[:500]


class TransportError(OSError):
    """Bursar could not be reached, or its answer could not be read."""


class _StaleConnection(Exception):
    """The connection was closed before any byte of an answer (idle too long, or refused)."""


class Endpoint:
    """Where Bursar is and the key to use: ``https://host[:port]`` (or ``http://`` on a trusted
    network). ``ca_file`` pins the CA that Bursar's certificate must chain to; without it the
    system's trust store is used. Certificates and host names are always verified. A request's
    timeout bounds the whole exchange, however slowly a reply drips; a reply larger than
    ``max_reply_bytes`` (64 MiB, as the Swift SDK) is refused, unread."""

    def __init__(self, url: str, key: str, ca_file: Optional[str] = None, timeout: float = 15.0,
                 max_reply_bytes: int = 64 * 1024 * 1024) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"Bursar's URL must be http(s)://host[:port], not {url!r}")
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout
        self.max_reply_bytes = max_reply_bytes
        self._secure = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._secure else 80)
        self._prefix = parts.path.rstrip("/")
        self._context = ssl.create_default_context(cafile=ca_file) if self._secure else None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: set = set()

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            if self._secure:
                connection = http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=self._context)
            else:
                connection = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
            self._local.connection = connection
            with self._lock:
                self._open.add(connection)
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            with self._lock:
                self._open.discard(connection)
            connection.close()

    def send(self, method: str, path: str, body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None,
             timeout: Optional[float] = None) -> Reply:
        """One request; raises ``TransportError`` when Bursar cannot be reached or answers garbage.
        A kept-alive connection that Bursar closed while it was idle is replaced and the request
        sent once more on a new one (nothing reached Bursar on the old)."""
        reused = getattr(self._local, "connection", None) is not None
        try:
            return self._send_once(method, path, body, headers, timeout)
        except _StaleConnection:
            if not reused:
                raise TransportError(f"{method} {path}: Bursar closed the connection before answering") from None
            return self._send_once(method, path, body, headers, timeout)

    def _send_once(self, method: str, path: str, body: Optional[bytes], headers: Optional[Dict[str, str]],
                   timeout: Optional[float]) -> Reply:
        all_headers = {"Authorization": f"Bearer {self.key}", "User-Agent": "bursar-router-python"}
        all_headers.update(headers or {})
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        connection = self._connection(limit)
        try:
            try:
                connection.request(method, self._prefix + path, body=body, headers=all_headers)
            except (BrokenPipeError, ConnectionResetError):
                # Bursar answers a body it will not take (413 too large, 401) before reading
                # it and closes: its answer is read rather than lost as a failure to reach it.
                if connection.sock is None:
                    raise
            try:
                response = connection.getresponse()
            except http.client.RemoteDisconnected:
                self._drop()
                raise _StaleConnection() from None
            data = self._read(connection, response, deadline, f"{method} {path}")
            reply = Reply(response.status, {name.lower(): value for name, value in response.getheaders()}, data)
            if response.will_close:
                self._drop()
            return reply
        except (OSError, http.client.HTTPException, ssl.SSLError) as error:
            self._drop()
            raise TransportError(f"{method} {path}: {error.__class__.__name__}: {error}") from None

    def _read(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse, deadline: float,
              what: str) -> bytes:
        """The reply's body, read as it arrives until ``deadline``, at most ``max_reply_bytes``."""
        declared = response.getheader("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_reply_bytes:
            raise TransportError(f"{what}: the reply is larger than {self.max_reply_bytes} bytes ({declared})")
        chunks = []
        size = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TransportError(f"{what}: the reply did not arrive whole in time")
            if connection.sock is not None:
                connection.sock.settimeout(remaining)
            chunk = response.read1(65536)
            if not chunk:
                # Read to its end, so that the connection takes its next request.
                chunks.append(response.read())
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_reply_bytes:
                raise TransportError(f"{what}: the reply is larger than {self.max_reply_bytes} bytes")
            chunks.append(chunk)

    def interrupt(self) -> None:
        """Ends every request in flight (a long poll) at once, from any thread."""
        with self._lock:
            connections = list(self._open)
        for connection in connections:
            sock = connection.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
