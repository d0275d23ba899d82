"""Volumes with stock clients (python-openstackclient, openstacksdk)
against nimbus alone (fake hypervisor, fake volume backend): the
Block Storage dialect found through the catalog, attach and detach
through compute, and what happens to volumes when servers go."""

import concurrent.futures
import json
import time

import pytest
import requests

from tests.functional.api.test_policy_matrix_volumes import (
    unlimited_volumes,
)

DEMO_IMAGE = "a0d1c0de-0000-4000-8000-000000000001"


def osc_json(cloud, who, *args):
    return json.loads(cloud.openstack(who, *args, "-f", "json").stdout)


def sdk_wait(read, wanted, deadline, what, error="error"):
    """Poll ``read()`` (an openstacksdk look in this process: a few
    milliseconds, where each ``openstack`` process costs more than a
    second of CPU) until it returns ``wanted``; never past ``deadline``
    nor on a status starting with ``error``. The stock client then shows
    the result, as the waits that polled it did."""
    while True:
        current = read()
        if current == wanted:
            return
        assert not current.lower().startswith(error), (what, current)
        assert time.monotonic() < deadline, (what, current, wanted)
        time.sleep(0.1)


def wait_volume(cloud, name, status, who="member", timeout=30):
    deadline = time.monotonic() + timeout
    volumes = cloud.sdk(who).block_storage
    sdk_wait(lambda: volumes.find_volume(name, ignore_missing=False).status,
             status, deadline, name)
    while True:
        shown = osc_json(cloud, who, "volume", "show", name)
        if shown["status"] == status:
            return shown
        assert not shown["status"].startswith("error"), shown
        assert time.monotonic() < deadline, (name, shown["status"], status)
        time.sleep(0.3)


def server(cloud, name, who="member"):
    created = osc_json(cloud, who, "server", "create", "--image", "demo",
                       "--flavor", "m1.tiny", "--wait", name)
    assert created["status"] == "ACTIVE"
    return created["id"]


def test_openstack_cli_volume_lifecycle(cloud):
    osc = cloud.openstack
    created = osc_json(cloud, "member", "volume", "create", "--size", "1",
                       "--description", "first", "v1")
    assert created["size"] == 1 and created["name"] == "v1"
    wait_volume(cloud, "v1", "available")
    rows = osc_json(cloud, "member", "volume", "list")
    assert [(r["Name"], r["Status"], r["Size"]) for r in rows] == [
        ("v1", "available", 1)]
    long_rows = osc_json(cloud, "member", "volume", "list", "--long")
    assert long_rows[0]["Bootable"] in ("false", False)
    osc("member", "volume", "set", "--name", "v1b", "--description",
        "renamed", "v1")
    shown = osc_json(cloud, "member", "volume", "show", "v1b")
    assert (shown["name"], shown["description"]) == ("v1b", "renamed")
    osc("member", "volume", "set", "--size", "2", "v1b")
    assert wait_volume(cloud, "v1b", "available")["size"] == 2
    # Snapshots, and a volume made from one (size from the snapshot).
    osc("member", "volume", "snapshot", "create", "--volume", "v1b", "s1")
    deadline = time.monotonic() + 30
    while osc_json(cloud, "member", "volume", "snapshot", "show",
                   "s1")["status"] != "available":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    snaps = osc_json(cloud, "member", "volume", "snapshot", "list")
    assert [(s["Name"], s["Size"]) for s in snaps] == [("s1", 2)]
    from_snap = osc_json(cloud, "member", "volume", "create", "--snapshot",
                         "s1", "v2")
    assert from_snap["size"] == 2
    assert from_snap["snapshot_id"] == snaps[0]["ID"]
    wait_volume(cloud, "v2", "available")
    # A volume with snapshots cannot go; without, it can.
    assert osc("member", "volume", "delete", "v1b",
               check=False).returncode == 1
    osc("member", "volume", "snapshot", "delete", "s1")
    deadline = time.monotonic() + 30
    while osc_json(cloud, "member", "volume", "snapshot", "list"):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    from_image = osc_json(cloud, "member", "volume", "create", "--size",
                          "1", "--image", "demo", "v3")
    assert from_image["size"] == 1
    assert wait_volume(cloud, "v3", "available")["bootable"] in (
        "true", True)
    osc("member", "volume", "delete", "v1b", "v2", "v3")
    deadline = time.monotonic() + 30
    while osc_json(cloud, "member", "volume", "list"):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    # The reader sees but does not write; the other project sees nothing.
    assert osc("reader", "volume", "create", "--size", "1", "r",
               check=False).returncode == 1
    assert osc_json(cloud, "other", "volume", "list") == []


