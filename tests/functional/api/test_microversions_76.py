"""Compute API 2.76 through the in-process stack (fake plugin):
``power-update`` external events. The event says a server's power
changed outside the compute service (tag ``POWER_ON`` or
``POWER_OFF``); as in Nova it starts a ``start`` or ``stop`` instance
action, is a no-op unless the server is settled in the opposite state,
and otherwise fails on the host because no nimbus plugin lets another
service own its guests' power (Nova's libvirt driver does the same;
only its ironic driver takes the event). 2.76 is above the advertised
run, so the test advertises it."""

from tests.functional.api.test_microversions_51_plus import (
    _events,
    _wait,
    post,
)
from tests.functional.api.test_volume_stock_clients import server


def _actions(cloud, sid):
    return [a["action"] for a in cloud.sdk("admin").compute.get(
        f"/servers/{sid}/os-instance-actions").json()["instanceActions"]]


def _state(cloud, sid):
    shown = cloud.sdk("admin").compute.get(f"/servers/{sid}").json()[
        "server"]
    return (shown["status"], shown["OS-EXT-STS:task_state"],
            shown["OS-EXT-STS:power_state"])


def test_power_update_events_from_2_76(cloud, advertise):
    advertise(76)
    sid = server(cloud, "powered")
    off = {"name": "power-update", "server_uuid": sid, "tag": "POWER_OFF"}
    resp = post(cloud, [off], microversion="2.75")
    assert resp.status_code == 400, resp.text
    assert "power-update" in resp.json()["badRequest"]["message"]
    assert post(cloud, [off], microversion="2.76",
                who="member").status_code == 403

    # Without its tag the event is Nova's per-event 400.
    resp = post(cloud, [off, {"name": "power-update", "server_uuid": sid}],
                microversion="2.76")
    assert resp.status_code == 207, resp.text
    assert [(e["code"], e["status"]) for e in resp.json()["events"]] == [
        (200, "completed"), (400, "failed")]
    # POWER_OFF of a running server: a stop action whose compute event
    # fails (the fake plugin powers its guests itself); nothing changes.
    _wait(lambda: ("compute_power_update", "Error") in
          _events(cloud, sid, "stop"))
    assert _state(cloud, sid) == ("ACTIVE", None, 1)

    # POWER_ON of a running server: a start action, a no-op.
    resp = post(cloud, [dict(off, tag="POWER_ON")], microversion="2.76")
    assert resp.status_code == 200, resp.text
    _wait(lambda: ("compute_power_update", "Success") in
          _events(cloud, sid, "start"))
    assert _state(cloud, sid) == ("ACTIVE", None, 1)

    # Another tag is answered 200 and dropped: no action.
    before = _actions(cloud, sid)
    resp = post(cloud, [dict(off, tag="POWER_MAYBE")], microversion="2.76")
    assert resp.status_code == 200, resp.text
    assert resp.json()["events"][0]["code"] == 200
    assert _actions(cloud, sid) == before
