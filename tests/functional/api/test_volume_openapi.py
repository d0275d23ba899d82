"""The volume dialect's OpenAPI document, and a bounded schemathesis
run against it: no request it generates may get a 5xx or leave a
traceback in the logs."""

import time

import requests

from tests.functional.api import fuzzing

DOC = "/volume/v3/openapi.json"
TOKEN = {"X-Auth-Token": "admin:admin"}


def test_openapi_document_is_served_unauthenticated(stack):
    resp = requests.get(stack.url + DOC, timeout=5)
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.1")
    assert {"/volumes", "/volumes/{volume_id}/action", "/snapshots",
            "/types/{type_id}/extra_specs/{key}",
            "/os-quota-sets/{project_id}"} <= set(doc["paths"])
    assert doc["servers"][0]["url"] == stack.url + "/volume/v3"


def _post(url, path, body):
    resp = requests.post(url + "/volume/v3" + path, json=body,
                         headers=TOKEN, timeout=10)
    resp.raise_for_status()
    return resp.json()


def _known(url):
    """An available volume with metadata, its snapshot, a volume type
    with an extra spec."""
    volume = _post(url, "/volumes", {"volume": {
        "size": 1, "metadata": {"k": "v"}}})["volume"]["id"]
    for _ in range(100):
        status = requests.get(url + f"/volume/v3/volumes/{volume}",
                              headers=TOKEN, timeout=10).json()
        if status["volume"]["status"] == "available":
            break
        time.sleep(0.1)
    snapshot = _post(url, "/snapshots", {"snapshot": {
        "volume_id": volume, "metadata": {"k": "v"}}})["snapshot"]["id"]
    vtype = _post(url, "/types", {"volume_type": {
        "name": "fuzz", "extra_specs": {"k": "v"}}})["volume_type"]["id"]
    return {"volume_id": [volume], "snapshot_id": [snapshot],
            "type_id": [vtype], "key": ["k"],
            "project_id": ["admin", "demo"]}


def test_schemathesis_finds_no_server_error(stack, capfd):
    known = _known(stack.url)
    with fuzzing.watched_logs() as logs:
        cases = fuzzing.run(stack.url + DOC, examples=6, at_least=200,
                    known=known)
    assert logs.found == []
    assert "Traceback" not in capfd.readouterr().err
    print(cases)  # pytest -rP shows it
