"""Security groups (proxies of the Networking API): ``/os-security-groups``
and its rules to 2.35 (Nova answers 404 from 2.36), a server's groups at
every version."""

from nimbus.api.openstack.responses import types as t

G = "/os-security-groups"
LAST = 35

_PORT = {"type": ["integer", "null"], "minimum": -1}
_RULE = t.obj({
    "id": t.STRING, "parent_group_id": t.STRING, "ip_protocol":
    t.NULLABLE_STRING, "from_port": _PORT, "to_port": _PORT,
    # either names another group or holds a CIDR (else empty)
    "group": t.obj({"name": t.STRING, "tenant_id": t.STRING}),
    "ip_range": t.obj({"cidr": t.STRING}),
}, required=("id", "parent_group_id", "ip_protocol", "from_port",
             "to_port", "group", "ip_range"))
_GROUP = t.obj({"id": t.STRING, "name": t.STRING,
                "description": t.NULLABLE_STRING, "tenant_id": t.STRING,
                "rules": t.array(_RULE)},
               required=("id", "name", "description", "tenant_id", "rules"))
_ONE = t.obj({"security_group": _GROUP}, required=("security_group",))
_LIST = t.obj({"security_groups": t.array(_GROUP)},
              required=("security_groups",))

SCHEMAS = {
    ("GET", G): [(1, LAST, _LIST)],
    ("POST", G): [(1, LAST, _ONE)],
    ("GET", G + "/{security_group_id}"): [(1, LAST, _ONE)],
    ("PUT", G + "/{security_group_id}"): [(1, LAST, _ONE)],
    ("POST", "/os-security-group-rules"): [(1, LAST, t.obj(
        {"security_group_rule": _RULE}, required=("security_group_rule",)))],
    ("GET", "/servers/{server_id}/os-security-groups"): [(1, None, _LIST)],
}
