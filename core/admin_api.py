"""Operator-facing core functions: flavors, services, hypervisors.

Dialects call these for admin resources, as they call
:mod:`nimbus.core.compute.api` for servers.
"""

from oslo_utils import uuidutils

from nimbus.core import exception, servicegroup
from nimbus.core.objects import flavor as flavor_obj
from nimbus.core.objects.base import db


class AdminAPI:
    """Flavor, service and hypervisor operations."""

    def __init__(self, conf):
        self.conf = conf

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
                context.project_id not in db().flavors.get_projects(
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

    def delete_flavor(self, context, flavorid):
        db().flavors.destroy(context, flavorid)

    def set_flavor_extra_specs(self, context, flavorid, specs):
        return db().flavors.set_extra_specs(context, flavorid, specs)

    def delete_flavor_extra_spec(self, context, flavorid, key):
        db().flavors.delete_extra_spec(context, flavorid, key)

    def flavor_access(self, context, flavorid):
        """Projects a private flavor is shared with.

        :raises NotFound: the flavor is public (nothing to list).
        """
        flavor = flavor_obj.Flavor.get_by_flavor_id(context, flavorid)
        if flavor.is_public:
            raise exception.NotFound(
                message="Access list not available for public flavors.")
        return db().flavors.get_projects(context, flavorid)

    def add_flavor_access(self, context, flavorid, project_id,
                          refuse_public=True):
        flavor = flavor_obj.Flavor.get_by_flavor_id(context, flavorid)
        if flavor.is_public and refuse_public:
            raise exception.Conflict(
                reason="Can not add access to a public flavor.")
        db().flavors.add_project(context, flavorid, project_id)
        return db().flavors.get_projects(context, flavorid)

    def remove_flavor_access(self, context, flavorid, project_id):
        db().flavors.remove_project(context, flavorid, project_id)
        return db().flavors.get_projects(context, flavorid)

    # -- services and hypervisors -------------------------------------------

    def list_services(self, context, binary=None, host=None):
        services = db().services.get_all(context, binary=binary, host=host)
        for service in services:
            service["is_up"] = servicegroup.is_up(self.conf, service)
        return services

    def update_service(self, context, service_id, values):
        service = db().services.update(context, service_id, values)
        service["is_up"] = servicegroup.is_up(self.conf, service)
        return service

    def delete_service(self, context, service_id):
        """Remove a service record (and, for a compute, it stops being
        scheduled to: the record is what the scheduler reads)."""
        db().services.destroy(context, service_id)

    def list_hypervisors(self, context):
        services = {s["host"]: s for s in self.list_services(
            context, binary="nimbus-compute")}
        nodes = db().compute_nodes.get_all(context)
        for node in nodes:
            service = services.get(node["host"])
            node["service"] = service
        return nodes

    def get_hypervisor(self, context, node_id):
        node = db().compute_nodes.get(context, node_id)
        services = self.list_services(context, binary="nimbus-compute",
                                      host=node["host"])
        node["service"] = services[0] if services else None
        return node

    def hypervisor_statistics(self, context):
        return db().compute_nodes.statistics(context)
