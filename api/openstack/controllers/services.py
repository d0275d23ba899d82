"""/os-services: the list; PUT /os-services/{enable,disable,
disable-log-reason,force-down} (2.1 to 2.52); PUT and DELETE
/os-services/{service_id} (an integer id to 2.52, the service's UUID
from 2.53)."""

import pecan
from oslo_utils import strutils, uuidutils

from nimbus.api.openstack import common, schemas_admin, schemas_tenant
from nimbus.api.openstack import schemas_query_v275 as strict
from nimbus.api.openstack.views import service_names as names
from nimbus.core import exception

S = "os_compute_api:os-services:%s"
_ACTIONS = {"enable": 1, "disable": 1, "disable-log-reason": 1,
            "force-down": 11}


def _time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def service_view(service):
    """A service as the list shows it (and the 2.53 update answers)."""
    return {
        "id": service["uuid"] if common.at_least(53) else service["id"],
        "binary": names.nova_binary(service["binary"]),
        "host": service["host"], "zone": "nova"
        if service["binary"] == "nimbus-compute" else "internal",
        "status": "disabled" if service["disabled"] else "enabled",
        "state": "up" if service["is_up"] else "down",
        "updated_at": _time(service["last_seen_up"] or
                            service["updated_at"]),
        "disabled_reason": service["disabled_reason"],
    } | ({"forced_down": bool(service["forced_down"])}
         if common.at_least(11) else {})


class ServicesController:
    """/os-services."""

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET")
        common.strict_query(strict.SERVICES)
        common.authorize(S % "list")
        get = pecan.request.GET
        services = common.services().admin.list_services(
            common.context(), binary=names.nimbus_binary(get.get("binary")),
            host=get.get("host"))
        return common.reply({"services": [service_view(s)
                                          for s in services]})

    @pecan.expose("json")
    def _lookup(self, segment, *remainder):
        if remainder:
            raise exception.NotFound()
        return ServiceController(segment), remainder


def _values(action, data):
    if action == "enable":
        return {"disabled": False, "disabled_reason": None}
    if action == "disable":
        return {"disabled": True}
    if action == "disable-log-reason":
        return {"disabled": True,
                "disabled_reason": data["disabled_reason"]}
    return {"forced_down": data["forced_down"]}


def _reply(action, data, service):
    body = {"host": service["host"],
            "binary": names.nova_binary(service["binary"])}
    if action == "force-down":
        body["forced_down"] = bool(service["forced_down"])
    else:
        body["status"] = "disabled" if service["disabled"] else "enabled"
    if action == "disable-log-reason":
        body["disabled_reason"] = service["disabled_reason"]
    return {"service": body}


def _values_v253(data):
    """The columns a 2.53 update body sets (Nova's rules)."""
    values = {}
    if data.get("status") == "enabled":
        if data.get("disabled_reason"):
            raise exception.Invalid(
                message="Specifying 'disabled_reason' with status "
                        "'enabled' is invalid.")
        values = {"disabled": False, "disabled_reason": None}
    elif data.get("status") == "disabled":
        values = {"disabled": True,
                  "disabled_reason": data.get("disabled_reason")}
    if "forced_down" in data:
        values["forced_down"] = strutils.bool_from_string(
            data["forced_down"], strict=True)
    if not values:
        raise exception.Invalid(
            message="No updates were requested. Fields 'status' or "
                    "'forced_down' should be specified.")
    return values


def _uuid(service_id):
    """From 2.53 a service is named by its UUID: anything else is a 400
    (Nova's), not a 404."""
    if not uuidutils.is_uuid_like(service_id):
        raise exception.Invalid(message=f"Invalid uuid {service_id}")
    return service_id


class ServiceController:
    """/os-services/{action or id}."""

    def __init__(self, segment):
        self.segment = segment

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("PUT", "DELETE")

    @index.when(method="PUT", template="json")
    def put(self):
        if common.at_least(53):
            return self._update()
        action = self.segment
        if not common.at_least(_ACTIONS.get(action, 1000)):
            raise exception.NotFound(message=f"Unknown action {action}")
        data = common.body(schemas_tenant.service_update(action))
        common.authorize(S % "update")
        admin = common.services().admin
        ctx = common.context()
        found = admin.list_services(
            ctx, binary=names.nimbus_binary(data["binary"]),
            host=data["host"])
        if not found:
            raise exception.NotFound(
                message=f"Service {data['binary']} on host "
                        f"{data['host']} not found.")
        service = admin.update_service(ctx, found[0]["id"],
                                       _values(action, data))
        return common.reply(_reply(action, data, service))

    def _update(self):
        """2.53: the service by UUID, what to change in the body; the
        answer is the whole service. Only computes may be changed."""
        data = common.body(schemas_admin.SERVICE_UPDATE_V253)
        service_id = _uuid(self.segment)
        common.authorize(S % "update")
        admin = common.services().admin
        ctx = common.context()
        service = admin.get_service(ctx, service_id)
        if service["binary"] != "nimbus-compute":
            binary = names.nova_binary(service["binary"])
            raise exception.Invalid(
                message=f"Updating a {binary} service is not supported. "
                        "Only nova-compute services can be updated.")
        service = admin.update_service(ctx, service["id"],
                                       _values_v253(data))
        return common.reply({"service": service_view(service)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        common.authorize(S % "delete")
        admin = common.services().admin
        if common.at_least(53):
            admin.delete_service(common.context(), _uuid(self.segment))
            return common.reply(None, 204)
        if not (self.segment.isascii() and self.segment.isdigit()):
            raise exception.NotFound(
                message=f"Service {self.segment} not found.")
        admin.delete_service(common.context(), int(self.segment))
        return common.reply(None, 204)
