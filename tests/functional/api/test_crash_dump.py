"""Compute API 2.17: trigger_crash_dump (an NMI to the guest) through the
openstack client, and its refusals. ``fake-2`` runs without the
``crash_dump`` capability."""

import json
import time

import pytest

from nimbus.plugins.hypervisors.fake import conf as fake_conf
from tests.functional.api.spread import boot_one_per_host

V217 = {"OpenStack-API-Version": "compute 2.17"}
NMI = "NMI received for unknown reason"


@pytest.fixture
def nimbus_conf(nimbus_conf):
    fake_conf.register_opts(nimbus_conf)
    nimbus_conf.set_override("disabled_capabilities",
                             ["fake-2:crash_dump"], "fake")
    yield nimbus_conf
    nimbus_conf.clear_override("disabled_capabilities", "fake")


def _console(conn, sid):
    resp = conn.compute.post(f"/servers/{sid}/action",
                             json={"os-getConsoleOutput": {}})
    assert resp.status_code == 200, resp.text
    return resp.json()["output"]


def test_crash_dump_and_its_refusals(cloud):
    admin = cloud.sdk("admin")
    placed = boot_one_per_host(admin, admin, "nmi")
    sid = placed["fake-1"]
    assert NMI not in _console(admin, sid)
    cloud.openstack("admin", "--os-compute-api-version", "2.17", "server",
                    "dump", "create", sid)
    deadline = time.monotonic() + 60
    while NMI not in _console(admin, sid):
        assert time.monotonic() < deadline, _console(admin, sid)
        time.sleep(0.3)
    actions = json.loads(cloud.openstack(
        "admin", "server", "event", "list", sid, "-f", "json").stdout)
    assert "trigger_crash_dump" in [a["Action"] for a in actions]
    shown = admin.compute.get(f"/servers/{sid}").json()["server"]
    assert shown["status"] == "ACTIVE"

    url = f"/servers/{sid}/action"
    # Below 2.17 there is no such action (404, as Nova).
    resp = admin.compute.post(url, json={"trigger_crash_dump": None},
                              headers={"OpenStack-API-Version":
                                       "compute 2.16"})
    assert resp.status_code == 404, resp.text
    assert resp.json()["itemNotFound"]["code"] == 404
    # The body is exactly null.
    for args in ({}, {"x": 1}, "now", 1):
        resp = admin.compute.post(url, json={"trigger_crash_dump": args},
                                  headers=V217)
        assert resp.status_code == 400, (args, resp.text)
        assert resp.json()["badRequest"]["code"] == 400
    # A host whose plugin cannot: 409 before anything is recorded.
    other = placed["fake-2"]
    resp = admin.compute.post(f"/servers/{other}/action",
                              json={"trigger_crash_dump": None},
                              headers=V217)
    assert resp.status_code == 409, resp.text
    assert "conflictingRequest" in resp.json()
    events = admin.compute.get(
        f"/servers/{other}/os-instance-actions").json()["instanceActions"]
    assert "trigger_crash_dump" not in [a["action"] for a in events]
    # A stopped server: 409 (Nova's states: active, paused, rescued,
    # resized, error).
    admin.compute.post(url, json={"os-stop": None})
    admin.compute.wait_for_server(admin.compute.get_server(sid),
                                  status="SHUTOFF", interval=0.2, wait=60)
    resp = admin.compute.post(url, json={"trigger_crash_dump": None},
                              headers=V217)
    assert resp.status_code == 409, resp.text
    assert "conflictingRequest" in resp.json()
    # Another project's server is not there for them.
    resp = cloud.sdk("other").compute.post(
        url, json={"trigger_crash_dump": None}, headers=V217)
    assert resp.status_code == 404, resp.text
    for server_id in placed.values():
        admin.compute.delete_server(server_id)
