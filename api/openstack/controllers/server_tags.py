"""/servers/{id}/tags[/{tag}] (Compute API 2.26; a 404 below it)."""

import pecan

from nimbus.api import http
from nimbus.api.openstack import common, schemas
from nimbus.core import exception

T = "os_compute_api:os-server-tags:%s"


def _authorized(server_id, rule):
    """The server after the 2.26 and policy checks."""
    if not common.at_least(26):
        raise exception.NotFound(message="The resource could not be found.")
    from nimbus.api.openstack.controllers import servers
    return servers.get_authorized(server_id, rule)


class ServerTagController:
    """/servers/{id}/tags/{tag}."""

    def __init__(self, server_id, tag):
        self.server_id = server_id
        self.tag = tag

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "DELETE")
        _authorized(self.server_id, T % "show")
        tags = common.services().compute.server_tags(common.context(),
                                                     self.server_id)
        if self.tag not in tags:
            raise exception.NotFound(
                message=f"Server {self.server_id} has no tag '{self.tag}'")
        return common.reply(None, 204)

    @index.when(method="PUT", template="json")
    def put(self):
        _authorized(self.server_id, T % "update")
        try:
            http.validate(self.tag, schemas.TAG)
        except exception.ValidationError as err:
            raise exception.Invalid(
                reason=f"Tag '{self.tag}' is invalid. It must be a non "
                       f"empty string without characters '/' and ','. "
                       f"Validation error message: {err}")
        created = common.services().compute.add_server_tag(
            common.context(), self.server_id, self.tag)
        if not created:
            return common.reply(None, 204)
        pecan.response.headers["Location"] = \
            common.link("servers", self.server_id)[0]["href"] + \
            f"/tags/{self.tag}"
        return common.reply(None, 201)

    @index.when(method="DELETE", template="json")
    def delete(self):
        _authorized(self.server_id, T % "delete")
        common.services().compute.remove_server_tag(
            common.context(), self.server_id, self.tag)
        return common.reply(None, 204)


class ServerTagsController:
    """/servers/{id}/tags."""

    def __init__(self, server_id):
        self.server_id = server_id

    @pecan.expose("json", generic=True)
    def index(self):
        common.allow("GET", "PUT", "DELETE")
        _authorized(self.server_id, T % "index")
        return common.reply({"tags": common.services().compute.server_tags(
            common.context(), self.server_id)})

    @index.when(method="PUT", template="json")
    def put(self):
        _authorized(self.server_id, T % "update_all")
        tags = common.body(schemas.TAGS)["tags"]
        return common.reply({"tags": common.services().compute
                             .set_server_tags(common.context(),
                                              self.server_id, tags)})

    @index.when(method="DELETE", template="json")
    def delete(self):
        _authorized(self.server_id, T % "delete_all")
        common.services().compute.remove_server_tags(common.context(),
                                                     self.server_id)
        return common.reply(None, 204)

    @pecan.expose("json")
    def _lookup(self, tag, *remainder):
        if remainder:
            pecan.abort(404)
        return ServerTagController(self.server_id, tag), remainder
