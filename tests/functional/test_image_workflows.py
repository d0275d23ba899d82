"""Rebuild, snapshot, shelve/unshelve, rescue and evacuate through
openstacksdk against the embedded stack (fake hypervisor hosts fake-1 and
fake-2, the local image store)."""

import time

import pytest
from openstack import exceptions as sdk_exc

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def wait_for(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_status(conn, server, status, timeout=20):
    def check():
        current = conn.compute.get_server(server.id)
        return current if current.status == status and \
            current.task_state is None else None
    return wait_for(check, timeout, f"{server.id} {status}")


def boot(conn, name="wf"):
    server = conn.compute.create_server(name=name, image_id=DEMO_IMAGE,
                                        flavor_id="1", networks="auto")
    return wait_status(conn, server, "ACTIVE")


def usage(admin):
    """{hypervisor host: (vcpus_used, memory_mb_used, running_vms)}."""
    return {h["hypervisor_hostname"]: (h["vcpus_used"], h["memory_mb_used"],
                                       h["running_vms"])
            for h in admin.compute.get("/os-hypervisors/detail").json()[
                "hypervisors"]}


def actions(conn, server):
    return [a["action"] for a in conn.compute.get(
        f"/servers/{server.id}/os-instance-actions").json()[
            "instanceActions"]]


def test_snapshot_makes_a_bootable_image(stack):
    conn = stack.sdk()
    server = boot(conn)
    image = conn.compute.create_server_image(server, "snap-1",
                                             metadata={"purpose": "test"})
    image = wait_for(lambda: (lambda i: i if i.status == "ACTIVE" else None)(
        conn.compute.get_image(image.id)), what="image active")
    meta = image.metadata
    assert meta["image_type"] == "snapshot"
    assert meta["instance_uuid"] == server.id
    assert meta["base_image_ref"] == DEMO_IMAGE
    assert meta["purpose"] == "test"
    # What Nova's libvirt driver adds with the data.
    assert (meta["image_location"], meta["image_state"],
            meta["owner_id"]) == ("snapshot", "available", server.project_id)
    # The demo image's kernel and ramdisk come along, so it boots.
    base = conn.compute.get_image(DEMO_IMAGE).metadata
    for key in ("kernel_id", "ramdisk_id"):
        if key in base:
            assert meta[key] == base[key]
    assert wait_status(conn, server, "ACTIVE").task_state is None
    again = conn.compute.create_server(name="from-snap", image_id=image.id,
                                       flavor_id="1", networks="auto")
    again = wait_status(conn, again, "ACTIVE")
    assert again.image["id"] == image.id
    assert "createImage" in actions(conn, server)


def test_snapshot_body_at_2_45_and_refusals(stack):
    conn = stack.sdk()
    server = boot(conn)
    # Below 2.45: no body, the image in the Location header (Nova's).
    response = conn.compute.post(
        f"/servers/{server.id}/action", json={"createImage": {"name": "x"}},
        headers={"OpenStack-API-Version": "compute 2.44"})
    assert response.status_code == 202, response.text
    assert not response.content
    old_id = response.headers["Location"].rsplit("/", 1)[1]
    assert response.headers["Location"].endswith(f"/v2.1/images/{old_id}")
    wait_for(lambda: conn.compute.get_image(old_id).status == "ACTIVE",
             what="2.44 snapshot")
    wait_status(conn, server, "ACTIVE")
    # From 2.45: {"image_id"} and no Location.
    response = conn.compute.post(
        f"/servers/{server.id}/action", json={"createImage": {"name": "y"}},
        headers={"OpenStack-API-Version": "compute 2.45"})
    assert response.status_code == 202, response.text
    assert "Location" not in response.headers
    body = response.json()
    assert list(body) == ["image_id"]
    new = wait_for(lambda: (lambda i: i if i.status == "ACTIVE" else None)(
        conn.compute.get_image(body["image_id"])), what="2.45 snapshot")
    assert new.name == "y" and new.id != old_id
    response = conn.compute.post(f"/servers/{server.id}/action",
                                 json={"createImage": {}})
    assert response.status_code == 400
    assert "name" in response.json()["badRequest"]["message"]
    conn.compute.stop_server(server)
    wait_status(conn, server, "SHUTOFF")
    # Stopped servers snapshot too; a server mid-task does not.
    conn.compute.post(f"/servers/{server.id}/action",
                      json={"os-start": None})
    response = conn.compute.post(f"/servers/{server.id}/action",
                                 json={"createImage": {"name": "busy"}})
    assert response.status_code in (202, 409)


def test_rebuild_keeps_the_server_and_changes_its_image(stack):
    conn = stack.sdk()
    server = boot(conn)
    snap = conn.compute.create_server_image(server, "rebuild-src")
    wait_for(lambda: conn.compute.get_image(snap.id).status == "ACTIVE",
             what="snapshot")
    rebuilt = conn.compute.rebuild_server(server, image=snap.id,
                                          name="renamed",
                                          admin_password="s3cret",
                                          metadata={"k": "v"})
    assert rebuilt.admin_password == "s3cret"
    server = wait_status(conn, server, "ACTIVE")
    assert server.name == "renamed"
    assert server.image["id"] == snap.id
    assert server.metadata == {"k": "v"}
    assert "rebuild" in actions(conn, server)
    response = conn.compute.post(
        f"/servers/{server.id}/action",
        json={"rebuild": {"imageRef": "no-such-image"}})
    assert response.status_code == 400
    response = conn.compute.post(
        f"/servers/{server.id}/action",
        json={"rebuild": {"imageRef": DEMO_IMAGE, "bogus": 1}})
    assert response.status_code == 400


def test_shelve_frees_the_host_and_unshelve_boots_again(stack):
    conn, admin = stack.sdk(), stack.sdk("admin:admin")
    before = usage(admin)
    server = boot(conn)
    addresses = server.addresses
    conn.compute.shelve_server(server)
    shelved = wait_status(conn, server, "SHELVED_OFFLOADED")
    assert usage(admin) == before
    assert admin.compute.get_server(server.id).compute_host is None
    assert shelved.power_state == 0
    images = [i for i in conn.compute.images()
              if i.name == f"{server.name}-shelved"]
    assert len(images) == 1
    conn.compute.unshelve_server(server)
    server = wait_status(conn, server, "ACTIVE")
    now = admin.compute.get_server(server.id).hypervisor_hostname
    assert now in ("fake-1", "fake-2")
    # Its ports stayed bound while it was offloaded: same addresses.
    assert server.addresses == addresses
    after = usage(admin)
    assert sum(v[2] for v in after.values()) == \
        sum(v[2] for v in before.values()) + 1
    # The shelved image goes once the server runs again.
    with pytest.raises(sdk_exc.NotFoundException):
        conn.compute.get_image(images[0].id)
    assert {"shelve", "unshelve"} <= set(actions(conn, server))


def test_shelve_offload_and_unshelve_states(stack):
    conn, admin = stack.sdk(), stack.sdk("admin:admin")
    stack.conf.set_override("shelved_offload_time", -1, "compute")
    try:
        server = boot(conn)
        conn.compute.shelve_server(server)
        wait_status(conn, server, "SHELVED")
        # Still on its host until offloaded (by an administrator).
        assert admin.compute.get_server(server.id).compute_host
        response = conn.compute.post(f"/servers/{server.id}/action",
                                     json={"shelveOffload": None})
        assert response.status_code == 403
        admin.compute.shelve_offload_server(server)
        wait_status(conn, server, "SHELVED_OFFLOADED")
        assert admin.compute.get_server(server.id).compute_host is None
        response = conn.compute.post(f"/servers/{server.id}/action",
                                     json={"shelve": None})
        assert response.status_code == 409
    finally:
        stack.conf.clear_override("shelved_offload_time", "compute")
    conn.compute.unshelve_server(server)
    wait_status(conn, server, "ACTIVE")


def test_deleting_a_shelved_server_deletes_its_image(stack):
    """As Nova: the snapshot a shelved server would unshelve from goes
    with the server."""
    conn = stack.sdk()
    server = boot(conn, "wf-gone")
    conn.compute.shelve_server(server)
    wait_status(conn, server, "SHELVED_OFFLOADED")
    image, = [i for i in conn.compute.images()
              if i.name == "wf-gone-shelved"]
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.05, wait=20)
    with pytest.raises(sdk_exc.NotFoundException):
        conn.compute.get_image(image.id)


