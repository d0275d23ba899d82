"""``nimbus network ...``, ``nimbus floating ip ...`` and ``nimbus
security group [rule] ...``: the Networking v2 API through
openstacksdk's ``conn.network`` proxy."""

import ipaddress

from nimbus.cli import errors
from nimbus.cli.commands import base


def _find(finder, kind, name_or_id):
    found = finder(name_or_id, ignore_missing=True)
    if found is None:
        raise errors.CommandError(
            f"No {kind} with a name or ID of '{name_or_id}' exists.")
    return found


def find_network(conn, name_or_id):
    return _find(conn.network.find_network, "network", name_or_id)


def find_group(conn, name_or_id):
    return _find(conn.network.find_security_group, "security group",
                 name_or_id)


def find_ip(conn, address_or_id):
    return _find(conn.network.find_ip, "floating IP", address_or_id)


def _network_details(conn, net):
    subnet = conn.network.get_subnet(net.subnet_ids[0]) \
        if net.subnet_ids else None
    fields = {"id": net.id, "name": net.name, "status": net.status,
              "project_id": net.project_id, "shared": net.is_shared,
              "external": net.is_router_external,
              "vlan": net.provider_segmentation_id,
              "mtu": net.mtu, "subnet": subnet.id if subnet else "",
              "cidr": subnet.cidr if subnet else "",
              "gateway": subnet.gateway_ip if subnet else "",
              "dns": ", ".join(subnet.dns_nameservers) if subnet else ""}
    return tuple(fields), tuple(fields.values())


def _cidr(text):
    try:
        return str(ipaddress.ip_network(text))
    except ValueError as err:
        raise errors.CommandError(f"Invalid --subnet-range {text}: {err}")


class CreateNetwork(base.ShowOne):
    """Create a network (administrators), with its subnet when
    --subnet-range is given."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="new network name")
        parser.add_argument("--subnet-range", metavar="CIDR",
                            help="the network's IPv4 range, e.g. "
                                 "10.1.0.0/24")
        parser.add_argument("--gateway", help="gateway address (default: "
                            "the first address of the range)")
        parser.add_argument("--dns-nameserver", action="append",
                            default=[], help="DNS server (repeatable)")
        parser.add_argument("--vlan", type=int, metavar="ID",
                            help="802.1Q VLAN id of the network")
        parser.add_argument("--shared", action="store_true",
                            help="usable by every project")
        parser.add_argument("--external", action="store_true",
                            help="a floating IP pool")
        parser.add_argument("--project", help="owning project ID")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        cidr = _cidr(args.subnet_range) if args.subnet_range else None
        if (args.gateway or args.dns_nameserver) and cidr is None:
            raise errors.CommandError("--gateway and --dns-nameserver need "
                                      "--subnet-range")
        attrs = {"name": args.name}
        if args.vlan is not None:
            attrs.update(provider_network_type="vlan",
                         provider_segmentation_id=args.vlan)
        if args.shared:
            attrs["is_shared"] = True
        if args.external:
            attrs["is_router_external"] = True
        if args.project:
            attrs["project_id"] = args.project
        net = conn.network.create_network(**attrs)
        if cidr is not None:
            subnet = {"network_id": net.id, "cidr": cidr, "ip_version": 4,
                      "name": args.name}
            if args.gateway:
                subnet["gateway_ip"] = args.gateway
            if args.dns_nameserver:
                subnet["dns_nameservers"] = args.dns_nameserver
            try:
                conn.network.create_subnet(**subnet)
            except Exception:
                conn.network.delete_network(net.id, ignore_missing=True)
                raise
        return _network_details(conn, conn.network.get_network(net.id))


class ListNetwork(base.Lister):
    """List networks."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--external", action="store_true",
                            help="only floating IP pools")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        query = {"is_router_external": True} if args.external else {}
        cidrs = {s.id: s.cidr for s in conn.network.subnets()}
        return (("ID", "Name", "CIDR", "Shared", "External"),
                [(n.id, n.name,
                  ", ".join(cidrs.get(s, "") for s in n.subnet_ids),
                  n.is_shared, n.is_router_external)
                 for n in conn.network.networks(**query)])


