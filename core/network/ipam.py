"""Address arithmetic for networks: pure functions, no records.

IPv4 only (what the plugins serve). A network's addresses are all
recorded as ``fixed_ips`` rows; the network address, the gateway, the
broadcast address and everything outside the allocation range are
*reserved* (never handed out automatically).
"""

import ipaddress

from nimbus.core import exception

#: the largest network nimbus pre-creates address rows for (a /16).
MAX_ADDRESSES = 65536
#: the smallest useful network: network, gateway, one guest, broadcast.
MIN_PREFIX = 30


def parse_cidr(cidr):
    """Return the :class:`ipaddress.IPv4Network` of ``cidr``.

    :raises InvalidCidr: not IPv4 CIDR, host bits set, too large or too
        small.
    """
    try:
        net = ipaddress.ip_network(str(cidr), strict=True)
    except ValueError as exc:
        raise exception.InvalidCidr(cidr=cidr, reason=str(exc))
    if net.version != 4:
        raise exception.InvalidCidr(cidr=cidr,
                                    reason="only IPv4 networks are served")
    if net.num_addresses > MAX_ADDRESSES:
        raise exception.InvalidCidr(
            cidr=cidr, reason="larger than a /16 (65536 addresses)")
    if net.prefixlen > MIN_PREFIX:
        raise exception.InvalidCidr(
            cidr=cidr, reason=f"smaller than a /{MIN_PREFIX}")
    return net


def _address(net, value, what):
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        raise exception.InvalidInput(
            reason=f"{what} {value!r} is not an IPv4 address")
    if address not in net or address in (net.network_address,
                                         net.broadcast_address):
        raise exception.InvalidInput(
            reason=f"{what} {value} is not a host address of {net}")
    return address


def plan(cidr, gateway=None, allocation_start=None, allocation_end=None,
         with_gateway=True):
    """Work out a network's addresses.

    :param gateway: default: the first host address (None with
        ``with_gateway`` False).
    :param allocation_start/allocation_end: default: the host addresses
        after the gateway (the whole host range without one).
    :returns: ``{"cidr", "gateway", "allocation_start", "allocation_end",
        "addresses": [(address, reserved), ...]}`` (strings).
    :raises InvalidCidr: bad ``cidr``.
    :raises InvalidInput: a gateway or range outside the network, or a
        range that contains the gateway or is empty.
    """
    net = parse_cidr(cidr)
    hosts = (int(net.network_address) + 1, int(net.broadcast_address) - 1)
    gw = None
    if gateway is not None:
        gw = _address(net, gateway, "gateway_ip")
    elif with_gateway:
        gw = ipaddress.ip_address(hosts[0])
    first = hosts[0] + (1 if gw is not None and int(gw) == hosts[0] else 0)
    start = (_address(net, allocation_start, "allocation pool start")
             if allocation_start else ipaddress.ip_address(first))
    end = (_address(net, allocation_end, "allocation pool end")
           if allocation_end else ipaddress.ip_address(hosts[1]))
    if int(start) > int(end):
        raise exception.InvalidInput(
            reason=f"allocation pool {start}-{end} is empty")
    if gw is not None and int(start) <= int(gw) <= int(end):
        raise exception.InvalidInput(
            reason=f"gateway_ip {gw} is inside the allocation pool "
                   f"{start}-{end}")
    addresses = []
    for value in range(int(net.network_address),
                       int(net.broadcast_address) + 1):
        addresses.append((str(ipaddress.ip_address(value)),
                          not int(start) <= value <= int(end)))
    return {"cidr": str(net), "gateway": str(gw) if gw else None,
            "allocation_start": str(start), "allocation_end": str(end),
            "addresses": addresses}


def pool_addresses(cidr):
    """The host addresses of ``cidr`` (a floating pool range); a /32 is
    its one address.

    :raises InvalidCidr:
    """
    try:
        net = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError as exc:
        raise exception.InvalidCidr(cidr=cidr, reason=str(exc))
    if net.version != 4:
        raise exception.InvalidCidr(cidr=cidr, reason="only IPv4")
    if net.num_addresses > MAX_ADDRESSES:
        raise exception.InvalidCidr(
            cidr=cidr, reason="larger than a /16 (65536 addresses)")
    if net.num_addresses <= 2:
        return [str(a) for a in net]
    return [str(a) for a in net.hosts()]


def overlapping(cidr, others):
    """The entries of ``others`` (``{key: cidr}``) overlapping ``cidr``."""
    net = ipaddress.ip_network(str(cidr), strict=False)
    return sorted(key for key, other in others.items()
                  if net.overlaps(ipaddress.ip_network(str(other))))


def contains(cidr, address):
    try:
        return ipaddress.ip_address(str(address)) in \
            ipaddress.ip_network(str(cidr))
    except ValueError:
        return False


def is_ipv4(value):
    try:
        return ipaddress.ip_address(str(value)).version == 4
    except ValueError:
        return False


def carve(fixed_range, size, taken):
    """The first ``size``-address block of ``fixed_range`` overlapping
    none of ``taken`` (CIDRs); None when the range is full.

    :raises InvalidCidr: ``size`` is not a power of two that fits.
    """
    parent = ipaddress.ip_network(str(fixed_range))
    prefix = parent.max_prefixlen - (size.bit_length() - 1)
    if size & (size - 1) or prefix < parent.prefixlen:
        raise exception.InvalidCidr(
            cidr=fixed_range,
            reason=f"network_size {size} is not a power of two within it")
    used = [ipaddress.ip_network(str(c)) for c in taken]
    for block in parent.subnets(new_prefix=prefix):
        if not any(block.overlaps(u) for u in used):
            return str(block)
    return None
