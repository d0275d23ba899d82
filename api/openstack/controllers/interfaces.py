"""A server's NICs: ``/servers/{id}/os-interface`` (list, show, hot-plug
attach and detach) and ``/servers/{id}/os-virtual-interfaces`` (the
nova-network listing, removed at 2.44 as in Nova).

Each NIC is a port of the network service whose ``device_id`` is the
server; attach and detach go through the compute API (state and
capability checks, then the compute host, which allocates the port,
plugs it and hot-plugs it into the guest). A device ``tag`` given at
attach (2.49) is kept on the port and shown from 2.70.
"""

import pecan
from oslo_utils import netutils, uuidutils

from nimbus.api.openstack import common, schemas_network
from nimbus.core import exception

AI = "os_compute_api:os-attach-interfaces:%s"
VI = "os_compute_api:os-virtual-interfaces:list"


def _instance(server_id, rule):
    from nimbus.api.openstack.controllers import servers
    return servers.get_authorized(server_id, rule)


def attachment_view(port):
    """A NIC as the request's microversion shows it (its device ``tag``
    from 2.70)."""
    body = {"port_id": port["id"], "net_id": port["network_id"],
            "mac_addr": port["mac_address"],
            "port_state": port.get("status"),
            "fixed_ips": [{"subnet_id": ip.get("subnet_id"),
                           "ip_address": ip["ip_address"]}
                          for ip in port.get("fixed_ips") or ()]}
    if common.at_least(70):
        body["tag"] = port.get("tag")
    return body


def _ports(ctx, instance):
    return common.services().network.list_ports(
        ctx, filters={"device_id": instance.uuid})


def _port_of(ctx, instance, port_id):
    """The port ``port_id`` if it is one of the instance's NICs.

    :raises NotFound: (404) it is not (or there is no such port).
    """
    missing = exception.NotFound(
        message=f"Instance {instance.uuid} has no interface {port_id}")
    if not uuidutils.is_uuid_like(port_id):
        raise missing
    try:
        port = common.services().network.get_port(ctx, port_id)
    except exception.NotFound:
        raise missing
    if port.get("device_id") != instance.uuid:
        raise missing
    return port


def _attach_arguments(data):
    """Nova's checks of an ``interfaceAttachment``; returns
    ``(network_id, port_id, fixed_ip, tag)``."""
    network_id = data.get("net_id")
    port_id = data.get("port_id")
    fixed_ip = None
    if data.get("fixed_ips"):
        fixed_ip = data["fixed_ips"][0]["ip_address"]
    if network_id and port_id:
        raise exception.Invalid(
            message="Must not input both network_id and port_id")
    if fixed_ip and not network_id:
        raise exception.Invalid(
            message="Must input network_id when request IP address")
    if fixed_ip and not netutils.is_valid_ipv4(fixed_ip):
        raise exception.Invalid(message=f"Invalid IP address {fixed_ip}")
    for value, what in ((network_id, "net_id"), (port_id, "port_id")):
        if value and not uuidutils.is_uuid_like(value):
            raise exception.Invalid(
                message=f"Invalid {what}: {value} is not a UUID")
    return network_id, port_id, fixed_ip, data.get("tag")


def _default_network(ctx, instance):
    """The network a NIC requested without one joins: what a server of
    the instance's project created without ``networks`` would get.

    :raises Invalid: none is available (Nova's 400).
    :raises NetworkAmbiguous: several are (409).
    """
    chosen = common.services().network.validate_requested_networks(
        ctx, instance.project_id, None)
    if not chosen or not chosen[0]["network_id"]:
        raise exception.Invalid(
            message="No specific network was requested and none are "
                    "available for project "
                    f"'{instance.project_id}'.")
    return chosen[0]["network_id"]


class InterfaceController:
    """/servers/{id}/os-interface/{port_id}."""

    def __init__(self, server_id, port_id):
        self.server_id = server_id
        self.port_id = port_id

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "DELETE")
        instance = _instance(self.server_id, AI % "show")
        port = _port_of(common.context(), instance, self.port_id)
        return common.reply({"interfaceAttachment": attachment_view(port)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        instance = _instance(self.server_id, AI % "delete")
        ctx = common.context()
        _port_of(ctx, instance, self.port_id)
        common.services().compute.detach_interface(ctx, instance.uuid,
                                                   self.port_id)
        return common.reply(None, 202)


class InterfacesController:
    """/servers/{id}/os-interface."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "POST")
        instance = _instance(self.server_id, AI % "list")
        ports = _ports(common.context(), instance)
        return common.reply({"interfaceAttachments": [
            attachment_view(p) for p in ports]})

    @index.when(method="POST", template="json")
    def create(self):
        body = common.body(schemas_network.interface_attach(common.at_least))
        network_id, port_id, fixed_ip, tag = _attach_arguments(
            body.get("interfaceAttachment") or {})
        instance = _instance(self.server_id, AI % "create")
        ctx = common.context()
        if network_id is None and port_id is None:
            network_id = _default_network(ctx, instance)
        vif = common.services().compute.attach_interface(
            ctx, instance.uuid, network_id=network_id, port_id=port_id,
            fixed_ip=fixed_ip, tag=tag)
        port = common.services().network.get_port(ctx, vif["id"])
        return common.reply({"interfaceAttachment": attachment_view(port)})

    @pecan.expose("json")
    def _lookup(self, port_id, *remainder):
        if remainder:
            pecan.abort(404)
        return InterfaceController(self.server_id, port_id), remainder


class VirtualInterfacesController:
    """/servers/{id}/os-virtual-interfaces."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        if common.at_least(44):
            raise exception.NotFound()
        instance = _instance(self.server_id, VI)
        ports = _ports(common.context(), instance)
        with_network = common.at_least(12)
        return common.reply({"virtual_interfaces": [
            dict({"id": p["id"], "mac_address": p["mac_address"]},
                 **({"net_id": p["network_id"]} if with_network else {}))
            for p in ports]})
