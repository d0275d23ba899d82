"""An image put into Glance with the stock client boots a nimbus server
on the libvirt plugin (a real QEMU guest): the compute host fetches each
image's data from Glance once into its cache, checked. Snapshots of the
guest (createImage, shelve) go back to Glance, uploaded by the compute
host with nimbus's service credentials."""

import hashlib
import json
import time

import pytest
import requests

from tests.integration.glance import cloud as cloud_mod

pytestmark = pytest.mark.real


def _create_image(cloud, who, name, path, fmt, *extra):
    """``openstack image create --file``: the stock client into Glance."""
    return json.loads(cloud.openstack(
        who, "image", "create", "--file", str(path), "--disk-format", fmt,
        "--container-format", fmt if fmt in ("aki", "ari", "ami") else
        "bare", *extra, name, "-f", "json").stdout)


def _sdk_image(glance, name, path, fmt, **extra):
    """The same through openstacksdk's image proxy (in-process: cheaper
    than a CLI process where the client is not the point)."""
    made = glance.post("/images", json=dict(
        name=name, disk_format=fmt, container_format=fmt if fmt in (
            "aki", "ari", "ami") else "bare", **extra)).json()
    with open(path, "rb") as f:
        resp = glance.put(f"/images/{made['id']}/file", data=f, headers={
            "Content-Type": "application/octet-stream"})
    assert resp.status_code == 204, resp.text
    return made


def _wait_console(conn, server_id, text, timeout=120):
    deadline = time.monotonic() + timeout
    output = ""
    while time.monotonic() < deadline:
        output = conn.compute.get_server_console_output(server_id)["output"]
        if text in output:
            return
        time.sleep(1)
    raise AssertionError(f"{text!r} not on the console:\n{output[-2000:]}")


def test_openstack_image_create_into_glance_then_boot(glance_cloud,
                                                      tmp_path):
    """``openstack image create --file`` puts the guest's disk (naming
    its kernel and ramdisk, put there by the SDK) into Glance; ``openstack
    server create`` boots it on libvirt and the guest comes up. A snapshot
    of that guest goes back to Glance and a second server boots from it;
    its shelve snapshot goes to Glance too, and goes with the server."""
    cloud = glance_cloud
    guest = cloud_mod.GUEST_DIR
    demo = cloud.sdk("demo")
    kernel = _sdk_image(demo.image, "gl-kernel", f"{guest}/vmlinuz", "aki")
    ramdisk = _sdk_image(demo.image, "gl-ramdisk", f"{guest}/initrd.img",
                         "ari")
    disk = _create_image(
        cloud, "demo", "gl-guest", f"{guest}/disk.raw", "ami",
        "--property", f"kernel_id={kernel['id']}",
        "--property", f"ramdisk_id={ramdisk['id']}",
        "--property", "os_command_line=quiet", "--private")
    files = {kernel["id"]: "vmlinuz", ramdisk["id"]: "initrd.img",
             disk["id"]: "disk.raw"}
    try:
        # They are Glance's: Glance itself answers for them.
        token, _ = cloud.password_token("demo", "demo")
        held = requests.get(f"{cloud.glance_url}/v2/images/{disk['id']}",
                            headers={"X-Auth-Token": token}, timeout=30)
        assert held.status_code == 200, held.text
        assert held.json()["status"] == "active"
        with open(f"{guest}/disk.raw", "rb") as f:
            assert held.json()["os_hash_value"] == \
                hashlib.sha512(f.read()).hexdigest()

        created = json.loads(cloud.openstack(
            "demo", "server", "create", "--image", disk["id"], "--flavor",
            "m1.tiny", "--nic", "none", "--wait", "gl1", "-f",
            "json").stdout)
        assert created["status"] == "ACTIVE"
        domain = cloud_mod.virsh("domstate", cloud.prefix + created["id"])
        assert domain.strip() == "running"
        _wait_console(demo, created["id"], cloud_mod.BOOT_MARKER)
        # Each image was fetched once into the host's cache, whole.
        cache = cloud.state_path / "glance-cache"
        assert sorted(p.name for p in cache.iterdir()) == sorted(files)
        for image_id, name in files.items():
            with open(f"{guest}/{name}", "rb") as f:
                assert (cache / image_id).read_bytes() == f.read(), name
        _snapshot_into_glance_then_boot(cloud, created["id"], disk, files,
                                        tmp_path)
        _shelve_into_glance_then_delete(cloud, created["id"], files)
    finally:
        for image_id in files:
            demo.image.delete(f"/images/{image_id}")


def _root_mark(conn, server_id, event):
    """The root-disk marker the guest printed with ``event``
    (``NIMBUS-ROOT-WROTE`` or ``-READ``)."""
    _wait_console(conn, server_id, event)
    out = conn.compute.get_server_console_output(server_id)["output"]
    line, = [line for line in out.splitlines() if event in line]
    return line.split("mark=")[1].strip()