def test_openstack_cli_server_add_and_remove_volume(cloud):
    osc = cloud.openstack
    server_id = server(cloud, "vm1")
    osc("member", "volume", "create", "--size", "1", "data")
    volume = wait_volume(cloud, "data", "available")
    osc("member", "server", "add", "volume", "vm1", "data")
    attached = wait_volume(cloud, "data", "in-use")
    (entry,) = attached["attachments"]
    assert entry["server_id"] == server_id
    assert entry["device"] == "/dev/vdb"
    listed = cloud.openstack("member", "volume", "list").stdout
    assert "Attached to vm1 on /dev/vdb" in listed
    compute = cloud.stack.compute(cloud.sdk("admin").compute.get_server(
        server_id).compute_host)
    assert compute.manager.driver.disk_serials(server_id) == [
        volume["id"][:20]]
    # In use: no delete, and a second attach of it is refused.
    assert osc("member", "volume", "delete", "data",
               check=False).returncode == 1
    osc("member", "volume", "set", "--size", "3", "data")
    assert wait_volume(cloud, "data", "in-use")["size"] == 3
    # A stopped server lets go of a volume too, and cannot take one.
    osc("member", "server", "stop", "vm1")
    deadline = time.monotonic() + 30
    servers = cloud.sdk("member").compute
    sdk_wait(lambda: servers.find_server("vm1", ignore_missing=False).status,
             "SHUTOFF", deadline, "vm1")
    while osc_json(cloud, "member", "server", "show", "vm1")[
            "status"] != "SHUTOFF":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    osc("member", "server", "remove", "volume", "vm1", "data")
    assert wait_volume(cloud, "data", "available")["attachments"] == []
    assert compute.manager.driver.disk_serials(server_id) == []
    refused = osc("member", "server", "add", "volume", "vm1", "data",
                  check=False)
    assert refused.returncode == 1 and "vm_state" in refused.stderr
    assert wait_volume(cloud, "data", "available")["attachments"] == []


def _wait_server(cloud, name, status, timeout=30):
    deadline = time.monotonic() + timeout
    servers = cloud.sdk("member").compute

    def settled():
        found = servers.find_server(name, ignore_missing=False)
        return "busy" if found.task_state else found.status
    sdk_wait(settled, status, deadline, name)
    while True:
        shown = osc_json(cloud, "member", "server", "show", name)
        if shown["status"] == status and not shown.get(
                "OS-EXT-STS:task_state"):
            return shown
        assert time.monotonic() < deadline, (name, shown["status"])
        time.sleep(0.3)


