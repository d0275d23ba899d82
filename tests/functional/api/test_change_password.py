"""changePassword (Nova's os-admin-password): openstacksdk sets it on a
fake guest, and its refusals. ``fake-2`` runs without the
``set_admin_password`` capability."""

import pytest
from openstack import exceptions as sdk_exc

from nimbus.plugins.hypervisors.fake import conf as fake_conf
from tests.functional.api.spread import boot_one_per_host


@pytest.fixture
def nimbus_conf(nimbus_conf):
    fake_conf.register_opts(nimbus_conf)
    nimbus_conf.set_override("disabled_capabilities",
                             ["fake-2:set_admin_password"], "fake")
    yield nimbus_conf
    nimbus_conf.clear_override("disabled_capabilities", "fake")


def _actions(conn, sid):
    events = conn.compute.get(
        f"/servers/{sid}/os-instance-actions").json()["instanceActions"]
    return [a["action"] for a in events]


def test_change_password_and_its_refusals(cloud):
    admin, member = cloud.sdk("admin"), cloud.sdk("member")
    placed = boot_one_per_host(member, admin, "pw")
    sid = placed["fake-1"]
    driver = cloud.stack.compute("fake-1").manager.driver
    assert driver.admin_password(sid) is None

    # The stock SDK call (the CLIs prompt for the password).
    member.compute.change_server_password(sid, "n3w-Secret")
    assert driver.admin_password(sid) == "n3w-Secret"
    assert "changePassword" in _actions(member, sid)
    shown = member.compute.get(f"/servers/{sid}").json()["server"]
    assert shown["status"] == "ACTIVE"
    assert shown["OS-EXT-STS:task_state"] is None

    url = f"/servers/{sid}/action"
    resp = admin.compute.post(url, json={"changePassword": {
        "adminPass": "again"}})
    assert resp.status_code == 202, resp.text
    assert resp.text == ""
    assert driver.admin_password(sid) == "again"
    # Nova's schema: exactly one string adminPass.
    for args in (None, {}, {"adminPass": 1}, {"adminPass": None},
                 {"adminPass": "x", "extra": 1}, "x"):
        resp = admin.compute.post(url, json={"changePassword": args})
        assert resp.status_code == 400, (args, resp.text)
        assert resp.json()["badRequest"]["code"] == 400
    assert driver.admin_password(sid) == "again"
    # Another project's server is not there for them.
    with pytest.raises(sdk_exc.NotFoundException):
        cloud.sdk("other").compute.change_server_password(sid, "theirs")

    # The plugin fails: 409, the task is cleared, the fault recorded.
    cloud.stack.conf.set_override("fail_hosts", ["fake-1"], "fake")
    cloud.stack.conf.set_override("fail_ops", ["set_admin_password"], "fake")
    try:
        resp = member.compute.post(url, json={"changePassword": {
            "adminPass": "lost"}})
    finally:
        cloud.stack.conf.clear_override("fail_hosts", "fake")
        cloud.stack.conf.clear_override("fail_ops", "fake")
    assert resp.status_code == 409, resp.text
    assert "conflictingRequest" in resp.json()
    assert driver.admin_password(sid) == "again"
    shown = member.compute.get(f"/servers/{sid}").json()["server"]
    assert (shown["status"], shown["OS-EXT-STS:task_state"]) == (
        "ACTIVE", None)

    # A host whose plugin cannot: 501 (Nova's NotImplemented), nothing
    # recorded, the server untouched.
    other = placed["fake-2"]
    resp = member.compute.post(f"/servers/{other}/action", json={
        "changePassword": {"adminPass": "nope"}})
    assert resp.status_code == 501, resp.text
    assert "Unable to set password on instance" in resp.text
    assert "changePassword" not in _actions(member, other)
    shown = member.compute.get(f"/servers/{other}").json()["server"]
    assert shown["OS-EXT-STS:task_state"] is None

    # Not ACTIVE: 409.
    member.compute.post(url, json={"os-stop": None})
    member.compute.wait_for_server(member.compute.get_server(sid),
                                   status="SHUTOFF", interval=0.2, wait=60)
    resp = member.compute.post(url, json={"changePassword": {
        "adminPass": "off"}})
    assert resp.status_code == 409, resp.text
    assert "conflictingRequest" in resp.json()
    assert driver.admin_password(sid) == "again"
    for server_id in placed.values():
        admin.compute.delete_server(server_id)
