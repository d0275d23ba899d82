"""/servers: create, list, show, update, delete; sub-resources."""

import pecan

from nimbus.api.openstack import common, schemas
from nimbus.api.openstack.controllers import server_actions, server_filters
from nimbus.api.openstack.controllers import server_subresources as sub
from nimbus.api.openstack.views import servers as view

P = "os_compute_api:servers:%s"
ADMIN_ATTRS = "os_compute_api:os-extended-server-attributes"


def _list(detailed):
    common.authorize(P % ("detail" if detailed else "index"))
    ctx = common.context()
    compute = common.services().compute
    limit = common.limit_param()
    marker = pecan.request.GET.get("marker")
    instances = compute.get_all(ctx, server_filters.filters(),
                                limit=limit, marker=marker)
    if detailed:
        admin_attrs = common.may(ADMIN_ATTRS)
        faults = compute.faults_for(ctx, instances)
        servers = [view.detail(i, admin_attrs, faults.get(i.uuid))
                   for i in instances]
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
    common.authorize(action, {"project_id": instance.project_id,
                              "user_id": instance.user_id})
    return instance


def _show(instance):
    ctx = common.context()
    fault = common.services().compute.faults_for(
        ctx, [instance]).get(instance.uuid)
    target = {"project_id": instance.project_id}
    return common.reply({"server": view.detail(
        instance, common.may(ADMIN_ATTRS, target), fault)})


class ServerController:
    """/servers/{id}."""

    def __init__(self, server_id):
        self.server_id = server_id
        self.action = server_actions.ServerActionController(server_id)
        self.metadata = sub.MetadataController(server_id)
        self.ips = sub.IPsController(server_id)
        setattr(self, "os-instance-actions",
                sub.InstanceActionsController(server_id))

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "DELETE")
        return _show(get_authorized(self.server_id, P % "show"))

    @index.when(method="PUT", template="json")
    def update(self):
        data = common.body(schemas.SERVER_UPDATE)["server"]
        get_authorized(self.server_id, P % "update")
        values = {}
        for ours, theirs in (("display_name", "name"),
                             ("access_ip_v4", "accessIPv4"),
                             ("access_ip_v6", "accessIPv6")):
            if theirs in data:
                values[ours] = data[theirs]
        instance = common.services().compute.update_server(
            common.context(), self.server_id, values)
        return _show(instance)

    @index.when(method="DELETE", template="json")
    def delete(self):
        get_authorized(self.server_id, P % "delete")
        common.services().compute.delete(common.context(), self.server_id)
        return common.reply(None, 204)


def _create_kwargs(data, body):
    return dict(
        name=data["name"],
        flavor_id=data["flavorRef"].rsplit("/", 1)[-1],
        image_id=data["imageRef"].rsplit("/", 1)[-1],
        min_count=int(data.get("min_count", 1)),
        max_count=int(data.get("max_count", data.get("min_count", 1))),
        metadata=data.get("metadata"), key_name=data.get("key_name"),
        user_data=data.get("user_data"),
        availability_zone=data.get("availability_zone"),
        scheduler_hints=body.get("os:scheduler_hints") or
        body.get("OS-SCH-HNT:scheduler_hints"))


class ServersController:
    """/servers and /servers/detail."""

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "POST")
        return _list(detailed=False)

    @index.when(method="POST", template="json")
    def create(self):
        body = common.body(schemas.SERVER_CREATE)
        data = body["server"]
        common.authorize(P % "create")
        instances = common.services().compute.create(
            common.context(), **_create_kwargs(data, body))
        first = instances[0]
        reply = {"server": {"id": first.uuid,
                            "links": common.link("servers", first.uuid),
                            "OS-DCF:diskConfig": "MANUAL",
                            "security_groups": [{"name": "default"}],
                            "adminPass": ""}}
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
