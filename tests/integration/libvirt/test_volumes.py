"""Volumes in real guests through the whole stack, with the stock
``openstack`` CLI: nimbus-all with the libvirt plugin (QEMU TCG), the
``file`` volume plugin exported by the ``tgt`` target over iSCSI with
CHAP (a private tgtd), two guests shared by the module; one test
drives the same volumes over EC2 with boto3.

What the guests print (tools/build-test-guest.sh): a disk seen for the
first time either gets a marker naming the disk and the guest
(``NIMBUS-WROTE``) or shows the marker it carries (``NIMBUS-READ``); and
every disk's size in sectors. A guest booted from a volume shows its
root disk (vda) with the volume's serial."""

import contextlib
import os
import xml.etree.ElementTree as ET

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.integration.libvirt.conftest import virsh
from tests.integration.libvirt.volume_cloud import (
    Tgtd,
    VolumeCloud,
    wait_until,
)

pytestmark = pytest.mark.real
SERIAL = 20  # what virtio-blk shows of a serial
MARK = "NIMBUS-MARK:from-the-image"
GIB_SECTORS = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def cloud(libvirt_env):
    tgtd = Tgtd()
    tgtd.start()
    deployment = VolumeCloud(libvirt_env.workdir, libvirt_env.guest_dir,
                             libvirt_env.prefix, tgtd)
    try:
        deployment.start()
        image = deployment.register_guest_images()
        deployment.marked_image = deployment.register_marked_image(
            image, "vol-guest-marked", MARK)
        deployment.guests = deployment.boot(["g1", "g2"], image)
        yield deployment
    finally:
        deployment.stop()
        deployment.cleanup(virsh)
        tgtd.stop()


def _disk_xml(cloud, server_id, serial):
    xml = virsh("dumpxml", f"{cloud.prefix}{server_id}")
    start = xml.find(f"<serial>{serial}</serial>")
    assert start > 0, xml
    return xml[xml.rfind("<disk", 0, start):start]


def test_marker_written_in_one_guest_is_read_in_another(cloud):
    g1, g2 = cloud.guests["g1"], cloud.guests["g2"]
    created = cloud.openstack_json("volume", "create", "--size", "1", "v1")
    assert created["size"] == 1
    volume = cloud.wait_volume("v1", "available")
    serial = volume["id"][:SERIAL]

    cloud.openstack("server", "add", "volume", "g1", "v1")
    attached = cloud.wait_volume("v1", "in-use")
    assert attached["attachments"][0]["server_id"] == g1
    # Reached over iSCSI with CHAP, exported by our tgtd.
    disk = _disk_xml(cloud, g1, serial)
    assert "protocol='iscsi'" in disk, disk
    assert f"port='{cloud.tgtd.port}'" in disk, disk
    assert "<auth username=" in disk, disk
    assert volume["id"] in cloud.tgtd.targets()
    wrote = cloud.wait_console(g1, "NIMBUS-WROTE", f"serial={serial}")
    assert f"mark=NIMBUS-MARK:{serial}:{g1}" in wrote
    assert f"size={GIB_SECTORS}" in wrote

    cloud.openstack("server", "remove", "volume", "g1", "v1")
    assert cloud.wait_volume("v1", "available")["attachments"] == []
    assert f"<serial>{serial}</serial>" not in virsh(
        "dumpxml", f"{cloud.prefix}{g1}")

    cloud.openstack("server", "add", "volume", "g2", "v1")
    cloud.wait_volume("v1", "in-use")
    read = cloud.wait_console(g2, "NIMBUS-READ", f"serial={serial}")
    assert f"mark=NIMBUS-MARK:{serial}:{g1}" in read
    cloud.openstack("server", "remove", "volume", "g2", "v1")
    cloud.wait_volume("v1", "available")


