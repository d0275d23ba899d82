"""The image dialect's OpenAPI document, and a bounded schemathesis
run against it: no request it generates may get a 5xx or leave a
traceback in the logs."""

import requests

from tests.functional.api import fuzzing

DOC = "/image/v2/openapi.json"
TOKEN = {"X-Auth-Token": "admin:admin"}
DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def test_openapi_document_is_served_unauthenticated(stack):
    resp = requests.get(stack.url + DOC, timeout=5)
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.1")
    assert {"/images", "/images/{image_id}", "/images/{image_id}/file",
            "/images/{image_id}/members/{member_id}"} <= set(doc["paths"])
    assert doc["servers"][0]["url"] == stack.url + "/image/v2"


def _known(url):
    """A shared image with one member and a tag (and the demo image)."""
    image = requests.post(url + "/image/v2/images", headers=TOKEN, json={
        "name": "fuzz", "visibility": "shared", "disk_format": "raw",
        "container_format": "bare", "tags": ["t"]}, timeout=10).json()
    requests.post(url + f"/image/v2/images/{image['id']}/members",
                  headers=TOKEN, json={"member": "demo"},
                  timeout=10).raise_for_status()
    return {"image_id": [image["id"], DEMO_IMAGE], "member_id": ["demo"],
            "tag": ["t"]}


def test_schemathesis_finds_no_server_error(stack, capfd):
    known = _known(stack.url)
    with fuzzing.watched_logs() as logs:
        cases = fuzzing.run(stack.url + DOC, examples=8, at_least=150,
                    known=known)
    assert logs.found == []
    assert "Traceback" not in capfd.readouterr().err
    print(cases)  # pytest -rP shows it