class ShowNetwork(base.ShowOne):
    """Show one network and its subnet."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("network", help="network name or ID")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        return _network_details(conn, find_network(conn, args.network))


class DeleteNetwork(base.Command):
    """Delete networks (none of their addresses may be in use)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("network", nargs="+",
                            help="network name(s) or ID(s)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        for name in args.network:
            conn.network.delete_network(find_network(conn, name).id)


# -- floating IPs ---------------------------------------------------------

_IP_COLUMNS = ("ID", "Floating IP Address", "Fixed IP Address", "Port",
               "Floating Network", "Project")


def _ip_row(ip):
    return (ip.id, ip.floating_ip_address, ip.fixed_ip_address or "",
            ip.port_id or "", ip.floating_network_id, ip.project_id)


def _ip_details(ip):
    return tuple(c.lower().replace(" ", "_") for c in _IP_COLUMNS), \
        _ip_row(ip)


class CreateFloatingIp(base.ShowOne):
    """Allocate a floating IP from an external network."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("network", help="external network name or ID")
        parser.add_argument("--floating-ip-address", metavar="ADDRESS",
                            help="a given address (administrators)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        attrs = {"floating_network_id": find_network(conn, args.network).id}
        if args.floating_ip_address:
            attrs["floating_ip_address"] = args.floating_ip_address
        return _ip_details(conn.network.create_ip(**attrs))


class ListFloatingIp(base.Lister):
    """List floating IPs."""

    @errors.translated
    def take_action(self, args):
        return _IP_COLUMNS, [_ip_row(ip)
                             for ip in self.app.connection.network.ips()]


class DeleteFloatingIp(base.Command):
    """Release floating IPs."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("floating_ip", nargs="+",
                            help="floating IP address(es) or ID(s)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        for name in args.floating_ip:
            conn.network.delete_ip(find_ip(conn, name).id)


class AssociateFloatingIp(base.ShowOne):
    """Associate a floating IP with a server (its first port, or the one
    holding --fixed-ip-address)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("floating_ip", help="floating IP address or ID")
        parser.add_argument("server", help="server name or ID")
        parser.add_argument("--fixed-ip-address", metavar="ADDRESS",
                            help="the server's address to map to")
        return parser

    @errors.translated
    def take_action(self, args):
        from nimbus.cli.commands.server import find_server
        conn = self.app.connection
        ip = find_ip(conn, args.floating_ip)
        server = find_server(conn, args.server)
        ports = list(conn.network.ports(device_id=server.id))
        if args.fixed_ip_address:
            ports = [p for p in ports if any(
                f["ip_address"] == args.fixed_ip_address
                for f in p.fixed_ips)]
        if not ports:
            raise errors.CommandError(
                f"Server {server.name} has no port"
                + (f" with address {args.fixed_ip_address}"
                   if args.fixed_ip_address else "") + ".")
        attrs = {"port_id": ports[0].id}
        if args.fixed_ip_address:
            attrs["fixed_ip_address"] = args.fixed_ip_address
        return _ip_details(conn.network.update_ip(ip, **attrs))


class DisassociateFloatingIp(base.ShowOne):
    """Disassociate a floating IP from its server."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("floating_ip", help="floating IP address or ID")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        ip = find_ip(conn, args.floating_ip)
        return _ip_details(conn.network.update_ip(ip, port_id=None))


# -- security groups --------------------------------------------------------

class CreateSecurityGroup(base.ShowOne):
    """Create a security group."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="new group name")
        parser.add_argument("--description", default="",
                            help="what the group is for")
        return parser

    @errors.translated
    def take_action(self, args):
        group = self.app.connection.network.create_security_group(
            name=args.name, description=args.description or args.name)
        return (("id", "name", "description", "project_id", "rules"),
                (group.id, group.name, group.description, group.project_id,
                 len(group.security_group_rules or ())))


class ListSecurityGroup(base.Lister):
    """List security groups."""

    @errors.translated
    def take_action(self, args):
        groups = self.app.connection.network.security_groups()
        return (("ID", "Name", "Description", "Project"),
                [(g.id, g.name, g.description, g.project_id)
                 for g in groups])


class DeleteSecurityGroup(base.Command):
    """Delete security groups (no server may use them)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("group", nargs="+", help="group name(s) or ID(s)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        for name in args.group:
            conn.network.delete_security_group(find_group(conn, name).id)


_RULE_COLUMNS = ("ID", "Direction", "Protocol", "Port Range",
                 "Remote IP Prefix", "Remote Group", "Security Group")


def _ports(rule):
    low, high = rule.port_range_min, rule.port_range_max
    if low is None:
        return ""
    return str(low) if high in (None, low) else f"{low}:{high}"


def _rule_row(rule):
    return (rule.id, rule.direction, rule.protocol or "any", _ports(rule),
            rule.remote_ip_prefix or "", rule.remote_group_id or "",
            rule.security_group_id)


def _port_range(text):
    low, sep, high = text.partition(":")
    try:
        low = int(low)
        high = int(high) if sep else low
    except ValueError:
        raise errors.CommandError(
            f"Invalid --dst-port {text}: use PORT or MIN:MAX")
    return low, high


class CreateSecurityGroupRule(base.ShowOne):
    """Add a rule to a security group."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("group", help="group name or ID")
        parser.add_argument("--protocol", default="tcp",
                            help="tcp, udp, icmp, a number or any "
                                 "(default tcp)")
        parser.add_argument("--dst-port", metavar="PORT[:MAX]",
                            help="destination port or range (tcp/udp)")
        parser.add_argument("--remote-ip", metavar="CIDR",
                            help="source range (default 0.0.0.0/0)")
        parser.add_argument("--remote-group", metavar="GROUP",
                            help="source security group")
        way = parser.add_mutually_exclusive_group()
        way.add_argument("--ingress", dest="direction", action="store_const",
                         const="ingress", default="ingress",
                         help="incoming traffic (default)")
        way.add_argument("--egress", dest="direction", action="store_const",
                         const="egress", help="outgoing traffic")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        group = find_group(conn, args.group)
        attrs = {"security_group_id": group.id, "direction": args.direction,
                 "ethertype": "IPv4"}
        if args.protocol.lower() != "any":
            attrs["protocol"] = args.protocol.lower()
        if args.dst_port:
            low, high = _port_range(args.dst_port)
            attrs.update(port_range_min=low, port_range_max=high)
        if args.remote_group:
            if args.remote_ip:
                raise errors.CommandError(
                    "Give --remote-ip or --remote-group, not both")
            attrs["remote_group_id"] = find_group(conn,
                                                  args.remote_group).id
        else:
            attrs["remote_ip_prefix"] = args.remote_ip or "0.0.0.0/0"
        rule = conn.network.create_security_group_rule(**attrs)
        return tuple(c.lower().replace(" ", "_") for c in _RULE_COLUMNS), \
            _rule_row(rule)


class ListSecurityGroupRule(base.Lister):
    """List security group rules (of one group, or all)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("group", nargs="?", help="group name or ID")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        query = {}
        if args.group:
            query["security_group_id"] = find_group(conn, args.group).id
        return _RULE_COLUMNS, [
            _rule_row(r) for r in conn.network.security_group_rules(**query)]


class DeleteSecurityGroupRule(base.Command):
    """Delete security group rules."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("rule", nargs="+", help="rule ID(s)")
        return parser

    @errors.translated
    def take_action(self, args):
        conn = self.app.connection
        for rule_id in args.rule:
            conn.network.delete_security_group_rule(rule_id,
                                                    ignore_missing=False)
