"""The gateway side: one network namespace per host holding, for each
network it serves, the gateway address (on a veth whose other end is on
the network's segment), a dnsmasq, NAT and metadata forwarding.

Inside the namespace (never in the host's tables):

* ``nat`` ``PREROUTING``: per network ``<id>-pre`` DNATs
  169.254.169.254:80 from its guests to the metadata service; ``fip-pre``
  DNATs floating addresses to fixed ones.
* ``nat`` ``POSTROUTING``: ``fip-post`` SNATs a guest with a floating IP
  to it, then ``<id>-post`` SNATs the network's other guests to
  ``external_address``. Nothing is SNATed towards the metadata service:
  it sees the guest's fixed address as the TCP peer.
* ``filter`` ``FORWARD``: ``<id>-fwd`` lets a network's guests reach the
  external network and the metadata link, and nothing else (in particular
  not another network's guests).
* ``mangle`` ``POSTROUTING``: ``<id>-csum`` fills in checksums of what
  leaves towards the guests (the userspace OVS datapath hands packets on
  as they are; guests drop half-checksummed ones).

The metadata link is a veth from the namespace to the host. Its
namespace end routes 127.0.0.1 to the host (the namespace's loopback
stays down) and both ends have ``route_localnet``, so a
``metadata_host`` of 127.0.0.1 works; the host routes each network's CIDR
back through the link (the reply route).
"""

import ipaddress
import os
import re
import shutil
import time

from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.interfaces import network as net_if
from nimbus.plugins.networks.linux import names
from nimbus.plugins.networks.linux.privileged import (
    dnsmasq,
    iproute,
    netfilter,
)

LOG = logging.getLogger(__name__)

_HOSTNAME = re.compile(r"[^A-Za-z0-9-]")
FIP_PRE = "fip-pre"
FIP_POST = "fip-post"
_UNREAD = object()  # Gateway._dnsmasq: the hosts file is read there


def hosts_lines(ports):
    """dnsmasq ``--dhcp-hostsfile`` lines: ``mac,ip[,hostname]`` per
    fixed IPv4 address of each port (the hostname's first label)."""
    lines = []
    for port in sorted(ports, key=lambda p: p.mac.lower()):
        for ip in port.fixed_ips:
            if ipaddress.ip_address(ip).version != 4:
                continue
            line = f"{port.mac.lower()},{ip}"
            # An FQDN (2.94) gives DHCP its first label: dnsmasq's
            # domain is the network's, not the name's.
            label = (port.hostname or "").split(".", 1)[0]
            host = _HOSTNAME.sub("-", label).strip("-")[:63]
            if host and not host[0].isdigit():
                line += f",{host}"
            lines.append(line)
            break  # one address per MAC for DHCP
    return lines


def merge_hosts_lines(lines, added, removed):
    """``lines`` (of :func:`hosts_lines`) with the lines of ``added``
    ports put in and those of ``removed`` ports dropped: a line with the
    MAC of either, or an address an added port now holds, goes. Ordered
    as :func:`hosts_lines` orders them (by MAC), so the same ports give
    the same file however they came."""
    new = hosts_lines(added)
    macs = {p.mac.lower() for p in [*added, *removed]}
    taken = {line.split(",")[1] for line in new}
    kept = [line for line in lines
            if line.split(",")[0] not in macs and
            line.split(",")[1] not in taken]
    return sorted(kept + new)


def read_leases(path, now=None):
    """The live leases in a dnsmasq lease file: ``[Lease]`` (IPv4 lines
    ``expiry mac address hostname client-id``; expired ones left out,
    expiry 0 is "never")."""
    now = time.time() if now is None else now
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return []
    leases = []
    for line in lines:
        fields = line.split()
        if len(fields) < 3 or not fields[0].isdigit():
            continue  # duid line or garbage
        expires = int(fields[0]) or None
        try:
            if ipaddress.ip_address(fields[2]).version != 4:
                continue
        except ValueError:
            continue
        if expires is not None and expires <= now:
            continue
        leases.append(net_if.Lease(mac=fields[1].lower(), address=fields[2],
                                   expires=expires))
    return leases


def stale_lease_lines(text, wanted):
    """Split a lease file's ``text`` into the lines to keep and the
    number dropped: a lease is dropped when its ``(mac, address)`` is not
    in ``wanted`` (its port is gone or changed)."""
    keep, dropped = [], 0
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0].isdigit() and \
                (fields[1].lower(), fields[2]) not in wanted:
            dropped += 1
            continue
        keep.append(line)
    return keep, dropped


