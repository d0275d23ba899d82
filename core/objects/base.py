"""Base classes of nimbus's versioned objects and their database access.

``remotable`` methods run locally in services that have a database and on
conductor in services that do not (the compute service), through
``NimbusObject.indirection_api``. Object code reaches the database only
through :func:`db`, which raises :class:`DBNotAllowed` unless the process
handed a database API in with :func:`use_database`.
"""

from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields

from nimbus.core import exception

remotable = ovo_base.remotable
remotable_classmethod = ovo_base.remotable_classmethod

_STATE = {"db": None, "binary": "this process"}


def use_database(db_api):
    """Let object code in this process use ``db_api`` (nimbus.core.db.api)."""
    _STATE["db"] = db_api


def forbid_database(binary):
    """Make any database access from object code raise (compute)."""
    _STATE["db"] = None
    _STATE["binary"] = binary


def db():
    """Return the database API, or raise if this process may not use it."""
    if _STATE["db"] is None:
        raise exception.DBNotAllowed(binary=_STATE["binary"])
    return _STATE["db"]


class NimbusObjectRegistry(ovo_base.VersionedObjectRegistry):
    pass


register = NimbusObjectRegistry.register


class NimbusObject(ovo_base.VersionedObject):
    """Base of every nimbus object."""

    OBJ_SERIAL_NAMESPACE = "nimbus_object"
    OBJ_PROJECT_NAMESPACE = "nimbus"

    @classmethod
    def _db(cls):
        """Return the database API for object code.

        :raises DBNotAllowed: this process has no database (compute).
        """
        return db()

    @classmethod
    def from_row(cls, context, row):
        """Build an object from a ``dict`` row of the database API."""
        obj = cls(context)
        for name in cls.fields:
            if name in row:
                setattr(obj, name, row[name])
        obj.obj_reset_changes()
        return obj


class ObjectListBase(ovo_base.ObjectListBase):
    @classmethod
    def from_rows(cls, context, item_cls, rows):
        objs = cls(context, objects=[item_cls.from_row(context, r)
                                     for r in rows])
        objs.obj_reset_changes()
        return objs


class NimbusObjectSerializer(ovo_base.VersionedObjectSerializer):
    OBJ_BASE_CLASS = NimbusObject


class NimbusTimestampObject:
    fields = {
        "created_at": fields.DateTimeField(nullable=True),
        "updated_at": fields.DateTimeField(nullable=True),
    }
