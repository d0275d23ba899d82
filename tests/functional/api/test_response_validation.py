"""The running API checks its answers (``[api] response_validation =
error`` in the test configuration): a body that leaves its schema is a
500 fault, whichever client asked."""

import time

import requests

from nimbus.api.openstack import microversion, responses
from nimbus.api.openstack.controllers import server_image_actions

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"

HEADERS = {"X-Auth-Token": "demo:demo",
           "OpenStack-API-Version": "compute 2.57"}


def test_answers_are_checked(stack, monkeypatch):
    url = stack.url + "/v2.1/limits"
    ok = requests.get(url, headers=HEADERS, timeout=30)
    assert ok.status_code == 200, ok.text
    assert "maxPersonality" not in ok.json()["limits"]["absolute"]

    # the same answer against a schema that wants a key more
    ranges = responses.SCHEMAS[("GET", "/limits")]
    first, last, schema = ranges[-1]
    wanting = dict(schema, required=schema["required"] + ["extra"])
    monkeypatch.setitem(responses.SCHEMAS, ("GET", "/limits"),
                        ranges[:-1] + [(first, last, wanting)])
    bad = requests.get(url, headers=HEADERS, timeout=30)
    assert bad.status_code == 500
    message = bad.json()["computeFault"]["message"]
    assert "GET /limits at 2.57" in message
    assert "'extra' is a required property" in message


def _v(minor):
    return {"X-Auth-Token": "demo:demo",
            "OpenStack-API-Version": f"compute 2.{minor}"}


def _call(stack, method, path, minor, **kwargs):
    return requests.request(method, f"{stack.url}/v2.1{path}",
                            headers=_v(minor), timeout=30, **kwargs)


def _settled(stack, sid, status="ACTIVE", timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        body = _call(stack, "GET", f"/servers/{sid}", 1).json()["server"]
        if body["status"] == status and \
                body["OS-EXT-STS:task_state"] is None:
            return body
        assert time.monotonic() < deadline, body["status"]
        time.sleep(0.1)


def test_action_answers_are_checked(stack, monkeypatch):
    """One server through the actions whose answers differ by action and
    microversion (each checked by the running API), then a rebuild whose
    answer gains a stray key: a 500 naming the action."""
    top = microversion.MAX_VERSION[1]
    created = _call(stack, "POST", "/servers", 1, json={"server": {
        "name": "answers", "imageRef": IMAGE, "flavorRef": "1"}})
    assert created.status_code == 202, created.text
    sid = created.json()["server"]["id"]
    _settled(stack, sid)
    action = f"/servers/{sid}/action"

    # createImage: a Location and no body to 2.44, the id from 2.45
    old = _call(stack, "POST", action, 44, json={"createImage": {
        "name": "snap-44"}})
    assert old.status_code == 202, old.text
    assert old.content == b"" and "/images/" in old.headers["Location"]
    _settled(stack, sid)
    new = _call(stack, "POST", action, 45, json={"createImage": {
        "name": "snap-45"}})
    assert new.status_code == 202, new.text
    image_id = new.json()["image_id"]
    _settled(stack, sid)

    # the image proxy to 2.35, a 404 from 2.36
    for path in ("/images", "/images/detail", f"/images/{image_id}"):
        assert _call(stack, "GET", path, 35).status_code == 200, path
        assert _call(stack, "GET", path, 36).status_code == 404, path

    rescued = _call(stack, "POST", action, top, json={"rescue": None})
    assert rescued.status_code == 200, rescued.text
    assert set(rescued.json()) == {"adminPass"}
    _settled(stack, sid, "RESCUE")
    unrescued = _call(stack, "POST", action, top, json={"unrescue": None})
    assert unrescued.status_code == 202 and unrescued.content == b""
    _settled(stack, sid)

    rebuilt = _call(stack, "POST", action, top,
                    json={"rebuild": {"imageRef": IMAGE}})
    assert rebuilt.status_code == 202, rebuilt.text
    _settled(stack, sid)

    original = server_image_actions.rebuilt_body
    monkeypatch.setattr(server_image_actions, "rebuilt_body",
                        lambda instance: dict(original(instance),
                                              stray="x"))
    bad = _call(stack, "POST", action, top,
                json={"rebuild": {"imageRef": IMAGE}})
    assert bad.status_code == 500
    message = bad.json()["computeFault"]["message"]
    assert f"POST /servers/{{server_id}}/action (rebuild) at 2.{top}" in \
        message
    assert "'stray' was unexpected" in message
    monkeypatch.undo()
    _settled(stack, sid)

    # confirmResize answers 204 (Nova's), the other moves 202
    resized = _call(stack, "POST", action, top,
                    json={"resize": {"flavorRef": "2"}})
    assert resized.status_code == 202 and resized.content == b""
    _settled(stack, sid, "VERIFY_RESIZE")
    confirmed = _call(stack, "POST", action, top,
                      json={"confirmResize": None})
    assert confirmed.status_code == 204 and confirmed.content == b""
    _settled(stack, sid)

    deleted = _call(stack, "DELETE", f"/servers/{sid}", 1)
    assert deleted.status_code == 204 and deleted.content == b""
