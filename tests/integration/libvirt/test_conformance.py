"""The hypervisor conformance kit against LibvirtDriver and real guests."""

import re
import subprocess
import unittest
import uuid as uuid_mod
import xml.etree.ElementTree as ET

import pytest

from nimbus.core import exception, loading
from nimbus.core.testing.hypervisor import HypervisorConformanceTests
from nimbus.core.testing.hypervisor_moves import ColdMoveConformanceTests
from nimbus.plugins.hypervisors.libvirt import config
from nimbus.plugins.hypervisors.libvirt.driver import LibvirtDriver


@pytest.mark.real
class TestLibvirtConformance(HypervisorConformanceTests,
                             ColdMoveConformanceTests, unittest.TestCase):
    """Every contract test, on QEMU TCG guests booting the test guest
    (cold moves within one host; between two hosts: test_cold_moves)."""

    @pytest.fixture(autouse=True)
    def _environment(self, libvirt_env):
        self.env = libvirt_env

    def make_driver(self):
        # A NIC hot-unplugged while the TCG guest still boots is released
        # only once its kernel handles ACPI: allow for the boot.
        return self.env.driver(detach_timeout=180)

    def make_spec(self, uuid):
        return self.env.spec(uuid)

    def make_rescue_image(self):
        """The test guest's own image (it boots without a root disk)."""
        return self.env.spec().image

    def make_vif(self):
        """A VIF on a Linux bridge of this test's own."""
        vif = super().make_vif()
        bridge = f"nbc{uuid_mod.uuid4().hex[:8]}"
        subprocess.run(["ip", "link", "add", bridge, "type", "bridge"],
                       check=True)
        self.addCleanup(subprocess.run, ["ip", "link", "del", bridge],
                        check=False)
        vif.bridge, vif.kind = bridge, "bridge"
        self._vifs = getattr(self, "_vifs", []) + [vif]
        return vif

    def guest_disk_size(self, uuid, serial):
        """What ``virsh domblkinfo`` says of the disk's capacity."""
        name = self.env.domain_name(uuid)
        dev = config.disk_target(self.env.virsh("dumpxml", name), serial)
        info = self.env.virsh("domblkinfo", name, dev)
        return int(re.search(r"Capacity:\s+(\d+)", info).group(1))

    def guest_disk_shared(self, uuid, serial):
        """Whether the live domain's disk ``serial`` is ``<shareable/>``
        with no host cache."""
        xml = self.env.virsh("dumpxml", self.env.domain_name(uuid))
        for disk in ET.fromstring(xml).iter("disk"):
            if disk.findtext("serial") == serial:
                return disk.find("shareable") is not None and \
                    disk.find("driver").get("cache") == "none"
        return False

    def guest_vif_ids(self, uuid):
        """The VIFs of this test whose tap is in the live domain."""
        xml = self.env.virsh("dumpxml", self.env.domain_name(uuid))
        devs = set(re.findall(r"<target dev='([^']+)'", xml))
        return [v.id for v in getattr(self, "_vifs", [])
                if v.device_name in devs]


@pytest.mark.real
def test_init_host_refuses_a_virt_type_the_host_lacks(libvirt_env):
    # the qemu:// driver never offers xen domains.
    driver = LibvirtDriver(libvirt_env.conf(virt_type="xen"), "itest-host")
    with pytest.raises(exception.HypervisorError, match="xen"):
        driver.init_host()


@pytest.mark.real
def test_loads_through_the_entry_point():
    assert loading.load_class(loading.HYPERVISORS, "libvirt") is \
        LibvirtDriver
