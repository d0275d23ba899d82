"""Every privileged operation of the Linux network plugins, one module
per tool family: :mod:`.iproute` (namespaces, links, addresses, routes,
sysctls, Linux bridges, VLAN devices), :mod:`.ovs` (Open vSwitch bridges
and flows), :mod:`.netfilter` (iptables and ipset) and :mod:`.dnsmasq`.

Each function there is an oslo.privsep entrypoint of
:mod:`nimbus.core.privileged`: it takes plain values, checks each one with
the kernel's validators (or the stricter ones next to it) before building
an argument vector, and runs it with :func:`nimbus.core.privileged.execute`.
Nothing here decides policy: what to configure is worked out by the
unprivileged modules, which pass the result down as data.

A ``ns`` argument names the network namespace to work in (``None``: the
host's own).
"""

from nimbus.core import privileged


def namespace(ns):
    """``ns`` checked as a namespace name, or None (the host's own)."""
    return privileged.interface_name(ns) if ns is not None else None


def in_namespace(ns, *argv):
    """``argv`` run inside namespace ``ns`` (validated), or as is."""
    if ns is None:
        return argv
    return ("ip", "netns", "exec", ns) + tuple(argv)
