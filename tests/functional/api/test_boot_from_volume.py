"""Boot from volume with stock clients (python-openstackclient,
openstacksdk) against nimbus alone (fake hypervisor, fake volume
backend): ``server create --boot-from-volume`` (the volume made from the
image by the volume service), ``server create --volume``, openstacksdk's
block_device_mapping with image and snapshot sources, what happens to
the root volume on delete, quotas, and the 400s before anything is
recorded."""

import time

import requests

from tests.functional.api.test_volume_stock_clients import (
    DEMO_IMAGE,
    osc_json,
    wait_volume,
)


def _compute(cloud, server_id):
    host = cloud.sdk("admin").compute.get_server(server_id).compute_host
    return cloud.stack.compute(host).manager.driver


def _wait_gone_or(cloud, volume_id, status, timeout=30):
    """Wait until the volume is deleted (``status`` None) or has
    ``status``."""
    conn = cloud.sdk("member")
    deadline = time.monotonic() + timeout
    while True:
        left = {v.id: v.status for v in conn.block_storage.volumes()}
        if left.get(volume_id) == status:
            return
        assert time.monotonic() < deadline, (left, status)
        time.sleep(0.2)


def test_openstack_cli_boot_from_volume_then_from_the_kept_volume(cloud):
    """``--image demo --boot-from-volume 1``: imageRef "" and a 1 GiB
    volume made from the image as /dev/vda; the CLI keeps it on delete
    (delete_on_termination false), and ``--volume`` boots it again."""
    created = osc_json(cloud, "member", "server", "create", "--image",
                       "demo", "--boot-from-volume", "1", "--flavor",
                       "m1.tiny", "--wait", "bfv")
    assert created["status"] == "ACTIVE"
    sid = created["id"]
    shown = osc_json(cloud, "member", "server", "show", "bfv")
    assert "booted from volume" in shown["image"]
    raw = requests.get(cloud.stack.url + f"/v2.1/servers/{sid}", headers={
        "X-Auth-Token": cloud.token("member")}, timeout=30).json()
    assert raw["server"]["image"] == ""
    (volume,) = osc_json(cloud, "member", "volume", "list", "--long")
    root = wait_volume(cloud, volume["ID"], "in-use")
    assert root["size"] == 1 and str(root["bootable"]).lower() == "true"
    assert root["volume_image_metadata"]["image_id"] == DEMO_IMAGE
    assert root["attachments"][0]["server_id"] == sid
    assert root["attachments"][0]["device"] == "/dev/vda"
    driver = _compute(cloud, sid)
    assert driver.disk_serials(sid) == [root["id"][:20]]
    assert f"booted from volume {root['id'][:20]}" in \
        driver.get_console_output(sid)

    cloud.openstack("member", "server", "delete", "--wait", "bfv")
    assert wait_volume(cloud, root["id"], "available")["attachments"] == []

    again = osc_json(cloud, "member", "server", "create", "--volume",
                     root["id"], "--flavor", "m1.tiny", "--wait", "bfv2")
    assert again["status"] == "ACTIVE"
    used = wait_volume(cloud, root["id"], "in-use")
    assert used["attachments"][0]["device"] == "/dev/vda"
    # The root volume is in use: neither deleted nor booted twice.
    assert cloud.openstack("member", "volume", "delete", root["id"],
                           check=False).returncode == 1
    second = cloud.openstack("member", "server", "create", "--volume",
                             root["id"], "--flavor", "m1.tiny", "bfv3",
                             check=False)
    assert second.returncode == 1 and "in-use" in second.stderr
    cloud.openstack("member", "server", "delete", "--wait", "bfv2")
    wait_volume(cloud, root["id"], "available")
    assert [s.name for s in cloud.sdk("member").compute.servers()] == []


def test_sdk_boot_from_image_and_snapshot_volumes_deleted_with_server(
        cloud):
    conn = cloud.sdk("member")
    srv = conn.compute.create_server(
        name="sdk-bfv", flavor_id="1", block_device_mapping=[
            {"uuid": DEMO_IMAGE, "boot_index": 0, "source_type": "image",
             "destination_type": "volume", "volume_size": 2,
             "delete_on_termination": True}], networks="auto")
    srv = conn.compute.wait_for_server(srv, wait=60, interval=0.2)
    (attachment,) = list(conn.compute.volume_attachments(srv))
    root = conn.block_storage.get_volume(attachment.volume_id)
    assert (root.size, root.status, root.is_bootable) == (2, "in-use", True)
    conn.compute.delete_server(srv)
    conn.compute.wait_for_delete(srv, wait=30, interval=0.2)
    _wait_gone_or(cloud, root.id, None)

    # From a snapshot of a bootable volume: the copy boots too.
    base = conn.block_storage.create_volume(size=1, image_id=DEMO_IMAGE,
                                            name="base")
    conn.block_storage.wait_for_status(base, "available", wait=30,
                                       interval=0.2)
    snap = conn.block_storage.create_snapshot(volume_id=base.id, name="s")
    conn.block_storage.wait_for_status(snap, "available", wait=30,
                                       interval=0.2)
    srv = conn.compute.create_server(
        name="from-snap", flavor_id="1", block_device_mapping=[
            {"uuid": snap.id, "boot_index": 0, "source_type": "snapshot",
             "destination_type": "volume", "delete_on_termination": True}],
        networks="auto")
    srv = conn.compute.wait_for_server(srv, wait=60, interval=0.2)
    (attachment,) = list(conn.compute.volume_attachments(srv))
    copy = conn.block_storage.get_volume(attachment.volume_id)
    assert copy.snapshot_id == snap.id and copy.is_bootable
    conn.compute.delete_server(srv)
    conn.compute.wait_for_delete(srv, wait=30, interval=0.2)
    _wait_gone_or(cloud, copy.id, None)


