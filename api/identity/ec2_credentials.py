"""/identity/v3/users/{user_id}/credentials/OS-EC2[/{access}]: a user's
EC2 credentials, as Keystone's OS-EC2 extension serves them (what
``openstack ec2 credentials create/list/show/delete`` call).

The request and the answer name the project ``tenant_id`` (also on v3);
the credential id in the URL is the access key. A user manages their own
credentials; an admin anyone's.
"""

import pecan

from nimbus.api import http
from nimbus.core import exception

CREATE = {
    "type": "object",
    "properties": {"tenant_id": {"type": ["string", "null"],
                                 "minLength": 1, "maxLength": 255},
                   "project_id": {"type": ["string", "null"],
                                  "minLength": 1, "maxLength": 255}},
}
_MISSING = "EC2 access key not found."


def view(cred):
    base = http.base_url()
    return {"user_id": cred["user_id"], "tenant_id": cred["project_id"],
            "access": cred["access"], "secret": cred["secret"],
            "trust_id": None,
            "links": {"self": f"{base}/identity/v3/users/{cred['user_id']}"
                              f"/credentials/OS-EC2/{cred['access']}"}}


def _api():
    return http.services().ec2_credentials


def _target(user_id):
    return {"user_id": user_id, "target_id": user_id}


class CredentialController:
    """One credential of the user."""

    def __init__(self, user_id, access):
        self.user_id = user_id
        self.access = access

    def _find(self):
        try:
            cred = _api().get(http.context(), self.access)
        except exception.NotFound:
            raise exception.NotFound(message=_MISSING)
        if cred["user_id"] != self.user_id:
            raise exception.NotFound(message=_MISSING)
        return cred

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "DELETE")
        http.authorize("identity:ec2_get_credential", _target(self.user_id))
        return http.reply({"credential": view(self._find())})

    @index.when(method="DELETE", template="json")
    def delete(self):
        http.authorize("identity:ec2_delete_credential",
                       _target(self.user_id))
        cred = self._find()
        _api().delete(http.context(), cred["access"])
        return http.reply(None, 204)


class CredentialsController:
    """The user's credentials: list and create."""

    def __init__(self, user):
        self.user = user

    @pecan.expose("json", generic=True)
    def index(self):
        http.allow("GET", "POST")
        http.authorize("identity:ec2_list_credentials",
                       _target(self.user["id"]))
        creds = _api().list(http.context(), self.user["id"])
        return http.reply({"credentials": [view(c) for c in creds],
                           "links": {"self": None, "previous": None,
                                     "next": None}})

    @index.when(method="POST", template="json")
    def create(self):
        data = http.body(CREATE) or {}
        http.authorize("identity:ec2_create_credential",
                       _target(self.user["id"]))
        project = data.get("tenant_id") or data.get("project_id") or \
            self.user.get("default_project_id") or \
            http.context().project_id
        admin = http.services().identity_admin
        try:
            project = admin.find_project(http.context(), project)["id"]
        except exception.NotFound:
            raise exception.Invalid(
                reason=f"Could not find project: {project}.")
        cred = _api().create(http.context(), self.user["id"], project)
        return http.reply({"credential": view(cred)}, 201)

    @pecan.expose("json")
    def _lookup(self, access, *remainder):
        if remainder:
            pecan.abort(404)
        return CredentialController(self.user["id"], access), ()
