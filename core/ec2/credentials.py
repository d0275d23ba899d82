"""EC2 credentials (Keystone's OS-EC2): access/secret key pairs of a user
in a project, the secret encrypted at rest.

The secret is a Fernet message under the keys of ``$state_path/
credential-keys`` (created on first use, mode 0700/0600; key ``0`` is
the primary, the others still decrypt, as for tokens). Losing those keys
makes the stored secrets unusable: back them up with the database.
"""

import os
import secrets

from nimbus.core import exception
from nimbus.core.identity import tokens


def key_repository(conf):
    return os.path.join(conf.state_path, "credential-keys")


class CredentialAPI:
    """Create, list, find and delete EC2 credentials.

    :param conf: the configuration.
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self._fernet = None

    @property
    def fernet(self):
        if self._fernet is None:
            self._fernet = tokens.load_keys(key_repository(self.conf))
        return self._fernet

    def _view(self, row):
        return {"access": row["access"], "user_id": row["user_id"],
                "project_id": row["project_id"],
                "secret": self.fernet.decrypt(
                    row["secret_encrypted"].encode()).decode()}

    def create(self, context, user_id, project_id):
        """Create a credential; return it with its secret in the clear.

        The access key is 32 hex digits, the secret 40 URL-safe
        characters (both random).
        """
        access = secrets.token_hex(16)
        secret = secrets.token_urlsafe(30)
        self.db.ec2.credential_create(context, {
            "access": access, "user_id": user_id, "project_id": project_id,
            "secret_encrypted": self.fernet.encrypt(
                secret.encode()).decode()})
        return {"access": access, "secret": secret, "user_id": user_id,
                "project_id": project_id}

    def list(self, context, user_id):
        return [self._view(row)
                for row in self.db.ec2.credential_get_all(context, user_id)]

    def get(self, context, access):
        """:raises NotFound: no such access key."""
        if not isinstance(access, str) or not 0 < len(access) <= 64:
            raise exception.NotFound(message="EC2 access key not found.")
        return self._view(self.db.ec2.credential_get(context, access))

    def delete(self, context, access):
        """:raises NotFound: no such access key."""
        self.get(context, access)
        self.db.ec2.credential_destroy(context, access)
