"""The hypervisor conformance kit against LibvirtDriver and real guests."""

import unittest

import pytest

from nimbus.core import exception, loading
from nimbus.core.testing.hypervisor import HypervisorConformanceTests
from nimbus.plugins.hypervisors.libvirt.driver import LibvirtDriver


@pytest.mark.real
class TestLibvirtConformance(HypervisorConformanceTests, unittest.TestCase):
    """Every contract test, on QEMU TCG guests booting the test guest."""

    @pytest.fixture(autouse=True)
    def _environment(self, libvirt_env):
        self.env = libvirt_env

    def make_driver(self):
        return self.env.driver()

    def make_spec(self, uuid):
        return self.env.spec(uuid)


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
