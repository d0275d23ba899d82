"""An attached volume grown under a running real guest (Compute API
2.51's volume-extended): nimbus-all with the libvirt plugin (QEMU TCG)
and the ``file`` volume plugin with the ``local`` target, so QEMU opens
the volume's file itself. The volume service sends the event after the
in-use extend, the compute ``blockResize``s the guest's disk, and QEMU
shows the new size at once, without a re-attach.

(With the ``tgt`` target QEMU reaches the volume through its own iSCSI
driver, which refuses ``block_resize``: "Cannot grow iSCSI devices"; the
event's action then ends in Error with that fault, see docs/api.md.)"""

import re

import pytest

from nimbus.plugins.hypervisors.libvirt import config
from tests.integration.libvirt.conftest import virsh
from tests.integration.libvirt.volume_cloud import VolumeCloud, wait_until

pytestmark = pytest.mark.real
SERIAL = 20  # what virtio-blk shows of a serial
GiB = 1024 ** 3


@pytest.fixture(scope="module")
def cloud(libvirt_env):
    deployment = VolumeCloud(libvirt_env.workdir, libvirt_env.guest_dir,
                             libvirt_env.prefix, None, target="local")
    try:
        deployment.start()
        image = deployment.register_guest_images()
        deployment.guests = deployment.boot(["x1"], image)
        yield deployment
    finally:
        deployment.stop()
        deployment.cleanup(virsh)


def _capacity(cloud, server_id, serial):
    """What QEMU says of the size of the guest's disk ``serial``."""
    name = f"{cloud.prefix}{server_id}"
    dev = config.disk_target(virsh("dumpxml", name), serial)
    info = virsh("domblkinfo", name, dev)
    return int(re.search(r"Capacity:\s+(\d+)", info).group(1))


def test_extending_an_attached_volume_grows_the_running_guest_disk(cloud):
    x1 = cloud.guests["x1"]
    cloud.openstack("volume", "create", "--size", "1", "live")
    serial = cloud.wait_volume("live", "available")["id"][:SERIAL]
    cloud.openstack("server", "add", "volume", "x1", "live")
    cloud.wait_volume("live", "in-use")
    assert _capacity(cloud, x1, serial) == GiB
    cloud.openstack("volume", "set", "--size", "2", "live")
    wait_until(lambda: cloud.volume("live")["size"] == 2, 60,
               message="size 2")
    wait_until(lambda: _capacity(cloud, x1, serial) == 2 * GiB, 60,
               message="the guest disk at 2 GiB")
    conn = cloud.sdk()
    actions = conn.compute.get(f"/servers/{x1}/os-instance-actions",
                               microversion="2.51").json()["instanceActions"]
    extend = next(a for a in actions if a["action"] == "extend_volume")
    detail = conn.compute.get(
        f"/servers/{x1}/os-instance-actions/{extend['request_id']}",
        microversion="2.51").json()["instanceAction"]
    assert [(e["event"], e["result"]) for e in detail["events"]] == [
        ("compute_extend_volume", "Success")]
    cloud.openstack("server", "remove", "volume", "x1", "live")
    cloud.wait_volume("live", "available")
    cloud.openstack("volume", "delete", "live")