def test_volumes_of_a_shelved_offloaded_server_from_2_20(cloud):
    """2.20 (Nova's): a shelved-offloaded server (no host) takes and
    gives back volumes; the attachment is only recorded, and the volume
    is connected when the server is unshelved on a host. Below 2.20
    both are a 409."""
    osc = cloud.openstack
    server_id = server(cloud, "shelf")
    for name in ("early", "late"):
        osc("member", "volume", "create", "--size", "1", name)
    early = wait_volume(cloud, "early", "available")
    late = wait_volume(cloud, "late", "available")
    osc("member", "server", "add", "volume", "shelf", "early")
    wait_volume(cloud, "early", "in-use")
    osc("member", "server", "shelve", "shelf")
    _wait_server(cloud, "shelf", "SHELVED_OFFLOADED")
    conn = cloud.sdk("member")
    path = f"/servers/{server_id}/os-volume_attachments"

    def v(minor):
        return {"OpenStack-API-Version": f"compute 2.{minor}"}

    resp = conn.compute.post(path, headers=v(19), json={
        "volumeAttachment": {"volumeId": late["id"]}})
    assert resp.status_code == 409, resp.text
    assert "vm_state shelved_offloaded" in \
        resp.json()["conflictingRequest"]["message"]
    resp = conn.compute.delete(f"{path}/{early['id']}", headers=v(19))
    assert resp.status_code == 409, resp.text
    assert wait_volume(cloud, "late", "available")["attachments"] == []
    # 2.20: Nova's attach body; the volume is in use on no host.
    resp = conn.compute.post(path, headers=v(20), json={
        "volumeAttachment": {"volumeId": late["id"]}})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"volumeAttachment": {
        "id": late["id"], "serverId": server_id, "volumeId": late["id"],
        "device": "/dev/vdc"}}
    (entry,) = wait_volume(cloud, "late", "in-use")["attachments"]
    assert (entry["server_id"], entry["host_name"], entry["device"]) == \
        (server_id, None, "/dev/vdc")
    listed = conn.compute.get(path, headers=v(20)).json()
    assert sorted(a["volumeId"] for a in listed["volumeAttachments"]) == \
        sorted([early["id"], late["id"]])
    # openstackclient (at the maximum) detaches from it too.
    osc("member", "server", "remove", "volume", "shelf", "early")
    assert wait_volume(cloud, "early", "available")["attachments"] == []
    shown = conn.compute.get(f"/servers/{server_id}", headers=v(20)).json()
    assert [a["id"] for a in shown["server"][
        "os-extended-volumes:volumes_attached"]] == [late["id"]]
    # Unshelved on a host: the volume attached meanwhile is connected,
    # the one detached is not.
    osc("member", "server", "unshelve", "shelf")
    _wait_server(cloud, "shelf", "ACTIVE")
    compute = cloud.stack.compute(cloud.sdk("admin").compute.get_server(
        server_id).compute_host)
    assert compute.manager.driver.disk_serials(server_id) == [
        late["id"][:20]]
    osc("member", "server", "remove", "volume", "shelf", "late")
    assert wait_volume(cloud, "late", "available")["attachments"] == []
    assert compute.manager.driver.disk_serials(server_id) == []


def test_sdk_volume_and_attachment_calls(cloud):
    conn = cloud.sdk("member")
    volume = conn.block_storage.create_volume(size=1, name="sdk")
    volume = conn.block_storage.wait_for_status(volume, "available",
                                                wait=30, interval=0.2)
    assert conn.block_storage.find_volume("sdk").id == volume.id
    srv = conn.compute.create_server(name="sdk-vm", image_id=DEMO_IMAGE,
                                     flavor_id="1", networks="auto")
    srv = conn.compute.wait_for_server(srv, wait=30, interval=0.2)
    attachment = conn.compute.create_volume_attachment(srv, volume=volume)
    assert attachment.volume_id == volume.id
    conn.block_storage.wait_for_status(volume, "in-use", wait=30,
                                       interval=0.2)
    listed = list(conn.compute.volume_attachments(srv))
    assert [(a.volume_id, a.device) for a in listed] == [
        (volume.id, "/dev/vdb")]
    shown = conn.compute.get_server(srv.id)
    assert [v["id"] for v in shown.attached_volumes] == [volume.id]
    conn.compute.delete_volume_attachment(srv, volume)
    conn.block_storage.wait_for_status(volume, "available", wait=30,
                                       interval=0.2)
    snap = conn.block_storage.create_snapshot(volume_id=volume.id,
                                              name="sdk-snap")
    snap = conn.block_storage.wait_for_status(snap, "available", wait=30,
                                              interval=0.2)
    assert snap.size == 1
    conn.block_storage.delete_snapshot(snap)
    conn.block_storage.wait_for_delete(snap, wait=30, interval=0.2)
    conn.block_storage.delete_volume(volume)
    conn.block_storage.wait_for_delete(volume, wait=30, interval=0.2)


def _attach(cloud, token, server_id, volume_id):
    return requests.post(
        f"{cloud.url}/v2.1/servers/{server_id}/os-volume_attachments",
        json={"volumeAttachment": {"volumeId": volume_id}},
        headers={"X-Auth-Token": token}, timeout=30)


def test_concurrent_attaches_of_one_volume_one_wins(cloud):
    unlimited_volumes(cloud)
    token = cloud.token("member")
    servers = [server(cloud, f"race-{i}") for i in range(2)]
    for attempt in range(3):
        osc_json(cloud, "member", "volume", "create", "--size", "1",
                 f"race-{attempt}")
        volume = wait_volume(cloud, f"race-{attempt}", "available")
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            results = list(pool.map(
                lambda s, v=volume["id"]: _attach(cloud, token, s, v),
                servers))
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409], [r.text for r in results]
        loser = [r for r in results if r.status_code == 409][0]
        assert "conflictingRequest" in loser.json()
        winner = servers[[r.status_code for r in results].index(200)]
        attached = wait_volume(cloud, volume["id"], "in-use")
        assert [a["server_id"] for a in attached["attachments"]] == [winner]


