"""Ports, for :class:`~nimbus.core.network.api.NetworkAPI` (a mixin: it
uses the class's database handle, allocator, quotas, network and group
lookups and refresh helpers). A port made here is the caller's own and
outlives any server it is bound to; ports made for a boot come from
:meth:`~nimbus.core.network.api.NetworkAPI.validate_requested_networks`."""

from oslo_utils import uuidutils

from nimbus.core import exception
from nimbus.core.network import fields, ipam, records


class PortsMixin:
    """The port half of the network service API."""

    def _port_row(self, context, port_id):
        if not uuidutils.is_uuid_like(port_id):
            raise exception.PortNotFound(port_id=port_id)
        row = self.db.ports.get(context, port_id)
        if not context.is_admin and row["project_id"] != context.project_id:
            raise exception.PortNotFound(port_id=port_id)
        return row

    def list_ports(self, context, filters=None):
        """Visible ports; ``filters``: id, network_id, device_id,
        mac_address, fixed_ip, device_owner, name, project_id, status."""
        columns = {"id": "uuid", "device_id": "instance_uuid"}
        where = {columns.get(k, k): v for k, v in (filters or {}).items()
                 if v is not None}
        unknown = set(where) - {"uuid", "network_id", "instance_uuid",
                                "mac_address", "fixed_ip", "device_owner",
                                "name", "project_id", "status", "host"}
        if unknown:
            raise exception.InvalidInput(
                reason=f"unknown port filter(s): "
                       f"{', '.join(sorted(unknown))}")
        if not context.is_admin:
            where["project_id"] = context.project_id
        rows = self.db.ports.get_all(context, **where)
        return records.port_views(context, self.db, rows)

    def instances_with_address(self, context, pattern, version=4):
        """The uuids of the (visible) instances with a fixed IP of IP
        ``version`` that ``pattern`` (a compiled regex) finds, for the
        compute API's ``ip``/``ip6`` server filters."""
        found = set()
        for port in self.list_ports(context):
            if not port["device_id"]:
                continue
            for entry in port["fixed_ips"]:
                address = entry["ip_address"]
                if (":" in address) == (version == 6) and \
                        pattern.search(address):
                    found.add(port["device_id"])
        return found

    def get_port(self, context, port_id):
        """:raises PortNotFound:"""
        return records.port_views(context, self.db,
                                  [self._port_row(context, port_id)])[0]

    def create_port(self, context, network_id, fixed_ip=None, name=None,
                    security_groups=None, project_id=None):
        """A port of the caller's (kept when a server it is bound to
        goes) with one address.

        :raises NetworkNotFound, SecurityGroupNotFound:
        :raises FixedIpAlreadyInUse, NoMoreFixedIps, InvalidInput:
        :raises InvalidInput: the network is external or has no subnet.
        :raises OverQuota: the project's ``port`` quota.
        """
        network = self._network_row(context, network_id)
        if network["external"] or not network["cidr"]:
            raise exception.InvalidInput(
                reason=f"Network {network['uuid']} has no subnet for ports"
                if not network["cidr"] else
                f"Network {network['uuid']} is external: no ports on it")
        project_id = project_id if context.is_admin and project_id \
            else context.project_id or network["project_id"]
        if fixed_ip is not None:
            self._check_fixed_ip(network, fixed_ip)
        groups = None if security_groups is None else [
            self._group_row(context, g)["uuid"] for g in security_groups]
        if project_id:
            self._check_quota(context, project_id, "port", 1)
        port = self.allocator.create_port(
            context, network, project_id, fixed_ip=fixed_ip,
            name=fields.name(name or "", "name"), security_groups=groups)
        if project_id:
            self._recheck_quota(context, project_id, "port",
                                lambda: self.allocator.delete_port(
                                    context, port["uuid"]))
        self._refresh_gateway(context, network)
        self._refresh_groups_members(context, groups or [])
        return self.get_port(context, port["uuid"])

    def _check_fixed_ip(self, network, fixed_ip):
        if not ipam.is_ipv4(fixed_ip):
            raise exception.InvalidInput(
                reason=f"Invalid IP address {fixed_ip!r}")
        if not ipam.contains(network["cidr"], fixed_ip):
            raise exception.InvalidInput(
                reason=f"IP address {fixed_ip} is not a valid IP for the "
                       f"subnet of network {network['uuid']}")

    def update_port(self, context, port_id, **changes):
        """Change a port's ``name`` or ``security_groups`` (ids).

        :raises PortNotFound, SecurityGroupNotFound, InvalidInput:
        """
        row = self._port_row(context, port_id)
        bad = set(changes) - {"name", "security_groups"}
        if bad:
            raise exception.InvalidInput(
                reason=f"cannot update port attribute(s) "
                       f"{', '.join(sorted(bad))}")
        if "name" in changes:
            self.db.ports.update_port(context, row["uuid"], {
                "name": fields.name(changes["name"] or "", "name")})
        if "security_groups" in changes:
            groups = [self._group_row(context, g)["uuid"]
                      for g in changes["security_groups"] or []]
            before = self.db.ports.security_groups_of(
                context, [row["uuid"]])[row["uuid"]]
            self.db.ports.set_security_groups(context, row["uuid"], groups)
            self._refresh_ports(context, [row["uuid"]])
            self._refresh_groups_members(context, set(before) | set(groups))
        return self.get_port(context, row["uuid"])

    def delete_port(self, context, port_id):
        """:raises PortNotFound:
        :raises PortInUse: it is bound to a server (detach it first).
        """
        row = self._port_row(context, port_id)
        if row["instance_uuid"]:
            raise exception.PortInUse(port_id=row["uuid"],
                                      device_id=row["instance_uuid"])
        groups = self.db.ports.security_groups_of(
            context, [row["uuid"]])[row["uuid"]]
        for fip in self.db.floating_ips.of_ports(context, [row["uuid"]]):
            self._nat(context, "remove_floating_ip", fip, row)
        self.allocator.delete_port(context, row["uuid"])
        self._refresh_gateway(context, self.db.networks.get(
            context, row["network_id"]))
        self._refresh_groups_members(context, groups)
