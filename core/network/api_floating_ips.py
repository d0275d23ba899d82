"""Floating IPs, for :class:`~nimbus.core.network.api.NetworkAPI` (a
mixin: it uses the class's database handle, quotas and the gateway-side
casts). Addresses come from external networks' pools; association NATs
one to a port's fixed address on the gateway side."""

from oslo_utils import uuidutils

from nimbus.core import exception
from nimbus.core.network import fields, ipam, model, records

#: "not given" for update_floating_ip (None means disassociate).
_UNSET = object()


class FloatingIpsMixin:
    """The floating-IP half of the network service API."""

    def _fip_row(self, context, fip_id):
        if not uuidutils.is_uuid_like(fip_id):
            raise exception.FloatingIpNotFound(floatingip_id=fip_id)
        row = self.db.floating_ips.get(context, fip_id)
        if not context.is_admin and row["project_id"] != context.project_id:
            raise exception.FloatingIpNotFound(floatingip_id=fip_id)
        return row

    def list_floating_ips(self, context, filters=None):
        """Visible floating IPs; ``filters``: id, floating_ip_address,
        floating_network_id, port_id, fixed_ip_address, project_id."""
        columns = {"id": "uuid", "floating_ip_address": "address",
                   "floating_network_id": "network_id",
                   "fixed_ip_address": "fixed_address"}
        where = {columns.get(k, k): v for k, v in (filters or {}).items()
                 if v is not None}
        unknown = set(where) - {"uuid", "address", "network_id", "port_id",
                                "fixed_address", "project_id",
                                "description"}
        if unknown:
            raise exception.InvalidInput(
                reason=f"unknown floating IP filter(s): "
                       f"{', '.join(sorted(unknown))}")
        if not context.is_admin:
            where["project_id"] = context.project_id
        return [records.floating_view(r)
                for r in self.db.floating_ips.get_all(context, **where)]

    def get_floating_ip(self, context, fip_id):
        """:raises FloatingIpNotFound:"""
        return records.floating_view(self._fip_row(context, fip_id))

    def list_floating_pools(self, context):
        """External networks (name, id, free addresses), for the compute
        API's pool lookups."""
        return [{"id": r["uuid"], "name": r["name"],
                 "free": len(self.db.floating_ips.get_all(
                     context, allocated=False, network_id=r["uuid"]))}
                for r in self.db.networks.get_all(context, external=True)]

    def _external_network(self, context, ref):
        rows = self.db.networks.get_all(context, external=True, uuid=ref) \
            if uuidutils.is_uuid_like(ref) else []
        rows = rows or self.db.networks.get_all(context, external=True,
                                                name=ref)
        if not rows:
            if uuidutils.is_uuid_like(ref) and self.db.networks.get_all(
                    context, uuid=ref):
                raise exception.InvalidInput(
                    reason=f"Network {ref} is not a valid external network")
            raise exception.FloatingIpPoolNotFound(pool=ref)
        return rows[0]

    def create_floating_ip(self, context, floating_network_id,
                           project_id=None, floating_ip_address=None,
                           port_id=None, fixed_ip_address=None,
                           description=None):
        """Allocate an address of the external network (its id or name)
        to the project, associated with ``port_id`` when given.

        :raises NetworkCapabilityMissing: the plugin has no floating IPs.
        :raises FloatingIpPoolNotFound, InvalidInput: not an external
            network.
        :raises NoMoreFloatingIps: the pool is exhausted.
        :raises OverQuota: the project's ``floatingip`` quota.
        """
        self._require("floating_ips", "floating IPs")
        network = self._external_network(context, floating_network_id)
        project_id = project_id if context.is_admin and project_id \
            else context.project_id
        port = fixed = None
        if port_id is not None:
            port, fixed = self._association(context, port_id,
                                            fixed_ip_address)
        self._check_quota(context, project_id, "floatingip", 1)
        if floating_ip_address is not None and not ipam.is_ipv4(
                floating_ip_address):
            raise exception.InvalidInput(
                reason=f"Invalid IP address {floating_ip_address!r}")
        row = self.db.floating_ips.allocate(
            context, network["uuid"], project_id,
            address=floating_ip_address,
            description=fields.text(description, "description"))
        try:
            self._recheck_quota(context, project_id, "floatingip",
                                lambda: self.db.floating_ips.release(
                                    context, row["uuid"]))
            if port is not None:
                _before, row = self.db.floating_ips.associate(
                    context, row["uuid"], port["uuid"], fixed)
        except exception.FloatingIpAssociated:
            self.db.floating_ips.release(context, row["uuid"])
            raise
        if port is not None:
            self._nat(context, "add_floating_ip", row, port)
        return records.floating_view(row)

    def _association(self, context, port_id, fixed_ip_address):
        try:
            port = self._port_row(context, port_id)
        except exception.PortNotFound:
            raise exception.InvalidInput(
                reason=f"Port {port_id} could not be found")
        addresses = self.db.networks.fixed_ips_of_ports(
            context, [port["uuid"]])[port["uuid"]]
        if not addresses:
            raise exception.InvalidInput(
                reason=f"Port {port_id} has no fixed IP address")
        fixed = fixed_ip_address or addresses[0]
        if fixed not in addresses:
            raise exception.InvalidInput(
                reason=f"Port {port_id} does not have fixed ip {fixed}")
        network = self.db.networks.get(context, port["network_id"])
        if not network["gateway"]:
            raise exception.InvalidInput(
                reason=f"Network {network['uuid']} has no gateway to NAT "
                       f"through")
        return port, fixed

    def update_floating_ip(self, context, fip_id, port_id=_UNSET,
                           fixed_ip_address=None, description=_UNSET):
        """Associate (``port_id`` a port), re-associate or disassociate
        (``port_id`` None) the floating IP.

        :raises FloatingIpNotFound:
        :raises InvalidInput: a port without that fixed address.
        :raises FloatingIpAssociated: another floating IP has that fixed
            address.
        """
        row = self._fip_row(context, fip_id)
        if description is not _UNSET:
            row = self.db.floating_ips.update_fip(
                context, row["uuid"],
                {"description": fields.text(description, "description")})
        if port_id is _UNSET:
            return records.floating_view(row)
        if port_id is None:
            before = self.db.floating_ips.disassociate(context, row["uuid"])
            if before["port_id"]:
                self._nat_old(context, before)
            return self.get_floating_ip(context, row["uuid"])
        port, fixed = self._association(context, port_id, fixed_ip_address)
        before, after = self.db.floating_ips.associate(
            context, row["uuid"], port["uuid"], fixed)
        if before["port_id"] and (before["port_id"], before["fixed_address"]
                                  ) != (port["uuid"], fixed):
            self._nat_old(context, before)
        self._nat(context, "add_floating_ip", after, port)
        return records.floating_view(after)

    def delete_floating_ip(self, context, fip_id):
        """Disassociate (if needed) and return the address to its pool.

        :raises FloatingIpNotFound:
        """
        row = self._fip_row(context, fip_id)
        before = self.db.floating_ips.release(context, row["uuid"])
        if before["port_id"]:
            self._nat_old(context, before)

    def _nat_old(self, context, fip):
        try:
            port = self.db.ports.get(context, fip["port_id"])
        except exception.PortNotFound:
            return
        self._nat(context, "remove_floating_ip", fip, port)

    def _nat(self, context, method, fip, port):
        """Cast add/remove_floating_ip to the gateway host of the port's
        network."""
        network = self.db.networks.get(context, port["network_id"])
        external = self.db.networks.get(context, fip["network_id"])
        floating = {
            "address": fip["address"],
            "fixed_address": fip["fixed_address"] or
            self.db.networks.fixed_ips_of_ports(
                context, [port["uuid"]])[port["uuid"]][0],
            "external_network": model.network_dict(
                records.network_view(external)),
            "network": model.network_dict(
                records.network_view(network), self.conf.network.metadata_host,
                self.conf.network.metadata_port),
            "port_id": port["uuid"]}
        getattr(self.network_rpc, method)(
            context, floating,
            host=records.gateway_host(network, port["host"]))
