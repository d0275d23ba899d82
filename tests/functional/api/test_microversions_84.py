"""Compute API 2.84 through the in-process stack and the stock clients:
the events of ``GET /servers/{id}/os-instance-actions/{request_id}``
carry ``details`` (why a failed event failed: the message its server's
fault recorded, ``null`` for one that did not fail) for those the
``os_compute_api:os-instance-actions:events:details`` policy lets see
it, the server's owner by default."""

import json

from tests.functional.api.test_microversions_58 import _wait_updated
from tests.functional.api.test_volume_stock_clients import server
from tests.functional.test_image_workflows import wait_for


def _events(conn, sid, request_id, version):
    resp = conn.compute.get(
        f"/servers/{sid}/os-instance-actions/{request_id}",
        microversion=version)
    assert resp.status_code == 200, resp.text
    return resp.json()["instanceAction"]["events"]


def test_failed_events_say_why_from_2_84(cloud, advertise):
    advertise(84)
    sid = server(cloud, "failing")
    admin, member = cloud.sdk("admin"), cloud.sdk("member")
    host = admin.compute.get_server(sid).compute_host
    cloud.stack.conf.set_override("fail_hosts", [host], "fake")
    resp = member.compute.post(f"/servers/{sid}/action", json={
        "rebuild": {"imageRef": member.compute.get_server(sid).image.id}})
    assert resp.status_code == 202, resp.text
    failed = wait_for(lambda: (lambda s: s if s.status == "ERROR" else None)(
        member.compute.get_server(sid)), 30, "rebuild failed")
    rebuild = _wait_updated(member, sid, "rebuild")

    event, = _events(member, sid, rebuild["request_id"], "2.84")
    assert event["result"] == "Error"
    assert event["details"] == failed.fault["message"]
    assert f"injected spawn failure on {host}" in event["details"]
    assert "traceback" not in event                 # still admins' only
    event, = _events(admin, sid, rebuild["request_id"], "2.84")
    assert "injected spawn failure" in event["details"]
    event, = _events(member, sid, rebuild["request_id"], "2.83")
    assert "details" not in event

    shown = json.loads(cloud.openstack(
        "member", "--os-compute-api-version", "2.84", "server", "event",
        "show", sid, rebuild["request_id"], "-f", "json").stdout)
    event, = shown["events"]
    assert "injected spawn failure" in event["details"]


def test_an_event_that_did_not_fail_has_no_details(cloud, advertise):
    advertise(84)
    sid = server(cloud, "fine")
    member = cloud.sdk("member")
    resp = member.compute.post(f"/servers/{sid}/action", json={
        "rebuild": {"imageRef": member.compute.get_server(sid).image.id}})
    assert resp.status_code == 202, resp.text
    rebuild = _wait_updated(member, sid, "rebuild")
    wait_for(lambda: member.compute.get_server(sid).status == "ACTIVE",
             30, "rebuilt")
    event, = _events(member, sid, rebuild["request_id"], "2.84")
    assert (event["result"], event["details"]) == ("Success", None)
