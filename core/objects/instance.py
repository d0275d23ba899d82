"""Instance and InstanceList objects."""

import json

from oslo_utils import versionutils
from oslo_versionedobjects import fields

from nimbus.core import notifications
from nimbus.core.objects import base

_UNSET = "__unset__"


@base.register
class Instance(base.NimbusTimestampObject, base.NimbusObject):
    """A virtual machine.

    Version history:

    * 1.0: initial version
    * 1.1: ``system_metadata`` (nimbus's own notes about the server:
      ``shelved_image_id``, ``shelved_at``, ``shelved_host``).
    * 1.2: ``display_description`` (the user's description, 2.19).
    * 1.3: ``trusted_certs`` (key manager ids of the certificates an
      image's signing certificate must chain to, 2.63; None for none).
    * 1.4: ``hostname`` (what the metadata service and DHCP hand the
      guest, 2.90; None for a server recorded before).
    """

    VERSION = "1.4"

    fields = dict(base.NimbusTimestampObject.fields, **{
        "id": fields.IntegerField(),
        "uuid": fields.UUIDField(),
        "display_name": fields.StringField(nullable=True),
        "display_description": fields.StringField(nullable=True),
        "project_id": fields.StringField(),
        "user_id": fields.StringField(),
        "host": fields.StringField(nullable=True),
        "node": fields.StringField(nullable=True),
        "image_ref": fields.StringField(nullable=True),
        "flavor_id": fields.StringField(nullable=True),
        "flavor_name": fields.StringField(nullable=True),
        "vcpus": fields.IntegerField(default=0),
        "memory_mb": fields.IntegerField(default=0),
        "root_gb": fields.IntegerField(default=0),
        "ephemeral_gb": fields.IntegerField(default=0),
        "swap": fields.IntegerField(default=0),
        "extra_specs": fields.DictOfStringsField(default={}),
        "vm_state": fields.StringField(),
        "task_state": fields.StringField(nullable=True),
        "power_state": fields.IntegerField(default=0),
        "key_name": fields.StringField(nullable=True),
        "key_data": fields.StringField(nullable=True),
        "user_data": fields.StringField(nullable=True),
        "availability_zone": fields.StringField(nullable=True),
        "locked": fields.BooleanField(default=False),
        "locked_by": fields.StringField(nullable=True),
        "launched_at": fields.DateTimeField(nullable=True),
        "terminated_at": fields.DateTimeField(nullable=True),
        "deleted_at": fields.DateTimeField(nullable=True),
        "deleted": fields.BooleanField(default=False),
        "reservation_id": fields.StringField(nullable=True),
        "launch_index": fields.IntegerField(default=0),
        "metadata": fields.DictOfStringsField(default={}),
        "access_ip_v4": fields.StringField(nullable=True),
        "access_ip_v6": fields.StringField(nullable=True),
        "progress": fields.IntegerField(default=0),
        "system_metadata": fields.DictOfNullableStringsField(default={}),
        "trusted_certs": fields.ListOfStringsField(nullable=True,
                                                   default=None),
        "hostname": fields.StringField(nullable=True, default=None),
    })

    def obj_make_compatible(self, primitive, target_version):
        super().obj_make_compatible(primitive, target_version)
        if versionutils.convert_version_to_tuple(target_version) < (1, 1):
            primitive.pop("system_metadata", None)
        if versionutils.convert_version_to_tuple(target_version) < (1, 2):
            primitive.pop("display_description", None)
        if versionutils.convert_version_to_tuple(target_version) < (1, 3):
            primitive.pop("trusted_certs", None)
        if versionutils.convert_version_to_tuple(target_version) < (1, 4):
            primitive.pop("hostname", None)

    # -- conversion ---------------------------------------------------------

    @classmethod
    def from_row(cls, context, row):
        return super().from_row(context, cls._decoded(row))

    @staticmethod
    def _decoded(row):
        """``row`` with its JSON columns decoded and ``deleted`` a bool."""
        row = dict(row)
        row["deleted"] = bool(row.get("deleted"))
        row["metadata"] = json.loads(row.pop("metadata_json", None) or "{}")
        sysmeta = row.get("system_metadata")
        row["system_metadata"] = json.loads(sysmeta) \
            if isinstance(sysmeta, str) else (sysmeta or {})
        specs = row.get("extra_specs")
        row["extra_specs"] = json.loads(specs) if isinstance(specs, str) \
            else (specs or {})
        certs = row.get("trusted_certs")
        row["trusted_certs"] = json.loads(certs) \
            if isinstance(certs, str) else certs
        return row

    def _to_row(self, names):
        row = {}
        for name in names:
            value = getattr(self, name)
            if name == "metadata":
                row["metadata_json"] = json.dumps(value, sort_keys=True)
            elif name in ("extra_specs", "system_metadata"):
                row[name] = json.dumps(value, sort_keys=True)
            elif name == "trusted_certs":
                row[name] = None if value is None else json.dumps(value)
            elif name == "deleted":
                continue
            else:
                row[name] = value
        return row

    # -- persistence --------------------------------------------------------

    def create(self):
        """Insert this instance (API side; never called on compute)."""
        names = [n for n in self.fields if self.obj_attr_is_set(n)
                 and n not in ("id", "created_at", "updated_at")]
        row = self._db().instances.create(self._context, self._to_row(names))
        self._refresh(row)

    @base.remotable_classmethod
    def get_by_uuid(cls, context, uuid, read_deleted=False):
        row = cls._db().instances.get(context, uuid,
                                      read_deleted=read_deleted)
        return cls.from_row(context, row)

    @base.remotable
    def save(self, expected_task_state=_UNSET, expected_vm_state=_UNSET):
        """Write the changed fields, guarded by the expected states; a
        state change sends ``instance.update`` if so configured.

        :raises UnexpectedTaskStateError: the instance is no longer in the
            expected task state (another action won).
        """
        changes = self.obj_get_changes()
        kwargs = {}
        if expected_task_state != _UNSET:
            kwargs["expected_task_state"] = _as_tuple(expected_task_state)
        if expected_vm_state != _UNSET:
            kwargs["expected_vm_state"] = _as_tuple(expected_vm_state)
        if not changes and not kwargs:
            return
        db = self._db().instances
        if not notifications.wants_state_change(changes):
            self._refresh(db.update_instance(
                self._context, self.uuid, self._to_row(changes), **kwargs))
            return
        before, row = db.update_instance_and_get_original(
            self._context, self.uuid, self._to_row(changes), **kwargs)
        self._refresh(row)
        notifications.notify_state_change(
            self._context, self, before["vm_state"], before["task_state"])

    @base.remotable
    def destroy(self, expected_task_state=_UNSET):
        """Soft-delete the instance and release its resource claims."""
        kwargs = {}
        if expected_task_state != _UNSET:
            kwargs["expected_task_state"] = _as_tuple(expected_task_state)
        row = self._db().instances.destroy(self._context, self.uuid,
                                          **kwargs)
        self._refresh(row)

    def refresh(self):
        fresh = type(self).get_by_uuid(self._context, self.uuid)
        for name in self.fields:
            if fresh.obj_attr_is_set(name):
                setattr(self, name, getattr(fresh, name))
        self.obj_reset_changes()

    def _refresh(self, row):
        # Straight into this object, as from_row stores into a new one
        # (a copy through a fresh object cost twice: a boot refreshes
        # its instance four times, 41 fields each).
        self._store_row(self._decoded(row))


def _as_tuple(value):
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


@base.register
class InstanceList(base.ObjectListBase, base.NimbusObject):
    """A list of instances.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"
    fields = {"objects": fields.ListOfObjectsField("Instance")}

    @base.remotable_classmethod
    def get_by_host(cls, context, host):
        """:param host: a host, or a list of hosts (a compute fleet's
            reads); their instances in the order they were recorded."""
        rows = cls._db().instances.get_all(context, {"host": host},
                                           by_id=True)
        return cls.from_rows(context, Instance, rows)

    @classmethod
    def get_by_filters(cls, context, filters, limit=None, marker=None):
        rows = cls._db().instances.get_all(context, filters, limit=limit,
                                           marker=marker)
        return cls.from_rows(context, Instance, rows)
