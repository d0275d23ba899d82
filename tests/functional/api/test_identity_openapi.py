"""The identity dialect's OpenAPI document, and a bounded schemathesis
run against it: no request it generates may get a 5xx or leave a
traceback in the logs."""

import pytest
import requests

from tests.functional.api import fuzzing

DOC = "/identity/v3/openapi.json"


@pytest.fixture(autouse=True)
def cheap_passwords(nimbus_conf):
    """Users the run creates get cheap hashes (it creates hundreds)."""
    nimbus_conf.set_override("bcrypt_rounds", 4, "identity")


def test_openapi_document_is_served_unauthenticated(stack):
    resp = requests.get(stack.url + DOC, timeout=5)
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.1")
    assert {"/auth/tokens", "/users/{user_id}", "/projects",
            "/users/{user_id}/credentials/OS-EC2"} <= set(doc["paths"])
    assert doc["servers"][0]["url"] == stack.url + "/identity/v3"


def test_schemathesis_finds_no_server_error(stack, capfd):
    with fuzzing.watched_logs() as logs:
        fuzzing.run(stack.url + DOC, examples=8, at_least=200)
    assert logs.found == []
    assert "Traceback" not in capfd.readouterr().err
