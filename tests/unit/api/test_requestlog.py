"""The request log line carries the path as sent on the wire: decoded
control characters (a newline) could forge log lines."""

import logging

from nimbus.api import requestlog


def test_path_is_logged_percent_encoded(caplog):
    # what the WSGI server hands over for /v2.1/a%0Afake%20line/%C3%A9
    environ = {"REQUEST_METHOD": "GET", "REMOTE_ADDR": "127.0.0.1",
               "PATH_INFO": "/v2.1/a\nfake line/\xc3\xa9"}
    with caplog.at_level(logging.INFO, "nimbus.api.requestlog"):
        requestlog.log_request(environ, "404 Not Found", 0)
    [record] = caplog.records
    line = record.getMessage()
    assert "\n" not in line
    assert '"GET /v2.1/a%0Afake%20line/%C3%A9" status: 404' in line


def test_plain_paths_are_unchanged():
    assert requestlog.wire_path({"PATH_INFO": "/v2.1/servers/detail",
                                 "SCRIPT_NAME": ""}) == \
        "/v2.1/servers/detail"
