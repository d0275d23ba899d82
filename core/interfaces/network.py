"""The network contract: what nimbus-network and nimbus-compute need from a
network plugin.

A network plugin is a class registered in the ``nimbus.networks``
entry-point group that subclasses :class:`NetworkDriver`; the operator
names one in ``[network] driver`` (``flat``, ``flatdhcp``, ``vlan``,
``fake``). It has two halves, both in the one class:

* the **gateway side**, called by nimbus-network on the host that serves a
  network (the network host, or every compute host with ``multi_host``):
  the layer-2 segment, the gateway address, DHCP from nimbus's records,
  SNAT for guests, DNAT for floating IPs and for the metadata service;
* the **host side**, called by nimbus-compute on the host a guest runs on:
  make the segment reachable there, say how the hypervisor plugs a VIF
  (:meth:`NetworkDriver.plug_vif` returns a
  :class:`~nimbus.core.interfaces.hypervisor.VifSpec`), and filter each
  port's traffic by its security-group rules.

The database is the truth. Plugins never read it: every call carries the
complete, current state of what it is about (all of a network's ports,
all of a port's rules; ``update_ports`` the changes to the ports it was
last given), so each call is idempotent and a service that restarts
simply replays its records (``setup_network`` for each network it
serves, ``set_port_filter`` for each port it hosts). Calls may come
from several threads at once, never twice at once for the same network or
port.

Failures raise :class:`~nimbus.core.exception.NetworkPluginError` (or a
subclass); plugins translate their tools' errors at this boundary.
Privileged commands go through :mod:`nimbus.core.privileged`.

Security-group rules may name a *remote group* (contract 1.1): a plugin
declaring ``remote_groups`` receives such rules as they are
(:attr:`FirewallRule.remote_group_id`) and the group's member addresses
once per membership change and host (:meth:`NetworkDriver.
set_group_members`), and keeps them as a set its filters refer to, so a
server joining a group costs each host one set update instead of a new
filter for every member port. A plugin that does not declare it gets
each such rule resolved to one rule per member address, as in 1.0.

A plugin declaring ``port_updates`` (contract 1.2) is handed a
network's port changes as they happen (:meth:`NetworkDriver.
update_ports`: the ports a boot made, the ports a delete released)
instead of every port of the network again, so a boot's cost on the
gateway side does not grow with the network; ``setup_network`` with the
whole state still comes first (at start, and whenever nimbus cannot
vouch for the state in force, e.g. after a failed call).

Version history: 1.0 initial; 1.1 ``Capabilities.remote_groups``,
``FirewallRule.remote_group_id``, ``NetworkDriver.set_group_members``;
1.2 ``Capabilities.port_updates``, ``NetworkDriver.update_ports``.

Capabilities are class data (:class:`Capabilities`). nimbus refuses,
before recording anything, what the plugin does not declare (a floating
IP with ``floating_ips=False``, a VLAN network with ``vlan=False``); a
method whose capability is not declared raises
:class:`~nimbus.core.exception.UnsupportedOperation` (see
:meth:`NetworkDriver._unsupported`).
"""

import abc
import dataclasses

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor

INTERFACE_VERSION = "1.2"

#: the link-local address guests reach the metadata service at.
METADATA_ADDRESS = "169.254.169.254"


@dataclasses.dataclass(frozen=True)
class Capabilities:
    """What a network plugin can do, declared as data."""

    #: guests get their fixed addresses by DHCP from the gateway side.
    dhcp: bool = False
    #: a network may carry a VLAN id (one segment per project).
    vlan: bool = False
    #: ``set_port_filter`` enforces rules and anti-spoofing.
    security_groups: bool = False
    #: ``add_floating_ip``/``remove_floating_ip`` do NAT.
    floating_ips: bool = False
    #: guests reach :data:`METADATA_ADDRESS` through the gateway.
    metadata: bool = False
    #: the gateway side can run on every compute host.
    multi_host: bool = False
    #: (1.1) rules may name a remote group; ``set_group_members`` keeps
    #: each group's addresses as a set the filters refer to.
    remote_groups: bool = False
    #: (1.2) ``update_ports`` changes a network's served ports by the
    #: ports that changed.
    port_updates: bool = False


