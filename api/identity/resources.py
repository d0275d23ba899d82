"""/identity/v3/projects, /users, /roles, /role_assignments and the
grants under /projects/{p}/users/{u}/roles/{r}."""

import pecan

from nimbus.api import http
from nimbus.api.identity import ec2_credentials, grants
from nimbus.core import exception

_NAME = {"type": "string", "minLength": 1, "maxLength": 255}
_FLAG = {"type": "boolean"}
_DOMAIN = {"type": "string", "enum": ["default"]}

PROJECT_CREATE = {
    "type": "object", "required": ["project"],
    "properties": {"project": {
        "type": "object", "required": ["name"],
        "properties": {"name": _NAME, "enabled": _FLAG,
                       "description": {"type": ["string", "null"]},
                       "domain_id": _DOMAIN, "is_domain": {"enum": [False]},
                       "parent_id": {"type": ["string", "null"]},
                       "tags": {"type": "array"}},
        "additionalProperties": False}},
    "additionalProperties": False}

_USER_PROPS = {"name": _NAME, "enabled": _FLAG,
               "password": {"type": ["string", "null"], "maxLength": 4096},
               "domain_id": _DOMAIN,
               "default_project_id": {"type": ["string", "null"]},
               "description": {"type": ["string", "null"]},
               "email": {"type": ["string", "null"]},
               "options": {"type": "object"}}

USER_CREATE = {
    "type": "object", "required": ["user"],
    "properties": {"user": {"type": "object", "required": ["name"],
                            "properties": _USER_PROPS,
                            "additionalProperties": False}},
    "additionalProperties": False}

USER_UPDATE = {
    "type": "object", "required": ["user"],
    "properties": {"user": {"type": "object",
                            "properties": _USER_PROPS,
                            "additionalProperties": False}},
    "additionalProperties": False}


def _link(kind, ident):
    return {"self": f"{http.base_url()}/identity/v3/{kind}/{ident}"}


def project_view(row):
    return {"id": row["id"], "name": row["name"], "domain_id": "default",
            "description": row["description"] or "",
            "enabled": row["enabled"], "is_domain": False,
            "parent_id": "default", "tags": [],
            "links": _link("projects", row["id"])}


def user_view(row):
    return {"id": row["id"], "name": row["name"], "domain_id": "default",
            "enabled": row["enabled"],
            "default_project_id": row["default_project_id"],
            "password_expires_at": None, "options": {},
            "links": _link("users", row["id"])}


def role_view(row):
    return {"id": row["id"], "name": row["name"], "domain_id": None,
            "links": _link("roles", row["id"])}


def _admin():
    return http.services().identity_admin


class _Fixed:
    """One resolved item: GET shows it, DELETE/PATCH call back."""

    def __init__(self, show, delete=None, patch=None):
        self.show, self.remove, self.patch = show, delete, patch

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow(*["GET"] + (["DELETE"] if self.remove else []) +
                   (["PATCH"] if self.patch else []))
        return self.show()

    @index.when(method="DELETE", template="json")
    def delete(self):
        if not self.remove:
            pecan.abort(405)
        return self.remove()

    @index.when(method="PATCH", template="json")
    def update(self):
        if not self.patch:
            pecan.abort(405)
        return self.patch()


def _query_name():
    return pecan.request.GET.get("name")


def _other_domain():
    """Whether the list asks for a domain other than the one there is
    (``?domain_id=``): then nothing matches."""
    domain = pecan.request.GET.get("domain_id")
    return domain is not None and domain != "default"


def _get(kind, finder, ident):
    try:
        return finder(http.context(), ident)
    except exception.NotFound:
        raise exception.NotFound(message=f"Could not find {kind}: {ident}.")


class ProjectsController:
    """/identity/v3/projects."""

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "POST")
        http.authorize("identity:list_projects")
        rows = [] if _other_domain() else _admin().list_projects(
            http.context(), _query_name())
        return http.reply({"projects": [project_view(p) for p in rows]})

    @index.when(method="POST", template="json")
    def create(self):
        data = http.body(PROJECT_CREATE)["project"]
        http.authorize("identity:create_project")
        row = _admin().create_project(
            http.context(), data["name"], data.get("description"),
            data.get("enabled", True))
        return http.reply({"project": project_view(row)}, 201)

    @pecan.expose("json")
    def _lookup(self, ident, *remainder):
        if remainder and remainder[0] == "users":
            return grants.lookup(ident, remainder[1:])
        if remainder:
            pecan.abort(404)
        http.authorize("identity:get_project", {"target_id": ident})
        row = _get("project", _admin().find_project, ident)

        def delete():
            http.authorize("identity:delete_project")
            _admin().delete_project(http.context(), row["id"])
            return http.reply(None, 204)
        return _Fixed(lambda: http.reply({"project": project_view(row)}),
                      delete=delete), ()


class UsersController:
    """/identity/v3/users."""

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "POST")
        http.authorize("identity:list_users")
        rows = [] if _other_domain() else _admin().list_users(
            http.context(), _query_name())
        return http.reply({"users": [user_view(u) for u in rows]})

    @index.when(method="POST", template="json")
    def create(self):
        data = http.body(USER_CREATE)["user"]
        http.authorize("identity:create_user")
        project = data.get("default_project_id")
        if project:
            project = _get("project", _admin().find_project, project)["id"]
        row = _admin().create_user(
            http.context(), data["name"], data.get("password"),
            data.get("enabled", True), project)
        return http.reply({"user": user_view(row)}, 201)

    @pecan.expose("json")
    def _lookup(self, ident, *remainder):
        ec2 = remainder[:2] == ("credentials", "OS-EC2")
        if remainder and not ec2:
            pecan.abort(404)
        http.authorize("identity:get_user", {"target_id": ident})
        row = _get("user", _admin().find_user, ident)
        if ec2:
            return ec2_credentials.CredentialsController(row), remainder[2:]

        def delete():
            http.authorize("identity:delete_user")
            _admin().delete_user(http.context(), row["id"])
            return http.reply(None, 204)

        def patch():
            data = http.body(USER_UPDATE)["user"]
            http.authorize("identity:update_user")
            updated = _admin().update_user(
                http.context(), row["id"], password=data.get("password"),
                enabled=data.get("enabled"))
            return http.reply({"user": user_view(updated)})
        return _Fixed(lambda: http.reply({"user": user_view(row)}),
                      delete=delete, patch=patch), ()


class RolesController:
    """/identity/v3/roles."""

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        http.authorize("identity:list_roles")
        rows = _admin().list_roles(http.context(), _query_name())
        return http.reply({"roles": [role_view(r) for r in rows]})

    @pecan.expose("json")
    def _lookup(self, ident, *remainder):
        if remainder:
            pecan.abort(404)
        http.authorize("identity:list_roles")
        row = _get("role", _admin().find_role, ident)
        return _Fixed(lambda: http.reply({"role": role_view(row)})), ()


class RoleAssignmentsController:
    """/identity/v3/role_assignments?user.id=&scope.project.id=."""

    @pecan.expose("json")
    def index(self):
        http.allow("GET")
        http.authorize("identity:list_role_assignments")
        get = pecan.request.GET
        rows = _admin().list_assignments(
            http.context(), get.get("user.id"), get.get("scope.project.id"))
        return http.reply({"role_assignments": [
            {"role": {"id": a["role_id"], "name": a["role_name"]},
             "user": {"id": a["user_id"]},
             "scope": {"project": {"id": a["project_id"]}}}
            for a in rows]})
