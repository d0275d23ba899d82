"""/servers: create, list, show, delete, and /servers/{id}/action."""

import pecan
from oslo_utils import timeutils

from nimbus.api.openstack import common, schemas
from nimbus.api.openstack.views import servers as view
from nimbus.core import exception

_LIST_FILTERS = ("name", "status", "image", "flavor", "host",
                 "changes-since")
_STATUS_TO_VM_STATE = {
    "ACTIVE": ["active"], "BUILD": ["building"], "SHUTOFF": ["stopped"],
    "ERROR": ["error"], "PAUSED": ["paused"], "SUSPENDED": ["suspended"],
    "DELETED": ["deleted"], "REBOOT": ["active"], "HARD_REBOOT": ["active"],
}


def _filters(ctx):
    get = pecan.request.GET
    filters = {}
    if get.get("name"):
        filters["name"] = get["name"]
    if get.get("status"):
        states = _STATUS_TO_VM_STATE.get(get["status"].upper())
        filters["vm_state"] = states or ["__none__"]
    if get.get("image"):
        filters["image_ref"] = get["image"].rsplit("/", 1)[-1]
    if get.get("flavor"):
        filters["flavor_id"] = get["flavor"].rsplit("/", 1)[-1]
    if get.get("changes-since"):
        try:
            filters["changes_since"] = timeutils.normalize_time(
                timeutils.parse_isotime(get["changes-since"]))
        except ValueError:
            raise exception.Invalid(reason="Invalid changes-since value")
    if ctx.is_admin:
        if get.get("host"):
            filters["host"] = get["host"]
        if get.get("all_tenants", "").lower() in ("1", "true", "yes", ""):
            if "all_tenants" in get:
                filters["all_tenants"] = True
        if get.get("project_id") or get.get("tenant_id"):
            filters["all_tenants"] = True
            filters["project_id"] = get.get("project_id") or \
                get.get("tenant_id")
    return filters


def _list(detailed):
    ctx = common.context()
    compute = common.services().compute
    limit = common.limit_param()
    marker = pecan.request.GET.get("marker")
    instances = compute.get_all(ctx, _filters(ctx), limit=limit,
                                marker=marker)
    if detailed:
        faults = compute.faults_for(ctx, instances)
        servers = [view.detail(i, ctx.is_admin, faults.get(i.uuid))
                   for i in instances]
    else:
        servers = [view.basic(i) for i in instances]
    body = {"servers": servers}
    links = common.next_link("servers/detail" if detailed else "servers",
                             servers, limit)
    if links:
        body["servers_links"] = links
    return common.reply(body)


class ServerActionController:
    """POST /servers/{id}/action: one key names the action."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json", generic=True)
    def index(self):
        pecan.abort(405, headers={"Allow": "POST"})

    @index.when(method="POST", template="json")
    def post(self):
        data = common.body(schemas.SERVER_ACTION)
        (name, args), = data.items()
        ctx = common.context()
        compute = common.services().compute
        uuid = self.server_id
        if name == "os-getConsoleOutput":
            length = (args or {}).get("length")
            length = int(length) if length is not None else None
            output = compute.get_console_output(ctx, uuid, length)
            return common.reply({"output": output})
        if name == "reboot":
            compute.reboot(ctx, uuid, args["type"].upper())
        else:
            _SIMPLE_ACTIONS[name](compute, ctx, uuid)
        return common.reply(None, 202)


_SIMPLE_ACTIONS = {
    "os-start": lambda c, ctx, u: c.start(ctx, u),
    "os-stop": lambda c, ctx, u: c.stop(ctx, u),
    "pause": lambda c, ctx, u: c.pause(ctx, u),
    "unpause": lambda c, ctx, u: c.unpause(ctx, u),
    "suspend": lambda c, ctx, u: c.suspend(ctx, u),
    "resume": lambda c, ctx, u: c.resume(ctx, u),
}


class ServerController:
    """/servers/{id}."""

    def __init__(self, server_id):
        self.server_id = server_id
        self.action = ServerActionController(server_id)

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "DELETE")
        ctx = common.context()
        compute = common.services().compute
        instance = compute.get(ctx, self.server_id)
        fault = compute.faults_for(ctx, [instance]).get(instance.uuid)
        return common.reply(
            {"server": view.detail(instance, ctx.is_admin, fault)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        common.services().compute.delete(common.context(), self.server_id)
        return common.reply(None, 204)


class ServersController:
    """/servers and /servers/detail."""

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "POST")
        return _list(detailed=False)

    @index.when(method="POST", template="json")
    def create(self):
        data = common.body(schemas.SERVER_CREATE)["server"]
        ctx = common.context()
        instances = common.services().compute.create(
            ctx, name=data["name"],
            flavor_id=data["flavorRef"].rsplit("/", 1)[-1],
            image_id=data["imageRef"].rsplit("/", 1)[-1],
            min_count=int(data.get("min_count", 1)),
            max_count=int(data.get("max_count", data.get("min_count", 1))),
            metadata=data.get("metadata"), key_name=data.get("key_name"),
            user_data=data.get("user_data"),
            availability_zone=data.get("availability_zone"),
            scheduler_hints=pecan.request.json_body.get(
                "os:scheduler_hints"))
        first = instances[0]
        body = {"server": {"id": first.uuid,
                           "links": common.link("servers", first.uuid),
                           "OS-DCF:diskConfig": "MANUAL",
                           "security_groups": [{"name": "default"}],
                           "adminPass": ""}}
        if data.get("return_reservation_id"):
            body = {"reservation_id": first.reservation_id}
        pecan.response.headers["Location"] = \
            common.link("servers", first.uuid)[0]["href"]
        return common.reply(body, 202)

    @pecan.expose("json")
    def detail(self):
        common.allow("GET")
        return _list(detailed=True)

    @pecan.expose("json")
    def _lookup(self, server_id, *remainder):
        return ServerController(server_id), remainder
