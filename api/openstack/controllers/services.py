"""PUT /os-services/{enable,disable,disable-log-reason,force-down} and
DELETE /os-services/{id} (the 2.1 to 2.52 forms)."""

import pecan

from nimbus.api.openstack import common, schemas_tenant
from nimbus.api.openstack.views import service_names as names
from nimbus.core import exception

S = "os_compute_api:os-services:%s"
_ACTIONS = {"enable": 1, "disable": 1, "disable-log-reason": 1,
            "force-down": 11}


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


class ServiceController:
    """/os-services/{action or id}."""

    def __init__(self, segment):
        self.segment = segment

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("PUT", "DELETE")

    @index.when(method="PUT", template="json")
    def put(self):
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

    @index.when(method="DELETE", template="json")
    def delete(self):
        common.authorize(S % "delete")
        if not (self.segment.isascii() and self.segment.isdigit()):
            raise exception.NotFound(
                message=f"Service {self.segment} not found.")
        common.services().admin.delete_service(common.context(),
                                               int(self.segment))
        return common.reply(None, 204)
