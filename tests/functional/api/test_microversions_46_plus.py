"""Compute API microversions from 2.46 through the in-process stack (fake
plugin, two hosts) and the stock clients: the request id headers (2.46),
the flavor embedded in server bodies (2.47)."""

import json
import time

# The version header, the demo image and the novaclient builder are the
# 2.32+ module's.
from tests.functional.api.test_microversions_32_plus import (
    IMAGE,
    _novaclient,
    _v,
)


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
    server = _novaclient(cloud, "2.46", "member", "demo").servers.get(sid)
    assert len(server.request_ids) == 1
    assert server.request_ids[0].startswith("req-")


def test_flavor_embedded_in_server_bodies_from_2_47(cloud):
    """2.47 (Nova's): show, list detail, update and rebuild answers
    carry the server's flavor values instead of a reference; its extra
    specs only for callers who may list a flavor's extra specs."""
    admin, member = cloud.sdk("admin"), cloud.sdk("member")
    flavor = admin.compute.create_flavor(name="emb", ram=256, vcpus=2,
                                         disk=1, ephemeral=1, swap=64)
    admin.compute.create_flavor_extra_specs(flavor, {"hw:cpu": "x"})
    sid = member.compute.create_server(name="emb", flavor_id=flavor.id,
                                       image_id=IMAGE, networks="none").id
    assert _wait_active(member, sid).status == "ACTIVE"
    values = {"vcpus": 2, "ram": 256, "disk": 1, "ephemeral": 1,
              "swap": 64, "original_name": "emb"}

    def show(conn, minor):
        resp = conn.compute.get(f"/servers/{sid}", headers=_v(minor))
        assert resp.status_code == 200, resp.text
        return resp.json()["server"]["flavor"]

    def may_read_specs(conn):
        status = conn.compute.get(f"/flavors/{flavor.id}/os-extra_specs",
                                  headers=_v(47)).status_code
        assert status in (200, 403)
        return status == 200

    old = show(member, 46)
    assert old["id"] == flavor.id and set(old) == {"id", "links"}
    assert show(admin, 47) == dict(values, extra_specs={"hw:cpu": "x"})
    for who in ("member", "reader"):
        conn = cloud.sdk(who)
        expected = dict(values, extra_specs={"hw:cpu": "x"}) \
            if may_read_specs(conn) else values
        assert show(conn, 47) == expected, who
        listed, = conn.compute.get("/servers/detail",
                                   headers=_v(47)).json()["servers"]
        assert listed["flavor"] == expected, who
    resp = member.compute.put(f"/servers/{sid}", headers=_v(47),
                              json={"server": {"name": "emb2"}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["server"]["flavor"]["original_name"] == "emb"
    resp = member.compute.post(f"/servers/{sid}/action", headers=_v(47),
                               json={"rebuild": {"imageRef": IMAGE}})
    assert resp.status_code == 202, resp.text
    assert resp.json()["server"]["flavor"]["vcpus"] == 2
    # The stock clients read it: openstacksdk by name, novaclient as a
    # dict, openstackclient's list column from original_name.
    assert member.compute.get_server(sid).flavor.name == "emb"
    assert _novaclient(cloud, "2.47", "member", "demo").servers.get(sid).flavor[
        "original_name"] == "emb"
    _wait_active(member, sid)
    rows = json.loads(cloud.openstack("member", "server", "list", "-f",
                                      "json").stdout)
    assert [r["Flavor"] for r in rows] == ["emb"]