def test_rescue_and_unrescue(stack):
    conn = stack.sdk()
    server = boot(conn)
    response = conn.compute.post(f"/servers/{server.id}/action",
                                 json={"rescue": {"adminPass": "pw"}})
    assert response.status_code == 200
    assert response.json() == {"adminPass": "pw"}
    wait_status(conn, server, "RESCUE")
    console = conn.compute.get_server_console_output(server)["output"]
    assert f"rescued from image {DEMO_IMAGE}" in console
    response = conn.compute.post(f"/servers/{server.id}/action",
                                 json={"rescue": None})
    assert response.status_code == 409
    conn.compute.unrescue_server(server)
    wait_status(conn, server, "ACTIVE")
    assert "unrescued" in conn.compute.get_server_console_output(
        server)["output"]
    response = conn.compute.post(f"/servers/{server.id}/action",
                                 json={"unrescue": None})
    assert response.status_code == 409


def test_evacuate_rebuilds_on_the_other_host(stack):
    conn, admin = stack.sdk(), stack.sdk("admin:admin")
    server = boot(conn)
    source = admin.compute.get_server(server.id).compute_host
    target = "fake-2" if source == "fake-1" else "fake-1"
    # Refused while the host is up.
    response = admin.compute.post(
        f"/servers/{server.id}/action",
        json={"evacuate": {"onSharedStorage": False}})
    assert response.status_code == 400, response.text
    stack.compute(source).stop()
    response = admin.compute.put(
        "/os-services/force-down",
        json={"host": source, "binary": "nimbus-compute",
              "forced_down": True},
        headers={"OpenStack-API-Version": "compute 2.11"})
    assert response.status_code == 200, response.text
    response = admin.compute.post(
        f"/servers/{server.id}/action",
        json={"evacuate": {"onSharedStorage": False}})
    assert response.status_code == 200, response.text
    assert response.json()["adminPass"]
    server = wait_status(conn, server, "ACTIVE")
    assert admin.compute.get_server(server.id).compute_host == target
    migrations = admin.compute.get(
        "/os-migrations", headers={"OpenStack-API-Version":
                                   "compute 2.11"}).json()["migrations"]
    mine = [m for m in migrations if m["instance_uuid"] == server.id]
    assert len(mine) == 1
    assert mine[0]["status"] == "done"
    assert mine[0]["source_compute"] == source
    assert mine[0]["dest_compute"] == target
    from nimbus.core import context
    from nimbus.core.db import api as db_api
    records = db_api.migrations.get_all(context.get_admin_context(),
                                        {"instance_uuid": server.id})
    assert [r["migration_type"] for r in records] == ["evacuation"]
    # Claims: the server counts on the target only.
    counts = usage(admin)
    assert counts[target][2] == 1 and counts[source][2] == 0
