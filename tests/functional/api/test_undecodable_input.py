"""Bytes that are not UTF-8 in a JSON body, a path or a query string:
a 400 in the dialect's own error format, and no traceback in the logs
(pecan logged one for every such body; a path segment that did not
decode was a 500 with a traceback on stderr)."""

import requests

from tests.functional.api import fuzzing

TOKEN = {"X-Auth-Token": "admin:admin"}
BODY = b'{"name": "\xff\xfe"}'
#: path -> the key of the dialect's error body (None: the image
#: dialect's text/plain "400 ...").
POSTS = {"/identity/v3/auth/tokens": "error",
         "/identity/v3/projects": "error",
         "/image/v2/images": None,
         "/volume/v3/volumes": "badRequest",
         "/v2.1/servers": "badRequest",
         "/network/v2.0/networks": "NeutronError"}
GETS = {"/identity/v3/users/%ff": "error",
        "/identity/v3/users?name=%ff": None,
        "/image/v2/images/%ff%fe": None,
        "/image/v2/images?name=%ff": None,
        "/volume/v3/volumes/%ff": "badRequest",
        "/volume/v3/volumes?name=%ff": None,
        "/v2.1/servers/%ff": "badRequest",
        "/v2.1/servers?name=%ff": None,
        "/network/v2.0/ports/%ff": "NeutronError"}


def _check(resp, shape):
    assert 400 <= resp.status_code < 500, resp.text
    assert "Traceback" not in resp.text
    if shape:
        assert resp.status_code == 400, resp.text
        assert shape in resp.json(), resp.text
    elif resp.status_code == 400 and "text/plain" in \
            resp.headers.get("Content-Type", ""):
        assert resp.text.startswith("400 "), resp.text


def test_undecodable_json_bodies_are_400_without_traceback(stack, capfd):
    headers = dict(TOKEN, **{"Content-Type": "application/json"})
    with fuzzing.watched_logs() as logs:
        for path, shape in POSTS.items():
            resp = requests.post(stack.url + path, data=BODY,
                                 headers=headers, timeout=10)
            assert resp.status_code == 400, (path, resp.text)
            _check(resp, shape)
    assert logs.found == []
    assert "Traceback" not in capfd.readouterr().err


def test_undecodable_paths_and_queries_are_4xx_without_traceback(
        stack, capfd):
    with fuzzing.watched_logs() as logs:
        for path, shape in GETS.items():
            resp = requests.get(stack.url + path, headers=TOKEN,
                                timeout=10)
            _check(resp, shape)
    assert logs.found == []
    assert "Traceback" not in capfd.readouterr().err
