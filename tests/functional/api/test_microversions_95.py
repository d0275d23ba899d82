"""Compute API 2.95 through the in-process stack (fake plugin, hosts
fake-1 and fake-2): from 2.95 an evacuated server ends stopped on its
new host (unless it was in ERROR, which ends ACTIVE); below it a server
ends in the state it had, as a rebuild does: a stopped server is
stopped again after its guest is rebuilt (Nova's)."""

from nimbus.core.interfaces import power_state
from tests.functional.api.test_live_migration import _boot, _wait, _zone_b

_SHUTOFF = ("SHUTOFF", power_state.SHUTDOWN)


def _state(admin, sid):
    server = admin.compute.get_server(sid)
    if server.task_state is not None:
        return None
    return server.status, server.power_state


def _action(admin, sid, body, version):
    return admin.compute.post(f"/servers/{sid}/action", json=body,
                              microversion=version)


def _settles_as(admin, sid, expected):
    _wait(lambda: _state(admin, sid) == expected, 30,
          f"{sid} {expected}, is {_state(admin, sid)}")


def test_evacuated_servers_end_stopped_from_2_95(cloud, advertise):
    advertise(95)
    admin = cloud.sdk("admin")
    _zone_b(cloud)
    active, stopped, broken, old = _boot(cloud, 4)
    assert _action(admin, stopped, {"os-stop": None},
                   "2.1").status_code == 202
    _settles_as(admin, stopped, _SHUTOFF)
    assert _action(admin, broken, {"os-resetState": {"state": "error"}},
                   "2.1").status_code == 202
    cloud.stack.compute("fake-1").stop()
    assert admin.compute.put("/os-services/force-down", json={
        "host": "fake-1", "binary": "nimbus-compute", "forced_down": True},
        microversion="2.11").status_code == 200

    for sid, version, expected in (
            (active, "2.95", _SHUTOFF),
            (broken, "2.95", ("ACTIVE", power_state.RUNNING)),
            (stopped, "2.94", _SHUTOFF),
            (old, "2.94", ("ACTIVE", power_state.RUNNING))):
        resp = _action(admin, sid, {"evacuate": {}}, version)
        assert resp.status_code == 200, (version, resp.text)
        _settles_as(admin, sid, expected)
        server = admin.compute.get_server(sid)
        # in its new host's zone (none is pinned)
        assert (server.compute_host, server.availability_zone) == (
            "fake-2", "zone-b")
    driver = cloud.stack.compute("fake-2").manager.driver
    assert driver.get_info(active).power_state == power_state.SHUTDOWN
    assert driver.get_info(old).power_state == power_state.RUNNING
    # A stopped server comes back stopped from a rebuild too, and starts.
    resp = _action(admin, active, {"rebuild": {
        "imageRef": admin.compute.get_server(active).image.id}}, "2.95")
    assert resp.status_code == 202, resp.text
    _settles_as(admin, active, _SHUTOFF)
    assert _action(admin, active, {"os-start": None},
                   "2.95").status_code == 202
    _settles_as(admin, active, ("ACTIVE", power_state.RUNNING))
