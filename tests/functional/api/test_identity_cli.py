"""``nimbus project|user|role`` against the identity dialect, and the
new user then working through a stock client."""

import json
import subprocess

import requests

from tests.functional.api.conftest import BIN


def nimbus(cloud, *args):
    result = subprocess.run([f"{BIN}/nimbus", "--os-cloud", "admin", *args],
                            env=cloud.env(), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, (args, result.stderr)
    return result.stdout


def test_manage_projects_users_roles(cloud):
    project = json.loads(nimbus(cloud, "project", "create", "team",
                                "-f", "json"))
    nimbus(cloud, "user", "create", "alice", "--password", "pw-alice",
           "--project", "team")
    nimbus(cloud, "role", "add", "member", "--project", "team", "--user",
           "alice")
    rows = json.loads(nimbus(cloud, "role", "assignment", "list", "-f",
                             "json"))
    assert any(r["Project"] == project["id"] for r in rows)
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "alice", "domain": {"name": "Default"},
                 "password": "pw-alice"}}}}}
    resp = requests.post(cloud.url + "/identity/v3/auth/tokens", json=body,
                         timeout=10)
    assert resp.status_code == 201
    assert resp.json()["token"]["project"]["name"] == "team"
    assert {r["name"] for r in resp.json()["token"]["roles"]} == \
        {"member", "reader"}
    token = resp.headers["X-Subject-Token"]
    assert requests.get(cloud.url + "/v2.1/servers", timeout=10,
                        headers={"X-Auth-Token": token}).status_code == 200
    nimbus(cloud, "role", "remove", "member", "--project", "team",
           "--user", "alice")
    nimbus(cloud, "user", "set", "alice", "--disable")
    assert requests.post(cloud.url + "/identity/v3/auth/tokens", json=body,
                         timeout=10).status_code == 401
    nimbus(cloud, "user", "delete", "alice")
    nimbus(cloud, "project", "delete", "team")
    names = [p["Name"] for p in json.loads(
        nimbus(cloud, "project", "list", "-f", "json"))]
    assert "team" not in names
