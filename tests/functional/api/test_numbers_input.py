"""Numbers in URLs and query strings that only look like numbers
(``²`` passes ``str.isdigit`` but ``int()`` refuses it) or do not fit
the database: a 4xx in the dialect's format, never a 500 or a
traceback. The schemathesis runs found the class; these pin it."""

import requests

from tests.functional.api import fuzzing

TOKEN = {"X-Auth-Token": "admin:admin"}
HUGE = "9" * 20
V230 = {"OpenStack-API-Version": "compute 2.30"}


def _send(stack, method, path, **kwargs):
    return requests.request(method, stack.url + path, timeout=10,
                            headers=dict(TOKEN, **kwargs.pop("headers", {})),
                            **kwargs)


def test_lookalike_and_huge_numbers_are_4xx(stack, capfd):
    server = _send(stack, "POST", "/v2.1/servers", headers=V230, json={
        "server": {"name": "n", "flavorRef": "1",
                   "imageRef": "a0d1c0de-0000-4000-8000-000000000001"}})
    assert server.status_code == 202, server.text
    server_id = server.json()["server"]["id"]
    cases = [
        ("GET", "/image/v2/images?limit=²", 400),
        ("GET", "/volume/v3/volumes?limit=²", 400),
        ("GET", "/volume/v3/snapshots/detail?limit=²", 400),
        ("DELETE", "/v2.1/os-services/²", 404),
        ("DELETE", f"/v2.1/os-services/{HUGE}", 404),
        ("GET", f"/v2.1/servers/{server_id}/migrations/²", 404),
        ("GET", f"/v2.1/servers/{server_id}/migrations/{HUGE}", 404),
    ]
    with fuzzing.watched_logs() as logs:
        for method, path, status in cases:
            resp = _send(stack, method, path, headers=V230)
            assert resp.status_code == status, (path, resp.text)
        rule = {"security_group_rule": {
            "security_group_id": _default_group(stack),
            "direction": "ingress", "protocol": "²"}}
        resp = _send(stack, "POST", "/network/v2.0/security-group-rules",
                     json=rule)
        assert resp.status_code == 400, resp.text
        assert "NeutronError" in resp.json()
        resp = _send(stack, "POST", "/volume/v3/volumes",
                     json={"volume": {"size": "²"}})
        assert resp.status_code == 400, resp.text
    assert logs.found == []
    assert "Traceback" not in capfd.readouterr().err


def _default_group(stack):
    resp = _send(stack, "GET", "/network/v2.0/security-groups?name=default")
    return resp.json()["security_groups"][0]["id"]
