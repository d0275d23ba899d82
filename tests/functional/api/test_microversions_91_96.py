"""Compute API 2.91 and 2.96 through the in-process stack (fake-1 in the
default zone ``nova``, fake-2 in ``zone-b``) and the stock clients.

2.91: ``unshelve`` of a SHELVED_OFFLOADED server may name a ``host``
(administrators, policy ``os-shelve:unshelve_to_host``), which must be in
the zone the server will be pinned to, and a null ``availability_zone``
unpins the server (Nova's table: see ``ComputeAPI.unshelve``); the
scheduler still filters and claims the host. 2.96: server bodies carry
``pinned_availability_zone``. Answers are checked against the response
schemas (``[api] response_validation = error``)."""

import time

import pytest

from tests.functional.api.test_microversions_77 import (
    NOT_OFFLOADED,
    ZONE,
    _boot,
    _offloaded,
    _wait,
)

V291 = "2.91"
V296 = "2.96"
IMAGE = "a0d1c0de-0000-4000-8000-000000000001"     # demo


@pytest.fixture(autouse=True)
def _v296(advertise):
    advertise(96)


def _unshelve(cloud, who, sid, body, version=V291):
    return cloud.sdk(who).compute.post(
        f"/servers/{sid}/action", json={"unshelve": body},
        microversion=version)


def _show(cloud, sid, version=V296, who="member"):
    resp = cloud.sdk(who).compute.get(f"/servers/{sid}",
                                      microversion=version)
    assert resp.status_code == 200, resp.text
    return resp.json()["server"]


def _placed(cloud, sid):
    """(host, pinned zone) once the server is ACTIVE again; the zone it
    is in is always its host's."""
    _wait(cloud, sid, "ACTIVE")
    shown = _show(cloud, sid, who="admin")
    host = shown["OS-EXT-SRV-ATTR:host"]
    assert shown["OS-EXT-AZ:availability_zone"] == \
        {"fake-1": "nova", "fake-2": ZONE}[host], shown
    return host, shown["pinned_availability_zone"]


def _create(cloud, who, **server):
    body = {"server": dict({"name": "z", "flavorRef": "1",
                            "imageRef": IMAGE, "networks": "none"},
                           **server)}
    resp = cloud.sdk(who).compute.post("/servers", json=body,
                                       microversion=V296)
    assert resp.status_code == 202, resp.text
    return resp.json()["server"]["id"]


def _in_zone(cloud, zone):
    resp = cloud.sdk("admin").compute.get(
        f"/servers/detail?all_tenants=1&availability_zone=^{zone}$",
        microversion=V296)
    assert resp.status_code == 200, resp.text
    return sorted(s["id"] for s in resp.json()["servers"])


def test_a_server_is_in_its_hosts_zone_pinned_or_not(zoned):
    cloud = zoned
    # not pinned, on a zone-b host (2.74's host): in zone-b, no pin
    free = _create(cloud, "admin", host="fake-2")
    assert _placed(cloud, free) == ("fake-2", None)
    # created in zone-b: in it and pinned to it
    pinned = _create(cloud, "member", availability_zone=ZONE)
    assert _placed(cloud, pinned) == ("fake-2", ZONE)
    # the list filter is on the zone a server is in, as Nova's
    assert _in_zone(cloud, ZONE) == sorted([free, pinned])
    assert _in_zone(cloud, "nova") == []


def _reshelve(cloud, sid):
    cloud.openstack("member", "server", "shelve", sid)
    _wait(cloud, sid, "SHELVED_OFFLOADED")


def _conflict(resp, message):
    assert resp.status_code == 409, resp.text
    assert resp.json() == {"conflictingRequest": {"code": 409,
                                                  "message": message}}


def test_unshelve_to_a_host_and_unpin(zoned):
    cloud = zoned
    sid = _offloaded(cloud, "pinned")          # pinned to nova (fake-1)
    assert _show(cloud, sid)["pinned_availability_zone"] == "nova"

    # a host for administrators only, checked before anything else
    resp = _unshelve(cloud, "member", sid, {"host": "fake-1"})
    assert resp.status_code == 403, resp.text
    # the host must be in the pinned zone, or the one asked for
    _conflict(_unshelve(cloud, "admin", sid, {"host": "fake-2"}),
              'Host "fake-2" is not in the availability zone "nova".')
    _conflict(_unshelve(cloud, "admin", sid, {"host": "fake-1",
                                              "availability_zone": ZONE}),
              f'Host "fake-1" is not in the availability zone "{ZONE}".')
    resp = _unshelve(cloud, "admin", sid, {"host": "fake-9"})
    assert resp.status_code == 400, resp.text
    assert resp.json()["badRequest"]["message"] == \
        "Compute host fake-9 could not be found."
    assert _show(cloud, sid)["status"] == "SHELVED_OFFLOADED"

    # unpinned: anywhere, here the host asked for in another zone
    resp = _unshelve(cloud, "admin", sid, {"availability_zone": None,
                                           "host": "fake-2"})
    assert resp.status_code == 202, resp.text
    assert _placed(cloud, sid) == ("fake-2", None)

    # a zone and a host in it: placed there, pinned to the zone
    _reshelve(cloud, sid)
    resp = _unshelve(cloud, "admin", sid, {"availability_zone": ZONE,
                                           "host": "fake-2"})
    assert resp.status_code == 202, resp.text
    assert _placed(cloud, sid) == ("fake-2", ZONE)

    # a host alone keeps the pin; a null zone alone unpins (member)
    _reshelve(cloud, sid)
    assert _unshelve(cloud, "admin", sid,
                     {"host": "fake-2"}).status_code == 202
    assert _placed(cloud, sid) == ("fake-2", ZONE)
    _reshelve(cloud, sid)
    assert _unshelve(cloud, "member", sid,
                     {"availability_zone": None}).status_code == 202
    assert _placed(cloud, sid)[1] is None
    # the bodies of 2.96 from show, the detailed list and update
    listed = cloud.sdk("member").compute.get(
        "/servers/detail", microversion=V296).json()["servers"]
    assert [s["pinned_availability_zone"] for s in listed] == [None]
    resp = cloud.sdk("member").compute.put(
        f"/servers/{sid}", json={"server": {"name": "renamed"}},
        microversion=V296)
    assert resp.status_code == 200, resp.text
    assert resp.json()["server"]["pinned_availability_zone"] is None
    resp = cloud.sdk("member").compute.post(
        f"/servers/{sid}/action", json={"rebuild": {"imageRef": IMAGE}},
        microversion=V296)
    assert resp.status_code == 202, resp.text
    assert resp.json()["server"]["pinned_availability_zone"] is None
    _wait(cloud, sid, "ACTIVE")
    assert "pinned_availability_zone" not in _show(cloud, sid, "2.95")


