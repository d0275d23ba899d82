"""The running API checks its answers (``[api] response_validation =
error`` in the test configuration): a body that leaves its schema is a
500 fault, whichever client asked."""

import requests

from nimbus.api.openstack import responses

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
