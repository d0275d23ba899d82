"""The image dialect's OpenAPI document, and a bounded schemathesis
run against it: no request it generates may get a 5xx or leave a
traceback in the logs."""

import requests

from tests.functional.api import fuzzing

DOC = "/image/v2/openapi.json"


def test_openapi_document_is_served_unauthenticated(stack):
    resp = requests.get(stack.url + DOC, timeout=5)
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.1")
    assert {"/images", "/images/{image_id}", "/images/{image_id}/file",
            "/images/{image_id}/members/{member_id}"} <= set(doc["paths"])
    assert doc["servers"][0]["url"] == stack.url + "/image/v2"


def test_schemathesis_finds_no_server_error(stack, capfd):
    with fuzzing.watched_logs() as logs:
        fuzzing.run(stack.url + DOC, examples=8, at_least=150)
    assert logs.found == []
    assert "Traceback" not in capfd.readouterr().err
