"""Bad input of every kind gets a 4xx with Nova's fault body, never a
5xx: malformed JSON, wrong types, unknown keys, oversized bodies (with
and without a length), form bodies, bad microversions, bad tokens."""

import http.client
import json
from urllib.parse import urlparse

import pytest
import requests

ADMIN = {"X-Auth-Token": "admin:admin"}


def fault(resp, code):
    assert resp.status_code == code, resp.text
    (name, body), = resp.json().items()
    assert body["code"] == code and body["message"]
    return name


@pytest.mark.parametrize("data, code", [
    (b"{not json", 400),
    (b'{"server": "x"}', 400),
    (b'{"server": {"name": 5, "imageRef": "a", "flavorRef": "1"}}', 400),
    (b'{"server": {"name": "a", "imageRef": "a", "flavorRef": "1",'
     b' "bogus": 1}}', 400),
    (b'{"server": {"name": "a", "imageRef": "a", "flavorRef": "1",'
     b' "max_count": 100000000}}', 400),
    (b'[]', 400),
    (b'', 400),
])
def test_bad_server_bodies(stack, data, code):
    resp = requests.post(stack.url + "/v2.1/servers", data=data,
                         headers=dict(ADMIN,
                                      **{"Content-Type":
                                         "application/json"}),
                         timeout=5)
    assert fault(resp, code) == "badRequest"


def test_oversized_bodies_with_and_without_length(stack):
    big = json.dumps({"server": {"name": "x" * 200000}}).encode()
    resp = requests.post(stack.url + "/v2.1/servers", data=big,
                         headers=ADMIN, timeout=5)
    assert fault(resp, 413) == "overLimit"
    url = urlparse(stack.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    conn.putrequest("POST", "/v2.1/servers")
    conn.putheader("X-Auth-Token", "admin:admin")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.putheader("Content-Type", "application/json")
    conn.endheaders()
    for _ in range(20):
        chunk = b"x" * 10000
        conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    conn.send(b"0\r\n\r\n")
    resp = conn.getresponse()
    assert resp.status == 413
    assert json.loads(resp.read())["overLimit"]["code"] == 413


def test_form_body_is_415(stack):
    resp = requests.put(stack.url + "/v2.1/os-services/enable",
                        data=b'{"host": "x", "binary": "y"}',
                        headers=dict(ADMIN, **{
                            "Content-Type": "multipart/form-data"}),
                        timeout=5)
    assert fault(resp, 415) == "badMediaType"


@pytest.mark.parametrize("header, code", [
    ("compute 2.999", 406), ("compute 1.0", 406), ("compute x.y", 400),
    ("compute 2", 400), ("compute latest", 200)])
def test_microversion_errors(stack, header, code):
    resp = requests.get(stack.url + "/v2.1/flavors", timeout=5,
                        headers=dict(ADMIN, **{
                            "OpenStack-API-Version": header}))
    assert resp.status_code == code, resp.text
    if code == 200:
        from nimbus.api.openstack import microversion
        top = microversion.text(microversion.MAX_VERSION)
        assert resp.headers["OpenStack-API-Version"] == f"compute {top}"
    else:
        fault(resp, code)


def test_missing_token_and_unknown_paths(stack):
    fault(requests.get(stack.url + "/v2.1/servers", timeout=5), 401)
    fault(requests.get(stack.url + "/v2.1/nothing", headers=ADMIN,
                       timeout=5), 404)
    fault(requests.get(stack.url + "/v2.1/servers/not-a-uuid",
                       headers=ADMIN, timeout=5), 404)
    fault(requests.patch(stack.url + "/v2.1/servers", headers=ADMIN,
                         timeout=5), 405)
    resp = requests.get(stack.url + "/v2.1/servers?limit=x",
                        headers=ADMIN, timeout=5)
    fault(resp, 400)
    resp = requests.get(stack.url + "/v2.1/servers?name=(", headers=ADMIN,
                        timeout=5)
    fault(resp, 400)
