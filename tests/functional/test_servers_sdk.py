"""The embedded stack driven through openstacksdk (a real client)."""

import time

import pytest
from openstack import exceptions as sdk_exc

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def wait_status(conn, server, status, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = conn.compute.get_server(server.id)
        if server.status == status:
            return server
        time.sleep(0.05)
    raise AssertionError(f"{server.id} is {server.status}, not {status}")


def test_boot_list_actions_delete(stack):
    conn = stack.sdk()
    server = conn.compute.create_server(name="vm1", image_id=DEMO_IMAGE,
                                        flavor_id="1", networks="auto")
    server = wait_status(conn, server, "ACTIVE")
    assert server.vm_state == "active"
    assert server.power_state == 1
    assert [s.name for s in conn.compute.servers()] == ["vm1"]

    conn.compute.stop_server(server)
    wait_status(conn, server, "SHUTOFF")
    conn.compute.start_server(server)
    wait_status(conn, server, "ACTIVE")
    conn.compute.reboot_server(server, "HARD")
    wait_status(conn, server, "ACTIVE")
    output = conn.compute.get_server_console_output(server)["output"]
    assert "rebooted (HARD)" in output

    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.05, wait=20)
    assert list(conn.compute.servers()) == []


def test_unknown_ids_are_404_and_names_resolve(stack):
    conn = stack.sdk()
    with pytest.raises(sdk_exc.NotFoundException):
        conn.compute.get_server("no-such-server")
    server = conn.compute.create_server(name="named", image_id=DEMO_IMAGE,
                                        flavor_id="1", networks="auto")
    found = conn.compute.find_server("named")
    assert found.id == server.id
    assert conn.compute.find_flavor("m1.tiny").id == "1"


def test_other_project_cannot_see_or_delete(stack):
    mine = stack.sdk("alice:proj-a")
    theirs = stack.sdk("bob:proj-b")
    server = mine.compute.create_server(name="private", image_id=DEMO_IMAGE,
                                        flavor_id="1", networks="auto")
    with pytest.raises(sdk_exc.NotFoundException):
        theirs.compute.get_server(server.id)
    response = theirs.compute.delete(f"/servers/{server.id}")
    assert response.status_code == 404
    assert list(theirs.compute.servers()) == []
    assert mine.compute.get_server(server.id).id == server.id


def test_action_from_wrong_state_is_409(stack):
    conn = stack.sdk()
    server = conn.compute.create_server(name="vm", image_id=DEMO_IMAGE,
                                        flavor_id="1", networks="auto")
    wait_status(conn, server, "ACTIVE")
    with pytest.raises(sdk_exc.ConflictException):
        conn.compute.start_server(server)


def test_no_valid_host_is_explained(stack):
    stack.conf.set_override("ram", -1, "quota")  # no quota in the way
    admin = stack.sdk("admin:admin")
    admin.compute.create_flavor(name="huge", ram=10 ** 7, vcpus=1, disk=1,
                                id="huge")
    conn = stack.sdk()
    server = conn.compute.create_server(name="big", image_id=DEMO_IMAGE,
                                        flavor_id="huge", networks="auto")
    server = wait_status(conn, server, "ERROR")
    message = server.fault["message"]
    assert "No valid host" in message
    assert "resources removed 2" in message, message


def test_services_and_hypervisors_are_admin_only(stack):
    admin = stack.sdk("admin:admin")
    hosts = sorted(h.name for h in admin.compute.hypervisors())
    assert hosts == ["fake-1", "fake-2"]
    states = {(s.binary, s.host): s.state for s in admin.compute.services()}
    assert states[("nova-compute", "fake-1")] == "up"
    with pytest.raises(sdk_exc.ForbiddenException):
        list(stack.sdk().compute.services())
