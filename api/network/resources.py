"""The collections of ``/network/v2.0`` over
:class:`nimbus.core.network.api.NetworkAPI`.

A nimbus network has exactly one IPv4 subnet (nova-network's model): the
subnet's id, CIDR, gateway, pool and DNS servers are the network's.
``POST /subnets`` on a network without one gives it its CIDR; a second
subnet is a 409.
"""

import ipaddress

from nimbus.api import http
from nimbus.api.network import collections, schemas, views
from nimbus.api.network.collections import bad
from nimbus.core import exception

_ID = "00000000-0000-4000-8000-000000000000"
_T = "2026-01-01T00:00:00"


class Networks(collections.Resource):
    singular, plural, path = "network", "networks", "networks"
    create_schema = schemas.NETWORK_CREATE
    update_schema = schemas.NETWORK_UPDATE
    not_found = exception.NetworkNotFound
    id_kwarg = "network_id"
    service_filters = ("id", "name")
    SAMPLE = {"id": _ID, "subnet_id": _ID, "cidr": "10.0.0.0/24",
              "created_at": _T}

    def render(self, record, everything=False):
        return views.network(record, provider=everything or http.may(
            "network:get_network:provider", self.target(record)))

    def target(self, record):
        return {"project_id": record.get("project_id") or "",
                "shared": bool(record.get("shared")),
                "external": bool(record.get("external"))}

    def fetch_all(self, ctx, filters):
        return self.api().list_networks(ctx, filters=filters or None)

    def fetch(self, ctx, ident):
        return self.api().get_network(ctx, ident)

    def create(self, ctx, attrs):
        kind = attrs.get("provider:network_type")
        segment = attrs.get("provider:segmentation_id")
        segment = int(segment) if segment is not None else None
        if segment is not None and kind is None:
            raise bad("provider:network_type",
                      "required with provider:segmentation_id")
        if kind == "vlan" and segment is None:
            raise bad("provider:segmentation_id",
                      "a vlan network needs a segmentation id (1-4094)")
        if kind == "flat" and segment is not None:
            raise bad("provider:segmentation_id",
                      "a flat network has no segmentation id")
        if segment is not None and not 1 <= segment <= 4094:
            raise bad("provider:segmentation_id",
                      f"{segment} is not a VLAN id (1-4094)")
        physnet = attrs.get("provider:physical_network")
        if physnet not in (None, views.PHYSICAL_NETWORK):
            raise bad("provider:physical_network",
                      f"nimbus has one physical network, "
                      f"'{views.PHYSICAL_NETWORK}'")
        shared = attrs.get("shared", False)
        external = attrs.get("router:external", False)
        if external and attrs.get("multi_host"):
            raise bad("multi_host", "an external network (a floating IP "
                      "pool) has no gateway side to spread over hosts")
        return self.api().create_network(
            ctx, name=attrs.get("name") or "", cidr=None,
            project_id=attrs["project_id"], shared=shared,
            external=external, vlan=segment, mtu=attrs.get("mtu"),
            multi_host=attrs.get("multi_host"))

    def update(self, ctx, record, attrs):
        changes = {key: attrs[key] for key in ("name", "shared", "mtu")
                   if key in attrs}
        if not changes:
            return record
        return self.api().update_network(ctx, record["id"], **changes)

    def delete(self, ctx, record):
        self.api().delete_network(ctx, record["id"])


def _in(network, address, attribute):
    if ipaddress.ip_address(address) not in network:
        raise bad(attribute, f"{address} is not in {network}")


