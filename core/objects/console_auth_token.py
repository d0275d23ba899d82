"""Console auth tokens: the pass a remote console URL carries.

The API authorizes a console (a new random token bound to the guest's
console address, valid ``[consoleauth] token_ttl`` seconds) and puts
the token in the URL it returns; the console proxy validates the token
before it connects the client to that address. The proxy needs no
database: :meth:`ConsoleAuthToken.validate` is remotable, so there it
runs on conductor (object indirection), as compute's calls do.
"""

import hashlib
import time

from oslo_utils import uuidutils
from oslo_versionedobjects import fields

from nimbus.core import exception
from nimbus.core.objects import base


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


@base.register
class ConsoleAuthToken(base.NimbusObject):
    """What a console token grants.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"
    fields = {
        "instance_uuid": fields.UUIDField(),
        "console_type": fields.StringField(),
        "host": fields.StringField(),
        "port": fields.IntegerField(),
        "internal_access_path": fields.StringField(nullable=True),
        "expires": fields.IntegerField(),
        #: the token itself: only on the object :meth:`authorize` returns
        #: (the database keeps its hash alone).
        "token": fields.StringField(nullable=True),
    }

    @base.remotable_classmethod
    def authorize(cls, context, instance_uuid, console_type, host, port,
                  ttl, internal_access_path=None):
        """Record a new token for the console at ``host:port``; return
        the object with ``token`` set. Expired tokens are purged first."""
        now = int(time.time())
        db = cls._db()
        db.console_tokens.purge_expired(context, now)
        token = uuidutils.generate_uuid()
        row = db.console_tokens.create(context, {
            "token_hash": _hash(token), "instance_uuid": instance_uuid,
            "console_type": console_type, "host": host, "port": port,
            "internal_access_path": internal_access_path,
            "expires": now + ttl})
        obj = cls.from_row(context, row)
        obj.token = token
        return obj

    @base.remotable_classmethod
    def validate(cls, context, token):
        """Return what ``token`` grants.

        :raises InvalidConsoleToken: unknown or expired (an expired token's row
            is purged).
        """
        now = int(time.time())
        db = cls._db()
        row = db.console_tokens.get_valid(context, _hash(token), now)
        if row is None:
            db.console_tokens.purge_expired(context, now)
            raise exception.InvalidConsoleToken()
        obj = cls.from_row(context, row)
        obj.token = None
        return obj

    @base.remotable_classmethod
    def clean_for_instance(cls, context, instance_uuid):
        """Revoke every token of the instance (it is being deleted)."""
        cls._db().console_tokens.delete_for_instance(context, instance_uuid)
