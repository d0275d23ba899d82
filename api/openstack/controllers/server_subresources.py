"""/servers/{id}/metadata, /ips and /os-server-password."""

import pecan

from nimbus.api.openstack import common, schemas
from nimbus.core import exception

M = "os_compute_api:server-metadata:%s"
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
        return common.Fixed({network: addresses[network]}), ()



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