@dataclasses.dataclass
class NetworkSpec:
    """One network as nimbus records it."""

    #: the network's UUID (what the APIs call its id).
    id: str
    name: str
    #: IPv4 network in CIDR form, e.g. ``10.20.0.0/24``.
    cidr: str
    #: the gateway address guests route through (the gateway side
    #: holds it); ``None`` for a network without one.
    gateway: str | None
    #: the L2 device guests attach to: a Linux bridge or OVS bridge name.
    bridge: str
    #: for ``vlan``: the 802.1Q id of this network's segment.
    vlan: int | None = None
    #: a host NIC the operator names to carry the segment off-host.
    bridge_interface: str | None = None
    mtu: int | None = None
    dns_servers: list = dataclasses.field(default_factory=list)
    dhcp_enabled: bool = True
    #: the range DHCP and IPAM hand out, inclusive.
    allocation_start: str | None = None
    allocation_end: str | None = None
    #: owning project; ``None`` for a network shared by all projects.
    project_id: str | None = None
    multi_host: bool = False
    #: the floating pool (Neutron's ``router:external``): guests are
    #: never attached to it; its addresses are NAT targets.
    external: bool = False
    #: where the gateway side forwards metadata requests
    #: (``host``, ``port``), when the plugin declares ``metadata``.
    metadata_host: str | None = None
    metadata_port: int | None = None


@dataclasses.dataclass
class PortSpec:
    """One virtual interface (a Neutron port) of a guest."""

    #: the port's UUID; also the VIF id the hypervisor sees.
    id: str
    network_id: str
    mac: str
    #: fixed IPv4 addresses on the port's network (usually one).
    fixed_ips: list = dataclasses.field(default_factory=list)
    instance_uuid: str | None = None
    #: the guest's hostname, for DHCP.
    hostname: str | None = None


@dataclasses.dataclass
class FirewallRule:
    """One allowed flow of a port; everything not allowed is dropped.

    The peer is ``remote_cidr``, or (1.1, plugins declaring
    ``remote_groups`` only) the members of ``remote_group_id`` as the
    last :meth:`NetworkDriver.set_group_members` call for it said; at
    most one of the two is set. Other plugins get a rule naming a group
    as one rule per member address (``remote_cidr`` ``a.b.c.d/32``).
    """

    #: ``ingress`` (to the guest) or ``egress`` (from the guest).
    direction: str
    #: ``tcp``, ``udp``, ``icmp`` or ``None`` for any protocol.
    protocol: str | None = None
    #: TCP/UDP port range, inclusive; for ICMP, type and code.
    port_range_min: int | None = None
    port_range_max: int | None = None
    #: the peer's CIDR; ``None`` for any address.
    remote_cidr: str | None = None
    ethertype: str = "IPv4"
    #: (1.1) the peer is any member of this security group (its UUID).
    remote_group_id: str | None = None


@dataclasses.dataclass
class PortFilter:
    """What one port may send and receive.

    Anti-spoofing is implied: the port may send only from ``port.mac`` and
    ``port.fixed_ips`` (plus DHCP discovery from 0.0.0.0), whatever the
    rules say. Replies to allowed flows are allowed (stateful).
    """

    port: PortSpec
    rules: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class FloatingSpec:
    """One floating IP bound to one fixed address of a port."""

    address: str
    fixed_address: str
    #: the external network the floating address belongs to.
    external_network: NetworkSpec
    #: the guest's network (whose gateway side does the NAT).
    network: NetworkSpec
    port_id: str | None = None


@dataclasses.dataclass(frozen=True)
class Lease:
    """One live DHCP lease granted by a network's gateway side."""

    mac: str
    address: str
    #: seconds since the epoch when it ends; ``None``: never.
    expires: float | None = None


