"""A server's networking through the compute API: ``nimbus server add /
remove security group`` (the ``addSecurityGroup``/``removeSecurityGroup``
actions), ``server add / remove network`` and ``server add / remove port``
(``os-interface`` attach and detach) and ``server interface list / show``.

Names of networks, ports and security groups are resolved through the
Networking v2 API (as the openstack client does); what changes the server
goes to the compute API, whose faults are printed as one line.
"""


from nimbus.cli import errors, rest
from nimbus.cli.commands import base
from nimbus.cli.commands import network as network_cmd

_IFACE_COLUMNS = ("Port ID", "Network ID", "MAC Address", "IP Addresses",
                  "Port State")


def _iface_row(iface):
    return (iface["port_id"], iface["net_id"], iface["mac_addr"],
            ", ".join(ip["ip_address"] for ip in iface.get("fixed_ips") or ()),
            iface.get("port_state"))


def _interfaces(conn, server_id):
    return rest.get(conn, f"/servers/{server_id}/os-interface")[
        "interfaceAttachments"]


def _find_port(conn, name_or_id):
    return network_cmd._find(conn.network.find_port, "port", name_or_id)


class _ServerAnd:
    """Mixin: the ``server`` positional argument and one more."""

    what = None
    help = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", help="server name or ID")
        parser.add_argument(self.what, help=self.help)
        return parser


class _GroupAction(_ServerAnd, base.Command):
    what, help = "group", "security group name or ID"
    action = None

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        group = network_cmd.find_group(conn, args.group)
        rest.call(conn, "POST", f"/servers/{server['id']}/action",
                  {self.action: {"name": group.name}})


class AddServerSecurityGroup(_GroupAction):
    """Add a security group to a server (all its ports)."""

    action = "addSecurityGroup"


class RemoveServerSecurityGroup(_GroupAction):
    """Remove a security group from a server."""

    action = "removeSecurityGroup"


def _attach(conn, server_id, body):
    iface = rest.call(conn, "POST", f"/servers/{server_id}/os-interface",
                      {"interfaceAttachment": body})["interfaceAttachment"]
    return _IFACE_COLUMNS, _iface_row(iface)


class AddServerNetwork(_ServerAnd, base.ShowOne):
    """Attach a new NIC on a network to a running server."""

    what, help = "network", "network name or ID"

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--fixed-ip", metavar="ADDRESS",
                            help="the NIC's IPv4 address (default: any "
                                 "free one)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        body = {"net_id": network_cmd.find_network(conn, args.network).id}
        if args.fixed_ip:
            body["fixed_ips"] = [{"ip_address": args.fixed_ip}]
        return _attach(conn, server["id"], body)


class AddServerPort(_ServerAnd, base.ShowOne):
    """Attach an existing port to a running server."""

    what, help = "port", "port name or ID"

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        port = _find_port(conn, args.port)
        return _attach(conn, server["id"], {"port_id": port.id})


class RemoveServerNetwork(_ServerAnd, base.Command):
    """Detach every NIC of a server on a network."""

    what, help = "network", "network name or ID"

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        net = network_cmd.find_network(conn, args.network)
        ports = [i["port_id"] for i in _interfaces(conn, server["id"])
                 if i["net_id"] == net.id]
        if not ports:
            raise errors.CommandError(
                f"Server {server['id']} has no NIC on network {net.id}.")
        for port_id in ports:
            rest.call(conn, "DELETE",
                      f"/servers/{server['id']}/os-interface/{port_id}")


class RemoveServerPort(_ServerAnd, base.Command):
    """Detach a port from a server."""

    what, help = "port", "port name or ID"

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        port = _find_port(conn, args.port)
        rest.call(conn, "DELETE",
                  f"/servers/{server['id']}/os-interface/{port.id}")


class ListServerInterface(base.Lister):
    """List a server's NICs (os-interface)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("server", help="server name or ID")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        return _IFACE_COLUMNS, [_iface_row(i)
                                for i in _interfaces(conn, server["id"])]


class ShowServerInterface(_ServerAnd, base.ShowOne):
    """Show one NIC of a server by its port ID."""

    what, help = "port", "port ID"

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        server = rest.server(conn, args.server)
        iface = rest.get(conn, f"/servers/{server['id']}/os-interface/"
                               f"{args.port}")["interfaceAttachment"]
        return _IFACE_COLUMNS, _iface_row(iface)