def test_the_root_volume_counts_against_the_volume_quota(cloud):
    cloud.stack.conf.set_override("gigabytes", 3, "quota")
    resp = _post(cloud, _from_image(volume_size=4))
    assert resp.status_code == 403, resp.text
    assert "gigabytes" in resp.text
    assert list(cloud.sdk("member").compute.servers()) == []
    assert list(cloud.sdk("member").block_storage.volumes()) == []


def _from_image(**changes):
    return [dict({"uuid": DEMO_IMAGE, "boot_index": 0,
                  "source_type": "image", "destination_type": "volume",
                  "volume_size": 1}, **changes)]


def _post(cloud, mappings, image_ref=""):
    return requests.post(cloud.stack.url + "/v2.1/servers", json={
        "server": {"name": "bad", "imageRef": image_ref, "flavorRef": "1",
                   "block_device_mapping_v2": mappings}},
        headers={"X-Auth-Token": cloud.token("member")}, timeout=30)


BAD = [
    ([{"uuid": "{plain}", "source_type": "volume",
       "destination_type": "volume", "boot_index": 0}],
     "Block Device {plain} is not bootable."),
    ([{"uuid": "{used}", "source_type": "volume",
       "destination_type": "volume", "boot_index": 0}],
     "is in-use, not available"),
    ([{"uuid": "2f2f2f2f-0000-4000-8000-000000000000",
       "source_type": "volume", "destination_type": "volume",
       "boot_index": 0}], "could not be found"),
    ([{"uuid": "{plain}", "source_type": "volume",
       "destination_type": "volume", "boot_index": 1}],
     "Boot sequence for the instance and image/block device mapping "
     "combination is not valid."),
    ([], "Boot sequence"),
    (_from_image(volume_size=None),
     "Images with destination_type 'volume' need to have a non-zero size"),
    (_from_image(uuid="5f5f5f5f-0000-4000-8000-000000000000"),
     "failed to get image 5f5f5f5f-0000-4000-8000-000000000000"),
]


def test_bad_boot_volumes_record_nothing(cloud, tmp_path):
    """Each refused with Nova's 400 before anything is recorded (one
    cloud for all: the cases leave nothing behind)."""
    conn = cloud.sdk("member")
    plain = conn.block_storage.create_volume(size=1, name="plain")
    used = conn.block_storage.create_volume(size=1, name="used")
    for volume in (plain, used):
        conn.block_storage.wait_for_status(volume, "available", wait=30,
                                           interval=0.2)
    holder = conn.compute.create_server(
        name="holder", image_id=DEMO_IMAGE, flavor_id="1",
        block_device_mapping=[{"uuid": used.id, "source_type": "volume",
                               "destination_type": "volume"}], networks="auto")
    conn.compute.wait_for_server(holder, wait=60, interval=0.2)
    wait_volume(cloud, used.id, "in-use")
    ids = {"plain": plain.id, "used": used.id}
    data = tmp_path / "big.raw"
    data.write_bytes(b"\0" * 4096)
    ids["big"] = osc_json(cloud, "member", "image", "create", "--min-disk",
                          "3", "--disk-format", "raw", "--container-format",
                          "bare", "--file", str(data), "big")["id"]
    cases = BAD + [(_from_image(uuid="{big}"),
                    "Volume is smaller than the minimum size specified in "
                    "image metadata. Volume size is 1073741824 bytes, "
                    "minimum size is 3221225472 bytes.")]
    for mappings, message in cases:
        mappings = [{k: v.format(**ids) if isinstance(v, str) else v
                     for k, v in m.items()} for m in mappings]
        resp = _post(cloud, mappings)
        assert resp.status_code == 400, (mappings, resp.text)
        assert message.format(**ids) in \
            resp.json()["badRequest"]["message"], (mappings, resp.text)
        assert [s.name for s in conn.compute.servers()] == ["holder"]
        assert sorted(v.name for v in conn.block_storage.volumes()) == [
            "plain", "used"]
    assert wait_volume(cloud, plain.id, "available")
