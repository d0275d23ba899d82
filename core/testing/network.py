"""Conformance kit for network plugins.

A plugin's own repository proves its plugin keeps the contract of
:mod:`nimbus.core.interfaces.network` by subclassing
:class:`NetworkDriverConformanceTests` together with
``unittest.TestCase``::

    class TestMyPlugin(NetworkDriverConformanceTests, unittest.TestCase):
        def make_driver(self):
            return MyPlugin(conf, "host-1")

        def make_network(self, vlan=None):      # optional: what your
            return super().make_network(vlan)   # environment can serve

What it checks, for both halves of the plugin: every call is idempotent
(setup, teardown, plug, unplug, filters, floating IPs, each twice, and
the undo of something never done is not an error); ``plug_vif`` returns
a :class:`~nimbus.core.interfaces.hypervisor.VifSpec` of the port; and
each optional operation either works (its capability is declared) or
refuses with :class:`~nimbus.core.exception.UnsupportedOperation`
(contract 1.1: ``set_group_members`` and filters naming a remote group
with ``remote_groups``; contract 1.2: ``update_ports`` with
``port_updates``).

Every test removes what it made (filters, VIFs, floating IPs, networks),
even on failure. Names are unique per test (bridges ``nck<8 hex>``,
within the 15-character limit) so suites can share a host.
"""

import ipaddress
import random
import uuid as uuidlib

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import network as net

#: where :meth:`NetworkDriverConformanceTests.make_network` cuts its
#: /24 networks from (a documentation-free private block).
KIT_RANGE = ipaddress.ip_network("10.250.0.0/16")


