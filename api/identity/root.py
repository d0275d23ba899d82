"""/identity and /identity/v3: version documents and the resources."""

import pecan

from nimbus.api import http
from nimbus.api.identity import domains, openapi, resources, tokens

UPDATED = "2020-04-07T00:00:00Z"


def v3_version(base):
    return {"id": "v3.14", "status": "stable", "updated": UPDATED,
            "links": [{"rel": "self", "href": base + "/identity/v3/"}],
            "media-types": [{
                "base": "application/json",
                "type": "application/vnd.openstack.identity-v3+json"}]}


class V3Controller:
    """/identity/v3."""

    def __init__(self):
        self.auth = tokens.AuthController()
        self.domains = domains.DomainsController()
        self.projects = resources.ProjectsController()
        self.users = resources.UsersController()
        self.roles = resources.RolesController()
        self.role_assignments = resources.RoleAssignmentsController()

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        return http.reply({"version": v3_version(http.base_url())})

    @pecan.expose("json", route="openapi.json")
    def openapi(self):
        http.allow("GET")
        return http.reply(openapi.document(http.base_url()))


class IdentityRoot:
    """/identity: the list of versions (300, as Keystone answers)."""

    def __init__(self):
        self.v3 = V3Controller()

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        return http.reply({"versions": {"values": [
            v3_version(http.base_url())]}}, 300)

    @pecan.expose("json")
    def _lookup(self, segment, *remainder):
        if segment == "identity":
            return self, remainder
        pecan.abort(404)
