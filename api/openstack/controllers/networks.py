"""``/os-networks``: Nova's network proxy API (list and show; removed at
2.36, as in Nova). ``openstack server create --nic net-id=NAME`` falls
back to it when the catalog has no network endpoint: it shows
``/os-networks/NAME`` and, on a 404, lists and matches ``label``.

Networks are the network service's; floating pools (external networks)
are never a guest's network, so they are not listed. Non-admins see the
nova-network fields Nova shows them; admins the rest too.
"""

import ipaddress

import pecan
from oslo_utils import uuidutils

from nimbus.api.openstack import common
from nimbus.api.openstack.controllers import security_groups
from nimbus.core import exception

N = "os_compute_api:os-networks:%s"

_ADMIN_ONLY = ("created_at", "updated_at", "deleted_at", "deleted",
               "injected", "bridge", "vlan", "vpn_public_address",
               "vpn_public_port", "vpn_private_address", "dhcp_start",
               "project_id", "host", "bridge_interface", "multi_host",
               "priority", "rxtx_base", "mtu", "dhcp_server", "enable_dhcp",
               "share_address")


def _time(value):
    if value is None or isinstance(value, str):
        return value
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def network_view(network, is_admin):
    cidr = ipaddress.ip_network(network["cidr"], strict=False)
    dns = list(network.get("dns_servers") or ())
    body = {
        "id": network["id"], "label": network["name"],
        "cidr": str(cidr), "netmask": str(cidr.netmask),
        "broadcast": str(cidr.broadcast_address),
        "gateway": network.get("gateway"),
        "dns1": dns[0] if dns else None,
        "dns2": dns[1] if len(dns) > 1 else None,
        "cidr_v6": None, "gateway_v6": None, "netmask_v6": None,
    }
    if is_admin:
        body.update(dict.fromkeys(_ADMIN_ONLY))
        body.update({
            "created_at": _time(network.get("created_at")),
            "updated_at": _time(network.get("updated_at")),
            "deleted": False, "injected": False,
            "bridge": network.get("bridge"), "vlan": network.get("vlan"),
            "dhcp_start": network.get("allocation_start"),
            "project_id": network.get("project_id"),
            "host": network.get("host"),
            "bridge_interface": network.get("bridge_interface"),
            "multi_host": bool(network.get("multi_host")),
            "mtu": network.get("mtu"),
            "dhcp_server": network.get("gateway"),
            "enable_dhcp": bool(network.get("dhcp_enabled", True)),
            "share_address": False,
        })
    return body


def _is_admin():
    return common.context().is_admin


class NetworkController:
    """/os-networks/{id}."""

    def __init__(self, network_id):
        self.network_id = network_id

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        security_groups.proxy_api_available()
        ctx = common.context()
        common.authorize(N % "view", {"project_id": ctx.project_id})
        missing = exception.NotFound(
            message=f"Network {self.network_id} could not be found.")
        if not uuidutils.is_uuid_like(self.network_id):
            raise missing  # a name: the client lists and matches labels
        network = common.services().network.get_network(ctx,
                                                        self.network_id)
        if network.get("external"):
            raise missing
        return common.reply({"network": network_view(network,
                                                     _is_admin())})


class NetworksController:
    """/os-networks."""

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        security_groups.proxy_api_available()
        ctx = common.context()
        common.authorize(N % "list", {"project_id": ctx.project_id})
        networks = common.services().network.list_networks(ctx)
        admin = _is_admin()
        return common.reply({"networks": [
            network_view(n, admin) for n in networks
            if not n.get("external")]})

    @pecan.expose("json")
    def _lookup(self, network_id, *remainder):
        if remainder:
            pecan.abort(404)
        return NetworkController(network_id), remainder