def subnet_changes(attrs):
    """Validate a subnet body; return the network changes it makes."""
    changes = {}
    if "cidr" in attrs:
        try:
            net = ipaddress.ip_network(attrs["cidr"])
        except ValueError:
            address = ipaddress.ip_interface(attrs["cidr"]).network
            raise bad("cidr", f"'{attrs['cidr']}' is not a network "
                      f"address; '{address}' is")
        if net.prefixlen > 29:
            raise bad("cidr", f"{net} is too small: use /29 or larger")
        if net.prefixlen < 8:
            raise bad("cidr", f"{net} is too large: use /8 or smaller")
        changes["cidr"] = str(net)
        hosts = (net.network_address + 1, net.broadcast_address - 1)
        gateway = attrs.get("gateway_ip", str(hosts[0]))
        if gateway is not None:
            _in(net, gateway, "gateway_ip")
            if ipaddress.ip_address(gateway) in (net.network_address,
                                                 net.broadcast_address):
                raise bad("gateway_ip", f"{gateway} is not a host "
                          f"address of {net}")
        # gateway_ip null: no gateway (nor NAT, nor floating IPs).
        changes["gateway"] = gateway if gateway is not None else False
        for pool in attrs.get("allocation_pools") or ():
            start, end = (ipaddress.ip_address(pool[k])
                          for k in ("start", "end"))
            _in(net, pool["start"], "allocation_pools")
            _in(net, pool["end"], "allocation_pools")
            if start > end or start < hosts[0] or end > hosts[1]:
                raise bad("allocation_pools", f"{start}-{end} is not a "
                          f"range of host addresses of {net}")
            if gateway is not None and \
                    start <= ipaddress.ip_address(gateway) <= end:
                raise bad("allocation_pools", "the pool holds the "
                          f"gateway {changes['gateway']}")
            changes["allocation_start"] = str(start)
            changes["allocation_end"] = str(end)
    if "name" in attrs:
        changes["subnet_name"] = attrs["name"]
    if "dns_nameservers" in attrs:
        changes["dns_servers"] = list(attrs["dns_nameservers"])
    if "enable_dhcp" in attrs:
        changes["dhcp_enabled"] = attrs["enable_dhcp"]
    return changes


class Subnets(collections.Resource):
    singular, plural, path = "subnet", "subnets", "subnets"
    create_schema = schemas.SUBNET_CREATE
    update_schema = schemas.SUBNET_UPDATE
    not_found = exception.SubnetNotFound
    id_kwarg = "subnet_id"
    SAMPLE = Networks.SAMPLE
    target = Networks.target

    def render(self, record, everything=False):
        return views.subnet(record)

    def fetch_all(self, ctx, filters):
        return [n for n in self.api().list_networks(ctx)
                if views.has_subnet(n)]

    def fetch(self, ctx, ident):
        network = self.api().get_network_by_subnet(ctx, ident)
        if not views.has_subnet(network):
            raise self.missing(ident)
        return network

    def create(self, ctx, attrs):
        network = collections.visible(Networks(), attrs["network_id"])
        return self.api().set_subnet(ctx, network["id"],
                                     **subnet_changes(attrs))

    def update(self, ctx, record, attrs):
        changes = subnet_changes(attrs)
        if not changes:
            return record
        return self.api().update_network(ctx, record["id"], **changes)

    def delete(self, ctx, record):
        raise exception.Conflict(
            reason=f"subnet {record['subnet_id']} is the one subnet of "
                   f"network {record['id']}: it goes when the network is "
                   "deleted")


class Ports(collections.Resource):
    singular, plural, path = "port", "ports", "ports"
    create_schema = schemas.PORT_CREATE
    update_schema = schemas.PORT_UPDATE
    not_found = exception.PortNotFound
    id_kwarg = "port_id"
    service_filters = ("network_id", "device_id", "mac_address",
                       "device_owner", "id", "name", "status")
    SAMPLE = {"id": _ID, "network_id": _ID, "mac_address": "fa:16:3e:0:0:0",
              "created_at": _T}

    def render(self, record, everything=False):
        return views.port(record, binding=everything or http.may(
            "network:get_port:binding", self.target(record)))

    def fetch_all(self, ctx, filters):
        return self.api().list_ports(ctx, filters=filters or None)

    def fetch(self, ctx, ident):
        return self.api().get_port(ctx, ident)

    def create(self, ctx, attrs):
        network = collections.visible(Networks(), attrs["network_id"])
        fixed = (attrs.get("fixed_ips") or [{}])[0]
        if fixed.get("subnet_id") not in (None, network.get("subnet_id")):
            raise bad("fixed_ips", f"subnet {fixed['subnet_id']} is not "
                      f"on network {network['id']}")
        return self.api().create_port(
            ctx, network["id"], fixed_ip=fixed.get("ip_address"),
            name=attrs.get("name"),
            security_groups=attrs.get("security_groups"),
            project_id=attrs["project_id"])

    def update(self, ctx, record, attrs):
        changes = {k: attrs[k] for k in ("name", "security_groups")
                   if k in attrs}
        if not changes:
            return record
        return self.api().update_port(ctx, record["id"], **changes)

    def delete(self, ctx, record):
        self.api().delete_port(ctx, record["id"])


