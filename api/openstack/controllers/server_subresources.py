"""/servers/{id}/metadata, /ips, /os-instance-actions and
/os-server-password."""

import pecan

from nimbus.api.openstack import common, schemas
from nimbus.core import exception

M = "os_compute_api:server-metadata:%s"
A = "os_compute_api:os-instance-actions:%s"
PW = "os_compute_api:os-server-password:%s"


def _instance(server_id, rule):
    from nimbus.api.openstack.controllers import servers
    return servers.get_authorized(server_id, rule)


class MetadataItemController:
    """/servers/{id}/metadata/{key}."""

    def __init__(self, server_id, key):
        self.server_id = server_id
        self.key = key

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "DELETE")
        instance = _instance(self.server_id, M % "show")
        if self.key not in instance.metadata:
            raise exception.NotFound(message="Metadata item was not found")
        return common.reply({"meta": {self.key:
                                      instance.metadata[self.key]}})

    @index.when(method="PUT", template="json")
    def put(self):
        meta = common.body(schemas.METADATA_ITEM)["meta"]
        if self.key not in meta:
            raise exception.Invalid(reason="Request body and URI mismatch")
        _instance(self.server_id, M % "update")
        common.services().compute.update_metadata(
            common.context(), self.server_id, meta)
        return common.reply({"meta": meta})

    @index.when(method="DELETE", template="json")
    def delete(self):
        _instance(self.server_id, M % "delete")
        common.services().compute.delete_metadata_item(
            common.context(), self.server_id, self.key)
        return common.reply(None, 204)


class MetadataController:
    """/servers/{id}/metadata."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "POST")
        instance = _instance(self.server_id, M % "index")
        return common.reply({"metadata": dict(instance.metadata)})

    def _write(self, rule, replace):
        metadata = common.body(schemas.METADATA)["metadata"]
        _instance(self.server_id, rule)
        result = common.services().compute.update_metadata(
            common.context(), self.server_id, metadata, replace=replace)
        return common.reply({"metadata": result})

    @index.when(method="PUT", template="json")
    def put(self):
        return self._write(M % "update_all", replace=True)

    @index.when(method="POST", template="json")
    def post(self):
        return self._write(M % "create", replace=False)

    @pecan.expose("json")
    def _lookup(self, key, *remainder):
        if remainder:
            pecan.abort(404)
        return MetadataItemController(self.server_id, key), remainder


class IPsController:
    """/servers/{id}/ips[/{network}]: addresses by network."""

    def __init__(self, server_id):
        self.server_id = server_id

    def _addresses(self, rule):
        """Nova's short entries (``version``, ``addr``) by network."""
        from nimbus.api.openstack.controllers import server_networking
        instance = _instance(self.server_id, rule)
        net = server_networking.NetworkViewData(
            common.context(), [instance], groups=False)
        return net.addresses(instance.uuid, extended=False)

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        return common.reply({"addresses": self._addresses(
            "os_compute_api:ips:index")})

    @pecan.expose("json")
    def _lookup(self, network, *remainder):
        if remainder:
            pecan.abort(404)
        common.allow("GET")
        addresses = self._addresses("os_compute_api:ips:show")
        if network not in addresses:
            raise exception.NotFound(
                message="Instance is not a member of specified network")
        return _Fixed({network: addresses[network]}), ()


class _Fixed:
    """A controller answering one precomputed body."""

    def __init__(self, body):
        self.body = body

    @pecan.expose("json")
    def index(self):
        return common.reply(self.body)


def _time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def action_view(action, with_events=False, details=False):
    body = {"action": action["action"], "instance_uuid":
            action["instance_uuid"], "request_id": action["request_id"],
            "user_id": action["user_id"], "project_id":
            action["project_id"], "start_time": _time(action["start_time"]),
            "message": action.get("message")}
    if with_events:
        body["events"] = [
            dict({"event": e["event"], "start_time": _time(e["start_time"]),
                  "finish_time": _time(e["finish_time"]),
                  "result": e["result"]},
                 **({"traceback": e["traceback"]} if details else {}))
            for e in action["events"]]
    return body


class InstanceActionsController:
    """/servers/{id}/os-instance-actions[/{request_id}]."""

    def __init__(self, server_id):
        self.server_id = server_id

    def _instance(self, rule):
        """The server, deleted ones too from 2.21 (Nova's rule)."""
        instance = common.services().compute.get(
            common.context(), self.server_id,
            read_deleted=common.at_least(21))
        common.authorize(rule, {"project_id": instance.project_id,
                                "user_id": instance.user_id})
        return instance

    @pecan.expose("json")
    def index(self):
        common.allow("GET")
        self._instance(A % "list")
        actions = common.services().compute.instance_actions(
            common.context(), self.server_id,
            read_deleted=common.at_least(21))
        return common.reply({"instanceActions": [action_view(a)
                                                 for a in actions]})

    @pecan.expose("json")
    def _lookup(self, request_id, *remainder):
        if remainder:
            pecan.abort(404)
        common.allow("GET")
        instance = self._instance(A % "show")
        action = common.services().compute.instance_action(
            common.context(), self.server_id, request_id,
            read_deleted=common.at_least(21))
        events = common.may(A % "events",
                            {"project_id": instance.project_id})
        return _Fixed({"instanceAction": action_view(
            action, with_events=events, details=events)}), ()


class ServerPasswordController:
    """/servers/{id}/os-server-password: what the guest posted to the
    metadata service (encrypted with its key pair's public key)."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "DELETE")
        instance = _instance(self.server_id, PW % "show")
        password = common.services().compute.get_server_password(
            common.context(), instance.uuid)
        return common.reply({"password": password})

    @index.when(method="DELETE", template="json")
    def delete(self):
        instance = _instance(self.server_id, PW % "clear")
        common.services().compute.clear_server_password(
            common.context(), instance.uuid)
        return common.reply(None, 204)
