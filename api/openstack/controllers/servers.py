"""/servers: create, list, show, update, delete; sub-resources."""

import functools

import pecan

from nimbus.api.openstack import common, password, schemas, schemas_hostname
from nimbus.api.openstack import schemas_query_v275 as strict
from nimbus.api.openstack.controllers import (
    instance_actions,
    interfaces,
    migrations,
    remote_consoles,
    security_groups,
    server_actions,
    server_diagnostics,
    server_filters,
    server_networking,
    server_tags,
    server_topology,
    volume_attachments,
)
from nimbus.api.openstack.controllers import server_subresources as sub
from nimbus.api.openstack.views import servers as view
from nimbus.core import exception

P = "os_compute_api:servers:%s"
_BAD_REFERENCES = (exception.NetworkNotFound, exception.PortNotFound,
                   exception.SecurityGroupNotFound)
ADMIN_ATTRS = "os_compute_api:os-extended-server-attributes"
REQUESTED_DESTINATION = "compute:servers:create:requested_destination"
FORCED_HOST = "os_compute_api:servers:create:forced_host"
HOST_STATUS = "os_compute_api:servers:show:host_status"
FLAVOR_EXTRA_SPECS = "os_compute_api:os-flavor-extra-specs:index"
_ACCESS_IPS = (("access_ip_v4", "accessIPv4"), ("access_ip_v6", "accessIPv6"))


def _list(detailed):
    common.strict_query(strict.SERVERS)
    common.authorize(P % ("detail" if detailed else "index"))
    ctx = common.context()
    compute = common.services().compute
    limit = common.limit_param()
    marker = pecan.request.GET.get("marker")
    # Records, not versioned objects: the views only read them.
    instances = compute.get_all_records(ctx, server_filters.filters(),
                                        limit=limit, marker=marker)
    if detailed:
        admin_attrs = common.may(ADMIN_ATTRS)
        page = PageData(ctx, instances, _host_status_shown())
        servers = [page.detail(i, admin_attrs) for i in instances]
    else:
        servers = [view.basic(i) for i in instances]
    body = {"servers": servers}
    links = common.next_link("servers/detail" if detailed else "servers",
                             servers, limit)
    if links:
        body["servers_links"] = links
    return common.reply(body)


def get_authorized(server_id, action):
    """Return the instance after checking ``action`` against its owner."""
    instance = common.services().compute.get(common.context(), server_id)
    authorizer(action)(instance)
    return instance


def authorizer(action):
    """A check of ``action`` against an instance's owner, for service
    calls that read the instance themselves (one read, not two)."""
    def check(instance):
        common.authorize(action, {"project_id": instance.project_id,
                                  "user_id": instance.user_id})
    return check


class PageData:
    """What server bodies need beyond the instance rows (faults,
    addresses, security groups, attached volumes), read with one query
    each for a whole page of servers."""

    def __init__(self, ctx, instances, host_status=False):
        compute = common.services().compute
        self.faults = compute.faults_for(ctx, instances)
        self.net = server_networking.NetworkViewData(ctx, instances)
        self.volumes = compute.volumes_attached(ctx, instances)
        self.host_status = compute.host_statuses(ctx, instances) \
            if host_status else {}
        self.tags = compute.tags_for(ctx, instances) \
            if common.at_least(26) else {}
        self.flavor_extra_specs = _flavor_extra_specs_shown()

    def detail(self, instance, admin_attrs):
        uuid = instance.uuid
        server = view.detail(instance, admin_attrs, self.faults.get(uuid),
                             self.net.addresses(uuid),
                             self.net.security_groups(uuid),
                             self.volumes.get(uuid, []),
                             self.flavor_extra_specs)
        if uuid in self.host_status:
            server["host_status"] = self.host_status[uuid]
        if uuid in self.tags:
            server["tags"] = self.tags[uuid]
        return server


def _flavor_extra_specs_shown():
    """2.47: the embedded flavor's extra specs for those the policy
    lets list a flavor's extra specs (Nova's check)."""
    return common.at_least(47) and common.may(FLAVOR_EXTRA_SPECS)


def _host_status_shown(target=None):
    """2.16: ``host_status`` for those the policy lets see it."""
    return common.at_least(16) and common.may(HOST_STATUS, target)


def _show(instance):
    return common.reply(show_body(instance))


