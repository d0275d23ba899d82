"""An image put into Glance with the stock client boots a nimbus server
on the libvirt plugin (a real QEMU guest): the compute host fetches each
image's data from Glance once into its cache, checked."""

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


def test_openstack_image_create_into_glance_then_boot(glance_cloud):
    """``openstack image create --file`` puts the guest's disk (naming
    its kernel and ramdisk, put there by the SDK) into Glance; ``openstack
    server create`` boots it on libvirt and the guest comes up."""
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
        demo.compute.delete_server(created["id"])
        demo.compute.wait_for_delete(demo.compute.get_server(created["id"]),
                                     interval=0.5, wait=60)
    finally:
        for image_id in files:
            demo.image.delete(f"/images/{image_id}")


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
