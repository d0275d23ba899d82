"""The network conformance kit against the ``fake`` plugin, and against
a plugin declaring no optional capability (whose optional operations
must refuse)."""

import unittest

from oslo_config import cfg

from nimbus.core import exception
from nimbus.core.interfaces import network as net
from nimbus.core.testing.network import NetworkDriverConformanceTests
from nimbus.plugins.networks.fake import FakeNetwork


class TestFakeNetworkConformance(NetworkDriverConformanceTests,
                                 unittest.TestCase):
    def make_driver(self):
        return FakeNetwork(cfg.ConfigOpts(), "conformance-host")

    def test_the_fake_records_what_it_is_asked(self):
        network = self.make_network()
        port = self.make_port(network)
        self._setup(network, [port])
        vif = self._plug(network, port)
        self.assertEqual({port.id: vif}, self.driver.plugged)
        self.assertEqual([port.id], list(self.driver.networks[network.id][1]))

    def test_the_fake_keeps_its_own_copy_of_the_network(self):
        network = self.make_network()
        self._setup(network, [])
        network.dns_servers.append("192.0.2.53")
        self.driver.update_ports(network, [], [])
        recorded = self.driver.networks[network.id][0]
        self.assertEqual(network, recorded)
        network.dns_servers.append("192.0.2.54")
        network.name = "renamed"
        self.assertEqual(["192.0.2.53"], recorded.dns_servers[-1:])
        self.assertNotEqual("renamed", recorded.name)

    def test_the_fakes_port_updates_end_where_setup_would(self):
        network = self.make_network()
        one, two = self.make_port(network, 1), self.make_port(network, 2)
        self._setup(network, [one, two])
        for port in (one, two):
            self.driver.lease(network.id, port.mac, port.fixed_ips[0])
        heir = self.make_port(network, 2)  # two's address, moved
        three = self.make_port(network, 3)
        self.driver.update_ports(network, [heir, three], [one])
        served = self.driver.networks[network.id][1]
        self.assertEqual({heir.id, three.id}, set(served))
        self.assertEqual(heir.fixed_ips, served[heir.id].fixed_ips)
        # The ports gone lost their leases, as setup_network drops them.
        self.assertEqual([], self.driver.get_leases(network))
        self.driver.lease(network.id, heir.mac, heir.fixed_ips[0])
        self.driver.update_ports(network, [], [two])  # not served: no-op
        self.assertEqual([heir.mac], [lease.mac for lease in
                                      self.driver.get_leases(network)])
        with self.assertRaises(exception.NetworkPluginError):
            self.driver.update_ports(self.make_network(), [three], [])

    def test_the_fakes_group_rules_follow_the_members(self):
        network = self.make_network()
        port = self.make_port(network)
        self._setup(network, [port])
        self.driver.set_port_filter(network, net.PortFilter(port=port, rules=[
            net.FirewallRule(direction="ingress", remote_group_id="g")]))
        self.assertEqual(set(), self.driver.peers(port.id, "ingress"))
        self.driver.set_group_members("g", ["10.0.0.5", "10.0.0.6"])
        self.assertEqual({"10.0.0.5/32", "10.0.0.6/32"},
                         self.driver.peers(port.id, "ingress"))
        self.driver.set_group_members("g", ["10.0.0.6"])
        self.assertEqual({"10.0.0.6/32"},
                         self.driver.peers(port.id, "ingress"))


class _Minimal(net.NetworkDriver):
    """Only the required half of the contract: no capability."""

    def setup_network(self, network, ports):
        pass

    def teardown_network(self, network):
        pass

    def plug_vif(self, network, port):
        return net.vif_spec(port, network.bridge, "bridge")

    def unplug_vif(self, network, port):
        pass


class TestMinimalPluginConformance(NetworkDriverConformanceTests,
                                   unittest.TestCase):
    def make_driver(self):
        return _Minimal(cfg.ConfigOpts(), "conformance-host")


class _Liar(_Minimal):
    """Declares security groups but refuses them: the kit must fail."""

    capabilities = net.Capabilities(security_groups=True)


def test_the_kit_fails_a_plugin_that_lies_about_a_capability():
    class LiarSuite(NetworkDriverConformanceTests, unittest.TestCase):
        def make_driver(self):
            return _Liar(cfg.ConfigOpts(), "conformance-host")

    result = unittest.TestResult()
    LiarSuite("test_port_filters_are_idempotent_or_refused").run(result)
    failures = result.errors + result.failures
    assert failures  # the test and its cleanup both hit the refusal
    assert all(exception.UnsupportedOperation.__name__ in text
               for _test, text in failures)
