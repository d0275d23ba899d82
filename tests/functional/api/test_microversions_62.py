"""Compute API 2.62 through the in-process stack and the stock clients:
the events of ``GET /servers/{id}/os-instance-actions/{request_id}``
carry ``hostId`` (the event's host hashed with the action's project, as
a server's ``hostId``) for everyone who sees them, and ``host`` for
those the ``os_compute_api:os-instance-actions:events`` policy lets see
everything (administrators). Checked against the 2.62 shape of Nova's
API reference."""

import hashlib

from tests.functional.api.test_microversions_32_plus import _novaclient
from tests.functional.api.test_microversions_53 import (
    _NULL_STR,
    _UUID,
    _object,
    checked,
)
from tests.functional.api.test_microversions_58 import (
    _network_changed,
    _wait_updated,
)
from tests.functional.api.test_volume_stock_clients import osc_json, server

V262 = "2.62"
_ACTION = {"action": {"type": "string"}, "instance_uuid": _UUID,
           "request_id": {"type": "string"}, "user_id": _NULL_STR,
           "project_id": _NULL_STR, "start_time": {"type": "string"},
           "message": _NULL_STR, "updated_at": _NULL_STR}
_EVENT = {"event": {"type": "string"}, "start_time": {"type": "string"},
          "finish_time": _NULL_STR, "result": _NULL_STR,
          "hostId": {"type": "string"}}


def _show(events, action=_ACTION):
    return _object({"instanceAction": _object(dict(
        action, events={"type": "array", "items": events}))})


#: what an administrator sees, and what the server's owner sees.
SHOW_ADMIN = _show(_object(dict(_EVENT, host=_NULL_STR,
                                traceback=_NULL_STR)))
SHOW_OWNER = _show(_object(_EVENT))


def _event(conn, sid, request_id, schema, version=V262):
    resp = conn.compute.get(
        f"/servers/{sid}/os-instance-actions/{request_id}",
        microversion=version)
    event, = checked(resp, schema)["instanceAction"]["events"]
    return event


def test_event_host_and_host_id_from_2_62(cloud):
    sid = server(cloud, "hosted")
    admin, member = cloud.sdk(), cloud.sdk("member")
    host = admin.compute.get_server(sid).compute_host
    host_id = member.compute.get_server(sid).host_id
    cloud.openstack("member", "server", "rebuild", "--image", "demo",
                    "--wait", sid)
    rebuild = _wait_updated(member, sid, "rebuild")
    _network_changed(cloud, sid)
    changed = _wait_updated(member, sid, "network-changed")

    # The owner's rebuild: hostId is the server's own hostId.
    seen = _event(admin, sid, rebuild["request_id"], SHOW_ADMIN)
    assert (seen["event"], seen["host"], seen["hostId"]) == (
        "compute_rebuild_instance", host, host_id)
    assert "traceback" in seen
    owner = _event(member, sid, rebuild["request_id"], SHOW_OWNER)
    assert owner["hostId"] == host_id
    assert "host" not in owner and "traceback" not in owner
    # An administrator's event is hashed with the action's project.
    seen = _event(admin, sid, changed["request_id"], SHOW_ADMIN)
    admin_project = changed["project_id"]
    assert admin_project == cloud.project_ids["admin"]
    assert seen["hostId"] == hashlib.sha224(
        (admin_project + host).encode()).hexdigest() != host_id
    # Below 2.62 neither, for anyone.
    old = _event(admin, sid, rebuild["request_id"], _show(_object(
        {k: v for k, v in _EVENT.items() if k != "hostId"},
        {"traceback": _NULL_STR}), {k: v for k, v in _ACTION.items()
                                    if k != "updated_at"}),
        version="2.53")
    assert "host" not in old
    # Another project gets no further than the 404.
    resp = cloud.sdk("other").compute.get(
        f"/servers/{sid}/os-instance-actions/{rebuild['request_id']}",
        microversion=V262)
    assert resp.status_code == 404, resp.text


def test_stock_clients_show_event_hosts(cloud):
    sid = server(cloud, "hosted-cli")
    host = cloud.sdk().compute.get_server(sid).compute_host
    host_id = cloud.sdk("member").compute.get_server(sid).host_id
    cloud.openstack("member", "server", "rebuild", "--image", "demo",
                    "--wait", sid)
    rebuild = _wait_updated(cloud.sdk("member"), sid, "rebuild")
    osc = ("--os-compute-api-version", V262, "server", "event", "show")
    shown = osc_json(cloud, "admin", *osc, sid, rebuild["request_id"])
    event, = shown["events"]
    assert (event["host"], event["host_id"]) == (host, host_id)
    shown = osc_json(cloud, "member", *osc, sid, rebuild["request_id"])
    event, = shown["events"]
    assert (event["host"], event["host_id"]) == (None, host_id)

    # novaclient 2.62: the events as dicts.
    nova = _novaclient(cloud, V262)
    action = nova.instance_action.get(sid, rebuild["request_id"])
    assert [(e["host"], e["hostId"]) for e in action.events] == [
        (host, host_id)]
