"""Layer 2: where a network's segment lives on this host, how ports join
it, and how guest ports are filtered. Two backends with one shape:
:class:`OvsBackend` and :class:`LinuxBridgeBackend`."""

import threading

from oslo_log import log as logging

from nimbus.core.interfaces import network as net_if
from nimbus.plugins.networks.linux import (
    groups,
    iptables_firewall,
    names,
    ovs_firewall,
)
from nimbus.plugins.networks.linux.privileged import iproute, netfilter, ovs

LOG = logging.getLogger(__name__)


class OvsBackend:
    """Open vSwitch bridges on the userspace (``netdev``) datapath.

    ``vlan`` networks share the integration bridge, one access-port tag
    per network; ``flat`` networks get a bridge of their own (an untagged
    OVS port is a trunk, so they cannot share the integration bridge).
    Security groups are flows (:mod:`ovs_firewall`), installed when the
    guest's tap has an OpenFlow port number; a poller thread notices taps
    appearing or being re-plugged, and the bridge's own ports (anything
    not named like a guest tap), which table 0 lets through: everything
    else is dropped until its filter is in. Remote groups' members are
    flows of their own, written when a group's membership changes
    (:meth:`set_group_members`), on every bridge this backend filters.
    """

    kind = "ovs"

    def __init__(self, opts):
        self._opts = opts
        self._lock = threading.Lock()
        #: port id -> (bridge, PortFilter) of the filters in force.
        self._filters = {}
        #: port id -> OpenFlow port number the installed flows use.
        self._applied = {}
        self._based = set()
        #: bridge -> OpenFlow numbers of its own ports let through.
        self._trusted = {}
        self._members = groups.SHARED
        self._poller = None
        self._stop = threading.Event()

    # -- segments -------------------------------------------------------

    def segment(self, network):
        """``(bridge, tag)`` of ``network``'s segment on this host."""
        if network.vlan is not None:
            return self._opts.integration_bridge, network.vlan
        return network.bridge or names.flat_bridge(network.id), None

    def ensure_segment(self, network):
        bridge, tag = self.segment(network)
        ovs.ovs_ensure_bridge(bridge)
        if tag is not None and self._opts.vlan_interface:
            ovs.ovs_add_port(bridge, self._opts.vlan_interface, None)
        elif tag is None and network.bridge_interface:
            ovs.ovs_add_port(bridge, network.bridge_interface, None)
        self._ensure_base(bridge)
        self._trust(bridge)
        return bridge

    def _ensure_base(self, bridge):
        if bridge in self._based:
            return
        # Its own ports first: the base flows drop what is not let in.
        self._trust(bridge)
        with self._members.lock:
            flow_sets = {names.BASE_COOKIE: ovs_firewall.base_flows()}
            for group_id in self._members.groups():
                flow_sets[_group_cookie(group_id)] = \
                    ovs_firewall.group_flows(group_id)
            for address in self._members.addresses():
                flow_sets[_member_cookie(address)] = \
                    ovs_firewall.member_flows(
                        address, self._members.groups_of(address))
            ovs.ovs_replace_flow_sets(bridge, flow_sets)
            with self._lock:
                self._based.add(bridge)
        self._start_poller()

    def _trust(self, bridge, ofports=None):
        """Let the bridge's own ports (not guest taps) through table 0."""
        if ofports is None:
            ofports = ovs.ovs_ofports(bridge)
        trusted = {n for name, n in ofports.items() if not names.is_tap(name)}
        with self._lock:
            if self._trusted.get(bridge) == trusted:
                return
        ovs.ovs_replace_flows(bridge, names.cookie("trust:" + bridge),
                              ovs_firewall.trusted_flows(trusted))
        with self._lock:
            self._trusted[bridge] = trusted

    def add_port(self, network, port_name):
        bridge, tag = self.segment(network)
        ovs.ovs_add_port(bridge, port_name, tag)
        if bridge in self._based:
            self._trust(bridge)

    def remove_port(self, network, port_name):
        bridge, _tag = self.segment(network)
        ovs.ovs_del_port(bridge, port_name)

    def ensure_external(self, bridge):
        ovs.ovs_ensure_bridge(bridge)

    def add_external_port(self, bridge, port_name):
        ovs.ovs_add_port(bridge, port_name, None)

    def vif(self, network, port):
        bridge, tag = self.segment(network)
        return net_if.vif_spec(port, bridge, "ovs", vlan=tag,
                               mtu=network.mtu)

    def unplug(self, network, port):
        # libvirt removes the tap's OVS port with the domain; a crashed
        # hypervisor may leave it behind.
        bridge, _tag = self.segment(network)
        ovs.ovs_del_port(bridge, names.tap(port.id))

    # -- security groups ----------------------------------------------------

    def set_filter(self, network, port_filter):
        bridge, _tag = self.segment(network)
        port_id = port_filter.port.id
        with self._lock:
            self._filters[port_id] = (bridge, port_filter)
            self._applied.pop(port_id, None)
        self._ensure_base(bridge)
        self._sync([port_id])
        self._start_poller()

    def remove_filter(self, network, port):
        bridge, _tag = self.segment(network)
        with self._lock:
            self._filters.pop(port.id, None)
            self._applied.pop(port.id, None)
        ovs.ovs_replace_flows(bridge, names.cookie(port.id), [])

    def set_group_members(self, group_id, addresses):
        """Replace the member flows of the addresses that joined or left
        ``group_id`` (and add the group's own flows the first time), in
        one bundle per bridge."""
        with self._members.lock:
            new, changed = self._members.replace(group_id, addresses)
            flow_sets = {_member_cookie(a): ovs_firewall.member_flows(
                a, self._members.groups_of(a)) for a in changed}
            if new:
                flow_sets[_group_cookie(group_id)] = \
                    ovs_firewall.group_flows(group_id)
            with self._lock:
                bridges = sorted(self._based)
            for bridge in bridges:
                ovs.ovs_replace_flow_sets(bridge, flow_sets)

    def _sync(self, port_ids=None):
        """Install the flows of ports whose OpenFlow number changed (and,
        on a full pass, let new own ports of the bridges through)."""
        with self._lock:
            wanted = {pid: self._filters[pid] for pid in
                      (port_ids if port_ids is not None else self._filters)
                      if pid in self._filters}
            based = sorted(self._based) if port_ids is None else []
        ofports = {}
        for bridge in based:
            ofports[bridge] = ovs.ovs_ofports(bridge)
            self._trust(bridge, ofports[bridge])
        for pid, (bridge, port_filter) in wanted.items():
            if bridge not in ofports:
                ofports[bridge] = ovs.ovs_ofports(bridge)
            ofport = ofports[bridge].get(names.tap(pid))
            with self._lock:
                if self._filters.get(pid, (None, None))[1] is not port_filter:
                    continue  # replaced meanwhile; its own sync handles it
                if pid in self._applied and self._applied[pid] == ofport:
                    continue
            ovs.ovs_replace_flows(bridge, names.cookie(pid),
                                  ovs_firewall.port_flows(ofport,
                                                          port_filter))
            with self._lock:
                if self._filters.get(pid, (None, None))[1] is port_filter:
                    self._applied[pid] = ofport
            LOG.debug("Security-group flows of port %(port)s on %(br)s "
                      "(ofport %(of)s)", {"port": pid, "br": bridge,
                                           "of": ofport})

    def _start_poller(self):
        with self._lock:
            if self._poller is not None:
                return
            self._poller = threading.Thread(target=self._poll, daemon=True,
                                            name="ovs-port-poller")
        self._poller.start()

    def _poll(self):
        while not self._stop.wait(self._opts.port_poll_interval):
            try:
                self._sync()
            except Exception:  # keep polling: the next look may work
                LOG.exception("Syncing security-group flows failed")

    def stop(self):
        self._stop.set()


