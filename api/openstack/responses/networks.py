"""``/os-networks``, Nova's nova-network proxy (list and show): gone
from 2.36 (a 404), so every range ends at 2.35. Everyone sees the
addressing keys; the rest only those the policy calls administrators."""

from nimbus.api.openstack.responses import types as t

#: the last microversion that has the proxy.
LAST = 35

_NULLABLE_INTEGER = {"type": ["integer", "null"]}
_NETWORK = t.obj({
    "id": t.STRING, "label": t.STRING, "cidr": t.NULLABLE_STRING,
    "netmask": t.NULLABLE_STRING, "broadcast": t.NULLABLE_STRING,
    "gateway": t.NULLABLE_STRING, "dns1": t.NULLABLE_STRING,
    "dns2": t.NULLABLE_STRING, "cidr_v6": t.NULLABLE_STRING,
    "gateway_v6": t.NULLABLE_STRING, "netmask_v6": t.NULLABLE_STRING,
    # administrators
    "created_at": t.NULLABLE_STRING, "updated_at": t.NULLABLE_STRING,
    "deleted_at": t.NULLABLE_STRING, "deleted": t.BOOLEAN,
    "injected": t.BOOLEAN, "bridge": t.NULLABLE_STRING,
    "vlan": _NULLABLE_INTEGER, "vpn_public_address": t.NULLABLE_STRING,
    "vpn_public_port": _NULLABLE_INTEGER,
    "vpn_private_address": t.NULLABLE_STRING,
    "dhcp_start": t.NULLABLE_STRING, "project_id": t.NULLABLE_STRING,
    "host": t.NULLABLE_STRING, "bridge_interface": t.NULLABLE_STRING,
    "multi_host": t.BOOLEAN, "priority": _NULLABLE_INTEGER,
    "rxtx_base": _NULLABLE_INTEGER, "mtu": _NULLABLE_INTEGER,
    "dhcp_server": t.NULLABLE_STRING, "enable_dhcp": t.BOOLEAN,
    "share_address": t.BOOLEAN,
}, required=("id", "label", "cidr", "netmask", "broadcast", "gateway",
             "dns1", "dns2", "cidr_v6", "gateway_v6", "netmask_v6"))

SCHEMAS = {
    ("GET", "/os-networks"): [
        (1, LAST, t.obj({"networks": t.array(_NETWORK)},
                        required=("networks",)))],
    ("GET", "/os-networks/{network_id}"): [
        (1, LAST, t.obj({"network": _NETWORK}, required=("network",)))],
}