def show_body(instance):
    """The ``{"server": ...}`` body of GET /servers/{id}."""
    target = {"project_id": instance.project_id}
    page = PageData(common.context(), [instance],
                    _host_status_shown(target))
    server = page.detail(instance, common.may(ADMIN_ATTRS, target))
    _add_server_groups(server, instance)
    return {"server": server}


def _add_server_groups(server, instance):
    """2.71: the uuid of the server's group (``[]`` when none) in a
    show's, an update's and a rebuild's answer (never in lists)."""
    if common.at_least(71):
        server["server_groups"] = common.services().compute \
            .server_groups_of(common.context(), instance.uuid)


def updated_body(instance):
    """The server as ``PUT /servers/{id}`` answers it below 2.75 (the
    base body, with the tags from 2.26 and the server's groups from
    2.71)."""
    ctx = common.context()
    fault = common.services().compute.faults_for(
        ctx, [instance]).get(instance.uuid)
    net = server_networking.NetworkViewData(ctx, [instance], groups=False)
    server = view.updated(instance, fault,
                          net.addresses(instance.uuid, extended=False),
                          _flavor_extra_specs_shown())
    if common.at_least(26):
        # Nova's update answer carries the tags from 2.26, as a show
        server["tags"] = common.services().compute.tags_for(
            ctx, [instance]).get(instance.uuid, [])
    _add_server_groups(server, instance)
    return server