def test_server_delete_leaves_volume_available(cloud):
    osc = cloud.openstack
    server(cloud, "goes")
    osc("member", "volume", "create", "--size", "1", "stays")
    wait_volume(cloud, "stays", "available")
    osc("member", "server", "add", "volume", "goes", "stays")
    wait_volume(cloud, "stays", "in-use")
    osc("member", "server", "delete", "--wait", "goes")
    assert wait_volume(cloud, "stays", "available")["attachments"] == []


@pytest.mark.parametrize("delete", [True, False])
def test_block_device_mapping_on_create(cloud, delete):
    conn = cloud.sdk("member")
    existing = conn.block_storage.create_volume(size=1, name="given")
    existing = conn.block_storage.wait_for_status(existing, "available",
                                                  wait=30, interval=0.2)
    srv = conn.compute.create_server(
        name="bdm", image_id=DEMO_IMAGE, flavor_id="1",
        block_device_mapping=[
            {"uuid": DEMO_IMAGE, "boot_index": 0, "source_type": "image",
             "destination_type": "local", "delete_on_termination": True},
            {"uuid": existing.id, "source_type": "volume",
             "destination_type": "volume",
             "delete_on_termination": delete},
            {"source_type": "blank", "destination_type": "volume",
             "volume_size": 2, "delete_on_termination": delete}],
        networks="auto")
    srv = conn.compute.wait_for_server(srv, wait=60, interval=0.2)
    attachments = list(conn.compute.volume_attachments(srv))
    ids = sorted(a.volume_id for a in attachments)
    assert existing.id in ids and len(ids) == 2
    for volume_id in ids:
        volume = conn.block_storage.get_volume(volume_id)
        assert volume.status == "in-use"
        assert volume.attachments[0]["server_id"] == srv.id
    blank = [i for i in ids if i != existing.id][0]
    assert conn.block_storage.get_volume(blank).size == 2
    conn.compute.delete_server(srv)
    conn.compute.wait_for_delete(srv, wait=30, interval=0.2)
    deadline = time.monotonic() + 30
    while True:
        left = {v.id: v.status for v in conn.block_storage.volumes()}
        if delete and not (set(ids) & set(left)):
            break
        if not delete and all(left.get(i) == "available" for i in ids):
            break
        assert time.monotonic() < deadline, left
        time.sleep(0.2)


@pytest.mark.parametrize("mapping, message", [
    ({"uuid": "{volume}", "source_type": "volume",
      "destination_type": "volume", "boot_index": 0}, "is not bootable"),
    ({"source_type": "blank", "destination_type": "volume"},
     "volume_size"),
    ({"source_type": "snapshot", "destination_type": "volume",
      "uuid": "{volume}"}, "failed to get snapshot"),
    ({"uuid": "2f2f2f2f-0000-4000-8000-000000000000",
      "source_type": "volume", "destination_type": "volume"},
     "could not be found"),
    ({"uuid": "{volume}", "source_type": "volume",
      "destination_type": "volume", "bogus": 1}, "bogus"),
])
def test_bad_block_device_mappings_record_nothing(cloud, mapping, message):
    conn = cloud.sdk("member")
    volume = conn.block_storage.create_volume(size=1, name="bad-bdm")
    conn.block_storage.wait_for_status(volume, "available", wait=30,
                                       interval=0.2)
    mapping = {k: v.format(volume=volume.id) if isinstance(v, str) else v
               for k, v in mapping.items()}
    resp = requests.post(cloud.url + "/v2.1/servers", json={"server": {
        "name": "bad", "imageRef": DEMO_IMAGE, "flavorRef": "1",
        "block_device_mapping_v2": [mapping]}},
        headers={"X-Auth-Token": cloud.token("member")}, timeout=30)
    assert resp.status_code == 400, resp.text
    assert message in resp.json()["badRequest"]["message"]
    assert list(conn.compute.servers()) == []
    assert conn.block_storage.get_volume(volume.id).status == "available"
