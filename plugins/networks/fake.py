"""The ``fake`` network plugin: records what it is asked in memory.

For the embedded default with the fake hypervisor and for tests: no
packets, no root. It declares every capability so every nimbus path that
reaches a plugin can run against it.
"""

import copy
import threading

from nimbus.core import exception
from nimbus.core.interfaces import network

_PortSpec = network.PortSpec  # setup_network's `network` hides it


class FakeNetwork(network.NetworkDriver):
    """Networks, ports, filters and floating IPs kept in dicts."""

    capabilities = network.Capabilities(
        dhcp=True, vlan=True, security_groups=True, floating_ips=True,
        metadata=True, multi_host=True, remote_groups=True,
        port_updates=True)

    def __init__(self, conf, host):
        super().__init__(conf, host)
        self._lock = threading.Lock()
        #: network id -> (NetworkSpec, {port id: PortSpec}) set up here.
        self.networks = {}
        #: network id -> {fixed address: id of the port served with it}.
        self._holders = {}
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
        served = {p.id: _copy(p) for p in ports}
        with self._lock:
            self.networks[network.id] = (_copy_network(network), served)
            self._holders[network.id] = {
                ip: p.id for p in served.values() for ip in p.fixed_ips}
            # A port no longer served loses its lease, as with dnsmasq.
            held = self.leases.get(network.id, {})
            self.leases[network.id] = {
                mac: lease for mac, lease in held.items()
                if self._wanted(network.id, lease)}

    def update_ports(self, network, added, removed):
        with self._lock:
            if network.id not in self.networks:
                raise exception.NetworkPluginError(
                    reason=f"network {network.id} is not set up here")
            recorded, served = self.networks[network.id]
            holders = self._holders[network.id]
            if recorded != network:  # a boot's update rarely changes it
                self.networks[network.id] = (_copy_network(network), served)
            gone = [served.pop(p.id, p) for p in removed]
            for port in added:
                # Its addresses move to it from any port holding them.
                moved = {holders.get(ip) for ip in port.fixed_ips}
                gone += [served.pop(uuid) for uuid in moved
                         if uuid in served and uuid != port.id]
                if port.id in served:
                    gone.append(served[port.id])
                served[port.id] = _copy(port)
            for port in gone:
                for ip in port.fixed_ips:
                    if holders.get(ip) == port.id:
                        del holders[ip]
            for port in added:
                holders.update((ip, port.id) for ip in port.fixed_ips)
            held = self.leases.get(network.id, {})
            for mac in {p.mac.lower() for p in gone}:
                if mac in held and not self._wanted(network.id, held[mac]):
                    del held[mac]

    def _wanted(self, network_id, lease):
        """Whether a port served on the network has the lease's MAC and
        address (the lock held)."""
        holder = self._holders.get(network_id, {}).get(lease.address)
        port = self.networks[network_id][1].get(holder)
        return port is not None and port.mac.lower() == lease.mac

    def teardown_network(self, network):
        with self._lock:
            self.networks.pop(network.id, None)
            self._holders.pop(network.id, None)
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


def _copy(port):
    """A copy of a PortSpec: it holds strings and one list of them, so a
    copy with its own list is as independent as a deep copy, at a
    fraction of the cost (dataclasses.replace was most of a boot's
    gateway update when every port was copied per boot)."""
    return _PortSpec(id=port.id, network_id=port.network_id, mac=port.mac,
                     fixed_ips=list(port.fixed_ips),
                     instance_uuid=port.instance_uuid,
                     hostname=port.hostname)


def _copy_network(spec):
    """A copy of a NetworkSpec: strings, numbers and one list of
    strings, so a copy with its own list is as independent as a deep
    copy, at a tenth of the cost (a deep copy was a fifth of a boot's
    gateway update)."""
    copied = copy.copy(spec)
    copied.dns_servers = list(spec.dns_servers)
    return copied


def network_filter_copy(port_filter):
    """A copy of ``port_filter`` that later changes of the caller's port
    or rule list do not reach (the rules themselves are shared)."""
    return network.PortFilter(port=copy.copy(port_filter.port),
                              rules=list(port_filter.rules))
