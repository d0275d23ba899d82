"""Compute API 2.73 through the in-process stack and the stock clients:
the ``lock`` action takes ``{"locked_reason": ...}`` (1 to 255
characters; below 2.73 Nova takes any lock body and ignores it), server
bodies (show, detailed list, update, rebuild) carry ``locked_reason``
(null without one, cleared by unlock), and the server lists filter by
``locked`` (a strict boolean, Nova's 400 otherwise). Bodies are checked
against the 2.73 shapes of Nova's API reference."""

import pytest

from tests.functional.api.test_microversions_32_plus import _novaclient
from tests.functional.api.test_microversions_53 import checked
from tests.functional.api.test_volume_stock_clients import osc_json, server

V273 = "2.73"
IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
_REASON = {"type": "object", "properties": {"server": {
    "type": "object", "required": ["locked", "locked_reason"],
    "properties": {"locked": {"type": "boolean"},
                   "locked_reason": {"type": ["string", "null"]}}}},
    "required": ["server"]}


@pytest.fixture(autouse=True)
def _v273(advertise):
    advertise(73)


def _action(conn, sid, body, version=V273):
    return conn.compute.post(f"/servers/{sid}/action", json=body,
                             microversion=version)


def _lock(conn, sid, body, version=V273):
    resp = _action(conn, sid, {"lock": body}, version)
    assert resp.status_code == 202, resp.text


def _shown(conn, sid, version=V273):
    body = checked(conn.compute.get(f"/servers/{sid}",
                                    microversion=version), _REASON)
    return body["server"]["locked"], body["server"]["locked_reason"]


def test_lock_reason_in_server_bodies(cloud):
    member, admin = cloud.sdk("member"), cloud.sdk()
    sid = server(cloud, "locked")
    assert _shown(member, sid) == (False, None)
    _lock(member, sid, {"locked_reason": "maintenance window"})
    assert _shown(member, sid) == (True, "maintenance window")
    detail = member.compute.get("/servers/detail",
                                microversion=V273).json()["servers"]
    assert [(s["id"], s["locked_reason"]) for s in detail] == [
        (sid, "maintenance window")]
    assert "locked_reason" not in member.compute.get(
        f"/servers/{sid}", microversion="2.72").json()["server"]
    # update and rebuild answer it too (an admin may act on a lock)
    updated = admin.compute.put(f"/servers/{sid}", json={
        "server": {"description": "d"}}, microversion=V273)
    assert checked(updated, _REASON)["server"]["locked_reason"] == \
        "maintenance window"
    rebuilt = _action(admin, sid, {"rebuild": {"imageRef": IMAGE}})
    assert checked(rebuilt, _REASON, 202)["server"]["locked_reason"] == \
        "maintenance window"
    admin.compute.wait_for_server(admin.compute.get_server(sid),
                                  interval=0.2, wait=60)

    # the owner's second lock changes nothing (Nova's); an admin's
    # takes it over with its reason
    _lock(member, sid, {"locked_reason": "other"})
    assert _shown(member, sid) == (True, "maintenance window")
    _lock(admin, sid, {"locked_reason": "admin hold"})
    assert _shown(member, sid) == (True, "admin hold")
    resp = _action(member, sid, {"unlock": None})
    assert resp.status_code == 403, resp.text
    assert _action(admin, sid, {"unlock": None}).status_code == 202
    assert _shown(member, sid) == (False, None)

    # no reason: null, also with an empty object
    _lock(member, sid, None)
    assert _shown(member, sid) == (True, None)
    assert _action(member, sid, {"unlock": None}).status_code == 202
    _lock(member, sid, {})
    assert _shown(member, sid) == (True, None)
    assert _action(member, sid, {"unlock": None}).status_code == 202
    _lock(member, sid, {"locked_reason": "x" * 255})
    assert _shown(member, sid) == (True, "x" * 255)
    assert _action(member, sid, {"unlock": None}).status_code == 202

    # below 2.73 any body is taken and the reason ignored
    for body in ({"locked_reason": "ignored"}, "anything", {"x": 1}):
        _lock(member, sid, body, "2.72")
        assert _shown(member, sid) == (True, None)
        assert _action(member, sid, {"unlock": None}).status_code == 202


def test_bad_lock_bodies_are_novas_400(cloud):
    member = cloud.sdk("member")
    sid = server(cloud, "bad-lock")
    for body in ({"locked_reason": ""}, {"locked_reason": "x" * 256},
                 {"locked_reason": 5}, {"locked_reason": None},
                 {"locked_reason": "r", "other": 1}, {"reason": "r"},
                 "reason", [], 1):
        resp = _action(member, sid, {"lock": body})
        assert resp.status_code == 400, (body, resp.text)
        fault = resp.json()["badRequest"]
        assert fault["code"] == 400
        assert fault["message"].startswith(
            "Invalid input for field/attribute"), (body, fault)
        assert _shown(member, sid) == (False, None)


def _ids(conn, query, version=V273, path="/servers"):
    resp = conn.compute.get(f"{path}?{query}", microversion=version)
    assert resp.status_code == 200, (query, resp.text)
    return sorted(s["id"] for s in resp.json()["servers"])


def test_locked_filter(cloud):
    member = cloud.sdk("member")
    locked, free = server(cloud, "l1"), server(cloud, "f1")
    _lock(member, locked, None)
    for path in ("/servers", "/servers/detail"):
        for value in ("true", "True", "1", "yes", "on", "t"):
            assert _ids(member, f"locked={value}", path=path) == [locked]
        for value in ("false", "FALSE", "0", "no", "off", "f"):
            assert _ids(member, f"locked={value}", path=path) == [free]
        # below 2.73 not a filter
        assert _ids(member, "locked=true", "2.72", path) == sorted(
            [locked, free])
        for value in ("maybe", "", "2"):
            resp = member.compute.get(f"{path}?locked={value}",
                                      microversion=V273)
            assert resp.status_code == 400, (value, resp.text)
            message = resp.json()["badRequest"]["message"]
            assert message.startswith(
                f"Invalid input received: Unrecognized value '{value}'"), \
                message


def test_stock_clients_lock_with_a_reason(cloud):
    sid, other = server(cloud, "cli-locked"), server(cloud, "cli-free")
    osc = ("--os-compute-api-version", V273)
    cloud.openstack("member", *osc, "server", "lock", "--reason",
                    "backup running", sid)
    shown = osc_json(cloud, "member", *osc, "server", "show", sid)
    assert shown["locked_reason"] == "backup running"
    assert shown["locked"] in (True, "True")
    rows = osc_json(cloud, "member", *osc, "server", "list", "--locked")
    assert [r["ID"] for r in rows] == [sid]
    rows = osc_json(cloud, "member", *osc, "server", "list", "--unlocked")
    assert [r["ID"] for r in rows] == [other]
    cloud.openstack("member", *osc, "server", "unlock", sid)
    assert osc_json(cloud, "member", *osc, "server", "show", sid)[
        "locked_reason"] is None

    nova = _novaclient(cloud, V273, "member", "demo")
    nova.servers.lock(other, reason="nova says")
    assert nova.servers.get(other).locked_reason == "nova says"
    assert [s.id for s in nova.servers.list(
        search_opts={"locked": True})] == [other]
    conn = cloud.sdk("member")
    conn.compute.default_microversion = V273
    assert conn.compute.get_server(other).locked_reason == "nova says"
    conn.compute.unlock_server(other)
    conn.compute.lock_server(sid, locked_reason="sdk says")
    assert conn.compute.get_server(sid).locked_reason == "sdk says"
    assert [s.id for s in conn.compute.servers(locked=True)] == [sid]