def _chains(network_id):
    cid = names.chain_id(network_id)
    return {"pre": f"n{cid}-pre", "post": f"n{cid}-post",
            "fwd": f"n{cid}-fwd", "csum": f"n{cid}-csum"}


class Gateway:
    """The gateway namespace of this host (see the module doc)."""

    def __init__(self, opts, l2, lease_time):
        self._opts = opts
        self._l2 = l2
        self._lease_time = lease_time
        self.namespace = opts.gateway_namespace
        self.md_host, self.md_ns = names.metadata_link(self.namespace)
        self.md_host_ip, self.md_ns_ip, self.md_prefix = \
            names.metadata_link_addresses(self.namespace)
        self.ex_bridge_side, self.ex_ns = names.external_link(self.namespace)

    # -- the namespace and its links ---------------------------------------

    def ensure_base(self):
        ns = self.namespace
        iproute.ensure_namespace(ns)
        iproute.set_sysctl(ns, "net.ipv4.ip_forward", 1)
        iproute.ensure_veth(self.md_host, self.md_ns, ns)
        iproute.set_addresses(self.md_host,
                              [f"{self.md_host_ip}/{self.md_prefix}"])
        iproute.set_addresses(self.md_ns,
                              [f"{self.md_ns_ip}/{self.md_prefix}"], ns)
        iproute.set_sysctl(None,
                           f"net.ipv4.conf.{self.md_host}.route_localnet", 1)
        iproute.set_sysctl(ns, f"net.ipv4.conf.{self.md_ns}.route_localnet", 1)
        iproute.replace_route("127.0.0.1/32", self.md_host_ip, self.md_ns, ns)
        # Floating-IP NAT comes first in the namespace's NAT chains: the
        # per-network chains are appended after it.
        self._ensure_fip_chains()
        if self._opts.external_bridge:
            self._ensure_external()

    def _ensure_fip_chains(self):
        ns = self.namespace
        save = netfilter.iptables_save(ns, "nat")
        chains = {name: [] for name in (FIP_PRE, FIP_POST)
                  if f":{name} " not in save}
        netfilter.iptables_replace(ns, "nat", chains,
                                   [("PREROUTING", [], FIP_PRE, False),
                                    ("POSTROUTING", [], FIP_POST, False)])

    def _ensure_external(self):
        ns = self.namespace
        bridge = self._opts.external_bridge
        self._l2.ensure_external(bridge)
        iproute.ensure_veth(self.ex_bridge_side, self.ex_ns, ns)
        self._l2.add_external_port(bridge, self.ex_bridge_side)
        if self._opts.external_address:
            iproute.add_address(self.ex_ns, self._opts.external_address, ns)
        if self._opts.external_gateway:
            iproute.replace_route("default", self._opts.external_gateway,
                                  self.ex_ns, ns)

    def destroy(self):
        """Remove the namespace and its links (every network torn down)."""
        iproute.delete_link(self.md_host)
        iproute.delete_link(self.ex_bridge_side)
        iproute.delete_namespace(self.namespace)

    # -- networks -----------------------------------------------------------

    def ports_of(self, network):
        """``(bridge side, namespace side)`` of the network's gateway."""
        return names.gateway_ports(
            network.id, self.namespace if network.multi_host else None)

    def netdir(self, network_id):
        return os.path.join(os.path.abspath(self._opts.dhcp_dir), network_id)

    def setup_network(self, network, ports, dhcp, metadata=True):
        if not network.gateway:
            raise exception.NetworkPluginError(
                reason=f"network {network.id} has no gateway address")
        self.ensure_base()
        ns = self.namespace
        cidr = ipaddress.ip_network(network.cidr, strict=False)
        outside, inside = self.ports_of(network)
        self._l2.ensure_segment(network)
        iproute.ensure_veth(outside, inside, ns, network.mtu)
        self._l2.add_port(network, outside)
        iproute.set_addresses(inside, [f"{network.gateway}/{cidr.prefixlen}"],
                              ns)
        iproute.set_sysctl(ns, f"net.ipv4.conf.{inside}.route_localnet", 1)
        # The reply route: the host reaches the guests through the link.
        iproute.replace_route(str(cidr), self.md_ns_ip, self.md_host)
        self._rules(network, inside, str(cidr), metadata)
        if dhcp and network.dhcp_enabled:
            self._dnsmasq(network, hosts_lines(ports), inside, cidr)
        else:
            self._stop_dnsmasq(network.id)
        LOG.info("Gateway of network %(id)s (%(cidr)s) set up in %(ns)s "
                 "with %(n)d ports", {"id": network.id, "cidr": cidr,
                                      "ns": ns, "n": len(ports)})

    def _rules(self, network, inside, cidr, metadata):
        ns = self.namespace
        chains = _chains(network.id)
        pre = []
        if metadata and network.metadata_host and network.metadata_port:
            pre.append(["-i", inside, "-d", f"{net_if.METADATA_ADDRESS}/32",
                        "-p", "tcp", "--dport", "80", "-j", "DNAT",
                        "--to-destination",
                        f"{network.metadata_host}:{network.metadata_port}"])
        post = []
        fwd = [["-i", inside, "-o", self.md_ns, "-j", "ACCEPT"],
               ["-i", self.md_ns, "-o", inside, "-j", "ACCEPT"]]
        if self._opts.external_bridge:
            if self._opts.external_address:
                address = self._opts.external_address.split("/")[0]
                post.append(["-s", cidr, "-o", self.ex_ns, "-j", "SNAT",
                             "--to-source", address])
            fwd += [["-i", inside, "-o", self.ex_ns, "-j", "ACCEPT"],
                    ["-i", self.ex_ns, "-o", inside, "-j", "ACCEPT"]]
        fwd += [["-i", inside, "-j", "DROP"], ["-o", inside, "-j", "DROP"]]
        csum = [["-o", inside, "-j", "CHECKSUM", "--checksum-fill"]]
        netfilter.iptables_replace(ns, "nat", {chains["pre"]: pre,
                                               chains["post"]: post},
                                   [("PREROUTING", [], chains["pre"], False),
                                    ("POSTROUTING", [], chains["post"],
                                     False)])
        netfilter.iptables_replace(ns, "filter", {chains["fwd"]: fwd},
                                   [("FORWARD", [], chains["fwd"], False)])
        netfilter.iptables_replace(ns, "mangle", {chains["csum"]: csum},
                                   [("POSTROUTING", [], chains["csum"],
                                     False)])

    def update_ports(self, network, added, removed):
        """Serve ``added`` and stop serving ``removed`` in the DHCP hosts
        of a network :meth:`setup_network` set up (its namespace, links
        and rules stay as they are); see
        :meth:`~nimbus.core.interfaces.network.NetworkDriver.update_ports`.
        """
        if not network.dhcp_enabled:
            return  # setup_network stopped its dnsmasq
        written = self._hosts_written(network.id)
        lines = merge_hosts_lines((written or "").splitlines(), added,
                                  removed)
        _outside, inside = self.ports_of(network)
        self._dnsmasq(network, lines, inside,
                      ipaddress.ip_network(network.cidr, strict=False),
                      written=written)

    def _hosts_written(self, network_id):
        """The network's hosts file as last written (None: never)."""
        try:
            with open(os.path.join(self.netdir(network_id), "hosts")) as f:
                return f.read()
        except FileNotFoundError:
            return None

    def _dnsmasq(self, network, lines, inside, cidr, written=_UNREAD):
        """Serve the hosts ``lines`` from the network's dnsmasq: start it,
        hang it up on a change, or restart it when a port's leases must
        end (or its arguments changed).

        :param written: the hosts file's text (None: no file) when the
            caller has just read it; by default it is read here.
        """
        netdir = self.netdir(network.id)
        os.makedirs(netdir, mode=0o755, exist_ok=True)
        os.chmod(netdir, 0o755)
        hosts = os.path.join(netdir, "hosts")
        content = "".join(f"{line}\n" for line in lines)
        if written is _UNREAD:
            written = self._hosts_written(network.id)
        changed = written != content
        if changed:
            tmp = hosts + ".tmp"
            with open(tmp, "w") as f:
                f.write(content)
            os.chmod(tmp, 0o644)
            os.replace(tmp, hosts)
        pidfile = os.path.join(netdir, "pid")
        stale = self._stale_leases(netdir, lines)
        start = network.allocation_start or next(
            str(h) for h in cidr.hosts() if str(h) != network.gateway)
        argv = dnsmasq.dnsmasq_argv(
            netdir, inside, network.gateway, str(cidr.netmask), start,
            self._lease_time, list(network.dns_servers or []), network.mtu)
        running = dnsmasq.dnsmasq_running(pidfile)
        if running and running[1] == argv and not stale:
            if changed:
                dnsmasq.dnsmasq_signal(pidfile, True)
            return
        if running:
            dnsmasq.dnsmasq_signal(pidfile, False)
            _wait_gone(pidfile)
        if stale:
            # dnsmasq keeps its leases in memory and rewrites the file:
            # it must be stopped for the file to lose the ended ports'.
            self._drop_stale_leases(netdir, lines)
        dnsmasq.dnsmasq_start(self.namespace, netdir, inside, network.gateway,
                              str(cidr.netmask), start, self._lease_time,
                              list(network.dns_servers or []), network.mtu)

    def leases(self, network_id):
        """The live leases of the network's dnsmasq (none when it never
        ran here)."""
        return read_leases(os.path.join(self.netdir(network_id), "leases"))

    @staticmethod
    def _wanted(lines):
        return {tuple(line.split(",")[:2]) for line in lines}

    def _stale_leases(self, netdir, lines):
        try:
            with open(os.path.join(netdir, "leases")) as f:
                text = f.read()
        except FileNotFoundError:
            return 0
        return stale_lease_lines(text, self._wanted(lines))[1]

    def _drop_stale_leases(self, netdir, lines):
        """End the leases of ports no longer served (nova-network's
        ``force_dhcp_release``): their VIFs are unplugged, and dnsmasq
        would refuse their addresses to the next port while it holds
        them. Only while dnsmasq is stopped."""
        path = os.path.join(netdir, "leases")
        try:
            with open(path) as f:
                text = f.read()
        except FileNotFoundError:
            return
        keep, dropped = stale_lease_lines(text, self._wanted(lines))
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write("".join(f"{line}\n" for line in keep))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        LOG.info("Ended %(n)d DHCP lease(s) of ports gone from %(dir)s",
                 {"n": dropped, "dir": netdir})

    def _stop_dnsmasq(self, network_id):
        pidfile = os.path.join(self.netdir(network_id), "pid")
        if dnsmasq.dnsmasq_signal(pidfile, False):
            _wait_gone(pidfile)

    def teardown_network(self, network):
        ns = self.namespace
        self._stop_dnsmasq(network.id)
        shutil.rmtree(self.netdir(network.id), ignore_errors=True)
        outside, inside = self.ports_of(network)
        if iproute.namespace_exists(ns):
            chains = _chains(network.id)
            netfilter.iptables_remove(ns, "nat",
                                      [chains["pre"], chains["post"]],
                                      [("PREROUTING", [], chains["pre"]),
                                       ("POSTROUTING", [], chains["post"])])
            netfilter.iptables_remove(ns, "filter", [chains["fwd"]],
                                      [("FORWARD", [], chains["fwd"])])
            netfilter.iptables_remove(ns, "mangle", [chains["csum"]],
                                      [("POSTROUTING", [], chains["csum"])])
        cidr = ipaddress.ip_network(network.cidr, strict=False)
        iproute.delete_route(str(cidr))
        self._l2.remove_port(network, outside)
        iproute.delete_link(outside)

    # -- floating IPs ---------------------------------------------------------

    def _floating_rules(self, floating):
        return ([["-d", f"{floating.address}/32", "-j", "DNAT",
                  "--to-destination", floating.fixed_address]],
                [["-s", f"{floating.fixed_address}/32", "-o", self.ex_ns,
                  "-j", "SNAT", "--to-source", floating.address]])

    def add_floating_ip(self, floating):
        if not self._opts.external_bridge:
            raise exception.NetworkPluginError(
                reason="floating IPs need [linux_net] external_bridge")
        self.ensure_base()
        ns = self.namespace
        iproute.add_address(self.ex_ns, f"{floating.address}/32", ns)
        pre, post = self._floating_rules(floating)
        for rule in pre:
            netfilter.iptables_rule_add(ns, "nat", FIP_PRE, rule)
        for rule in post:
            netfilter.iptables_rule_add(ns, "nat", FIP_POST, rule)

    def remove_floating_ip(self, floating):
        ns = self.namespace
        if not iproute.namespace_exists(ns):
            return
        # The address goes first: between the two steps the gateway must
        # not answer for an address it no longer forwards.
        if iproute.link_exists(self.ex_ns, ns):
            iproute.del_address(self.ex_ns, f"{floating.address}/32", ns)
        pre, post = self._floating_rules(floating)
        for rule in pre:
            netfilter.iptables_rule_delete(ns, "nat", FIP_PRE, rule)
        for rule in post:
            netfilter.iptables_rule_delete(ns, "nat", FIP_POST, rule)


def _wait_gone(pidfile, timeout=5.0):
    deadline = time.monotonic() + timeout
    while dnsmasq.dnsmasq_running(pidfile) and time.monotonic() < deadline:
        time.sleep(0.05)
