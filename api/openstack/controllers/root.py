"""The dialect's root: version documents and the v2.1 resources."""

import pecan

from nimbus.api.openstack import common, openapi, versions
from nimbus.api.openstack.controllers import (
    aggregates,
    availability_zones,
    flavors,
    hypervisors,
    images,
    keypairs,
    migrations,
    networks,
    quotas,
    remote_consoles,
    security_groups,
    server_external_events,
    server_groups,
    servers,
    services,
    usage,
)


class V21Controller:
    """/v2.1: the version document and every resource."""

    servers = servers.ServersController()
    flavors = flavors.FlavorsController()
    images = images.ImagesController()
    limits = quotas.LimitsController()

    def __init__(self):
        setattr(self, "os-services", services.ServicesController())
        setattr(self, "os-hypervisors",
                hypervisors.HypervisorsController())
        setattr(self, "os-server-groups",
                server_groups.ServerGroupsController())
        setattr(self, "os-server-external-events",
                server_external_events.ServerExternalEventsController())
        setattr(self, "os-aggregates", aggregates.AggregatesController())
        setattr(self, "os-availability-zone",
                availability_zones.AvailabilityZonesController())
        setattr(self, "os-keypairs", keypairs.KeypairsController())
        setattr(self, "os-quota-sets", quotas.QuotaSetsController())
        setattr(self, "os-quota-class-sets",
                quotas.QuotaClassSetsController())
        setattr(self, "os-networks", networks.NetworksController())
        setattr(self, "os-security-groups",
                security_groups.SecurityGroupsController())
        setattr(self, "os-security-group-rules",
                security_groups.SecurityGroupRulesController())
        setattr(self, "os-migrations", migrations.MigrationsController())
        setattr(self, "os-simple-tenant-usage",
                usage.TenantUsagesController())
        setattr(self, "os-console-auth-tokens",
                remote_consoles.ConsoleAuthTokensController())

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        return common.reply(versions.v21_document())

    @pecan.expose("json", route="openapi.json")
    def openapi(self):
        common.allow("GET")
        return common.reply(openapi.document(common.base_url()))

    @pecan.expose("json")
    def _lookup(self, segment, *remainder):
        # Clients built for the project-in-URL form (/v2.1/{project}/...).
        if segment == common.context().project_id and remainder:
            return self, remainder
        pecan.abort(404)


class RootController:
    """/: the list of API versions."""

    def __init__(self):
        setattr(self, "v2.1", V21Controller())

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        return common.reply(versions.root_document(), 200)

    @pecan.expose("json")
    def _lookup(self, segment, *remainder):
        if segment == "v2.1":
            return getattr(self, "v2.1"), remainder
        pecan.abort(404)
