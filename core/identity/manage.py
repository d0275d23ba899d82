"""Managing identity records: projects, users, role assignments, and the
first admin (bootstrap)."""

import os
import secrets

from nimbus.core import exception
from nimbus.core.identity import api as identity_api
from nimbus.core.identity import passwords


class IdentityAdmin:
    """Create, list, change and delete projects, users and grants.

    :param conf: the configuration (``[identity]``).
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    def _hash(self, password):
        return passwords.hash_password(password,
                                       self.conf.identity.bcrypt_rounds)

    def create_project(self, context, name, description=None,
                       enabled=True, project_id=None):
        values = {"name": name, "description": description,
                  "enabled": enabled, "domain_id": "default"}
        if project_id:
            values["id"] = project_id
        return self.db.identity.create_project(context, values)

    def find_project(self, context, name_or_id):
        try:
            return self.db.identity.get_project(context, ident=name_or_id)
        except exception.NotFound:
            return self.db.identity.get_project(context, name=name_or_id)

    def create_user(self, context, name, password=None, enabled=True,
                    default_project_id=None):
        return self.db.identity.create_user(context, {
            "name": name, "enabled": enabled, "domain_id": "default",
            "password_hash": self._hash(password) if password else None,
            "default_project_id": default_project_id})

    def find_user(self, context, name_or_id):
        try:
            return self.db.identity.get_user(context, ident=name_or_id)
        except exception.NotFound:
            return self.db.identity.get_user(context, name=name_or_id)

    def update_user(self, context, user_id, password=None, enabled=None):
        values = {}
        if password is not None:
            values["password_hash"] = self._hash(password)
        if enabled is not None:
            values["enabled"] = enabled
        return self.db.identity.update_user(context, user_id, values)

    def find_role(self, context, name_or_id):
        try:
            return self.db.identity.get_role(context, ident=name_or_id)
        except exception.NotFound:
            return self.db.identity.get_role(context, name=name_or_id)

    def list_projects(self, context, name=None):
        return self.db.identity.list_projects(context, name)

    def list_users(self, context, name=None):
        return self.db.identity.list_users(context, name)

    def list_roles(self, context, name=None):
        return self.db.identity.list_roles(context, name)

    def list_assignments(self, context, user_id=None, project_id=None):
        return self.db.identity.list_assignments(context, user_id,
                                                 project_id)

    def delete_project(self, context, project_id):
        self.db.identity.delete_project(context, project_id)

    def delete_user(self, context, user_id):
        self.db.identity.delete_user(context, user_id)

    def grant(self, context, user_id, project_id, role_id):
        self.db.identity.grant(context, user_id, project_id, role_id)

    def revoke(self, context, user_id, project_id, role_id):
        self.db.identity.revoke(context, user_id, project_id, role_id)

    def bootstrap(self, context, password, project="admin", user="admin"):
        """Make the default roles and an admin user with the admin role
        on an admin project (idempotent; an existing user's password is
        left alone). Return the user record."""
        roles = {n: self.db.identity.ensure_role(context, n)
                 for n in identity_api.DEFAULT_ROLES}
        try:
            proj = self.db.identity.get_project(context, name=project,
                                                domain_id="default")
        except exception.NotFound:
            proj = self.create_project(context, project,
                                       "Administrators' project")
        try:
            usr = self.db.identity.get_user(context, name=user,
                                            domain_id="default")
        except exception.NotFound:
            usr = self.create_user(context, user, password,
                                   default_project_id=proj["id"])
        self.grant(context, usr["id"], proj["id"], roles["admin"]["id"])
        return usr


def admin_password(conf):
    """The bootstrap password: configured, or generated once and kept in
    ``$state_path/admin-password`` (mode 0600)."""
    if conf.identity.admin_password:
        return conf.identity.admin_password
    path = os.path.join(conf.state_path, "admin-password")
    if os.path.exists(path):
        with open(path) as f:
            return f.read().strip()
    os.makedirs(conf.state_path, exist_ok=True)
    password = secrets.token_urlsafe(18)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    return password