def test_snapshot_keeps_its_moment_and_extend_shows_after_reattach(cloud):
    g1, g2 = cloud.guests["g1"], cloud.guests["g2"]
    cloud.openstack("volume", "create", "--size", "1", "orig")
    orig = cloud.wait_volume("orig", "available")
    orig_serial = orig["id"][:SERIAL]
    cloud.openstack("server", "add", "volume", "g2", "orig")
    cloud.wait_volume("orig", "in-use")
    cloud.wait_console(g2, "NIMBUS-WROTE", f"serial={orig_serial}")
    cloud.openstack("server", "remove", "volume", "g2", "orig")
    cloud.wait_volume("orig", "available")

    cloud.openstack("volume", "snapshot", "create", "--volume", "orig",
                    "snap")

    def snapshot_ready():
        return cloud.openstack_json("volume", "snapshot", "show",
                                    "snap")["status"] == "available"
    wait_until(snapshot_ready, 90, message="snapshot available")
    # Change the volume after the snapshot: a copy of the volume now
    # would show this, a copy of the snapshot must not.
    path = os.path.join(cloud.volumes_dir, f"volume-{orig['id']}.raw")
    with open(path, "r+b") as f:
        f.write(b"NIMBUS-MARK:changed-after-the-snapshot\n")

    cloud.openstack("volume", "create", "--snapshot", "snap", "copy")
    copy = cloud.wait_volume("copy", "available")
    assert copy["size"] == 1 and copy["snapshot_id"]
    copy_serial = copy["id"][:SERIAL]
    cloud.openstack("server", "add", "volume", "g1", "copy")
    cloud.wait_volume("copy", "in-use")
    read = cloud.wait_console(g1, "NIMBUS-READ", f"serial={copy_serial}")
    assert f"mark=NIMBUS-MARK:{orig_serial}:{g2}" in read, read
    assert f"size={GIB_SECTORS}" in read

    # Grow it while attached (Block Storage 3.42), then re-attach: the
    # guest sees 2 GiB.
    cloud.openstack("volume", "set", "--size", "2", "copy")
    grown = cloud.wait_volume("copy", "in-use")
    wait_until(lambda: cloud.volume("copy")["size"] == 2, 60,
               message="size 2")
    assert grown["attachments"][0]["server_id"] == g1
    cloud.openstack("server", "remove", "volume", "g1", "copy")
    cloud.wait_volume("copy", "available")
    cloud.openstack("server", "add", "volume", "g1", "copy")
    cloud.wait_volume("copy", "in-use")
    cloud.wait_console(g1, f"serial={copy_serial}",
                       f"size={2 * GIB_SECTORS}")
    cloud.openstack("server", "remove", "volume", "g1", "copy")
    cloud.wait_volume("copy", "available")
    cloud.openstack("volume", "snapshot", "delete", "snap")


def test_deleting_a_guest_leaves_its_volume_available(cloud):
    cloud.openstack("volume", "create", "--size", "1", "survivor")
    cloud.wait_volume("survivor", "available")
    sid = cloud.openstack_json(
        "server", "create", "--image", "vol-guest", "--flavor", "vol.tiny",
        "--nic", "none", "--wait", "short-lived")["id"]
    cloud.wait_console(sid, "NIMBUS-DEV /dev/vda")
    cloud.openstack("server", "add", "volume", "short-lived", "survivor")
    volume = cloud.wait_volume("survivor", "in-use")
    cloud.wait_console(sid, "NIMBUS-WROTE", f"serial={volume['id'][:20]}")
    assert "in-use" in cloud.openstack_fails("volume", "delete", "survivor")
    assert cloud.volume("survivor")["status"] == "in-use"
    cloud.openstack("server", "delete", "--wait", "short-lived")
    assert cloud.wait_volume("survivor", "available")["attachments"] == []
    assert f"{cloud.prefix}{sid}" not in virsh("list", "--all", "--name")
    cloud.openstack("volume", "delete", "survivor")


def test_guest_boots_from_a_volume_made_from_its_image(cloud):
    """``server create --image I --boot-from-volume 1``: the volume
    service makes the volume from the image, the guest boots with it as
    vda over iSCSI with CHAP (kernel and ramdisk from the image's
    properties) and finds the image's first sector on it; it is rescued
    and unrescued with its volume kept at vda (2.87); the volume stays
    (the CLI's delete_on_termination is false)."""
    sid = cloud.openstack_json(
        "server", "create", "--image", "vol-guest-marked",
        "--boot-from-volume", "1", "--flavor", "vol.tiny", "--nic", "none",
        "bfv")["id"]
    wait_until(lambda: cloud.server_status(sid) == "ACTIVE", 180,
               message="bfv ACTIVE")
    (attachment,) = cloud.sdk().compute.volume_attachments(sid)
    volume = cloud.volume(attachment.volume_id)
    serial = volume["id"][:SERIAL]
    assert (volume["status"], volume["size"]) == ("in-use", 1)
    assert volume["attachments"][0]["device"] == "/dev/vda"
    assert cloud.openstack_json("server", "show", sid)["image"].startswith(
        "N/A")
    root = _disk_xml(cloud, sid, serial)
    assert "protocol='iscsi'" in root and "<auth username=" in root, root
    assert "dev='vda'" in root, root
    assert not os.path.exists(os.path.join(
        cloud.dir, "instances", sid, "disk"))
    cloud.wait_console(sid, "NIMBUS-DEV /dev/vda", f"serial={serial}",
                       timeout=240)
    read = cloud.wait_console(sid, "NIMBUS-READ", f"serial={serial}")
    assert f"mark={MARK}" in read and f"size={GIB_SECTORS}" in read

    _rescue_and_unrescue(cloud, sid, volume["id"])
    cloud.openstack("server", "delete", "--wait", "bfv")
    assert cloud.wait_volume(volume["id"], "available")["attachments"] == []
    assert volume["id"] not in cloud.tgtd.targets()
    cloud.openstack("volume", "delete", volume["id"])


