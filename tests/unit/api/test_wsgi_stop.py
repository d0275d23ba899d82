"""Stopping nimbus's HTTP servers: cheroot's selector loop and the
console proxy's serve_forever notice a stop within a tenth of a second,
not half a second (every SIGTERM and every embedded cloud's end)."""

import time

import requests

from nimbus.api import wsgi
from nimbus.core.console import websocketproxy
from tests.conftest import free_port


def _app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_an_api_server_serves_then_stops_at_once():
    server = wsgi.Server(_app, "127.0.0.1", free_port(), 2)
    server.start()
    try:
        url = f"http://127.0.0.1:{server.port}/"
        assert requests.get(url, timeout=5).text == "ok"
    finally:
        started = time.monotonic()
        server.stop()
    assert time.monotonic() - started < 0.45
    assert not server._thread.is_alive()


def test_the_console_proxy_stops_at_once():
    proxy = websocketproxy.ConsoleProxy("127.0.0.1", 0)
    proxy.start()
    time.sleep(0.05)
    started = time.monotonic()
    proxy.stop()
    assert time.monotonic() - started < 0.45
    assert not proxy._thread.is_alive()