class NetworkDriver(abc.ABC):
    """Base class of every network plugin.

    :param conf: the configuration (``conf.network`` is the plugin's
        group; a plugin may register its own group too).
    :param host: the name of the host this service runs on.
    """

    capabilities = Capabilities()

    def __init__(self, conf, host):
        self.conf = conf
        self.host = host

    # -- lifecycle ------------------------------------------------------

    def init_host(self):
        """Prepare the host before any other call (e.g. check tools,
        create an integration bridge). Default: nothing."""

    def cleanup_host(self):
        """Stop what the plugin runs on its own (DHCP servers keep
        serving through a restart: stopping them is ``teardown_network``).
        Default: nothing."""

    # -- gateway side (nimbus-network) ----------------------------------

    @abc.abstractmethod
    def setup_network(self, network, ports):
        """Make ``network`` serve ``ports`` from this host: segment,
        gateway address, DHCP hosts (exactly ``ports``: a port not listed
        loses its lease), SNAT, metadata forwarding as declared.

        Idempotent: called at service start for every network the host
        serves and again whenever its ports change.

        :param network: a :class:`NetworkSpec`.
        :param ports: every :class:`PortSpec` of the network.
        """

    def update_ports(self, network, added, removed):
        """(1.2) Serve ``added`` and stop serving ``removed`` on a
        network this host set up, leaving its other ports as they are:
        the same end state as ``setup_network`` with the ports in force
        (the last ``setup_network``'s, as changed by the
        ``update_ports`` calls since), ``added`` in and ``removed`` out.

        * A port in ``added`` replaces the served port of the same id,
          and takes its addresses from any other served port holding
          them (the records moved them: allocation never gives one
          address to two ports).
        * A port in ``removed`` loses its DHCP entry and its leases, as
          with ``setup_network``; it is identified by ``id`` and ``mac``
          (its ``fixed_ips`` may be empty).
        * Idempotent: adding a port served as it is, or removing one not
          served, changes nothing.

        Called only for a network ``setup_network`` set up on this host
        since the service started (and not torn down since), never at
        the same time as another call for that network. Needs
        ``port_updates``.

        :param network: a :class:`NetworkSpec` (the whole, current one).
        :param added: :class:`PortSpec` list.
        :param removed: :class:`PortSpec` list.
        """
        self._unsupported("port updates")

    @abc.abstractmethod
    def teardown_network(self, network):
        """Remove everything ``setup_network`` made for ``network`` on this
        host (DHCP server, gateway, NAT rules, segment). Idempotent: a
        network never set up here is not an error."""

    def get_leases(self, network):
        """The live DHCP leases the gateway side of ``network`` on this
        host has granted (ended and expired ones left out), as a list of
        :class:`Lease`. nimbus-network polls it to keep the records'
        ``leased`` flags true; a network not set up here has none.

        Whenever ``setup_network`` drops a port, the plugin ends that
        port's leases in its DHCP server (nova-network's
        ``force_dhcp_release``): the port's VIF is unplugged, so no guest
        can use the address any more, and the address may go to the next
        port without the DHCP server refusing it as still leased.

        Needs the ``dhcp`` capability.
        """
        self._unsupported("DHCP leases")

    def add_floating_ip(self, floating):
        """NAT ``floating.address`` <-> ``floating.fixed_address`` both ways
        (DNAT in, SNAT out with it). Idempotent.

        :param floating: a :class:`FloatingSpec`.
        """
        self._unsupported("floating IPs")

    def remove_floating_ip(self, floating):
        """Undo :meth:`add_floating_ip`. Idempotent."""
        self._unsupported("floating IPs")

    # -- host side (nimbus-compute) --------------------------------------

    @abc.abstractmethod
    def plug_vif(self, network, port):
        """Make ``network``'s segment reachable on this host and return how
        the hypervisor attaches ``port`` to it.

        :returns: a :class:`~nimbus.core.interfaces.hypervisor.VifSpec`
            with ``id=port.id`` and ``mac=port.mac``.
        """

    @abc.abstractmethod
    def unplug_vif(self, network, port):
        """Undo what :meth:`plug_vif` made for ``port`` alone (the segment
        stays for other guests). Idempotent."""

    def set_port_filter(self, network, port_filter):
        """Enforce ``port_filter`` (a :class:`PortFilter`) on the port's
        traffic, replacing any earlier filter of the port. Idempotent."""
        self._unsupported("security groups")

    def remove_port_filter(self, network, port):
        """Drop the filter of ``port`` (it is being unplugged).
        Idempotent."""
        self._unsupported("security groups")

    def set_group_members(self, group_id, addresses):
        """(1.1) Replace the member addresses of security group
        ``group_id`` on this host: every filter whose rules name the group
        (``remote_group_id``) follows at once, whatever its port. Called
        before the first filter naming the group and again on each change
        of its membership, once per host (not per port). A group never
        set has no members; ``addresses`` empty leaves it empty.
        Idempotent.

        :param group_id: the group's UUID.
        :param addresses: its members' IPv4 addresses (no prefix length).
        """
        self._unsupported("remote security groups")

    # -- helpers --------------------------------------------------------

    def _unsupported(self, operation):
        raise exception.UnsupportedOperation(
            plugin=type(self).__name__, operation=operation)


def flat_bridge(network_id):
    """The bridge recorded for a network without a VLAN when none is
    given: ``brq`` and the first 11 hex digits of its id (Networking v2's
    Linux bridge name; 14 characters, within a device name's limit)."""
    return "brq" + network_id.replace("-", "")[:11]


def vif_spec(port, bridge, kind, vlan=None, mtu=None):
    """The :class:`~nimbus.core.interfaces.hypervisor.VifSpec` of ``port``
    on ``bridge`` (a helper for :meth:`NetworkDriver.plug_vif`)."""
    return hypervisor.VifSpec(id=port.id, mac=port.mac, bridge=bridge,
                              vlan=vlan, kind=kind, mtu=mtu)
