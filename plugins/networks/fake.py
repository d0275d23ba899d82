"""The ``fake`` network plugin: records what it is asked in memory.

For the embedded default with the fake hypervisor and for tests: no
packets, no root. It declares every capability so every nimbus path that
reaches a plugin can run against it.
"""

import copy
import threading

from nimbus.core.interfaces import network

_PortSpec = network.PortSpec  # setup_network's `network` hides it


class FakeNetwork(network.NetworkDriver):
    """Networks, ports, filters and floating IPs kept in dicts."""

    capabilities = network.Capabilities(
        dhcp=True, vlan=True, security_groups=True, floating_ips=True,
        metadata=True, multi_host=True, remote_groups=True)

    def __init__(self, conf, host):
        super().__init__(conf, host)
        self._lock = threading.Lock()
        #: network id -> (NetworkSpec, {port id: PortSpec}) set up here.
        self.networks = {}
        #: port id -> VifSpec plugged on this host.
        self.plugged = {}
        #: port id -> PortFilter in force.
        self.filters = {}
        #: floating address -> FloatingSpec.
        self.floating = {}
        #: security group uuid -> frozenset of member addresses.
        self.groups = {}
        #: network id -> {mac: Lease}: what "guests" took (tests call
        #: :meth:`lease`; no guest takes one on its own here).
        self.leases = {}

    def setup_network(self, network, ports):
        wanted = {(p.mac.lower(), ip) for p in ports for ip in p.fixed_ips}
        # A PortSpec holds strings and one list of them: a copy with its
        # own list is as independent as a deep copy, at a fraction of
        # the cost (this runs with every port of the network per boot;
        # dataclasses.replace was most of it).
        served = {p.id: _PortSpec(
            id=p.id, network_id=p.network_id, mac=p.mac,
            fixed_ips=list(p.fixed_ips), instance_uuid=p.instance_uuid,
            hostname=p.hostname) for p in ports}
        with self._lock:
            self.networks[network.id] = (copy.deepcopy(network), served)
            # A port no longer served loses its lease, as with dnsmasq.
            held = self.leases.get(network.id, {})
            self.leases[network.id] = {
                mac: lease for mac, lease in held.items()
                if (mac, lease.address) in wanted}

    def teardown_network(self, network):
        with self._lock:
            self.networks.pop(network.id, None)
            self.leases.pop(network.id, None)

    def get_leases(self, network_):
        with self._lock:
            return list(self.leases.get(network_.id, {}).values())

    def lease(self, network_id, mac, address, expires=None):
        """Simulate a guest taking (or renewing) a lease."""
        with self._lock:
            self.leases.setdefault(network_id, {})[mac.lower()] = \
                network.Lease(mac=mac.lower(), address=address,
                              expires=expires)

    def release(self, network_id, mac):
        """Simulate a guest releasing its lease (DHCPRELEASE)."""
        with self._lock:
            self.leases.get(network_id, {}).pop(mac.lower(), None)

    def add_floating_ip(self, floating):
        with self._lock:
            self.floating[floating.address] = copy.deepcopy(floating)

    def remove_floating_ip(self, floating):
        with self._lock:
            self.floating.pop(floating.address, None)

    def plug_vif(self, network_, port):
        vif = network.vif_spec(port, network_.bridge, "bridge",
                               vlan=network_.vlan, mtu=network_.mtu)
        with self._lock:
            self.plugged[port.id] = vif
        return vif

    def unplug_vif(self, network, port):
        with self._lock:
            self.plugged.pop(port.id, None)

    def set_port_filter(self, network, port_filter):
        # Rules are small frozen-in-practice records that callers build
        # afresh for each call; copying the list (not each rule) keeps
        # this O(rules) for the default group's member-refresh bursts.
        recorded = network_filter_copy(port_filter)
        with self._lock:
            self.filters[port_filter.port.id] = recorded

    def remove_port_filter(self, network, port):
        with self._lock:
            self.filters.pop(port.id, None)

    def set_group_members(self, group_id, addresses):
        with self._lock:
            self.groups[group_id] = frozenset(addresses)

    def peers(self, port_id, direction):
        """The remote CIDRs the filter of ``port_id`` allows in
        ``direction``, remote groups resolved with the members in force
        (``None`` stands for any address): what a real plugin would
        let through."""
        with self._lock:
            port_filter = self.filters[port_id]
            result = set()
            for rule in port_filter.rules:
                if rule.direction != direction:
                    continue
                if rule.remote_group_id is not None:
                    result |= {f"{a}/32" for a in self.groups.get(
                        rule.remote_group_id, ())}
                else:
                    result.add(rule.remote_cidr)
            return result


def network_filter_copy(port_filter):
    """A copy of ``port_filter`` that later changes of the caller's port
    or rule list do not reach (the rules themselves are shared)."""
    return network.PortFilter(port=copy.copy(port_filter.port),
                              rules=list(port_filter.rules))
