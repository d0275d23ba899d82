"""The ``flat``, ``flatdhcp`` and ``vlan`` plugins: one implementation
(:class:`LinuxNetwork`), three capability sets.

* ``flat``: the operator's bridge per network, no DHCP (addresses are
  injected or configured in the guest); gateway address, NAT, floating
  IPs and metadata forwarding as the others.
* ``flatdhcp``: ``flat`` plus one dnsmasq per network answering only the
  ports nimbus gave it.
* ``vlan``: ``flatdhcp`` with one VLAN segment per network (an OVS port
  tag on the integration bridge, or a ``vlan<id>`` device on the Linux
  bridge backend).

All three serve ``multi_host`` networks: each host's gateway namespace
joins the segment with the gateway address nimbus gave that host
(``NetworkSpec.gateway``) and its dnsmasq answers only that host's
ports, so every guest leases from, and routes through, its own host.

Layer 2 comes from ``[linux_net] l2_backend`` (:mod:`.l2`), the gateway
side from :mod:`.gateway`. Every call carries the whole state it is
about, so each is idempotent and a restarted service replays them; the
only files are dnsmasq's, rewritten from the calls (``update_ports``
changes the hosts file the calls before it wrote).
"""

import shutil

from oslo_log import log as logging

from nimbus.core import exception, privileged
from nimbus.core.interfaces import network
from nimbus.plugins.networks.linux import conf as linux_conf
from nimbus.plugins.networks.linux import gateway as gateway_mod
from nimbus.plugins.networks.linux import l2

LOG = logging.getLogger(__name__)

_DEFAULT_LEASE = 86400


def _lease_time(conf):
    """``[network] dhcp_lease_time`` when the service registered it."""
    try:
        value = conf.network.dhcp_lease_time
    except (AttributeError, Exception):  # group or option not registered
        return _DEFAULT_LEASE
    return int(value) if value else _DEFAULT_LEASE


class LinuxNetwork(network.NetworkDriver):
    """Base of the three plugins; see the module doc."""

    capabilities = network.Capabilities(
        dhcp=True, vlan=False, security_groups=True, floating_ips=True,
        metadata=True, multi_host=True, remote_groups=True,
        port_updates=True)

    _TOOLS = ("ip", "iptables", "iptables-restore", "iptables-save")

    def __init__(self, conf, host):
        super().__init__(conf, host)
        linux_conf.register_opts(conf)
        self._opts = conf.linux_net
        self.l2 = l2.backend(self._opts)
        self.gateway = gateway_mod.Gateway(self._opts, self.l2,
                                           _lease_time(conf))

    # -- lifecycle ----------------------------------------------------------

    def init_host(self):
        # Early, before the service's RPC threads: as root this forks the
        # privsep daemon; otherwise privsep starts its helper on first use.
        privileged.start()
        tools = list(self._TOOLS)
        if self.capabilities.dhcp:
            tools.append("dnsmasq")
        if self._opts.l2_backend == "ovs":
            tools += ["ovs-vsctl", "ovs-ofctl"]
        else:
            tools += ["ipset", "ip6tables", "ip6tables-restore"]
        missing = [t for t in tools if shutil.which(t) is None]
        if missing:
            raise exception.NetworkPluginError(
                reason=f"missing programs: {', '.join(missing)}")

    def cleanup_host(self):
        self.l2.stop()

    # -- gateway side ---------------------------------------------------------

    def _check(self, net):
        if net.vlan is not None and not self.capabilities.vlan:
            raise exception.NetworkPluginError(
                reason=f"network {net.id} has VLAN {net.vlan}, which the "
                       f"{type(self).__name__} plugin does not support")

    def setup_network(self, network, ports):
        self._check(network)
        if network.external:
            # A floating pool: nothing attaches to it; its addresses are
            # NAT targets on the gateway's external link.
            if self._opts.external_bridge:
                self.gateway.ensure_base()
            return
        self.gateway.setup_network(network, ports, self.capabilities.dhcp)

    def update_ports(self, network, added, removed):
        self._check(network)
        if network.external or not self.capabilities.dhcp:
            return  # only DHCP serves ports one by one
        self.gateway.update_ports(network, added, removed)

    def teardown_network(self, network):
        if network.external:
            return
        self.gateway.teardown_network(network)

    def get_leases(self, network):
        if not self.capabilities.dhcp:
            self._unsupported("DHCP leases")
        return self.gateway.leases(network.id)

    def add_floating_ip(self, floating):
        self.gateway.add_floating_ip(floating)

    def remove_floating_ip(self, floating):
        self.gateway.remove_floating_ip(floating)

    # -- host side ------------------------------------------------------------

    def plug_vif(self, network, port):
        self._check(network)
        if network.external:
            raise exception.NetworkPluginError(
                reason=f"guests cannot attach to external network "
                       f"{network.id}")
        self.l2.ensure_segment(network)
        return self.l2.vif(network, port)

    def unplug_vif(self, network, port):
        self.l2.unplug(network, port)

    def set_port_filter(self, network, port_filter):
        self.l2.set_filter(network, port_filter)

    def remove_port_filter(self, network, port):
        self.l2.remove_filter(network, port)

    def set_group_members(self, group_id, addresses):
        self.l2.set_group_members(group_id, addresses)


class FlatNetwork(LinuxNetwork):
    """``flat``: no DHCP, no VLANs."""

    capabilities = network.Capabilities(
        dhcp=False, vlan=False, security_groups=True, floating_ips=True,
        metadata=True, multi_host=True, remote_groups=True,
        port_updates=True)


class FlatDHCPNetwork(LinuxNetwork):
    """``flatdhcp``: flat networks with dnsmasq."""


class VlanNetwork(LinuxNetwork):
    """``vlan``: one VLAN segment per (project) network, with dnsmasq."""

    capabilities = network.Capabilities(
        dhcp=True, vlan=True, security_groups=True, floating_ips=True,
        metadata=True, multi_host=True, remote_groups=True,
        port_updates=True)

    def _check(self, net):
        if net.vlan is None and not net.external:
            raise exception.NetworkPluginError(
                reason=f"network {net.id} has no VLAN id; the vlan plugin "
                       "gives every network its own segment")
