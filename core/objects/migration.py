"""Migration and MigrationList objects: the record of a move workflow.

Statuses follow Nova. A cold move (``migration``/``resize``) goes
``pre-migrating`` -> ``migrating`` -> ``post-migrating`` -> ``finished``
(the instance is ``resized``), then ``confirming`` -> ``confirmed`` or
``reverting`` -> ``reverted``; ``error`` ends a move that failed (its
claims given back). Live migration and evacuation use ``queued``,
``preparing``, ``running``, ``completed``, ``cancelled``, ``failed`` and
``done``; a live migration aborted before it runs (2.65) goes
``preparing`` -> ``cancelling`` (asked, conductor not yet told) ->
``cancelled``.
"""

import json

from oslo_versionedobjects import fields

from nimbus.core.objects import base

_UNSET = "__unset__"

#: statuses of a move that has not ended.
IN_PROGRESS = ("queued", "accepted", "pre-migrating", "preparing",
               "cancelling", "migrating", "running", "post-migrating",
               "finished", "confirming", "reverting")
#: statuses a move can end in.
ENDED = ("confirmed", "reverted", "completed", "done", "error", "failed",
         "cancelled")
TYPES = ("migration", "resize", "live-migration", "evacuation")


@base.register
class Migration(base.NimbusTimestampObject, base.NimbusObject):
    """One move of an instance (see the module docstring).

    ``old_flavor``/``new_flavor`` are the flavors' values (``flavorid``,
    ``name``, ``vcpus``, ``memory_mb``, ``root_gb``, ``ephemeral_gb``,
    ``swap``, ``extra_specs``) when the move started.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = dict(base.NimbusTimestampObject.fields, **{
        "id": fields.IntegerField(),
        "uuid": fields.UUIDField(),
        "instance_uuid": fields.UUIDField(),
        "source_compute": fields.StringField(nullable=True),
        "source_node": fields.StringField(nullable=True),
        "dest_compute": fields.StringField(nullable=True),
        "dest_node": fields.StringField(nullable=True),
        "dest_host": fields.StringField(nullable=True),
        "old_instance_type_id": fields.IntegerField(nullable=True),
        "new_instance_type_id": fields.IntegerField(nullable=True),
        "old_flavor": fields.DictOfNullableStringsField(nullable=True),
        "new_flavor": fields.DictOfNullableStringsField(nullable=True),
        "status": fields.StringField(),
        "migration_type": fields.StringField(),
        "hidden": fields.BooleanField(default=False),
        "memory_total": fields.IntegerField(nullable=True),
        "memory_processed": fields.IntegerField(nullable=True),
        "memory_remaining": fields.IntegerField(nullable=True),
        "disk_total": fields.IntegerField(nullable=True),
        "disk_processed": fields.IntegerField(nullable=True),
        "disk_remaining": fields.IntegerField(nullable=True),
        "user_id": fields.StringField(nullable=True),
        "project_id": fields.StringField(nullable=True),
        "deleted": fields.BooleanField(default=False),
    })

    # -- conversion ---------------------------------------------------------

    @classmethod
    def from_row(cls, context, row):
        row = dict(row)
        row["deleted"] = bool(row.get("deleted"))
        for key in ("old_flavor", "new_flavor"):
            value = row.get(key)
            row[key] = _flavor_out(json.loads(value)) if value else None
        return super().from_row(context, row)

    def _to_row(self, names):
        row = {}
        for name in names:
            value = getattr(self, name)
            if name in ("old_flavor", "new_flavor"):
                row[name] = json.dumps(value, sort_keys=True) \
                    if value is not None else None
            elif name != "deleted":
                row[name] = value
        return row

    def flavor(self, which):
        """Return ``old_flavor``/``new_flavor`` (``which`` = "old"/"new")
        with its numbers as ``int`` and ``extra_specs`` as a ``dict``."""
        return _flavor_in(getattr(self, f"{which}_flavor"))

    @staticmethod
    def flavor_values(flavor):
        """The ``old_flavor``/``new_flavor`` value of a Flavor object or
        a flavor ``dict`` (as :meth:`flavor` returns it)."""
        get = (flavor.get if isinstance(flavor, dict)
               else lambda name: getattr(flavor, name))
        return _flavor_out({name: get(name) for name in _FLAVOR_KEYS})

    # -- persistence --------------------------------------------------------

    @base.remotable
    def create(self, move=None):
        """Insert the record; ``move`` = ``(from, to)`` consumer uuids
        whose allocations are handed over in the same transaction."""
        names = [n for n in self.fields if self.obj_attr_is_set(n)
                 and n not in ("id", "created_at", "updated_at")]
        row = self._db().migrations.create(
            self._context, self._to_row(names),
            move=tuple(move) if move else None)
        self._refresh(row)

    @base.remotable_classmethod
    def get_by_uuid(cls, context, uuid):
        return cls.from_row(context, cls._db().migrations.get(context,
                                                              uuid))

    @base.remotable_classmethod
    def get_by_id(cls, context, migration_id):
        return cls.from_row(context, cls._db().migrations.get(
            context, int(migration_id)))

    @base.remotable
    def save(self, expected_status=_UNSET, release=None, move=None):
        """Write the changed fields, guarded by ``expected_status``; in
        the same transaction release the allocations of consumer
        ``release`` and hand over ``move`` = ``(from, to)`` consumer
        uuids (see :func:`nimbus.core.db.api.migrations.
        update_migration`).

        :raises UnexpectedMigrationStatus: another step won; nothing was
            written.
        """
        changes = self.obj_get_changes()
        kwargs = {}
        if expected_status != _UNSET:
            kwargs["expected_status"] = tuple(expected_status) \
                if isinstance(expected_status, (list, tuple)) \
                else (expected_status,)
        if release:
            kwargs["release"] = release
        if move:
            kwargs["move"] = tuple(move)
        if not changes and not kwargs:
            return
        row = self._db().migrations.update_migration(
            self._context, self.uuid, self._to_row(changes), **kwargs)
        self._refresh(row)

    def _refresh(self, row):
        fresh = type(self).from_row(self._context, row)
        for name in self.fields:
            if fresh.obj_attr_is_set(name):
                setattr(self, name, getattr(fresh, name))
        self.obj_reset_changes()

    @property
    def in_progress(self):
        return self.status in IN_PROGRESS


_FLAVOR_KEYS = ("id", "flavorid", "name", "vcpus", "memory_mb", "root_gb",
                "ephemeral_gb", "swap", "extra_specs")
_FLAVOR_INTS = ("id", "vcpus", "memory_mb", "root_gb", "ephemeral_gb",
                "swap")


def _flavor_out(values):
    """A flavor as a ``dict`` of strings (the field's type)."""
    out = {}
    for key, value in values.items():
        if key == "extra_specs" and not isinstance(value, str):
            value = json.dumps(value or {}, sort_keys=True)
        out[key] = None if value is None else str(value)
    return out


def _flavor_in(values):
    if values is None:
        return None
    out = dict(values)
    for key in _FLAVOR_INTS:
        if out.get(key) is not None:
            out[key] = int(out[key])
    out["extra_specs"] = json.loads(out.get("extra_specs") or "{}")
    return out


@base.register
class MigrationList(base.ObjectListBase, base.NimbusObject):
    """A list of migrations.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"
    fields = {"objects": fields.ListOfObjectsField("Migration")}

    @base.remotable_classmethod
    def get_by_filters(cls, context, filters, limit=None, marker=None):
        """See :func:`nimbus.core.db.api.migrations.get_all`."""
        rows = cls._db().migrations.get_all(context, filters, limit=limit,
                                            marker=marker)
        return cls.from_rows(context, Migration, rows)

    @base.remotable_classmethod
    def get_in_progress_by_instance(cls, context, instance_uuid,
                                    migration_type=None):
        rows = cls._db().migrations.get_in_progress(
            context, instance_uuid, migration_type=migration_type)
        return cls.from_rows(context, Migration, rows)
