"""Server create input Nova refuses is refused here too, before anything
is recorded: control characters in names, user_data that is not base64,
an availability zone no host is in."""

import base64

import pytest
import requests

ADMIN = {"X-Auth-Token": "admin:admin"}
# the demo image nimbus-all seeds
DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def _create(stack, **fields):
    server = {"name": "ok", "imageRef": DEMO_IMAGE, "flavorRef": "1"}
    server.update(fields)
    return requests.post(stack.url + "/v2.1/servers",
                         json={"server": server}, headers=ADMIN, timeout=10)


def _count(stack):
    resp = requests.get(stack.url + "/v2.1/servers?all_tenants=1",
                        headers=ADMIN, timeout=10)
    return len(resp.json()["servers"])


@pytest.mark.parametrize("fields, words", [
    ({"name": "bad\x00name"}, "name"),
    ({"name": "tab\tname"}, "name"),
    ({"name": "bell\x07"}, "name"),
    ({"user_data": "not base64!"}, "user_data"),
    ({"user_data": "abc"}, "user_data"),
    ({"availability_zone": "no-such-zone"},
     "availability zone is not available"),
    ({"availability_zone": "no-such-zone:somehost"},
     "availability zone is not available"),
])
def test_refused_before_recording(stack, fields, words):
    before = _count(stack)
    resp = _create(stack, **fields)
    assert resp.status_code == 400, resp.text
    assert words in resp.json()["badRequest"]["message"]
    assert _count(stack) == before


@pytest.mark.parametrize("fields", [
    {"user_data": base64.b64encode(b"#!/bin/sh\necho hi\n").decode()},
    {"user_data": base64.encodebytes(b"x" * 200).decode()},  # MIME lines
    {"availability_zone": "nova"},
    {"name": "caf\u00e9 server"},
])
def test_accepted(stack, fields):
    resp = _create(stack, **fields)
    assert resp.status_code == 202, resp.text
