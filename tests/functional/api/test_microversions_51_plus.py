"""Compute API microversions from 2.51 through the in-process stack (fake
plugins, fake volume backend) and stock clients: server external events
(``os-server-external-events``) with ``volume-extended`` from 2.51, also
sent by the volume service when an in-use volume is extended; tags at
server create (2.52).

novaclient has no external events command; openstacksdk's raw
``conn.compute.post`` sends the request as Nova's own callers would."""

import time
import uuid as uuidlib

from tests.functional.api.test_volume_stock_clients import (
    osc_json,
    server,
    wait_volume,
)

PATH = "/os-server-external-events"
GiB = 1024 ** 3


def post(cloud, events, microversion="2.51", who="admin"):
    return cloud.sdk(who).compute.post(PATH, json={"events": events},
                                       microversion=microversion)


def _attached(cloud, name, size=1):
    """A server of ``member`` with a volume of ``size`` GiB attached:
    (server id, volume id, its compute manager)."""
    sid = server(cloud, name)
    cloud.openstack("member", "volume", "create", "--size", str(size),
                    f"{name}-vol")
    vid = wait_volume(cloud, f"{name}-vol", "available")["id"]
    cloud.openstack("member", "server", "add", "volume", name, f"{name}-vol")
    wait_volume(cloud, f"{name}-vol", "in-use")
    compute = cloud.stack.compute(
        cloud.sdk("admin").compute.get_server(sid).compute_host)
    return sid, vid, compute.manager


def _wait(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.2)


def _events(cloud, sid, action):
    """The events of the server's newest ``action`` (admin's view)."""
    conn = cloud.sdk("admin")
    actions = conn.compute.get(f"/servers/{sid}/os-instance-actions",
                               microversion="2.51").json()["instanceActions"]
    found = [a for a in actions if a["action"] == action]
    if not found:
        return []
    detail = conn.compute.get(
        f"/servers/{sid}/os-instance-actions/{found[0]['request_id']}",
        microversion="2.51").json()["instanceAction"]
    return [(e["event"], e["result"]) for e in detail.get("events", [])]


def test_volume_extended_only_from_2_51_and_only_for_admins(cloud):
    sid, vid, manager = _attached(cloud, "ev")
    event = {"name": "volume-extended", "server_uuid": sid, "tag": vid}
    resp = post(cloud, [event], microversion="2.50")
    assert resp.status_code == 400, resp.text
    assert "volume-extended" in resp.json()["badRequest"]["message"]
    resp = post(cloud, [event], who="member")
    assert resp.status_code == 403, resp.text
    assert "os_compute_api:os-server-external-events:create" in \
        resp.json()["forbidden"]["message"]
    # Bad bodies are the usual 400s.
    for bad in ([], [{"name": "power-update", "server_uuid": sid}],
                [dict(event, status="done")], [dict(event, extra=1)],
                [{"name": "network-changed", "server_uuid": "nope"}]):
        assert post(cloud, bad).status_code == 400, bad
    resp = post(cloud, [event])
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"events": [dict(event, status="completed",
                                           code=200)]}
    # The guest was told the volume's (unchanged) size.
    _wait(lambda: manager.driver.disk_size(sid, vid[:20]) == GiB)
    _wait(lambda: ("compute_extend_volume", "Success") in
          _events(cloud, sid, "extend_volume"))


def test_network_events_at_2_1_and_the_codes(cloud):
    sid, vid, _manager = _attached(cloud, "codes")
    missing = str(uuidlib.uuid4())
    # Every network event is accepted at 2.1 (and recorded).
    names = ("network-changed", "network-vif-plugged",
             "network-vif-unplugged", "network-vif-deleted")
    resp = post(cloud, [{"name": n, "server_uuid": sid, "tag": "p1"}
                        for n in names], microversion="2.1")
    assert resp.status_code == 200, resp.text
    assert [e["code"] for e in resp.json()["events"]] == [200] * 4
    _wait(lambda: ("compute_network_changed", "Success") in
          _events(cloud, sid, "network-changed"))
    # 207: one handled, one unknown server (404), one not handleable
    # (422: the tag is no volume of the server, or there is no tag).
    resp = post(cloud, [
        {"name": "volume-extended", "server_uuid": sid, "tag": vid},
        {"name": "volume-extended", "server_uuid": missing, "tag": vid},
        {"name": "volume-extended", "server_uuid": sid,
         "tag": str(uuidlib.uuid4())},
        {"name": "volume-extended", "server_uuid": sid,
         "status": "failed"}])
    assert resp.status_code == 207, resp.text
    assert [(e["code"], e["status"]) for e in resp.json()["events"]] == [
        (200, "completed"), (404, "failed"), (422, "failed"),
        (422, "failed")]
    # None handled: Nova's 404.
    resp = post(cloud, [{"name": "network-changed", "server_uuid": missing}])
    assert resp.status_code == 404, resp.text
    assert resp.json()["itemNotFound"]["message"] == \
        "No instances found for any event"


def test_extending_an_attached_volume_tells_its_guest(cloud):
    """The volume service sends volume-extended itself (Cinder's
    ``os-extend`` of an in-use volume, from volume API 3.42)."""
    sid, vid, manager = _attached(cloud, "grow")
    cloud.openstack("member", "--os-volume-api-version", "3.42", "volume",
                    "set", "--size", "2", "grow-vol")
    assert wait_volume(cloud, "grow-vol", "in-use")["size"] == 2
    _wait(lambda: manager.driver.disk_size(sid, vid[:20]) == 2 * GiB)
    _wait(lambda: ("compute_extend_volume", "Success") in
          _events(cloud, sid, "extend_volume"))


def test_tags_at_server_create_from_2_52(cloud):
    """2.52 (Nova's): ``tags`` in the create body, each server tag 1-60
    characters without ``/`` or ``,``, at most 50; stored as the
    server's tags (a 400 before 2.52)."""
    conn = cloud.sdk("member")
    flavor = conn.compute.find_flavor("m1.tiny").id
    image = conn.image.find_image("demo").id

    def create(minor, tags):
        return conn.compute.post("/servers", microversion=f"2.{minor}",
                                 json={"server": {
                                     "name": "raw-tags", "imageRef": image,
                                     "flavorRef": flavor, "networks": "none",
                                     "tags": tags}})

    resp = create(51, ["a"])
    assert resp.status_code == 400, resp.text
    assert "tags" in resp.json()["badRequest"]["message"]
    for wrong in (["a/b"], ["a,b"], ["x" * 61], [""], [f"t{i}" for i in
                                                      range(51)], "a"):
        assert create(52, wrong).status_code == 400, wrong
    resp = create(52, [f"t{i}" for i in range(50)])
    assert resp.status_code == 202, resp.text
    sid = resp.json()["server"]["id"]
    shown = conn.compute.get(f"/servers/{sid}", microversion="2.52").json()
    assert sorted(shown["server"]["tags"]) == sorted(
        f"t{i}" for i in range(50))
    # openstackclient's --tag (it asks for 2.52).
    created = osc_json(cloud, "member", "--os-compute-api-version", "2.52",
                       "server", "create", "--image", "demo", "--flavor",
                       "m1.tiny", "--nic", "none", "--tag", "web",
                       "--tag", "blue", "--wait", "tagged")
    tags = conn.compute.get(f"/servers/{created['id']}/tags",
                            microversion="2.52").json()["tags"]
    assert tags == ["blue", "web"]
