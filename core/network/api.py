"""The network service API: what every dialect calls for networks,
ports, security groups and floating IPs.

Dialects (Networking v2, the compute API's os-networks and friends, the
metadata service) translate their requests into these methods and the
plain dicts returned back. Reads and records go through the database API
handle given to the constructor; the gateway side is driven by casts to
nimbus-network, port filters by casts to the computes hosting the ports.
Requests the configured plugin cannot honour (a VLAN without the
``vlan`` capability, a floating IP without ``floating_ips``) are refused
before anything is recorded.

Visibility: an admin context sees everything; any other sees its
project's records plus shared and external networks. A record another
project owns is "not found", never "forbidden".
"""


from oslo_log import log as logging
from oslo_utils import uuidutils

from nimbus.core import exception, loading, quota
from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.interfaces import network as net_iface
from nimbus.core.network import (
    allocation,
    api_floating_ips,
    api_ports,
    api_requests,
    api_security_groups,
    fields,
    ipam,
    model,
    records,
)
from nimbus.core.network import rpcapi as network_rpcapi

LOG = logging.getLogger(__name__)

#: the addressing of a network created without its subnet.
_NO_SUBNET = {"cidr": None, "gateway": None, "allocation_start": None,
              "allocation_end": None, "addresses": []}
_NETWORK_UPDATABLE = ("name", "shared", "mtu", "dns_servers",
                      "dhcp_enabled", "subnet_name", "allocation_start",
                      "allocation_end", "gateway")


