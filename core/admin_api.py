"""Operator-facing core functions: flavors, services, hypervisors,
host aggregates and availability zones.

Dialects call these for admin resources, as they call
:mod:`nimbus.core.compute.api` for servers.
"""

import functools
from concurrent import futures

import oslo_messaging as messaging
from oslo_log import log as logging
from oslo_utils import timeutils, uuidutils

from nimbus.core import exception, loading, servicegroup
from nimbus.core.interfaces import extra_specs as extra_specs_api
from nimbus.core.objects import aggregate as aggregate_obj
from nimbus.core.objects import flavor as flavor_obj

LOG = logging.getLogger(__name__)

#: compute hosts asked for their uptime at once (a detailed hypervisor
#: list of a large cloud asks every host that is up).
_UPTIME_ASKERS = 16


class AdminAPI:
    """Flavor, service, hypervisor, aggregate and zone operations.

    :param conf: the configuration.
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    # -- flavors ------------------------------------------------------------

    def list_flavors(self, context, is_public=True, min_ram=None,
                     min_disk=None, limit=None, marker=None):
        if not context.is_admin and is_public is not True:
            is_public = True
        return flavor_obj.FlavorList.get_all(
            context, is_public=is_public, project_id=context.project_id,
            min_ram=min_ram, min_disk=min_disk, limit=limit, marker=marker)

    def get_flavor(self, context, flavorid):
        flavor = flavor_obj.Flavor.get_by_flavor_id(context, flavorid)
        if not flavor.is_public and not context.is_admin and \
                context.project_id not in self.db.flavors.get_projects(
                    context, flavorid):
            raise exception.FlavorNotFound(flavor_id=flavorid)
        return flavor

    def create_flavor(self, context, name, vcpus, memory_mb, root_gb,
                      flavorid=None, ephemeral_gb=0, swap=0,
                      rxtx_factor=1.0, is_public=True, description=None):
        flavor = flavor_obj.Flavor(
            context, name=name, vcpus=vcpus, memory_mb=memory_mb,
            root_gb=root_gb, flavorid=str(flavorid or
                                          uuidutils.generate_uuid()),
            ephemeral_gb=ephemeral_gb, swap=swap, rxtx_factor=rxtx_factor,
            is_public=is_public, description=description, extra_specs={})
        flavor.create()
        return flavor

    def update_flavor_description(self, context, flavorid, description):
        """Change the flavor's description (2.55; None removes it), the
        one thing about a flavor that can change.

        :raises FlavorNotFound: no such flavor (404).
        """
        row = self.db.flavors.update_description(context, flavorid,
                                                 description)
        return flavor_obj.Flavor.from_row(context, row)

    def delete_flavor(self, context, flavorid):
        self.db.flavors.destroy(context, flavorid)

    def set_flavor_extra_specs(self, context, flavorid, specs,
                               validate=False):
        """Set ``specs`` (``{key: value}``) on the flavor.

        :param validate: check them against the extra specs the installed
            scheduler filters declare (Compute API 2.86): a key of a
            declared namespace must be declared, with a valid value.
        :raises InvalidExtraSpec: (400) one is not; nothing is written.
        """
        if validate:
            declared = declared_extra_specs()
            for key, value in specs.items():
                why = extra_specs_api.problem(declared, key, value)
                if why:
                    raise exception.InvalidExtraSpec(reason=why)
        return self.db.flavors.set_extra_specs(context, flavorid, specs)

    def delete_flavor_extra_spec(self, context, flavorid, key):
        self.db.flavors.delete_extra_spec(context, flavorid, key)

    def flavor_access(self, context, flavorid):
        """Projects a private flavor is shared with.

        :raises NotFound: the flavor is public (nothing to list).
        """
        flavor = flavor_obj.Flavor.get_by_flavor_id(context, flavorid)
        if flavor.is_public:
            raise exception.NotFound(
                message="Access list not available for public flavors.")
        return self.db.flavors.get_projects(context, flavorid)

    def add_flavor_access(self, context, flavorid, project_id,
                          refuse_public=True):
        flavor = flavor_obj.Flavor.get_by_flavor_id(context, flavorid)
        if flavor.is_public and refuse_public:
            raise exception.Conflict(
                reason="Can not add access to a public flavor.")
        self.db.flavors.add_project(context, flavorid, project_id)
        return self.db.flavors.get_projects(context, flavorid)

    def remove_flavor_access(self, context, flavorid, project_id):
        self.db.flavors.remove_project(context, flavorid, project_id)
        return self.db.flavors.get_projects(context, flavorid)

    # -- services and hypervisors -------------------------------------------

    def list_services(self, context, binary=None, host=None):
        services = self.db.services.get_all(context, binary=binary, host=host)
        now = timeutils.utcnow()
        for service in services:
            service["is_up"] = servicegroup.is_up(self.conf, service, now)
        return services

    def service_states(self, context):
        """``(binary, host, topic, is_up)`` of every live service: the
        metrics samplers' read, cheaper than :meth:`list_services`."""
        return self.db.services.liveness(
            context, self.conf.service_down_time, timeutils.utcnow())

    def get_service(self, context, service_id):
        """:raises ServiceNotFound: no live service has that id or uuid."""
        service = self.db.services.get(context, service_id)
        service["is_up"] = servicegroup.is_up(self.conf, service)
        return service

    def update_service(self, context, service_id, values):
        service = self.db.services.update(context, service_id, values)
        service["is_up"] = servicegroup.is_up(self.conf, service)
        return service

    def delete_service(self, context, service_id):
        """Remove a service record (and, for a compute, it stops being
        scheduled to: the record is what the scheduler reads).

        :param service_id: its id, or its uuid (a string).
        :raises ServiceNotFound: no live service has that id or uuid.
        """
        if not isinstance(service_id, int):
            service_id = self.db.services.get(context, service_id)["id"]
        self.db.services.destroy(context, service_id)

    def list_hypervisors(self, context, limit=None, marker=None,
                         with_servers=False, with_uptime=False):
        """The live nodes by id, each with its ``service``; a page after
        ``marker`` (a node's id or uuid).

        :param with_servers: also give each one's live instances (see
            :meth:`search_hypervisors`).
        :param with_uptime: also give each one's ``uptime`` (see
            :meth:`add_uptimes`).
        :raises InvalidInput: ``marker`` is no live node's id or uuid.
        """
        services = {s["host"]: s for s in self.list_services(
            context, binary="nimbus-compute")}
        nodes = self.db.compute_nodes.get_all(context, limit=limit,
                                              marker=marker)
        for node in nodes:
            service = services.get(node["host"])
            node["service"] = service
            if with_servers:
                node["servers"] = self._servers_on(context, node)
        if with_uptime:
            self.add_uptimes(context, nodes)
        return nodes

    def add_uptimes(self, context, nodes):
        """Set each node's ``uptime``: its host's ``uptime`` line, asked
        of the compute services that are up, side by side; None for a
        host that is down or cannot tell (as Nova's 2.88 bodies)."""
        from nimbus.core.compute import rpcapi as compute_rpcapi
        compute = compute_rpcapi.ComputeAPI(
            retry=self.conf.api.rpc_send_retries)

        def ask(host):
            try:
                return compute.get_host_uptime(context, host)
            except (exception.UnsupportedOperation,
                    messaging.MessagingTimeout) as err:
                LOG.info("No uptime from %(host)s: %(err)s",
                         {"host": host, "err": err})
                return None
        hosts = sorted({n["host"] for n in nodes
                        if (n.get("service") or {}).get("is_up")})
        uptimes = {}
        if hosts:
            with futures.ThreadPoolExecutor(
                    min(len(hosts), _UPTIME_ASKERS)) as pool:
                uptimes = dict(zip(hosts, pool.map(ask, hosts),
                                   strict=True))
        for node in nodes:
            node["uptime"] = uptimes.get(node["host"])

    def _servers_on(self, context, node):
        return [{"uuid": row["uuid"], "name": row["display_name"]}
                for row in self.db.instances.get_all(
                    context, {"host": node["host"],
                              "node": node["hypervisor_hostname"]},
                    sort_desc=False)]

    def search_hypervisors(self, context, pattern, with_servers=False):
        """The hypervisors whose name contains ``pattern`` (Nova's
        ``os-hypervisors/{pattern}/search`` and ``/servers``).

        :param with_servers: also give each one's live instances as
            ``servers``: ``[{"uuid", "name"}]``.
        :raises ComputeNodeNotFound: none matches.
        """
        nodes = [n for n in self.list_hypervisors(context)
                 if pattern in n["hypervisor_hostname"]]
        if not nodes:
            raise exception.ComputeNodeNotFound(node=pattern)
        if with_servers:
            for node in nodes:
                node["servers"] = self._servers_on(context, node)
        return nodes

    def get_hypervisor(self, context, node_id, with_servers=False,
                       with_uptime=False):
        """The node of that id or uuid with its ``service`` (and, when
        asked, its ``servers`` and ``uptime``, see :meth:`add_uptimes`).

        :raises ComputeNodeNotFound: no live node has that id or uuid.
        """
        node = self.db.compute_nodes.get(context, node_id)
        services = self.list_services(context, binary="nimbus-compute",
                                      host=node["host"])
        node["service"] = services[0] if services else None
        if with_servers:
            node["servers"] = self._servers_on(context, node)
        if with_uptime:
            self.add_uptimes(context, [node])
        return node

    def get_hypervisor_uptime(self, context, node_id):
        """The hypervisor and its host's ``uptime`` line, asked of its
        compute service.

        :raises ComputeServiceUnavailable: that service is down.
        """
        node = self.get_hypervisor(context, node_id)
        service = node["service"]
        if service is None or not service["is_up"]:
            raise exception.ComputeServiceUnavailable(host=node["host"])
        from nimbus.core.compute import rpcapi as compute_rpcapi
        compute = compute_rpcapi.ComputeAPI(
            retry=self.conf.api.rpc_send_retries)
        node["uptime"] = compute.get_host_uptime(context, node["host"])
        return node

    def hypervisor_statistics(self, context):
        return self.db.compute_nodes.statistics(context)

    # -- host aggregates and availability zones ----------------------------

    def list_aggregates(self, context):
        return aggregate_obj.AggregateList.get_all(context)

    def get_aggregate(self, context, aggregate_id):
        """:raises AggregateNotFound: no such aggregate (id or uuid)."""
        return aggregate_obj.Aggregate.get(context, aggregate_id)

    def create_aggregate(self, context, name, availability_zone=None):
        """:raises AggregateNameExists: the name is taken."""
        agg = aggregate_obj.Aggregate(context, name=name,
                                      availability_zone=availability_zone)
        agg.create()
        return agg

    def update_aggregate(self, context, aggregate_id, values):
        """Change ``name`` and/or ``availability_zone``.

        :raises AggregateNameExists: the new name is taken.
        :raises InvalidAggregateAction: a host would be in two zones.
        """
        agg = self.get_aggregate(context, aggregate_id)
        for key in ("name", "availability_zone"):
            if key in values:
                setattr(agg, key, values[key])
        agg.save()
        return agg

    def delete_aggregate(self, context, aggregate_id):
        """:raises InvalidAggregateAction: it still has hosts."""
        self.get_aggregate(context, aggregate_id).destroy()

    def add_aggregate_host(self, context, aggregate_id, host):
        """:raises AggregateHostExists, ComputeHostNotFound,
            InvalidAggregateAction: see :meth:`Aggregate.add_host`."""
        agg = self.get_aggregate(context, aggregate_id)
        agg.add_host(host)
        return agg

    def remove_aggregate_host(self, context, aggregate_id, host):
        """:raises AggregateHostNotFound: ``host`` is not a member."""
        agg = self.get_aggregate(context, aggregate_id)
        agg.delete_host(host)
        return agg

    def set_aggregate_metadata(self, context, aggregate_id, metadata):
        """Set keys (a ``None`` value removes one); ``availability_zone``
        moves the aggregate to that zone."""
        agg = self.get_aggregate(context, aggregate_id)
        agg.update_metadata(metadata)
        return agg

    def availability_zones(self, context):
        """Return ``{zone: {"available": bool, "hosts": {host: state}}}``.

        Compute hosts in no zone aggregate are in ``[compute]
        default_availability_zone``; a zone is available when any of its
        compute services is enabled and up.
        """
        zone_of = {}
        for agg in self.list_aggregates(context):
            for host in agg.hosts if agg.availability_zone else ():
                zone_of[host] = agg.availability_zone
        zones = {}
        default = self.conf.compute.default_availability_zone
        for service in self.db.services.get_all(context,
                                                binary="nimbus-compute"):
            zone = zones.setdefault(zone_of.get(service["host"], default),
                                    {"hosts": {}, "available": False})
            up = servicegroup.is_up(self.conf, service)
            zone["hosts"][service["host"]] = {
                "active": not service["disabled"], "available": up,
                "updated_at": service["updated_at"]}
            zone["available"] |= up and not service["disabled"]
        return zones


@functools.cache
def declared_extra_specs():
    """The flavor extra specs the installed scheduler filters declare
    (their ``extra_specs``); a filter that does not load declares none."""
    declared = []
    for name in loading.installed(loading.FILTERS):
        try:
            plugin = loading.load_class(loading.FILTERS, name)
        except exception.NimbusException as err:
            LOG.warning("Scheduler filter %(name)s declares no extra specs: "
                        "%(err)s", {"name": name, "err": err})
            continue
        declared.extend(getattr(plugin, "extra_specs", ()))
    return tuple(declared)
