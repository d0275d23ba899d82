"""The network dialect's OpenAPI document, and a bounded schemathesis
run against it: no request it generates may get a 5xx."""

import os
import re
import subprocess
import sys

import requests

BIN = os.path.dirname(sys.executable)
DOC = "/network/v2.0/openapi.json"


def test_openapi_document_is_served_unauthenticated(stack):
    resp = requests.get(stack.url + DOC, timeout=5)
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.1")
    assert {"/networks", "/subnets/{subnet_id}", "/floatingips/{floatingip_id}",
            "/security-group-rules"} <= set(doc["paths"])
    assert doc["servers"][0]["url"] == stack.url + "/network/v2.0"


def test_schemathesis_finds_no_server_error(stack):
    result = subprocess.run(
        [f"{BIN}/st", "run", stack.url + DOC,
         "--checks", "not_a_server_error", "--max-examples", "10",
         "--seed", "1", "--phases", "examples,coverage,fuzzing",
         "--request-timeout", "10",
         "-H", "X-Auth-Token: admin:admin"],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-6000:]
    summary = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert summary and int(summary.group(2)) > 300, result.stdout[-2000:]
    assert "failed" not in result.stdout.rsplit("SUMMARY", 1)[-1]