class NetworkDriverConformanceTests:
    """Mixin of contract tests; see the module docstring."""

    def make_driver(self):
        raise NotImplementedError("subclasses return a plugin instance")

    def make_network(self, vlan=None):
        """A fresh :class:`NetworkSpec` (unique id, bridge and /24)."""
        suffix = uuidlib.uuid4().hex[:8]
        block = random.randrange(KIT_RANGE.num_addresses // 256)
        cidr = ipaddress.ip_network(
            (int(KIT_RANGE.network_address) + block * 256, 24))
        hosts = list(cidr.hosts())
        return net.NetworkSpec(
            id=str(uuidlib.uuid4()), name=f"conformance-{suffix}",
            cidr=str(cidr), gateway=str(hosts[0]), bridge=f"nck{suffix}",
            vlan=vlan, allocation_start=str(hosts[1]),
            allocation_end=str(hosts[-1]), dns_servers=[],
            project_id="conformance")

    def make_port(self, network, index=1):
        """Port number ``index`` of ``network`` (its ``index``-th
        allocatable address)."""
        start = ipaddress.ip_address(network.allocation_start)
        mac = "fa:16:3e:%02x:%02x:%02x" % tuple(
            random.randrange(256) for _ in range(3))
        return net.PortSpec(id=str(uuidlib.uuid4()), network_id=network.id,
                            mac=mac, fixed_ips=[str(start + index - 1)],
                            instance_uuid=str(uuidlib.uuid4()),
                            hostname=f"conformance-{index}")

    def make_external_network(self):
        """The external network floating IPs of the kit come from."""
        spec = self.make_network()
        spec.external = True
        return spec

    # -- helpers ------------------------------------------------------------

    def setUp(self):
        super().setUp()
        self.driver = self.make_driver()
        self.driver.init_host()
        self.addCleanup(self.driver.cleanup_host)

    def _setup(self, network, ports=()):
        self.addCleanup(self.driver.teardown_network, network)
        self.driver.setup_network(network, list(ports))

    def _plug(self, network, port):
        self.addCleanup(self.driver.unplug_vif, network, port)
        return self.driver.plug_vif(network, port)

    def _declared(self, capability):
        return getattr(self.driver.capabilities, capability)

    # -- contract -----------------------------------------------------------

    def test_is_a_network_driver(self):
        self.assertIsInstance(self.driver, net.NetworkDriver)
        self.assertIsInstance(self.driver.capabilities, net.Capabilities)

    def test_setup_network_is_idempotent_and_follows_the_ports(self):
        network = self.make_network()
        one, two = self.make_port(network, 1), self.make_port(network, 2)
        self._setup(network, [one])
        self.driver.setup_network(network, [one])
        self.driver.setup_network(network, [one, two])
        self.driver.setup_network(network, [two])
        self.driver.setup_network(network, [])

    def test_teardown_is_idempotent(self):
        network = self.make_network()
        self.driver.teardown_network(network)  # never set up here
        self._setup(network, [self.make_port(network)])
        self.driver.teardown_network(network)
        self.driver.teardown_network(network)

    def test_plug_vif_returns_the_ports_vif_spec(self):
        network = self.make_network()
        port = self.make_port(network)
        self._setup(network, [port])
        vif = self._plug(network, port)
        self.assertIsInstance(vif, hv.VifSpec)
        self.assertEqual((port.id, port.mac), (vif.id, vif.mac))
        self.assertIn(vif.kind, ("bridge", "ovs"))
        self.assertTrue(vif.bridge)
        self.assertEqual(vif, self.driver.plug_vif(network, port))

    def test_unplug_is_idempotent(self):
        network = self.make_network()
        port = self.make_port(network)
        self._setup(network, [port])
        self.driver.unplug_vif(network, port)  # never plugged
        self._plug(network, port)
        self.driver.unplug_vif(network, port)
        self.driver.unplug_vif(network, port)

    def test_vlan_networks_carry_their_segment(self):
        if not self._declared("vlan"):
            return  # nimbus refuses VLAN networks before the plugin
        network = self.make_network(vlan=random.randrange(2000, 4000))
        port = self.make_port(network)
        self._setup(network, [port])
        vif = self._plug(network, port)
        self.assertIn(network.vlan, (vif.vlan, None),
                      "a VLAN VIF is tagged with its network's VLAN or "
                      "attached untagged to a per-VLAN bridge")

    def test_port_filters_are_idempotent_or_refused(self):
        network = self.make_network()
        port = self.make_port(network)
        self._setup(network, [port])
        self._plug(network, port)
        allow_ssh = net.PortFilter(port=port, rules=[
            net.FirewallRule(direction="ingress", protocol="tcp",
                             port_range_min=22, port_range_max=22,
                             remote_cidr="0.0.0.0/0"),
            net.FirewallRule(direction="egress")])
        if not self._declared("security_groups"):
            with self.assertRaises(exception.UnsupportedOperation):
                self.driver.set_port_filter(network, allow_ssh)
            with self.assertRaises(exception.UnsupportedOperation):
                self.driver.remove_port_filter(network, port)
            return
        self.addCleanup(self.driver.remove_port_filter, network, port)
        self.driver.remove_port_filter(network, port)  # none yet
        self.driver.set_port_filter(network, allow_ssh)
        self.driver.set_port_filter(network, allow_ssh)
        self.driver.set_port_filter(network, net.PortFilter(
            port=port, rules=[net.FirewallRule(direction="ingress",
                                               protocol="icmp")]))
        self.driver.set_port_filter(network, net.PortFilter(port=port))
        self.driver.remove_port_filter(network, port)
        self.driver.remove_port_filter(network, port)

    def test_remote_groups_are_kept_or_refused(self):
        """Contract 1.1: a group's members replaced (grown, shrunk,
        emptied) under a filter naming the group, each call twice."""
        network = self.make_network()
        port, peer = self.make_port(network, 1), self.make_port(network, 2)
        self._setup(network, [port, peer])
        self._plug(network, port)
        group = str(uuidlib.uuid4())
        if not (self._declared("security_groups")
                and self._declared("remote_groups")):
            with self.assertRaises(exception.UnsupportedOperation):
                self.driver.set_group_members(group, peer.fixed_ips)
            return
        self.addCleanup(self.driver.set_group_members, group, [])
        members = peer.fixed_ips + port.fixed_ips
        self.driver.set_group_members(group, members)
        self.driver.set_group_members(group, members)
        self.addCleanup(self.driver.remove_port_filter, network, port)
        from_group = net.PortFilter(port=port, rules=[
            net.FirewallRule(direction="ingress", protocol="tcp",
                             port_range_min=22, port_range_max=22,
                             remote_group_id=group),
            net.FirewallRule(direction="egress", remote_group_id=group),
            net.FirewallRule(direction="ingress", protocol="icmp",
                             remote_group_id=str(uuidlib.uuid4()))])
        self.driver.set_port_filter(network, from_group)
        self.driver.set_port_filter(network, from_group)
        self.driver.set_group_members(group, peer.fixed_ips)
        self.driver.set_group_members(group, [])
        self.driver.set_group_members(group, members)
        self.driver.remove_port_filter(network, port)
        self.driver.set_group_members(group, peer.fixed_ips)

    def test_port_updates_are_idempotent_or_refused(self):
        """Contract 1.2: ports added and removed a batch at a time, each
        call twice; a port never served removed; a new port taking the
        address of a served one; then the whole state again."""
        network = self.make_network()
        one, two = self.make_port(network, 1), self.make_port(network, 2)
        self._setup(network, [one])
        if not self._declared("port_updates"):
            with self.assertRaises(exception.UnsupportedOperation):
                self.driver.update_ports(network, [two], [])
            return
        for _ in range(2):
            self.driver.update_ports(network, [two], [])
        for _ in range(2):
            self.driver.update_ports(network, [], [one])
        self.driver.update_ports(network, [], [self.make_port(network, 9)])
        heir = self.make_port(network, 2)  # two's address, moved
        for _ in range(2):
            self.driver.update_ports(network, [heir], [])
        self.driver.update_ports(network, [one], [heir, two])
        self.driver.setup_network(network, [one, two])
        self.driver.update_ports(network, [], [one, two])

    def test_leases_are_listed_or_refused(self):
        network = self.make_network()
        if not self._declared("dhcp"):
            with self.assertRaises(exception.UnsupportedOperation):
                self.driver.get_leases(network)
            return
        self.assertEqual([], list(self.driver.get_leases(network)))
        self._setup(network, [self.make_port(network)])
        for lease in self.driver.get_leases(network):  # none in a kit
            self.assertIsInstance(lease, net.Lease)
        self.driver.teardown_network(network)
        self.assertEqual([], list(self.driver.get_leases(network)))

    def test_floating_ips_are_idempotent_or_refused(self):
        network = self.make_network()
        port = self.make_port(network)
        self._setup(network, [port])
        external = self.make_external_network()
        floating = net.FloatingSpec(
            address=external.allocation_start,
            fixed_address=port.fixed_ips[0], external_network=external,
            network=network, port_id=port.id)
        if not self._declared("floating_ips"):
            with self.assertRaises(exception.UnsupportedOperation):
                self.driver.add_floating_ip(floating)
            with self.assertRaises(exception.UnsupportedOperation):
                self.driver.remove_floating_ip(floating)
            return
        self.addCleanup(self.driver.remove_floating_ip, floating)
        self.driver.remove_floating_ip(floating)  # never added
        self.driver.add_floating_ip(floating)
        self.driver.add_floating_ip(floating)
        self.driver.remove_floating_ip(floating)
        self.driver.remove_floating_ip(floating)

    def test_a_restart_replays_without_error(self):
        """What nimbus does at a service start: setup_network and
        set_port_filter again for what already exists."""
        network = self.make_network()
        port = self.make_port(network)
        self._setup(network, [port])
        vif = self._plug(network, port)
        again = self.make_driver()
        again.init_host()
        self.addCleanup(again.cleanup_host)
        again.setup_network(network, [port])
        self.assertEqual(vif, again.plug_vif(network, port))
        if self._declared("security_groups"):
            self.addCleanup(again.remove_port_filter, network, port)
            again.set_port_filter(network, net.PortFilter(port=port))
