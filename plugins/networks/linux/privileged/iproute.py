"""The ``ip`` and ``sysctl`` entrypoints: network namespaces, links (veth
pairs, Linux bridges, 802.1Q VLAN devices), addresses, routes and the
allow-listed IPv4 sysctls.
"""

import os
import re

from nimbus.core import exception, privileged
from nimbus.plugins.networks.linux.privileged import in_namespace, namespace

ctx = privileged.context

_SYSCTL = re.compile(
    r"^net\.ipv4\.(ip_forward|conf\.[A-Za-z0-9_.-]{1,15}\."
    r"(route_localnet|rp_filter|forwarding|send_redirects|proxy_arp))$")


def _ip(ns, *args, check=True):
    if ns is None:
        return privileged.execute("ip", *args, check_exit_code=check)
    return privileged.execute("ip", "-n", ns, *args, check_exit_code=check)


def _link_exists(name, ns=None):
    out, _err = _ip(ns, "link", "show", "dev", name, check=[0, 1])
    return bool(out.strip())


# -- namespaces, links, addresses, routes, sysctls --------------------------

@ctx.entrypoint
def ensure_namespace(ns):
    """Create namespace ``ns`` unless it exists. Its loopback stays down:
    the gateway routes 127.0.0.0/8 to the host's metadata service."""
    ns = namespace(ns)
    if not os.path.exists(f"/run/netns/{ns}"):
        privileged.execute("ip", "netns", "add", ns)


@ctx.entrypoint
def delete_namespace(ns):
    """Delete namespace ``ns`` (idempotent)."""
    ns = namespace(ns)
    if os.path.exists(f"/run/netns/{ns}"):
        privileged.execute("ip", "netns", "delete", ns)


@ctx.entrypoint
def namespace_exists(ns):
    return os.path.exists(f"/run/netns/{namespace(ns)}")


@ctx.entrypoint
def set_sysctl(ns, key, value):
    """Set one allow-listed IPv4 sysctl (``value`` 0-2) in ``ns``."""
    ns = namespace(ns)
    if not isinstance(key, str) or not _SYSCTL.match(key):
        raise exception.PrivilegedArgumentInvalid(argument="sysctl",
                                                  value=repr(key))
    value = privileged.integer(value, 0, 2, "sysctl value")
    privileged.execute(*in_namespace(ns, "sysctl", "-qw", f"{key}={value}"))


@ctx.entrypoint
def link_exists(name, ns=None):
    return _link_exists(privileged.interface_name(name), namespace(ns))


@ctx.entrypoint
def ensure_veth(outside, inside, ns, mtu=None):
    """A veth pair: ``outside`` in the host namespace, ``inside`` in
    ``ns``, both up. A half-made pair (a crash in between) is redone."""
    outside = privileged.interface_name(outside)
    inside = privileged.interface_name(inside)
    ns = namespace(ns)
    if mtu is not None:
        mtu = privileged.integer(mtu, 576, 65535, "MTU")
    if not (_link_exists(outside) and _link_exists(inside, ns)):
        _ip(None, "link", "del", "dev", outside, check=[0, 1, 2])
        _ip(ns, "link", "del", "dev", inside, check=[0, 1, 2])
        privileged.execute("ip", "link", "add", outside, "type", "veth",
                           "peer", "name", inside, "netns", ns)
    for name, where in ((outside, None), (inside, ns)):
        if mtu is not None:
            _ip(where, "link", "set", "dev", name, "mtu", mtu)
        _ip(where, "link", "set", "dev", name, "up")


@ctx.entrypoint
def delete_link(name, ns=None):
    """Delete a link (and a veth's peer with it); idempotent."""
    name = privileged.interface_name(name)
    ns = namespace(ns)
    if _link_exists(name, ns):
        _ip(ns, "link", "del", "dev", name)


@ctx.entrypoint
def set_addresses(name, cidrs, ns=None):
    """Make ``cidrs`` (``10.0.0.1/24`` ...) exactly the IPv4 addresses of
    ``name``."""
    name = privileged.interface_name(name)
    ns = namespace(ns)
    wanted = [privileged.cidr(c) for c in cidrs]
    out, _ = _ip(ns, "-4", "-o", "addr", "show", "dev", name)
    have = [line.split()[3] for line in out.splitlines()
            if len(line.split()) > 3]
    for addr in have:
        if addr not in wanted:
            _ip(ns, "addr", "del", addr, "dev", name)
    for addr in wanted:
        if addr not in have:
            _ip(ns, "addr", "add", addr, "dev", name)


@ctx.entrypoint
def add_address(name, cidr, ns=None):
    name, cidr, ns = (privileged.interface_name(name), privileged.cidr(cidr),
                      namespace(ns))
    _ip(ns, "addr", "replace", cidr, "dev", name)


@ctx.entrypoint
def del_address(name, cidr, ns=None):
    name, cidr, ns = (privileged.interface_name(name), privileged.cidr(cidr),
                      namespace(ns))
    _ip(ns, "addr", "del", cidr, "dev", name, check=[0, 1, 2])


@ctx.entrypoint
def replace_route(dest, via, dev, ns=None):
    """``ip route replace dest [via via] dev dev`` (``dest`` may be
    ``default``)."""
    dest = "default" if dest == "default" else privileged.cidr(dest, True)
    dev, ns = privileged.interface_name(dev), namespace(ns)
    args = ["route", "replace", dest]
    if via is not None:
        args += ["via", privileged.ip_address(via, 4)]
    _ip(ns, *args, "dev", dev)


@ctx.entrypoint
def delete_route(dest, ns=None):
    dest = "default" if dest == "default" else privileged.cidr(dest, True)
    _ip(namespace(ns), "route", "del", dest, check=[0, 2])


# -- Linux bridges and VLAN devices -------------------------------------------

@ctx.entrypoint
def bridge_ensure(bridge):
    """A Linux bridge, up (no STP, no forwarding delay)."""
    bridge = privileged.interface_name(bridge)
    if not _link_exists(bridge):
        privileged.execute("ip", "link", "add", bridge, "type", "bridge",
                           "stp_state", "0", "forward_delay", "0")
    privileged.execute("ip", "link", "set", "dev", bridge, "up")


@ctx.entrypoint
def bridge_add_port(bridge, port):
    bridge = privileged.interface_name(bridge)
    port = privileged.interface_name(port)
    privileged.execute("ip", "link", "set", "dev", port, "master", bridge)
    privileged.execute("ip", "link", "set", "dev", port, "up")


@ctx.entrypoint
def vlan_device_ensure(parent, vlan, name):
    """``name``: 802.1Q VLAN ``vlan`` on host NIC ``parent``, up."""
    parent = privileged.interface_name(parent)
    name = privileged.interface_name(name)
    vlan = privileged.vlan_id(vlan)
    if not _link_exists(name):
        privileged.execute("ip", "link", "add", "link", parent, "name", name,
                           "type", "vlan", "id", vlan)
    privileged.execute("ip", "link", "set", "dev", name, "up")
