"""The hypervisor conformance kit against LibvirtDriver and real guests."""

import unittest

import pytest

from nimbus.core.testing.hypervisor import HypervisorConformanceTests


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
