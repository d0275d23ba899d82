"""JSON schemas of the compute dialect's networking requests, per
microversion (Nova's): ``networks``/``security_groups`` of a server
create, the nova-network proxy APIs (``os-security-groups``,
``os-security-group-rules``), the security-group server actions and
``os-interface``.

Semantic checks JSON Schema cannot say (UUID and address forms, port
ranges) are in the controllers, with Nova's messages.
"""

from nimbus.api.openstack import common, schemas_volumes

_UUID = {"type": "string", "minLength": 1, "maxLength": 255}
_NETWORK_REQUEST = {
    "type": "object",
    "properties": {
        "uuid": {"type": "string"},
        "fixed_ip": {"type": "string"},
        "port": {"type": ["string", "null"]},
    },
    "additionalProperties": False,
}


def networks():
    """``server.networks``: a list of requests; from 2.37 also the
    strings ``auto`` and ``none`` (and then it is required). A request
    may carry a device ``tag`` from 2.32 to 2.36 and from 2.42 (Nova lost
    it at 2.37), kept on the server's port (shown from 2.70)."""
    request = _NETWORK_REQUEST
    if common.at_least(32) and not common.at_least(37) or \
            common.at_least(42):
        request = dict(request, properties=dict(
            request["properties"], tag=schemas_volumes.TAG))
    listed = {"type": "array", "items": request}
    if common.at_least(37):
        return {"oneOf": [dict(listed, minItems=1),
                          {"type": "string", "enum": ["none", "auto"]}]}
    return listed


SECURITY_GROUPS_ON_CREATE = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"name": {"type": "string", "minLength": 1,
                                "maxLength": 255}},
        "additionalProperties": False,
    },
}

_SG_NAME = {"type": "string", "minLength": 1, "maxLength": 255,
            "pattern": r"^(?!\s*$).+$"}
_SG_DESCRIPTION = {"type": "string", "maxLength": 255}

SECURITY_GROUP = {
    "type": "object",
    "properties": {"security_group": {
        "type": "object",
        "properties": {"name": _SG_NAME, "description": _SG_DESCRIPTION},
        "required": ["name", "description"],
        "additionalProperties": False}},
    "required": ["security_group"],
    "additionalProperties": False,
}

_PORT = {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$"}

SECURITY_GROUP_RULE = {
    "type": "object",
    "properties": {"security_group_rule": {
        "type": "object",
        "properties": {
            "parent_group_id": _UUID,
            "ip_protocol": {"type": ["string", "null"]},
            "from_port": _PORT,
            "to_port": _PORT,
            "cidr": {"type": ["string", "null"]},
            "group_id": {"type": ["string", "null"]},
        },
        "required": ["parent_group_id"],
        "additionalProperties": False}},
    "required": ["security_group_rule"],
    "additionalProperties": False,
}

_GROUP_NAME_ARG = {
    "type": "object",
    "properties": {"name": {"type": "string", "minLength": 1,
                            "maxLength": 255}},
    "required": ["name"],
    "additionalProperties": False,
}

#: ``addSecurityGroup``/``removeSecurityGroup`` server actions.
ACTIONS = {"addSecurityGroup": _GROUP_NAME_ARG,
           "removeSecurityGroup": _GROUP_NAME_ARG}

INTERFACE_ATTACH = {
    "type": "object",
    "properties": {"interfaceAttachment": {
        "type": "object",
        "properties": {
            "net_id": _UUID,
            "port_id": _UUID,
            "fixed_ips": {
                "type": "array", "minItems": 1, "maxItems": 1,
                "items": {"type": "object",
                          "properties": {"ip_address": {"type": "string"}},
                          "required": ["ip_address"],
                          "additionalProperties": False}},
        },
        "additionalProperties": False}},
    "additionalProperties": False,
}


def interface_attach(at_least):
    """INTERFACE_ATTACH as the request's microversion has it: a device
    ``tag`` from 2.49 (kept on the port, shown from 2.70)."""
    if not at_least(49):
        return INTERFACE_ATTACH
    entry = INTERFACE_ATTACH["properties"]["interfaceAttachment"]
    entry = dict(entry, properties=dict(entry["properties"],
                                        tag=schemas_volumes.TAG))
    return dict(INTERFACE_ATTACH, properties={"interfaceAttachment": entry})
