"""Compute API 2.19: a server's description on create, update and
rebuild, shown from 2.19 (null when unset), refused below it."""

import json

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def _v(minor):
    return {"OpenStack-API-Version": f"compute 2.{minor}"}


def _show(conn, server_id, minor=19):
    resp = conn.compute.get(f"/servers/{server_id}", headers=_v(minor))
    assert resp.status_code == 200, resp.text
    return resp.json()["server"]


def _active(conn, server_id):
    server = conn.compute.get_server(server_id)
    return conn.compute.wait_for_server(server, interval=0.2, wait=60)


def test_description_through_the_openstack_client(cloud):
    osc = cloud.openstack
    created = json.loads(osc(
        "member", "--os-compute-api-version", "2.19", "server", "create",
        "--image", "demo", "--flavor", "m1.tiny", "--wait",
        "--description", "web tier, blue", "desc-vm", "-f",
        "json").stdout)
    assert created["description"] == "web tier, blue"
    osc("member", "--os-compute-api-version", "2.19", "server", "set",
        "--description", "web tier, green", "desc-vm")
    shown = json.loads(osc("member", "--os-compute-api-version", "2.19",
                           "server", "show", "desc-vm", "-f",
                           "json").stdout)
    assert shown["description"] == "web tier, green"
    # The client itself refuses --description below 2.19; the server
    # does not show the field there.
    conn = cloud.sdk("member")
    assert "description" not in _show(conn, created["id"], minor=18)
    osc("member", "server", "delete", "--wait", "desc-vm")


def test_update_rebuild_and_null(cloud):
    conn = cloud.sdk("member")
    resp = conn.compute.post("/servers", headers=_v(19), json={"server": {
        "name": "d2", "imageRef": IMAGE, "flavorRef": "1"}})
    assert resp.status_code == 202, resp.text
    sid = resp.json()["server"]["id"]
    # Unset: null from 2.19, in lists too.
    assert _show(conn, sid)["description"] is None
    listed = conn.compute.get("/servers/detail", headers=_v(19)).json()
    assert [s["description"] for s in listed["servers"]
            if s["id"] == sid] == [None]
    put = conn.compute.put(f"/servers/{sid}", headers=_v(19),
                           json={"server": {"description": "first"}})
    assert put.status_code == 200, put.text
    assert put.json()["server"]["description"] == "first"
    _active(conn, sid)
    # A rebuild without a description keeps it; with one, sets it.
    rebuild = {"rebuild": {"imageRef": IMAGE}}
    resp = conn.compute.post(f"/servers/{sid}/action", headers=_v(19),
                             json=rebuild)
    assert resp.status_code == 202, resp.text
    assert resp.json()["server"]["description"] == "first"
    _active(conn, sid)
    rebuild["rebuild"]["description"] = "rebuilt"
    resp = conn.compute.post(f"/servers/{sid}/action", headers=_v(19),
                             json=rebuild)
    assert resp.status_code == 202, resp.text
    assert resp.json()["server"]["description"] == "rebuilt"
    _active(conn, sid)
    # Null removes it.
    put = conn.compute.put(f"/servers/{sid}", headers=_v(19),
                           json={"server": {"description": None}})
    assert put.status_code == 200, put.text
    assert _show(conn, sid)["description"] is None
    # "" is a description (Nova's minLength 0).
    put = conn.compute.put(f"/servers/{sid}", headers=_v(19),
                           json={"server": {"description": ""}})
    assert put.status_code == 200, put.text
    assert _show(conn, sid)["description"] == ""
    conn.compute.delete_server(sid)


BAD = [(18, "too early"), (19, "x" * 256), (19, "line\nbreak"),
       (19, "bell\x07"), (19, 42)]


def test_bad_descriptions_are_400_and_write_nothing(cloud):
    conn = cloud.sdk("member")
    for minor, description in BAD:
        resp = conn.compute.post("/servers", headers=_v(minor), json={
            "server": {"name": "bad", "imageRef": IMAGE, "flavorRef": "1", "description": description}})
        assert resp.status_code == 400, (minor, description, resp.text)
        assert resp.json()["badRequest"]["code"] == 400
    assert conn.compute.get("/servers").json()["servers"] == []

    resp = conn.compute.post("/servers", headers=_v(19), json={"server": {
        "name": "good", "imageRef": IMAGE, "flavorRef": "1", "description": "kept"}})
    assert resp.status_code == 202, resp.text
    sid = resp.json()["server"]["id"]
    _active(conn, sid)
    for minor, description in BAD:
        put = conn.compute.put(
            f"/servers/{sid}", headers=_v(minor),
            json={"server": {"description": description}})
        assert put.status_code == 400, (minor, description, put.text)
        assert "badRequest" in put.json()
        act = conn.compute.post(
            f"/servers/{sid}/action", headers=_v(minor),
            json={"rebuild": {"imageRef": IMAGE,
                              "description": description}})
        assert act.status_code == 400, (minor, description, act.text)
        assert "badRequest" in act.json()
    shown = _show(conn, sid)
    assert shown["description"] == "kept" and shown["status"] == "ACTIVE"
    conn.compute.delete_server(sid)