class SecurityGroups(collections.Resource):
    singular, plural, path = ("security_group", "security_groups",
                              "security-groups")
    create_schema = schemas.SECURITY_GROUP_CREATE
    update_schema = schemas.SECURITY_GROUP_UPDATE
    not_found = exception.SecurityGroupNotFound
    id_kwarg = "security_group_id"
    service_filters = ("id", "name", "description")
    SAMPLE = {"id": _ID, "created_at": _T}

    def render(self, record, everything=False):
        return views.security_group(record)

    def fetch_all(self, ctx, filters):
        return self.api().list_security_groups(ctx, filters=filters or None)

    def fetch(self, ctx, ident):
        return self.api().get_security_group(ctx, ident)

    def create(self, ctx, attrs):
        return self.api().create_security_group(
            ctx, attrs.get("name") or "", attrs.get("description") or "",
            project_id=attrs["project_id"])

    def update(self, ctx, record, attrs):
        changes = {k: attrs[k] or "" for k in ("name", "description")
                   if k in attrs}
        if not changes:
            return record
        return self.api().update_security_group(ctx, record["id"],
                                                **changes)

    def delete(self, ctx, record):
        self.api().delete_security_group(ctx, record["id"])


_PROTOCOLS = {"1": "icmp", "6": "tcp", "17": "udp"}


def rule_fields(attrs):
    """Normalize and check a rule body as Neutron does."""
    protocol = attrs.get("protocol")
    if protocol is not None:
        protocol = str(protocol).lower()
        protocol = _PROTOCOLS.get(protocol, protocol)
        if protocol == "any":
            protocol = None
        elif protocol.isascii() and protocol.isdigit() and \
                int(protocol) > 255:
            raise bad("protocol", f"{protocol} is not an IP protocol")
    low, high = attrs.get("port_range_min"), attrs.get("port_range_max")
    if protocol in ("tcp", "udp"):
        if (low is None) != (high is None):
            raise bad("port_range_min", "give both port_range_min and "
                      "port_range_max, or neither")
        if low is not None and not 1 <= low <= high <= 65535:
            raise bad("port_range_min", f"{low}-{high} is not a port "
                      "range (1 <= min <= max <= 65535)")
    elif protocol == "icmp":
        for name, value in (("port_range_min", low),
                            ("port_range_max", high)):
            if value is not None and value > 255:
                raise bad(name, f"ICMP type/code {value} is above 255")
        if low is None and high is not None:
            raise bad("port_range_min", "an ICMP code needs an ICMP type")
    elif low is not None or high is not None:
        raise bad("port_range_min", "ports need protocol tcp, udp or icmp")
    prefix = attrs.get("remote_ip_prefix")
    if prefix is not None:
        if attrs.get("remote_group_id"):
            raise bad("remote_ip_prefix", "give remote_ip_prefix or "
                      "remote_group_id, not both")
        try:
            prefix = str(ipaddress.ip_network(prefix, strict=False))
        except ValueError:
            raise bad("remote_ip_prefix", f"'{prefix}' is not a CIDR")
    return {"direction": attrs["direction"],
            "ethertype": attrs.get("ethertype") or "IPv4",
            "protocol": protocol, "port_range_min": low,
            "port_range_max": high, "remote_ip_prefix": prefix,
            "remote_group_id": attrs.get("remote_group_id")}


