"""Checks of the values callers give the network service API: each
returns the normalized value or raises InvalidInput (or
InvalidSecurityGroupRule) naming the field."""

import ipaddress

from nimbus.core import exception
from nimbus.core.network import ipam

_BRIDGE_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789_.-")
_PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp",
              "icmp": "icmp", "1": "icmp", "any": None, "": None}


def name(value, what, required=False):
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise exception.InvalidInput(reason=f"{what} must be a string")
    if len(value) > 255:
        raise exception.InvalidInput(
            reason=f"{what} is longer than 255 characters")
    if required and not value.strip():
        raise exception.InvalidInput(reason=f"{what} must not be empty")
    return value


def text(value, what):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise exception.InvalidInput(reason=f"{what} must be a string")
    if len(value) > 1024:
        raise exception.InvalidInput(
            reason=f"{what} is longer than 1024 characters")
    return value


def int_in(value, what, low, high):
    try:
        number = int(value)
        if isinstance(value, bool) or str(number) != str(value).strip():
            raise ValueError
    except (TypeError, ValueError):
        raise exception.InvalidInput(reason=f"{what} must be an integer")
    if not low <= number <= high:
        raise exception.InvalidInput(
            reason=f"{what} {number} is not between {low} and {high}")
    return number


def bridge_name(value, what):
    if not isinstance(value, str) or not 0 < len(value) <= 15 or \
            not set(value) <= _BRIDGE_CHARS or value.startswith("-"):
        raise exception.InvalidInput(
            reason=f"{what} {value!r} must be 1-15 letters, digits, '_', "
                   f"'.' or '-'")
    return value


def dns(values):
    values = list(values or [])
    for value in values:
        if not ipam.is_ipv4(value):
            raise exception.InvalidInput(
                reason=f"DNS server {value!r} is not an IPv4 address")
    return values


#: the ethertypes rules may have (every plugin filters them).
SUPPORTED_ETHERTYPES = ("IPv4",)


def rule_values(direction, ethertype, protocol, port_range_min,
                 port_range_max, remote_ip_prefix, remote_group_id):
    """Checked, normalized rule columns (Neutron's rules)."""
    bad = exception.InvalidSecurityGroupRule
    if direction not in ("ingress", "egress"):
        raise bad(reason=f"direction {direction!r} must be ingress or "
                         f"egress")
    if ethertype not in ("IPv4", "IPv6"):
        raise bad(reason=f"ethertype {ethertype!r} must be IPv4 or IPv6")
    if ethertype not in SUPPORTED_ETHERTYPES:
        # Refused rather than recorded and ignored: nimbus networks are
        # IPv4 only and no plugin filters IPv6 by rule (filtered guests
        # get no IPv6 at all).
        raise bad(reason="IPv6 rules are not supported: nimbus networks "
                         "are IPv4 only (use ethertype IPv4)")
    key = "" if protocol is None else str(protocol).lower()
    if key not in _PROTOCOLS:
        raise bad(reason=f"protocol {protocol!r} is not supported (tcp, "
                         f"udp, icmp or any)")
    protocol = _PROTOCOLS[key]
    low = None if port_range_min is None else _port(port_range_min)
    high = None if port_range_max is None else _port(port_range_max)
    if protocol in ("tcp", "udp"):
        if (low is None) != (high is None):
            if low is None:
                raise bad(reason="port_range_max needs port_range_min")
            high = low if high is None else high
        if low is not None and not 1 <= low <= high <= 65535:
            raise bad(reason=f"port range {low}-{high} must satisfy "
                             f"1 <= min <= max <= 65535")
    elif protocol == "icmp":
        if low is not None and not 0 <= low <= 255:
            raise bad(reason=f"ICMP type {low} must be 0-255")
        if high is not None and (low is None or not 0 <= high <= 255):
            raise bad(reason=f"ICMP code {high} must be 0-255 with a type")
    elif low is not None or high is not None:
        raise bad(reason="port ranges need protocol tcp, udp or icmp")
    if remote_ip_prefix is not None and remote_group_id is not None:
        raise bad(reason="only one of remote_ip_prefix and "
                         "remote_group_id may be given")
    if remote_ip_prefix is not None:
        remote_ip_prefix = _prefix(remote_ip_prefix, ethertype)
    return {"direction": direction, "ethertype": ethertype,
            "protocol": protocol, "port_range_min": low,
            "port_range_max": high, "remote_ip_prefix": remote_ip_prefix,
            "remote_group_id": remote_group_id}


def _port(value):
    try:
        if isinstance(value, bool):
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        raise exception.InvalidSecurityGroupRule(
            reason=f"port {value!r} must be an integer")


def _prefix(value, ethertype):
    try:
        net = ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        raise exception.InvalidSecurityGroupRule(
            reason=f"remote_ip_prefix {value!r} is not a CIDR")
    if (net.version == 4) != (ethertype == "IPv4"):
        raise exception.InvalidSecurityGroupRule(
            reason=f"remote_ip_prefix {value} does not match ethertype "
                   f"{ethertype}")
    return str(net)
