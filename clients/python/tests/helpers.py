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


class NotModifiedProxy:
    """Something between a router and Bursar: passes every request on, and while
    ``not_modified`` is set answers each bundle poll that names an ETag with 304, whatever
    Bursar has published since."""

    def __init__(self, upstream):
        import http.server
        import threading
        import urllib.error
        import urllib.request

        proxy = self
        self.not_modified = False
        self.answered_not_modified = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_):
                pass

            def _relay(self):
                if self.path.startswith("/v1/bundle") and proxy.not_modified and self.headers.get("If-None-Match"):
                    proxy.answered_not_modified += 1
                    self.send_response(304)
                    self.send_header("ETag", self.headers["If-None-Match"])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {name: value for name, value in self.headers.items() if name.lower() not in ("host", "content-length", "connection")}
                request = urllib.request.Request(upstream + self.path, data=body, headers=headers, method=self.command)
                try:
                    with urllib.request.urlopen(request, timeout=60) as reply:
                        status, reply_headers, data = reply.status, reply.headers, reply.read()
                except urllib.error.HTTPError as error:
                    status, reply_headers, data = error.code, error.headers, error.read()
                self.send_response(status)
                for name, value in reply_headers.items():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _relay

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()