class SecurityGroupRules(collections.Resource):
    singular, plural, path = ("security_group_rule", "security_group_rules",
                              "security-group-rules")
    create_schema = schemas.SECURITY_GROUP_RULE_CREATE
    not_found = exception.SecurityGroupRuleNotFound
    id_kwarg = "rule_id"
    service_filters = ("id", "security_group_id", "direction",
                       "ethertype", "protocol", "remote_group_id",
                       "remote_ip_prefix")
    SAMPLE = {"id": _ID, "security_group_id": _ID, "direction": "ingress",
              "created_at": _T}

    def render(self, record, everything=False):
        return views.security_group_rule(record)

    def fetch_all(self, ctx, filters):
        return self.api().list_security_group_rules(ctx,
                                                    filters=filters or None)

    def fetch(self, ctx, ident):
        return self.api().get_security_group_rule(ctx, ident)

    def create(self, ctx, attrs):
        fields = rule_fields(attrs)
        group = collections.visible(SecurityGroups(),
                                    attrs["security_group_id"])
        # A rule belongs to its group's project, whoever adds it.
        http.authorize("network:create_security_group_rule",
                       {"project_id": group["project_id"]})
        return self.api().create_security_group_rule(
            ctx, group["id"], **fields)

    def delete(self, ctx, record):
        self.api().delete_security_group_rule(ctx, record["id"])


class FloatingIps(collections.Resource):
    singular, plural, path = "floatingip", "floatingips", "floatingips"
    create_schema = schemas.FLOATINGIP_CREATE
    update_schema = schemas.FLOATINGIP_UPDATE
    not_found = exception.FloatingIpNotFound
    id_kwarg = "floatingip_id"
    service_filters = ("id", "floating_ip_address", "floating_network_id",
                       "port_id", "fixed_ip_address")
    SAMPLE = {"id": _ID, "floating_ip_address": "192.0.2.1",
              "floating_network_id": _ID, "created_at": _T}

    def render(self, record, everything=False):
        return views.floating_ip(record)

    def fetch_all(self, ctx, filters):
        return self.api().list_floating_ips(ctx, filters=filters or None)

    def fetch(self, ctx, ident):
        return self.api().get_floating_ip(ctx, ident)

    def create(self, ctx, attrs):
        if "floating_ip_address" in attrs:
            http.authorize("network:create_floatingip:floating_ip_address",
                           {"project_id": attrs["project_id"]})
        network = collections.visible(Networks(),
                                      attrs["floating_network_id"])
        if not network.get("external"):
            raise bad("floating_network_id", f"network {network['id']} "
                      "is not external (router:external)")
        if attrs.get("subnet_id") not in (None, network.get("subnet_id")):
            raise bad("subnet_id", f"subnet {attrs['subnet_id']} is not "
                      f"on network {network['id']}")
        if attrs.get("fixed_ip_address") and not attrs.get("port_id"):
            raise bad("fixed_ip_address", "needs a port_id")
        if attrs.get("port_id"):
            collections.visible(Ports(), attrs["port_id"])
        return self.api().create_floating_ip(
            ctx, network["id"], project_id=attrs["project_id"],
            floating_ip_address=attrs.get("floating_ip_address"),
            port_id=attrs.get("port_id"),
            fixed_ip_address=attrs.get("fixed_ip_address"),
            description=attrs.get("description"))

    def update(self, ctx, record, attrs):
        changes = {k: attrs[k] for k in ("port_id", "description")
                   if k in attrs}
        if attrs.get("fixed_ip_address"):
            if not attrs.get("port_id"):
                raise bad("fixed_ip_address", "needs a port_id")
            changes["fixed_ip_address"] = attrs["fixed_ip_address"]
        if attrs.get("port_id"):
            collections.visible(Ports(), attrs["port_id"])
        if not changes:
            return record
        return self.api().update_floating_ip(ctx, record["id"], **changes)

    def delete(self, ctx, record):
        self.api().delete_floating_ip(ctx, record["id"])


ALL = (Networks(), Subnets(), Ports(), SecurityGroups(),
       SecurityGroupRules(), FloatingIps())
