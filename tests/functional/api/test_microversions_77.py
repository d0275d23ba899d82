"""Compute API 2.77 through the in-process stack (fake-2 in the zone
``zone-b``, fake-1 in the default ``nova``) and the stock clients: the
``unshelve`` action takes ``{"availability_zone": ...}`` for a
SHELVED_OFFLOADED server, which the scheduler then places in that zone
(and the server stays in it). Nova's rules: the zone of a SHELVED server
(still on its host) is a 409, an unknown zone or a malformed body a 400;
below 2.77 any body is taken and ignored."""

import pytest

from tests.functional.api.test_microversions_32_plus import _novaclient
from tests.functional.api.test_volume_stock_clients import osc_json

V277 = "2.77"
ZONE = "zone-b"
NOT_OFFLOADED = ('Specifying an availability zone or a host when unshelving '
                 'server "{}" with status "shelved" is not supported. The '
                 'server status must be SHELVED_OFFLOADED.')


@pytest.fixture(autouse=True)
def _v277(advertise):
    advertise(77)


def _boot(cloud, name):
    created = osc_json(cloud, "member", "server", "create", "--image",
                       "demo", "--flavor", "m1.tiny", "--availability-zone",
                       "nova", "--wait", name)
    return created["id"]


def _unshelve(conn, sid, body, version=V277):
    return conn.compute.post(f"/servers/{sid}/action",
                             json={"unshelve": body}, microversion=version)


def _wait(cloud, sid, status):
    admin = cloud.sdk()
    server = admin.compute.wait_for_server(
        admin.compute.get_server(sid), status=status, interval=0.2,
        wait=60)
    return server


def _offloaded(cloud, name):
    sid = _boot(cloud, name)
    cloud.openstack("member", "server", "shelve", sid)
    _wait(cloud, sid, "SHELVED_OFFLOADED")
    return sid


def test_unshelve_into_another_zone(zoned):
    cloud = zoned
    member = cloud.sdk("member")
    sid = _offloaded(cloud, "moving")
    resp = _unshelve(member, sid, {"availability_zone": ZONE})
    assert resp.status_code == 202, resp.text
    moved = _wait(cloud, sid, "ACTIVE")
    assert (moved.compute_host, moved.availability_zone) == ("fake-2",
                                                            ZONE)
    # it stays in its new zone: the next unshelve places it there again
    cloud.openstack("member", "server", "shelve", sid)
    _wait(cloud, sid, "SHELVED_OFFLOADED")
    assert _unshelve(member, sid, None).status_code == 202
    again = _wait(cloud, sid, "ACTIVE")
    assert (again.compute_host, again.availability_zone) == ("fake-2",
                                                            ZONE)

    # below 2.77 the zone is ignored (and so is any other body)
    old = _offloaded(cloud, "staying")
    resp = _unshelve(member, old, {"availability_zone": ZONE}, "2.76")
    assert resp.status_code == 202, resp.text
    stayed = _wait(cloud, old, "ACTIVE")
    assert (stayed.compute_host, stayed.availability_zone) == ("fake-1",
                                                              "nova")
    cloud.openstack("member", "server", "shelve", old)
    _wait(cloud, old, "SHELVED_OFFLOADED")
    assert _unshelve(member, old, "anything", "2.76").status_code == 202
    _wait(cloud, old, "ACTIVE")


def test_bad_unshelves_are_novas_faults(zoned):
    cloud = zoned
    member = cloud.sdk("member")
    sid = _offloaded(cloud, "bad")
    for body in ({}, {"availability_zone": ""}, {"availability_zone": None},
                 {"availability_zone": " zone-b"},
                 {"availability_zone": "x" * 256},
                 {"availability_zone": ZONE, "host": "fake-2"},
                 {"zone": ZONE}, "zone-b", []):
        resp = _unshelve(member, sid, body)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["badRequest"]["message"].startswith(
            "Invalid input for field/attribute"), (body, resp.text)
    resp = _unshelve(member, sid, {"availability_zone": "nowhere"})
    assert resp.status_code == 400, resp.text
    assert resp.json() == {"badRequest": {
        "code": 400,
        "message": "The requested availability zone is not available"}}
    assert cloud.sdk().compute.get_server(sid).status == "SHELVED_OFFLOADED"

    # a SHELVED server keeps its host, so no zone: Nova's 409
    cloud.stack.conf.set_override("shelved_offload_time", -1, "compute")
    try:
        kept = _boot(cloud, "kept")
        cloud.openstack("member", "server", "shelve", kept)
        _wait(cloud, kept, "SHELVED")
        resp = _unshelve(member, kept, {"availability_zone": ZONE})
        assert resp.status_code == 409, resp.text
        assert resp.json() == {"conflictingRequest": {
            "code": 409, "message": NOT_OFFLOADED.format(kept)}}
        assert _unshelve(member, kept, None).status_code == 202
        assert _wait(cloud, kept, "ACTIVE").compute_host == "fake-1"
    finally:
        cloud.stack.conf.clear_override("shelved_offload_time", "compute")
    # an active server: the state's 409, whatever the zone
    resp = _unshelve(member, kept, {"availability_zone": "nowhere"})
    assert resp.status_code == 409, resp.text


def test_stock_clients_unshelve_into_a_zone(zoned):
    cloud = zoned
    sid = _offloaded(cloud, "cli-moving")
    cloud.openstack("member", "--os-compute-api-version", V277, "server",
                    "unshelve", "--availability-zone", ZONE, "--wait", sid)
    moved = _wait(cloud, sid, "ACTIVE")
    assert (moved.compute_host, moved.availability_zone) == ("fake-2",
                                                            ZONE)

    nova_id = _offloaded(cloud, "nova-moving")
    nova = _novaclient(cloud, V277, "member", "demo")
    nova.servers.unshelve(nova_id, availability_zone=ZONE)
    assert _wait(cloud, nova_id, "ACTIVE").compute_host == "fake-2"

    sdk_id = _offloaded(cloud, "sdk-moving")
    conn = cloud.sdk("member")
    conn.compute.default_microversion = V277
    conn.compute.unshelve_server(sdk_id, availability_zone=ZONE)
    assert _wait(cloud, sdk_id, "ACTIVE").compute_host == "fake-2"
