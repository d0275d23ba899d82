"""The identity dialect's OpenAPI document, and a bounded schemathesis
run against it: no request it generates may get a 5xx or leave a
traceback in the logs."""

import requests

from tests.functional.api import fuzzing

DOC = "/identity/v3/openapi.json"


def test_openapi_document_is_served_unauthenticated(stack):
    resp = requests.get(stack.url + DOC, timeout=5)
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.1")
    assert {"/auth/tokens", "/users/{user_id}", "/projects",
            "/users/{user_id}/credentials/OS-EC2"} <= set(doc["paths"])
    assert doc["servers"][0]["url"] == stack.url + "/identity/v3"


def _post(url, token, path, body):
    resp = requests.post(url + "/identity/v3" + path, json=body,
                         headers={"X-Auth-Token": token}, timeout=10)
    resp.raise_for_status()
    return resp.json()


def _known(url, token):
    """A project, a user granted a role there, and their EC2
    credential (the admin's own are left alone)."""
    project = _post(url, token, "/projects", {"project": {"name": "fz"}})
    project = project["project"]["id"]
    user = _post(url, token, "/users", {"user": {
        "name": "fz", "password": "pw", "default_project_id": project}})
    user = user["user"]["id"]
    roles = requests.get(url + "/identity/v3/roles?name=member",
                         headers={"X-Auth-Token": token},
                         timeout=10).json()["roles"]
    role = roles[0]["id"]
    requests.put(url + f"/identity/v3/projects/{project}/users/{user}"
                       f"/roles/{role}", headers={"X-Auth-Token": token},
                 timeout=10).raise_for_status()
    cred = _post(url, token, f"/users/{user}/credentials/OS-EC2",
                 {"tenant_id": project})["credential"]["access"]
    return {"project_id": [project], "user_id": [user],
            "role_id": [role], "domain_id": ["default"],
            "credential_id": [cred]}


def test_schemathesis_finds_no_server_error(cloud, capfd):
    """As the admin of nimbus's own identity (password, real tokens)."""
    token = cloud.token("admin")
    known = _known(cloud.url, token)
    with fuzzing.watched_logs() as logs:
        cases = fuzzing.run(cloud.url + DOC, examples=8, at_least=200,
                    token=token, known=known)
    assert logs.found == []
    assert "Traceback" not in capfd.readouterr().err
    print(cases)  # pytest -rP shows it
