"""The HTTP transport against a real server: kept-alive connections the server closed while
they idled are replaced without a failure."""

import shutil
import time

from bursar import Bursar

from bursar_router import Endpoint


def test_a_connection_closed_while_idle_is_replaced_and_the_request_answered():
    server = Bursar("--connection-timeout", "1")
    try:
        endpoint = Endpoint(server.url, server.keys["router"])
        assert endpoint.send("GET", "/v1/bundle").status == 200
        time.sleep(2.5)  # past the server's idle timeout: it closed the kept-alive connection
        assert endpoint.send("GET", "/v1/bundle").status == 200
        time.sleep(2.5)
        assert endpoint.send("POST", "/v1/status", b'{"instance_id":"idle-1"}', {"Content-Type": "application/json"}).status == 200
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)
