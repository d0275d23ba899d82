"""Names and numbers derived from ids, the same on every host and after
every restart (so nothing needs to be remembered)."""

import hashlib
import ipaddress

from nimbus.core.interfaces import hypervisor, network

#: where the gateway namespace's link to the host takes its /30.
_LINK_POOL = ipaddress.ip_network("169.254.64.0/18")


def _short(value, length):
    return hashlib.sha1(value.encode()).hexdigest()[:length]


def tap(port_id):
    """The guest's tap device, as every hypervisor plugin names it."""
    return hypervisor.vif_device_name(port_id)


def is_tap(name):
    """Whether ``name`` is a guest's tap (see :func:`tap`)."""
    return name.startswith(hypervisor.vif_device_name(""))


def ipset(prefix, group_id):
    """The ipset holding the members of security group ``group_id``
    (at most 12 + 12 characters)."""
    return f"{prefix}-g{chain_id(group_id)}"


def gateway_ports(network_id, namespace=None):
    """``(bridge side, namespace side)`` of a network's gateway veth.

    With ``namespace`` (a ``multi_host`` network, whose segment every
    host's gateway joins) the names depend on the gateway namespace too,
    so that several "hosts" on one machine (tests) do not collide.
    """
    if namespace is None:
        return "gb-" + network_id[:11], "gw-" + network_id[:11]
    h = _short(f"{namespace}/{network_id}", 11)
    return "gb-" + h, "gw-" + h


def metadata_link(namespace):
    """``(host side, namespace side)`` of the metadata veth of a gateway
    namespace."""
    h = _short(namespace, 8)
    return "mdh-" + h, "mdn-" + h


def external_link(namespace):
    """``(bridge side, namespace side)`` of the external veth."""
    h = _short(namespace, 8)
    return "exh-" + h, "exn-" + h


def metadata_link_addresses(namespace):
    """``(host address, namespace address, prefix length)`` of the
    metadata link: a /30 of 169.254.64.0/18 chosen by the namespace's
    name."""
    block = int(_short(namespace, 8), 16) % (_LINK_POOL.num_addresses // 4)
    base = _LINK_POOL.network_address + block * 4
    return str(base + 1), str(base + 2), 30


def vlan_device(vlan):
    return f"vlan{vlan}"


#: the bridge of a network without a VLAN, named as the network API
#: records it.
flat_bridge = network.flat_bridge


def cookie(port_id):
    """The OpenFlow cookie of one port's security-group flows."""
    return "0x" + _short(port_id, 15)


#: cookie of the flows every filtered bridge carries.
BASE_COOKIE = "0x1"


def chain_id(value):
    """A 10-character id for iptables chain names."""
    return _short(value, 10)
