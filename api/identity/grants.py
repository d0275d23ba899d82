"""/identity/v3/projects/{p}/users/{u}/roles[/{r}]: role grants."""

import pecan

from nimbus.api import http
from nimbus.core import exception


def _find(kind, finder, ident):
    try:
        return finder(http.context(), ident)
    except exception.NotFound:
        raise exception.NotFound(message=f"Could not find {kind}: {ident}.")


class GrantController:
    """PUT/HEAD/DELETE one grant; GET lists the user's roles there."""

    def __init__(self, project_id, user_id, role_id=None):
        self.project_id = project_id
        self.user_id = user_id
        self.role_id = role_id

    def _ids(self):
        admin = http.services().identity_admin
        project = _find("project", admin.find_project, self.project_id)
        user = _find("user", admin.find_user, self.user_id)
        role = _find("role", admin.find_role, self.role_id) \
            if self.role_id else None
        return admin, project["id"], user["id"], role

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "PUT", "DELETE")
        http.authorize("identity:list_role_assignments")
        admin, project, user, role = self._ids()
        rows = admin.list_assignments(http.context(), user, project)
        if role is not None:
            if role["id"] not in {a["role_id"] for a in rows}:
                raise exception.NotFound(message="Grant not found")
            return http.reply(None, 204)
        return http.reply({"roles": [{"id": a["role_id"],
                                      "name": a["role_name"]}
                                     for a in rows]})

    @index.when(method="PUT", template="json")
    def put(self):
        http.authorize("identity:create_grant")
        admin, project, user, role = self._ids()
        if role is None:
            pecan.abort(405)
        admin.grant(http.context(), user, project, role["id"])
        return http.reply(None, 204)

    @index.when(method="DELETE", template="json")
    def delete(self):
        http.authorize("identity:revoke_grant")
        admin, project, user, role = self._ids()
        if role is None:
            pecan.abort(405)
        admin.revoke(http.context(), user, project, role["id"])
        return http.reply(None, 204)


def lookup(project_id, rest):
    """Route ``{user}/roles[/{role}]`` under a project."""
    if len(rest) == 2 and rest[1] == "roles":
        return GrantController(project_id, rest[0]), ()
    if len(rest) == 3 and rest[1] == "roles":
        return GrantController(project_id, rest[0], rest[2]), ()
    pecan.abort(404)
