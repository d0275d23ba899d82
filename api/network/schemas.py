"""JSON schemas of the Networking v2 request bodies nimbus accepts.

Attributes nimbus cannot honour are refused (400 naming the attribute)
rather than silently dropped; Neutron's fixed values (``admin_state_up``
true, an empty ``description``, IPv4) are accepted as such so stock
clients, which send them, keep working. OSC sends
``provider:segmentation_id`` as a string, openstacksdk as an integer:
both are accepted.
"""

UUID = {"type": "string", "pattern":
        "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}"
        "-?[0-9a-fA-F]{12}$"}
NULLABLE_UUID = {"anyOf": [UUID, {"type": "null"}]}
NAME = {"type": "string", "maxLength": 255}
DESCRIPTION = {"anyOf": [{"const": ""}, {"type": "null"}],
               "description": "nimbus keeps no descriptions"}
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_ADDRESS = rf"{_OCTET}(\.{_OCTET}){{3}}"
IPV4 = {"type": "string", "pattern": rf"^{_ADDRESS}$",
        "description": "an IPv4 address"}
CIDR = {"type": "string", "pattern": rf"^{_ADDRESS}/([0-9]|[12][0-9]|3[0-2])$",
        "description": "an IPv4 CIDR"}
PROJECT = {"type": "string", "minLength": 1, "maxLength": 255}
ADMIN_UP = {"const": True, "description": "ports and networks are "
            "always administratively up in nimbus"}
EMPTY_LIST = {"type": "array", "maxItems": 0}
SEGMENT = {"anyOf": [
    {"type": "integer", "minimum": 1, "maximum": 4094},
    {"type": "string", "pattern": "^[0-9]{1,4}$"}, {"type": "null"}]}


def _wrap(key, properties, required=()):
    return {"type": "object", "required": [key],
            "additionalProperties": False,
            "properties": {key: {
                "type": "object", "required": list(required),
                "additionalProperties": False,
                "properties": properties}}}


_NETWORK = {
    "name": NAME, "admin_state_up": ADMIN_UP, "description": DESCRIPTION,
    "shared": {"type": "boolean"},
    "mtu": {"type": "integer", "minimum": 68, "maximum": 9216},
    "port_security_enabled": {"const": True},
    "availability_zone_hints": EMPTY_LIST,
}
NETWORK_CREATE = _wrap("network", dict(
    _NETWORK, project_id=PROJECT, tenant_id=PROJECT,
    multi_host={"type": "boolean"},
    **{"router:external": {"type": "boolean"},
       "provider:network_type": {"enum": ["flat", "vlan"]},
       "provider:physical_network": {"type": ["string", "null"],
                                     "maxLength": 64},
       "provider:segmentation_id": SEGMENT}))
NETWORK_UPDATE = _wrap("network", _NETWORK)

_POOL = {"type": "object", "required": ["start", "end"],
         "additionalProperties": False,
         "properties": {"start": IPV4, "end": IPV4}}
_SUBNET = {
    "name": NAME, "description": DESCRIPTION,
    "dns_nameservers": {"type": "array", "items": IPV4, "maxItems": 5,
                        "uniqueItems": True},
    "enable_dhcp": {"type": "boolean"},
    "host_routes": EMPTY_LIST,
}
SUBNET_CREATE = _wrap("subnet", dict(
    _SUBNET, network_id=UUID, cidr=CIDR, ip_version={"const": 4},
    gateway_ip={"anyOf": [IPV4, {"type": "null"}]}, project_id=PROJECT, tenant_id=PROJECT,
    allocation_pools={"type": "array", "items": _POOL, "maxItems": 1},
    ipv6_ra_mode={"type": "null"}, ipv6_address_mode={"type": "null"},
    subnetpool_id={"type": "null"},
    use_default_subnetpool={"const": False}, segment_id={"type": "null"},
    service_types=EMPTY_LIST), required=("network_id", "cidr"))
SUBNET_UPDATE = _wrap("subnet", _SUBNET)

_FIXED_IPS = {"type": "array", "maxItems": 1, "items": {
    "type": "object", "additionalProperties": False,
    "properties": {"ip_address": IPV4, "subnet_id": UUID}}}
_SECURITY_GROUPS = {"type": "array", "maxItems": 20, "uniqueItems": True,
                    "items": UUID}
_PORT = {"name": NAME, "description": DESCRIPTION,
         "admin_state_up": ADMIN_UP, "security_groups": _SECURITY_GROUPS,
         "port_security_enabled": {"const": True}}
PORT_CREATE = _wrap("port", dict(
    _PORT, network_id=UUID, fixed_ips=_FIXED_IPS, project_id=PROJECT,
    tenant_id=PROJECT), required=("network_id",))
PORT_UPDATE = _wrap("port", _PORT)

_GROUP = {"name": NAME, "description": {"type": ["string", "null"],
                                        "maxLength": 255}}
SECURITY_GROUP_CREATE = _wrap("security_group", dict(
    _GROUP, project_id=PROJECT, tenant_id=PROJECT,
    stateful={"const": True}))
SECURITY_GROUP_UPDATE = _wrap("security_group", _GROUP)

PORT_NUMBER = {"type": ["integer", "null"], "minimum": 0,
               "maximum": 65535}
SECURITY_GROUP_RULE_CREATE = _wrap("security_group_rule", {
    "security_group_id": UUID, "direction": {"enum": ["ingress",
                                                      "egress"]},
    "ethertype": {"enum": ["IPv4"]},
    "protocol": {"anyOf": [
        {"enum": ["tcp", "udp", "icmp", "any", "TCP", "UDP", "ICMP"]},
        {"type": "string", "pattern": "^[0-9]{1,3}$"},
        {"type": "integer", "minimum": 0, "maximum": 255},
        {"type": "null"}]},
    "port_range_min": PORT_NUMBER, "port_range_max": PORT_NUMBER,
    "remote_ip_prefix": {"anyOf": [CIDR, IPV4, {"type": "null"}]},
    "remote_group_id": NULLABLE_UUID,
    "remote_address_group_id": {"type": "null"},
    "description": DESCRIPTION, "project_id": PROJECT,
    "tenant_id": PROJECT,
}, required=("security_group_id", "direction"))

FLOATINGIP_CREATE = _wrap("floatingip", {
    "floating_network_id": UUID, "floating_ip_address": IPV4,
    "port_id": NULLABLE_UUID, "fixed_ip_address": {"anyOf": [
        IPV4, {"type": "null"}]},
    "subnet_id": NULLABLE_UUID,
    "description": {"type": ["string", "null"], "maxLength": 255},
    "project_id": PROJECT, "tenant_id": PROJECT,
}, required=("floating_network_id",))
FLOATINGIP_UPDATE = _wrap("floatingip", {
    "port_id": NULLABLE_UUID, "fixed_ip_address": {"anyOf": [
        IPV4, {"type": "null"}]},
    "description": {"type": ["string", "null"], "maxLength": 255},
})

QUOTA_UPDATE = _wrap("quota", dict({
    name: {"anyOf": [{"type": "integer", "minimum": -1},
                     {"type": "string", "pattern": "^-?[0-9]+$"}]}
    for name in ("network", "subnet", "port", "floatingip",
                 "security_group", "security_group_rule")},
    check_limit={"type": "boolean"}))