def test_the_scheduler_still_decides(zoned):
    cloud = zoned
    admin = cloud.sdk("admin")
    sid = _offloaded(cloud, "filtered")
    service = {"host": "fake-2", "binary": "nimbus-compute"}
    assert admin.compute.put("/os-services/disable",
                             json=service).status_code == 200
    time.sleep(1.5)   # the scheduler reads services once a second
    try:
        resp = _unshelve(cloud, "admin", sid, {"availability_zone": None,
                                               "host": "fake-2"})
        assert resp.status_code == 202, resp.text
        deadline = time.monotonic() + 30
        while (shown := _show(cloud, sid, who="admin"))[
                "OS-EXT-STS:task_state"] is not None:
            assert time.monotonic() < deadline, shown
            time.sleep(0.2)
        # not forced: still offloaded, on no host, and still pinned
        assert (shown["status"], shown["OS-EXT-SRV-ATTR:host"],
                shown["pinned_availability_zone"]) == (
            "SHELVED_OFFLOADED", None, "nova")
    finally:
        admin.compute.put("/os-services/enable", json=service)


def test_refusals_by_state_version_and_shape(zoned):
    cloud = zoned
    sid = _offloaded(cloud, "shapes")
    for body in ({"host": 3}, {"availability_zone": 1}, {"zone": ZONE},
                 [], "fake-2"):
        resp = _unshelve(cloud, "admin", sid, body)
        assert resp.status_code == 400, (body, resp.text)
    # below 2.91 neither a host nor a null zone
    for body in ({"host": "fake-1"}, {"availability_zone": None}):
        resp = _unshelve(cloud, "admin", sid, body, "2.90")
        assert resp.status_code == 400, (body, resp.text)
    resp = _unshelve(cloud, "admin", sid, {"availability_zone": "nowhere",
                                           "host": "fake-2"})
    assert resp.status_code == 400, resp.text
    assert _show(cloud, sid)["status"] == "SHELVED_OFFLOADED"
    # an empty body (Nova's 2.91 schema takes it) is a plain unshelve
    assert _unshelve(cloud, "member", sid, {}).status_code == 202
    assert _placed(cloud, sid) == ("fake-1", "nova")

    # a SHELVED server keeps its host: no host, no unpin (Nova's 409)
    cloud.stack.conf.set_override("shelved_offload_time", -1, "compute")
    try:
        kept = _boot(cloud, "kept")
        cloud.openstack("member", "server", "shelve", kept)
        _wait(cloud, kept, "SHELVED")
        for body in ({"host": "fake-1"}, {"availability_zone": None}):
            _conflict(_unshelve(cloud, "admin", kept, body),
                      NOT_OFFLOADED.format(kept))
        assert _unshelve(cloud, "member", kept, None).status_code == 202
        _wait(cloud, kept, "ACTIVE")
    finally:
        cloud.stack.conf.clear_override("shelved_offload_time", "compute")


def test_stock_clients(zoned):
    cloud = zoned
    sid = _offloaded(cloud, "cli")
    cloud.openstack("admin", "--os-compute-api-version", V291, "server",
                    "unshelve", "--no-availability-zone", "--host",
                    "fake-2", "--wait", sid)
    assert _placed(cloud, sid) == ("fake-2", None)
    _reshelve(cloud, sid)
    cloud.openstack("member", "--os-compute-api-version", V291, "server",
                    "unshelve", "--availability-zone", ZONE, "--wait", sid)
    shown = cloud.openstack("member", "--os-compute-api-version", V296,
                            "server", "show", "-f", "value", "-c",
                            "pinned_availability_zone", sid).stdout
    assert shown.strip() == ZONE
    # a member may not name a host (the policy's 403 through the client)
    _reshelve(cloud, sid)
    refused = cloud.openstack("member", "--os-compute-api-version", V291,
                              "server", "unshelve", "--host", "fake-2", sid,
                              check=False)
    assert refused.returncode != 0
    assert "unshelve_to_host" in refused.stderr