class ServerController:
    """/servers/{id}."""

    def __init__(self, server_id):
        self.server_id = server_id
        self.action = server_actions.ServerActionController(server_id)
        self.metadata = sub.MetadataController(server_id)
        self.ips = sub.IPsController(server_id)
        self.tags = server_tags.ServerTagsController(server_id)
        self.migrations = migrations.ServerMigrationsController(server_id)
        self.diagnostics = server_diagnostics.DiagnosticsController(
            server_id)
        self.topology = server_topology.TopologyController(server_id)
        setattr(self, "os-instance-actions",
                instance_actions.InstanceActionsController(server_id))
        setattr(self, "os-server-password",
                sub.ServerPasswordController(server_id))
        setattr(self, "os-security-groups",
                security_groups.ServerSecurityGroupsController(server_id))
        setattr(self, "os-interface",
                interfaces.InterfacesController(server_id))
        setattr(self, "os-virtual-interfaces",
                interfaces.VirtualInterfacesController(server_id))
        setattr(self, "os-volume_attachments",
                volume_attachments.VolumeAttachmentsController(server_id))
        setattr(self, "remote-consoles",
                remote_consoles.RemoteConsolesController(server_id))

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "DELETE")
        return _show(get_authorized(self.server_id, P % "show"))

    @index.when(method="PUT", template="json")
    def update(self):
        data = common.body(schemas_hostname.with_hostname(
            schemas.for_version(schemas.SERVER_UPDATE, common.at_least),
            "server", common.at_least))["server"]
        get_authorized(self.server_id, P % "update")
        values = {}
        for ours, theirs in (("display_name", "name"),
                             ("display_description", "description"),
                             ("hostname", "hostname"), *_ACCESS_IPS):
            if theirs in data:
                values[ours] = data[theirs]
        instance = common.services().compute.update_server(
            common.context(), self.server_id, values)
        if common.at_least(75):
            return _show(instance)
        return common.reply({"server": updated_body(instance)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        common.services().compute.delete(
            common.context(), self.server_id,
            authorize=authorizer(P % "delete"))
        return common.reply(None, 204)


def _create_kwargs(data, body):
    max_count = int(data.get("max_count", data.get("min_count", 1)))
    kwargs = dict(
        name=data["name"],
        flavor_id=data["flavorRef"].rsplit("/", 1)[-1],
        image_id=(data.get("imageRef") or "").rsplit("/", 1)[-1] or None,
        min_count=int(data.get("min_count", 1)),
        max_count=max_count,
        metadata=data.get("metadata"), key_name=data.get("key_name"),
        user_data=data.get("user_data"),
        availability_zone=data.get("availability_zone"),
        scheduler_hints=body.get("os:scheduler_hints") or
        body.get("OS-SCH-HNT:scheduler_hints"),
        block_devices=data.get("block_device_mapping_v2"),
        # 2.60: multiattach volumes, in use elsewhere or not.
        multiattach=common.at_least(60),
        access_ips={ours: data[theirs] for ours, theirs in _ACCESS_IPS
                    if data.get(theirs)},
        description=data.get("description"), tags=data.get("tags"),
        hostname=data.get("hostname"))
    if data.get("trusted_image_certificates"):
        common.authorize(P % "create:trusted_certs")
        kwargs["trusted_certs"] = data["trusted_image_certificates"]
    # Given only when asked for: None means the defaults (the project's
    # network, its default group).
    networks = server_networking.requested_networks(data, max_count)
    if networks is not None:
        kwargs["requested_networks"] = networks
    groups = server_networking.requested_security_groups(data)
    if groups is not None:
        kwargs["security_groups"] = groups
    kwargs.update(_requested_destination(data))
    return kwargs


def _requested_destination(data):
    """2.74: ``host`` and/or ``hypervisor_hostname`` (policy
    :data:`REQUESTED_DESTINATION`), for the scheduler to place on if its
    filters let it; not beside a host or node forced through the
    availability zone (``zone:host:node``), as Nova refuses."""
    host = data.get("host")
    node = data.get("hypervisor_hostname")
    if not (host or node):
        return _forced_destination(data.get("availability_zone"))
    common.authorize(REQUESTED_DESTINATION,
                     {"project_id": common.context().project_id})
    if any(_zone_destination(data.get("availability_zone"))):
        raise exception.Invalid(
            message="One mechanism with host and/or hypervisor_hostname "
                    "and another mechanism with zone:host:node are "
                    "mutually exclusive.")
    return {"requested_host": host, "requested_node": node}


def _forced_destination(zone):
    """``zone:host[:node]``: an administrator (policy
    :data:`FORCED_HOST`) names the host and/or node in the zone. nimbus
    takes it as 2.74's requested destination: checked to exist, and the
    scheduler's filters still decide (Nova skips them for a forced host);
    the zone is the part before the first colon."""
    host, node = _zone_destination(zone)
    if not (host or node):
        return {}
    common.authorize(FORCED_HOST,
                     {"project_id": common.context().project_id})
    return {"requested_host": host or None, "requested_node": node or None,
            "availability_zone": zone.split(":", 1)[0] or None}


def _zone_destination(zone):
    """The host and node an availability zone of the ``zone:host:node``
    form names (each None or empty when it names none)."""
    if not zone or ":" not in zone:
        return None, None
    parts = zone.split(":")
    if len(parts) == 2:
        return parts[1], None
    if len(parts) == 3:
        return parts[1], parts[2]
    raise exception.Invalid(
        message="Invalid input received: Unable to parse "
                "availability_zone")


@functools.lru_cache(maxsize=128)
def _create_schema(version):
    """The server create schema of microversion ``version`` (``(2,
    minor)``), made once per microversion (and so validated with one
    validator, see :func:`nimbus.api.http.check`)."""
    def at_least(minor):
        return version >= (2, minor)
    return schemas_hostname.with_hostname(
        schemas.for_version(schemas.SERVER_CREATE, at_least), "server",
        at_least)


class ServersController:
    """/servers and /servers/detail."""

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "POST")
        return _list(detailed=False)

    @index.when(method="POST", template="json")
    def create(self):
        body = common.body(_create_schema(common.version()))
        data = body["server"]
        common.authorize(P % "create")
        kwargs = _create_kwargs(data, body)
        try:
            instances = common.services().compute.create(common.context(),
                                                         **kwargs)
        except _BAD_REFERENCES as err:
            # Nova: a network, port or group that is not there is a
            # fault of the request (400), not a missing resource.
            raise exception.Invalid(message=str(err))
        first = instances[0]
        groups = kwargs.get("security_groups") or ["default"]
        reply = {"server": {"id": first.uuid,
                            "links": common.link("servers", first.uuid),
                            "OS-DCF:diskConfig": "MANUAL",
                            "security_groups": [{"name": g}
                                                for g in groups],
                            "adminPass": data.get("adminPass") or
                            password.generate()}}
        if data.get("return_reservation_id") in (True, "True", "true"):
            reply = {"reservation_id": first.reservation_id}
        pecan.response.headers["Location"] = \
            common.link("servers", first.uuid)[0]["href"]
        return common.reply(reply, 202)

    @pecan.expose("json")
    def detail(self):
        common.allow("GET")
        return _list(detailed=True)

    @pecan.expose("json")
    def _lookup(self, server_id, *remainder):
        return ServerController(server_id), remainder