def _rescue_and_unrescue(cloud, sid, volume_id):
    """2.87 on the volume-backed guest: the rescue image (with
    ``hw_rescue_device``) boots from a disk added after the root volume,
    which stays vda; unrescue boots the volume alone again."""
    serial = volume_id[:SERIAL]
    cloud.openstack("image", "set", "--property", "hw_rescue_device=disk",
                    "vol-guest-marked")
    cloud.openstack("--os-compute-api-version", "2.87", "server", "rescue",
                    "--image", "vol-guest-marked", sid)
    wait_until(lambda: cloud.server_status(sid) == "RESCUE", 120,
               message="bfv RESCUE")
    disks = {d.findtext("serial"): d for d in ET.fromstring(virsh(
        "dumpxml", f"{cloud.prefix}{sid}")).findall("./devices/disk")}
    assert disks[serial].find("target").get("dev") == "vda"
    assert disks["nimbus-rescue"].find("target").get("dev") == "vdb"
    assert disks["nimbus-rescue"].find("boot").get("order") == "1"
    # The rescue guest sees its own disk (the image's mark) and the
    # root volume still at vda.
    rescue = cloud.wait_console(sid, "NIMBUS-READ", "serial=nimbus-rescue",
                                timeout=240)
    assert f"mark={MARK}" in rescue
    cloud.wait_console(sid, "NIMBUS-DEV /dev/vdb", "serial=nimbus-rescue")
    assert cloud.volume(volume_id)["status"] == "in-use"
    cloud.openstack("server", "unrescue", sid)
    wait_until(lambda: cloud.server_status(sid) == "ACTIVE", 120,
               message="bfv ACTIVE again")
    assert "nimbus-rescue" not in virsh("dumpxml", f"{cloud.prefix}{sid}")


def _ec2_client(cloud):
    """boto3 on the cloud's EC2 port, signed with keys made by the stock
    ``openstack ec2 credentials create`` (the admin, whose project owns
    g1 and g2); the keys are deleted again by the caller."""
    made = cloud.openstack_json("ec2", "credentials", "create")
    cred = {k.lower(): v for k, v in made.items()}
    client = boto3.client(
        "ec2", endpoint_url=f"http://127.0.0.1:{cloud.ec2_port}",
        region_name="RegionOne", aws_access_key_id=cred["access"],
        aws_secret_access_key=cred["secret"],
        config=Config(retries={"max_attempts": 2}, read_timeout=120))
    return client, cred["access"]


def _ec2_instance_id(client, sdk, server_id):
    """The EC2 id of a server: its reservation id (the OpenStack API's
    ``OS-EXT-SRV-ATTR:reservation_id``) is DescribeInstances'
    ``reservation-id``."""
    rid = sdk.compute.get_server(server_id).reservation_id
    assert rid
    found = client.describe_instances(Filters=[
        {"Name": "reservation-id", "Values": [rid]}])["Reservations"]
    (instance,) = [i for r in found for i in r["Instances"]]
    assert instance["State"]["Name"] == "running", instance
    return instance["InstanceId"]


def _ec2_wait(client, waiter, **kwargs):
    client.get_waiter(waiter).wait(
        WaiterConfig={"Delay": 1, "MaxAttempts": 180}, **kwargs)