class NetworkAPI(api_ports.PortsMixin,
                 api_requests.RequestedNetworksMixin,
                 api_security_groups.SecurityGroupsMixin,
                 api_floating_ips.FloatingIpsMixin):
    """Network operations for API dialects (one per API process).

    :param conf: the configuration.
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self.quotas = quota.Quotas(conf, db)
        self.allocator = allocation.Allocator(conf, db)
        self._plugin_class = None
        self._network_rpc = None
        self._compute_rpc = None

    @property
    def capabilities(self):
        """The configured plugin's :class:`Capabilities` (its class is
        loaded, never instantiated, here)."""
        if self._plugin_class is None:
            self._plugin_class = loading.load_class(
                loading.NETWORKS, self.conf.network.driver)
        return self._plugin_class.capabilities

    @property
    def network_rpc(self):
        if self._network_rpc is None:
            self._network_rpc = network_rpcapi.NetworkAPI()
        return self._network_rpc

    @property
    def compute_rpc(self):
        if self._compute_rpc is None:
            self._compute_rpc = compute_rpcapi.ComputeAPI()
        return self._compute_rpc

    def _require(self, capability, what):
        if not getattr(self.capabilities, capability):
            raise exception.NetworkCapabilityMissing(
                plugin=self.conf.network.driver, capability=what)

    # -- networks ---------------------------------------------------------

    def _network_row(self, context, network_id):
        """The ``networks`` row, if visible. :raises NetworkNotFound:"""
        if not uuidutils.is_uuid_like(network_id):
            raise exception.NetworkNotFound(network_id=network_id)
        row = self.db.networks.get(context, network_id)
        if not self._visible_network(context, row):
            raise exception.NetworkNotFound(network_id=network_id)
        return row

    @staticmethod
    def _visible_network(context, row):
        return (context.is_admin or row["shared"] or row["external"]
                or row["project_id"] is None
                or row["project_id"] == context.project_id)

    def list_networks(self, context, filters=None):
        """Visible networks; ``filters``: id, name, project_id, shared,
        external, vlan, subnet_id, cidr (a list matches any)."""
        filters = dict(filters or {})
        columns = {"id": "uuid", "subnet_id": "subnet_uuid"}
        where = {columns.get(k, k): v for k, v in filters.items()
                 if v is not None}
        unknown = set(where) - {"uuid", "name", "project_id", "shared",
                                "external", "vlan", "subnet_uuid", "cidr"}
        if unknown:
            raise exception.InvalidInput(
                reason=f"unknown network filter(s): "
                       f"{', '.join(sorted(unknown))}")
        rows = self.db.networks.get_all(
            context, visible_to=None if context.is_admin
            else context.project_id, **where)
        if not context.is_admin:
            rows = [r for r in rows if self._visible_network(context, r)]
        return [records.network_view(r) for r in rows]

    def get_network(self, context, network_id):
        """:raises NetworkNotFound:"""
        return records.network_view(self._network_row(context, network_id))

    def get_network_by_subnet(self, context, subnet_id):
        """The network whose subnet is ``subnet_id``.

        :raises SubnetNotFound:
        """
        try:
            row = self.db.networks.get_by_subnet(context, subnet_id)
        except exception.SubnetNotFound:
            raise
        if not self._visible_network(context, row):
            raise exception.SubnetNotFound(subnet_id=subnet_id)
        return records.network_view(row)

    def create_network(self, context, name, cidr, project_id=None,
                       shared=False, external=False, vlan=None,
                       gateway=None, dns_servers=(), mtu=None,
                       dhcp_enabled=True, allocation_start=None,
                       allocation_end=None, multi_host=None, bridge=None,
                       bridge_interface=None, host=None, subnet_name=None):
        """Create a network with its subnet and every address row (or,
        ``external``, its floating pool).

        ``project_id`` None: the caller's project, or no project (shared
        by all) for an admin. ``gateway`` None: the first host address;
        False: no gateway (every host address is allocatable, as in a
        floating pool). ``cidr`` None: a network without its subnet yet
        (Neutron's ``network create`` before ``subnet create``): no
        addresses, nothing on the gateway side, no server may use it
        until :meth:`set_subnet` gives it its range.

        :raises InvalidCidr: bad, too large, or overlapping another
            internal network.
        :raises InvalidInput: bad gateway, range, VLAN, MTU or bridge.
        :raises NetworkCapabilityMissing: VLAN or multi_host the plugin
            lacks.
        :raises NetworkExists: the VLAN or CIDR is taken.
        :raises OverQuota: the project's ``network`` quota.
        """
        if project_id is None and not context.is_admin:
            project_id = context.project_id
        name = fields.name(name, "name")
        if vlan is not None:
            vlan = fields.int_in(vlan, "vlan", 1, 4094)
            self._require("vlan", "VLAN networks")
        if mtu is not None:
            mtu = fields.int_in(mtu, "mtu", 68, 65535)
        if multi_host is None:
            multi_host = self.conf.network.multi_host and not external
        if multi_host:
            self._require("multi_host", "multi_host networks")
        if bridge is not None:
            bridge = fields.bridge_name(bridge, "bridge")
        if bridge_interface is not None:
            bridge_interface = fields.bridge_name(bridge_interface,
                                            "bridge_interface")
        dns_servers = fields.dns(dns_servers or self.conf.network.dns_servers)
        if cidr is None:
            if gateway or allocation_start or allocation_end:
                raise exception.InvalidInput(
                    reason="a gateway or allocation range needs a cidr")
            plan = _NO_SUBNET
        else:
            plan = self._plan(context, cidr, gateway, allocation_start,
                              allocation_end, external)
        if project_id is not None:
            self._check_quota(context, project_id, "network", 1)
        uuid = uuidutils.generate_uuid()
        values = {
            "uuid": uuid, "name": name, "project_id": project_id,
            "shared": bool(shared) or project_id is None,
            "external": bool(external), "cidr": plan["cidr"],
            "gateway": plan["gateway"],
            "allocation_start": plan["allocation_start"],
            "allocation_end": plan["allocation_end"],
            "dns_servers": dns_servers, "vlan": vlan,
            "bridge": bridge or (
                f"{self.conf.network.vlan_bridge_prefix}{vlan}"
                if vlan is not None else net_iface.flat_bridge(uuid)),
            "bridge_interface": bridge_interface, "mtu": mtu,
            "dhcp_enabled": bool(dhcp_enabled),
            "multi_host": bool(multi_host),
            "host": None if multi_host or external else (
                host or self.conf.network.network_host),
            "subnet_name": subnet_name,
        }
        if external:
            row = self.db.networks.create(context, values)
            self.db.floating_ips.add_to_pool(
                context, uuid, [a for a, reserved in plan["addresses"]
                                if not reserved])
        else:
            row = self.db.networks.create(context, values,
                                          plan["addresses"])
        if project_id is not None:
            self._recheck_quota(context, project_id, "network",
                                lambda: self.db.networks.destroy(context,
                                                                 uuid))
        if not external and not multi_host and plan["cidr"]:
            self.network_rpc.setup_network(context, uuid, host=row["host"])
        return records.network_view(row)

    def _plan(self, context, cidr, gateway, allocation_start,
              allocation_end, external):
        """:func:`ipam.plan` (``gateway`` False: none), refusing an
        internal CIDR that overlaps another internal network's."""
        plan = ipam.plan(cidr, gateway or None, allocation_start,
                         allocation_end, with_gateway=gateway is not False)
        if not external:
            clash = ipam.overlapping(plan["cidr"],
                                     self.db.networks.cidrs(context))
            if clash:
                raise exception.InvalidCidr(
                    cidr=cidr, reason=f"overlaps network {clash[0]}")
        return plan

    def set_subnet(self, context, network_id, cidr, gateway=None,
                   allocation_start=None, allocation_end=None,
                   dns_servers=None, dhcp_enabled=None, subnet_name=None):
        """Give a network created without a CIDR its one subnet: its
        address rows (or, external, its floating pool) and the gateway
        side. Two concurrent calls cannot both succeed.

        :raises NetworkNotFound:
        :raises Conflict: the network already has its subnet.
        :raises InvalidCidr, InvalidInput: as :meth:`create_network`.
        """
        row = self._network_row(context, network_id)
        if row["cidr"]:
            raise exception.Conflict(
                reason=f"network {row['uuid']} already has subnet "
                       f"{row['subnet_uuid']}; a nimbus network has exactly "
                       f"one subnet")
        plan = self._plan(context, cidr, gateway, allocation_start,
                          allocation_end, row["external"])
        values = {k: plan[k] for k in ("cidr", "gateway", "allocation_start",
                                       "allocation_end")}
        if dns_servers is not None:
            values["dns_servers"] = fields.dns(dns_servers)
        if dhcp_enabled is not None:
            values["dhcp_enabled"] = bool(dhcp_enabled)
        if subnet_name is not None:
            values["subnet_name"] = fields.name(subnet_name, "subnet name")
        if row["external"]:
            updated = self.db.networks.set_subnet(context, row["uuid"],
                                                  values)
            self.db.floating_ips.add_to_pool(
                context, row["uuid"], [a for a, reserved in plan["addresses"]
                                       if not reserved])
        else:
            updated = self.db.networks.set_subnet(context, row["uuid"],
                                                  values, plan["addresses"])
            self._refresh_gateway(context, updated)
        return records.network_view(updated)

    def add_floating_range(self, context, network_id, cidr):
        """Add the host addresses of ``cidr`` to an external network's
        pool (all or none); returns how many. The range may lie outside
        the network's own CIDR (a pool grows as nova-manage's did), but
        never inside an internal network.

        :raises InvalidInput: not an external network.
        :raises InvalidCidr: the range overlaps an internal network.
        :raises Conflict: some addresses already are floating IPs.
        """
        row = self._network_row(context, network_id)
        if not row["external"]:
            raise exception.InvalidInput(
                reason=f"Network {network_id} is not external")
        addresses = ipam.pool_addresses(cidr)
        clash = ipam.overlapping(cidr, self.db.networks.cidrs(context))
        if clash:
            raise exception.InvalidCidr(
                cidr=cidr, reason=f"overlaps internal network {clash[0]}")
        return self.db.floating_ips.add_to_pool(context, row["uuid"],
                                                addresses)

    def remove_floating_range(self, context, cidr):
        """Remove the free addresses of ``cidr`` from their pools; an
        allocated one refuses the whole request.

        :raises FloatingIpAssociated:
        """
        return self.db.floating_ips.remove_from_pool(
            context, ipam.pool_addresses(cidr))

    def update_network(self, context, network_id, **changes):
        """Change a network's name, sharing, MTU, DNS servers, DHCP,
        subnet name, allocation range or gateway (the range and gateway
        only while no address is allocated).

        :raises NetworkNotFound:
        :raises InvalidInput: a field that cannot change or a bad value.
        """
        row = self._network_row(context, network_id)
        bad = set(changes) - set(_NETWORK_UPDATABLE)
        if bad:
            raise exception.InvalidInput(
                reason=f"cannot update network attribute(s) "
                       f"{', '.join(sorted(bad))}")
        values = {}
        for key, value in changes.items():
            if key == "name":
                values[key] = fields.name(value, "name")
            elif key == "subnet_name":
                values[key] = fields.name(value, "subnet name")
            elif key == "mtu":
                values[key] = None if value is None else fields.int_in(
                    value, "mtu", 68, 65535)
            elif key == "dns_servers":
                values[key] = fields.dns(value)
            elif key in ("shared", "dhcp_enabled"):
                values[key] = bool(value)
        readdress = {k: changes[k] for k in
                     ("allocation_start", "allocation_end", "gateway")
                     if k in changes}
        if readdress:
            values.update(self._readdress(context, row, readdress))
        updated = self.db.networks.update_network(context, row["uuid"],
                                                  values)
        if not updated["external"] and updated["cidr"]:
            self._refresh_gateway(context, updated)
        return records.network_view(updated)

    def _readdress(self, context, row, changes):
        if not row["cidr"]:
            raise exception.InvalidInput(
                reason=f"network {row['uuid']} has no subnet yet")
        if row["external"]:
            raise exception.InvalidInput(
                reason="the pool of an external network changes with "
                       "nimbus-manage floating create/delete")
        if self.db.networks.get_fixed_ips(context, row["uuid"],
                                          allocated=True):
            raise exception.Conflict(
                reason=f"Network {row['uuid']} has allocated addresses: "
                       f"its gateway and range cannot change")
        current = {"gateway": row["gateway"],
                   "allocation_start": row["allocation_start"],
                   "allocation_end": row["allocation_end"]}
        current.update(changes)
        plan = ipam.plan(row["cidr"], current["gateway"],
                         current["allocation_start"],
                         current["allocation_end"],
                         with_gateway=current["gateway"] is not None)
        self.db.networks.set_reserved(
            context, row["uuid"], [a for a, reserved in plan["addresses"]
                                   if reserved])
        return {k: plan[k] for k in ("gateway", "allocation_start",
                                     "allocation_end")}

    def delete_network(self, context, network_id):
        """:raises NetworkNotFound:
        :raises NetworkInUse: ports (or allocated floating IPs) remain.
        """
        row = self._network_row(context, network_id)
        self.db.networks.destroy(context, row["uuid"])
        if not row["external"] and row["cidr"]:
            spec = model.network_dict(records.network_view(row))
            self.network_rpc.teardown_network(
                context, spec, host=None if row["multi_host"]
                else row["host"])

    # -- servers ----------------------------------------------------------

    def get_instance_nw_info(self, context, instance_uuid):
        """The server's VIF dicts (no rules), in port order."""
        return self.get_nw_info_bulk(context, [instance_uuid])[instance_uuid]

    def get_nw_info_bulk(self, context, instance_uuids):
        """``{uuid: [VIF dict, ...]}`` for server views (a few queries
        whatever the number of servers)."""
        return records.instance_vifs(context, self.db, self.conf,
                                     list(instance_uuids))

    def get_instance_by_fixed_ip(self, context, address, network_id=None):
        """The uuid of the server holding ``address`` (on ``network_id``
        when given), or None. For the metadata service: internal
        networks never overlap, so the address names one guest."""
        for row in self.db.networks.get_fixed_ips(
                context, network_uuid=network_id, address=address,
                allocated=True):
            if row["instance_uuid"]:
                return row["instance_uuid"]
        return None

    def set_instance_hostname(self, context, instance_uuid, hostname):
        """Record the server's new hostname on its ports (Neutron's
        ``dns_name``) and have their networks' DHCP hand it out."""
        context = context.elevated()
        ports = self.db.ports.get_all(context, instance_uuid=instance_uuid)
        for port in ports:
            self.db.ports.update_port(context, port["uuid"],
                                      {"dns_name": hostname})
        for network_id in sorted({p["network_id"] for p in ports}):
            try:
                network = self.db.networks.get(context, network_id)
            except exception.NetworkNotFound:
                continue
            self._refresh_gateway(context, network)

    def release_instance(self, context, instance_uuid):
        """Release a server's records when no compute will (it was never
        built, or its host is down): ports, addresses, group bindings.
        The gateway side is refreshed; nothing is unplugged."""
        ports = self.allocator.deallocate_for_instance(context,
                                                       instance_uuid)
        self._after_release(context, ports)
        return ports

    def _after_release(self, context, ports):
        """Refresh the gateways and the group members of released
        ``ports`` (rows with the ``security_groups`` they had)."""
        networks = {p["network_id"] for p in ports}
        for network_id in networks:
            try:
                self._refresh_gateway(context, self.db.networks.get(
                    context, network_id))
            except exception.NetworkNotFound:
                continue
        self._refresh_groups_members(
            context, {g for p in ports for g in p["security_groups"]})

    # -- helpers ----------------------------------------------------------

    def _refresh_gateway(self, context, network):
        """Have the gateway side of ``network`` (a row) re-read its
        ports."""
        if network["external"]:
            return
        if network["multi_host"]:
            hosts = {p["host"] for p in self.db.ports.get_all(
                context, network_id=network["uuid"]) if p["host"]}
            for host in hosts:
                self.network_rpc.setup_network(context, network["uuid"],
                                               host=host)
            return
        self.network_rpc.setup_network(context, network["uuid"],
                                       host=network["host"])

    def _check_quota(self, context, project_id, resource, amount):
        self.quotas.check(context, project_id, {resource: amount})

    def _recheck_quota(self, context, project_id, resource, undo):
        try:
            self.quotas.check(context, project_id, {resource: 0},
                              already_added=True)
        except exception.OverQuota:
            undo()
            raise