def _group_cookie(group_id):
    return names.cookie("group:" + group_id)


def _member_cookie(address):
    return names.cookie("member:" + address)


class LinuxBridgeBackend:
    """Kernel bridges; a VLAN network's bridge gets ``vlan<id>`` on
    ``vlan_interface``. Security groups are iptables chains in the host's
    filter table (:mod:`iptables_firewall`); a remote group is an ipset
    (``<prefix>-g<id>``) the rules match, so a membership change is one
    ``ipset restore`` whatever the number of ports."""

    kind = "bridge"

    def __init__(self, opts):
        self._opts = opts
        self._lock = threading.Lock()
        self._filtered = set()

    def segment(self, network):
        return network.bridge or names.flat_bridge(network.id), None

    def ensure_segment(self, network):
        bridge, _tag = self.segment(network)
        iproute.bridge_ensure(bridge)
        uplink = None
        if network.vlan is not None and self._opts.vlan_interface:
            uplink = names.vlan_device(network.vlan)
            iproute.vlan_device_ensure(self._opts.vlan_interface, network.vlan,
                                       uplink)
        elif network.vlan is None and network.bridge_interface:
            uplink = network.bridge_interface
        if uplink:
            iproute.bridge_add_port(bridge, uplink)
        return bridge

    def add_port(self, network, port_name):
        bridge, _tag = self.segment(network)
        iproute.bridge_add_port(bridge, port_name)

    def remove_port(self, network, port_name):
        iproute.delete_link(port_name)

    def ensure_external(self, bridge):
        iproute.bridge_ensure(bridge)

    def add_external_port(self, bridge, port_name):
        iproute.bridge_add_port(bridge, port_name)

    def vif(self, network, port):
        bridge, _tag = self.segment(network)
        return net_if.vif_spec(port, bridge, "bridge", mtu=network.mtu)

    def unplug(self, network, port):
        """libvirt deletes the tap with the domain."""

    def set_group_members(self, group_id, addresses):
        netfilter.ipset_replace(names.ipset(self._opts.chain_prefix, group_id),
                                sorted(addresses))

    def set_filter(self, network, port_filter):
        prefix = self._opts.chain_prefix
        for group_id in sorted({r.remote_group_id for r in port_filter.rules
                                if r.remote_group_id}):
            # A set must exist before a rule names it (empty until its
            # members come).
            netfilter.ipset_ensure(names.ipset(prefix, group_id))
        with self._lock:
            self._filtered.add(port_filter.port.id)
            top = iptables_firewall.top_rules(prefix, self._filtered)
            chains = iptables_firewall.port_rules(prefix, port_filter)
            # The port's chains before the chain that jumps to them.
            netfilter.iptables_replace(None, "filter", chains)
            netfilter.iptables_replace(
                None, "filter", top, [iptables_firewall.forward_jump(prefix)])
            netfilter.iptables_replace(
                None, "filter",
                iptables_firewall.top_rules6(prefix, self._filtered),
                [iptables_firewall.forward_jump6(prefix)], family=6)

    def remove_filter(self, network, port):
        prefix = self._opts.chain_prefix
        with self._lock:
            self._filtered.discard(port.id)
            netfilter.iptables_replace(
                None, "filter",
                iptables_firewall.top_rules(prefix, self._filtered))
            netfilter.iptables_replace(
                None, "filter",
                iptables_firewall.top_rules6(prefix, self._filtered),
                family=6)
            netfilter.iptables_remove(
                None, "filter",
                list(iptables_firewall.port_chains(prefix, port.id)))
            if not self._filtered:
                netfilter.iptables_remove(
                    None, "filter", [iptables_firewall.top_chain(prefix)],
                    [iptables_firewall.forward_jump(prefix)])
                netfilter.iptables_remove(
                    None, "filter", [iptables_firewall.top_chain6(prefix)],
                    [iptables_firewall.forward_jump6(prefix)], family=6)

    def stop(self):
        """Nothing runs in the background."""


def backend(opts):
    if opts.l2_backend == "linuxbridge":
        return LinuxBridgeBackend(opts)
    return OvsBackend(opts)
