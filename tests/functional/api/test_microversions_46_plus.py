"""Compute API microversions from 2.46 through the in-process stack (fake
plugin, two hosts) and the stock clients: the request id headers (2.46),
the flavor embedded in server bodies (2.47)."""

import time

from tests.functional.api.conftest import PASSWORD

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def _novaclient(cloud, version, user="member", project="demo"):
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    from novaclient import client
    auth = v3.Password(auth_url=cloud.url + "/identity", username=user,
                       password=PASSWORD, project_name=project,
                       user_domain_name="Default",
                       project_domain_name="Default")
    return client.Client(version, session=session.Session(auth=auth))


def _wait_active(conn, sid, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = conn.compute.get_server(sid)
        if server.status in ("ACTIVE", "ERROR") and not server.task_state:
            return server
        time.sleep(0.1)
    raise AssertionError(f"{sid} not ACTIVE in {timeout}s")


def test_request_id_headers_at_2_46(cloud):
    """2.46 only signals what nimbus always did: every answer carries
    the request id as X-OpenStack-Request-ID and X-Compute-Request-ID,
    the id the server's instance action records."""
    member = cloud.sdk("member")
    resp = member.compute.post("/servers", headers=_v(46), json={
        "server": {"name": "rid", "flavorRef": "1", "imageRef": IMAGE,
                   "networks": "none"}})
    assert resp.status_code == 202, resp.text
    assert resp.headers["OpenStack-API-Version"] == "compute 2.46"
    rid = resp.headers["X-OpenStack-Request-ID"]
    assert rid.startswith("req-")
    assert resp.headers["X-Compute-Request-ID"] == rid
    sid = resp.json()["server"]["id"]
    (action,) = member.compute.get(f"/servers/{sid}/os-instance-actions",
                                   headers=_v(46)).json()["instanceActions"]
    assert (action["action"], action["request_id"]) == ("create", rid)
    # Errors carry them too, each request its own id.
    missing = member.compute.get("/servers/nope", headers=_v(46))
    assert missing.status_code == 404
    assert missing.headers["X-OpenStack-Request-ID"] == \
        missing.headers["X-Compute-Request-ID"] != rid
    # novaclient keeps the id it was answered with.
    server = _novaclient(cloud, "2.46").servers.get(sid)
    assert len(server.request_ids) == 1
    assert server.request_ids[0].startswith("req-")