def _glance_snapshot(cloud, image_id, server_id, base_id, tmp_path):
    """``openstack image show`` (Glance, found in Keystone's catalog) of
    a snapshot of ``server_id``: active, the demo project's, with Nova's
    snapshot properties (read in Glance's own JSON: the client shows
    ``owner_id`` as ``owner``); ``openstack image save`` gets data
    matching its checksum and size. Returns what the client showed."""
    shown = json.loads(cloud.openstack(
        "demo", "image", "show", image_id, "-f", "json").stdout)
    _, token = cloud.password_token("demo", "demo")
    project = token["project"]["id"]
    assert shown["status"] == "active", shown
    assert shown["owner"] == project
    assert shown["visibility"] == "private"
    glance = cloud.sdk("demo").image
    assert glance.get_endpoint().startswith(cloud.glance_url)
    props = glance.get(f"/images/{image_id}").json()
    assert {key: props.get(key) for key in (
        "image_type", "instance_uuid", "base_image_ref", "image_location",
        "image_state", "owner_id")} == {
        "image_type": "snapshot", "instance_uuid": server_id,
        "base_image_ref": base_id, "image_location": "snapshot",
        "image_state": "available", "owner_id": project}
    saved = tmp_path / image_id
    cloud.openstack("demo", "image", "save", "--file", str(saved), image_id)
    data = saved.read_bytes()
    assert len(data) == shown["size"] > 0
    assert hashlib.md5(data).hexdigest() == shown["checksum"]
    saved.unlink()
    return shown


def _snapshot_into_glance_then_boot(cloud, server_id, base, files,
                                    tmp_path):
    """``openstack server image create`` of the running guest lands in
    Glance (uploaded by the compute host); a second server boots from it
    and finds the first guest's root-disk marker."""
    demo = cloud.sdk("demo")
    mark = _root_mark(demo, server_id, "NIMBUS-ROOT-WROTE")
    snap = json.loads(cloud.openstack(
        "demo", "server", "image", "create", "--name", "gl-snap", "--wait",
        server_id, "-f", "json").stdout)
    files[snap["id"]] = None  # removed with the others
    shown = _glance_snapshot(cloud, snap["id"], server_id, base["id"],
                             tmp_path)
    # The host's disks are qcow2 overlays: so is the snapshot (the
    # guest's data, not the flavor's whole disk).
    assert (shown["disk_format"], shown["container_format"]) == (
        "qcow2", "bare")
    assert shown["size"] < 64 << 20
    # It boots as its base did: the kernel and ramdisk are inherited.
    assert shown["properties"]["kernel_id"] in files
    clone = json.loads(cloud.openstack(
        "demo", "server", "create", "--image", snap["id"], "--flavor",
        "m1.tiny", "--nic", "none", "--wait", "gl2", "-f", "json").stdout)
    assert clone["status"] == "ACTIVE"
    assert _root_mark(demo, clone["id"], "NIMBUS-ROOT-READ") == mark
    demo.compute.delete_server(clone["id"])
    assert cloud_mod.virsh("domstate", cloud.prefix + server_id).strip() \
        == "running"


def _shelve_into_glance_then_delete(cloud, server_id, files):
    """Shelving snapshots into Glance too (the server offloaded); deleting
    the shelved server deletes that image in Glance (Nova's)."""
    demo = cloud.sdk("demo")
    base_id = demo.compute.get_server(server_id).image.id
    cloud.openstack("demo", "server", "shelve", "--wait", server_id)
    assert demo.compute.get_server(server_id).status == "SHELVED_OFFLOADED"
    image, = demo.image.get("/images", params={
        "name": "gl1-shelved"}).json()["images"]
    files[image["id"]] = None
    assert image["status"] == "active"
    assert image["owner"] == demo.current_project_id
    assert {key: image.get(key) for key in (
        "image_type", "instance_uuid", "base_image_ref")} == {
        "image_type": "snapshot", "instance_uuid": server_id,
        "base_image_ref": base_id}
    server = demo.compute.get_server(server_id)
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, interval=0.5, wait=60)
    assert demo.image.get(f"/images/{image['id']}").status_code == 404


def test_other_projects_cannot_boot_from_a_private_glance_image(
        glance_cloud, tmp_path):
    cloud = glance_cloud
    disk = tmp_path / "private.raw"
    disk.write_bytes(b"private" * 1024)
    demo = cloud.sdk("demo").image
    image = _sdk_image(demo, "gl-private", disk, "raw", visibility="private")
    try:
        other = cloud.sdk("other")
        flavor = other.compute.find_flavor("m1.tiny", ignore_missing=False)
        resp = other.compute.post("/servers", json={"server": {
            "name": "gl-stolen", "imageRef": image["id"],
            "flavorRef": flavor.id, "networks": "none"}},
            microversion="2.37")
        assert resp.status_code == 400, resp.text
        assert image["id"] in resp.json()["badRequest"]["message"]
    finally:
        demo.delete(f"/images/{image['id']}")


def test_nimbus_serves_no_image_api_of_its_own(glance_cloud):
    """With images in Glance, the catalog's image endpoint is Glance and
    nimbus's /image is not there."""
    cloud = glance_cloud
    token, body = cloud.password_token("demo", "demo")
    [image] = [e for e in body["catalog"] if e["type"] == "image"]
    assert {e["url"] for e in image["endpoints"]} == {cloud.glance_url}
    resp = requests.get(f"{cloud.url}/image/v2/images",
                        headers={"X-Auth-Token": token}, timeout=30)
    assert resp.status_code == 404
    # The stock clients find Glance in the catalog.
    glance = cloud.sdk("demo").image
    assert glance.get_endpoint().startswith(cloud.glance_url)
    made = glance.post("/images", json={"name": "gl-listed"}).json()
    try:
        listed = json.loads(cloud.openstack("demo", "image", "list", "-f",
                                            "json").stdout)
        assert (made["id"], "gl-listed") in [(row["ID"], row["Name"])
                                             for row in listed]
    finally:
        glance.delete(f"/images/{made['id']}")
