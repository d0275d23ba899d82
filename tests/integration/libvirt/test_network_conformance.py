"""The network conformance kit against the flat, flatdhcp and vlan
plugins on both layer-2 backends, as root with real bridges, namespaces,
dnsmasq and iptables (every name unique per test, all removed after)."""

import os
import shutil
import subprocess
import tempfile
import unittest
import uuid as uuidlib

import pytest
from oslo_config import cfg

from nimbus.core import loading
from nimbus.core.testing.network import NetworkDriverConformanceTests
from nimbus.plugins.networks.linux import conf as linux_conf
from nimbus.plugins.networks.linux import driver as linux_driver

pytestmark = pytest.mark.real


def _sh(*argv):
    subprocess.run(argv, check=False, capture_output=True)


class _Kit(NetworkDriverConformanceTests):
    plugin = None
    backend = "ovs"

    def make_driver(self):
        if not hasattr(self, "_suffix"):
            self._suffix = uuidlib.uuid4().hex[:6]
            self._bridges = [f"nbi{self._suffix}", f"nbx{self._suffix}"]
            self._dir = tempfile.mkdtemp(prefix="nimbus-netkit-")
            self.addCleanup(self._remove_everything)
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt("state_path", default=self._dir))
        linux_conf.register_opts(conf)
        conf([], project="nimbus-test", default_config_files=[])
        s = self._suffix
        for name, value in {
                "l2_backend": self.backend,
                "integration_bridge": f"nbi{s}",
                "gateway_namespace": f"ngw{s}",
                "external_bridge": f"nbx{s}",
                "external_address": "192.0.2.2/24",
                "chain_prefix": f"nk{s}"}.items():
            conf.set_override(name, value, group="linux_net")
        return self.plugin(conf, "kit-host")

    def make_network(self, vlan=None):
        network = super().make_network(vlan)
        network.metadata_host, network.metadata_port = "127.0.0.1", 8775
        self._bridges.append(network.bridge)
        return network

    def _remove_everything(self):
        from nimbus.plugins.networks.linux import names
        ns = f"ngw{self._suffix}"
        _sh("ip", "netns", "del", ns)
        _sh("ip", "link", "del", names.metadata_link(ns)[0])
        _sh("ip", "link", "del", names.external_link(ns)[0])
        for bridge in self._bridges:
            _sh("ovs-vsctl", "--if-exists", "del-br", bridge)
            _sh("ip", "link", "del", bridge)
        shutil.rmtree(self._dir, ignore_errors=True)
        sets = subprocess.run(["ipset", "list", "-n"], capture_output=True,
                              text=True).stdout.split()
        for name in sets:  # remote groups of the linuxbridge backend
            if name.startswith(f"nk{self._suffix}-"):
                _sh("ipset", "destroy", name)
        left = subprocess.run(["ip", "-o", "link"], capture_output=True,
                              text=True).stdout
        assert self._suffix not in left, left
        assert not os.path.exists(f"/run/netns/{ns}")


class TestVlanOnOvs(_Kit, unittest.TestCase):
    plugin = linux_driver.VlanNetwork

    def make_network(self, vlan=None):
        # The vlan plugin serves VLAN networks only.
        return super().make_network(vlan or 3000 + int(
            uuidlib.uuid4().hex[:3], 16) % 1000)


class TestFlatDhcpOnOvs(_Kit, unittest.TestCase):
    plugin = linux_driver.FlatDHCPNetwork


class TestFlatDhcpOnLinuxBridge(_Kit, unittest.TestCase):
    plugin = linux_driver.FlatDHCPNetwork
    backend = "linuxbridge"


class TestFlatOnLinuxBridge(_Kit, unittest.TestCase):
    plugin = linux_driver.FlatNetwork
    backend = "linuxbridge"


@pytest.mark.parametrize("name,cls", [
    ("flat", linux_driver.FlatNetwork),
    ("flatdhcp", linux_driver.FlatDHCPNetwork),
    ("vlan", linux_driver.VlanNetwork)])
def test_entry_points(name, cls):
    assert loading.load_class(loading.NETWORKS, name) is cls