def _ec2_cleanup(client, cloud, vol_id, snap_id):
    """Best effort: whatever the test left of its snapshot and volume."""
    with contextlib.suppress(ClientError, AssertionError):
        if snap_id:
            client.delete_snapshot(SnapshotId=snap_id)
            wait_until(lambda: not client.describe_snapshots(Filters=[
                {"Name": "snapshot-id", "Values": [snap_id]}])["Snapshots"],
                90, message=f"{snap_id} gone")
    with contextlib.suppress(ClientError, AssertionError):
        if vol_id:
            (volume,) = client.describe_volumes(
                VolumeIds=[vol_id])["Volumes"]
            if volume["Attachments"]:
                client.detach_volume(VolumeId=vol_id)
                _ec2_wait(client, "volume_available", VolumeIds=[vol_id])
            client.delete_volume(VolumeId=vol_id)
            _ec2_wait(client, "volume_deleted", VolumeIds=[vol_id])


def test_ec2_volume_attach_detach_snapshot_in_a_real_guest(cloud):
    """CreateVolume, AttachVolume to g1 (the guest writes its marker on
    the new disk, seen through GetConsoleOutput), DetachVolume,
    CreateSnapshot, DeleteSnapshot, DeleteVolume: all with boto3, the
    same volume seen through the Block Storage API."""
    g1 = cloud.guests["g1"]
    client, access = _ec2_client(cloud)
    vol_id = snap_id = None
    try:
        iid = _ec2_instance_id(client, cloud.sdk(), g1)
        before = {v["ID"] for v in cloud.openstack_json("volume", "list")}
        made = client.create_volume(Size=1, AvailabilityZone="nova")
        vol_id = made["VolumeId"]
        assert vol_id.startswith("vol-") and made["Size"] == 1
        _ec2_wait(client, "volume_available", VolumeIds=[vol_id])
        (uuid,) = {v["ID"] for v in cloud.openstack_json(
            "volume", "list")} - before
        serial = uuid[:SERIAL]
        assert cloud.volume(uuid)["status"] == "available"

        client.attach_volume(VolumeId=vol_id, InstanceId=iid,
                             Device="/dev/vdb")

        def attached():
            (volume,) = client.describe_volumes(
                VolumeIds=[vol_id])["Volumes"]
            atts = volume["Attachments"]
            return volume if volume["State"] == "in-use" and atts and \
                atts[0]["State"] == "attached" else None
        volume = wait_until(attached, 120, message=f"{vol_id} attached")
        assert volume["Attachments"][0]["InstanceId"] == iid
        assert cloud.volume(uuid)["attachments"][0]["server_id"] == g1

        def wrote():
            out = client.get_console_output(InstanceId=iid).get("Output",
                                                                "")
            lines = [line for line in out.splitlines()
                     if "NIMBUS-WROTE" in line and f"serial={serial}" in line]
            return lines[-1] if lines else None
        line = wait_until(wrote, 120, interval=1,
                          message=f"NIMBUS-WROTE serial={serial} over EC2")
        assert f"mark=NIMBUS-MARK:{serial}:{g1}" in line, line
        assert f"size={GIB_SECTORS}" in line, line

        client.detach_volume(VolumeId=vol_id, InstanceId=iid)
        _ec2_wait(client, "volume_available", VolumeIds=[vol_id])
        assert cloud.volume(uuid)["attachments"] == []
        assert f"<serial>{serial}</serial>" not in virsh(
            "dumpxml", f"{cloud.prefix}{g1}")

        snap = client.create_snapshot(VolumeId=vol_id, Description="ec2")
        snap_id = snap["SnapshotId"]
        assert snap_id.startswith("snap-") and snap["VolumeId"] == vol_id
        _ec2_wait(client, "snapshot_completed", SnapshotIds=[snap_id])
        (shown,) = [s for s in cloud.openstack_json(
            "volume", "snapshot", "list", "--volume", uuid)]
        assert shown["Status"] == "available"

        client.delete_snapshot(SnapshotId=snap_id)
        wait_until(lambda: not client.describe_snapshots(Filters=[
            {"Name": "snapshot-id", "Values": [snap_id]}])["Snapshots"],
            90, message=f"{snap_id} gone")
        snap_id = None
        client.delete_volume(VolumeId=vol_id)
        _ec2_wait(client, "volume_deleted", VolumeIds=[vol_id])
        vol_id = None
        assert uuid not in {v["ID"] for v in cloud.openstack_json(
            "volume", "list")}
        assert uuid not in cloud.tgtd.targets()
    finally:
        _ec2_cleanup(client, cloud, vol_id, snap_id)
        cloud.openstack("ec2", "credentials", "delete", access)
