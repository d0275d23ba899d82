"""InstanceGroup objects: server groups, a placement policy over members.

The compute API records members at boot and puts the group in the
request spec; schedulers read members' hosts from the database API they
are given, inside their claims.
"""

from oslo_versionedobjects import fields

from nimbus.core.objects import base


@base.register
class InstanceGroup(base.NimbusObject):
    """A server group.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = {
        "id": fields.IntegerField(),
        "uuid": fields.UUIDField(),
        "name": fields.StringField(),
        "project_id": fields.StringField(),
        "user_id": fields.StringField(),
        "policy": fields.StringField(),
        "rules": fields.DictOfIntegersField(default={}),
        "members": fields.ListOfStringsField(default=[]),
        "created_at": fields.DateTimeField(nullable=True),
    }

    @base.remotable_classmethod
    def get_by_uuid(cls, context, uuid):
        """:raises InstanceGroupNotFound: no such group."""
        return cls.from_row(context,
                            cls._db().server_groups.get(context, uuid))

    @base.remotable
    def create(self):
        """Record the group (``name``, ``project_id``, ``user_id``,
        ``policy`` and maybe ``rules``)."""
        rules = self.rules if self.obj_attr_is_set("rules") else {}
        row = self._db().server_groups.create(
            self._context, self.name, self.project_id, self.user_id,
            self.policy, dict(rules))
        fresh = type(self).from_row(self._context, row)
        for name in self.fields:
            if fresh.obj_attr_is_set(name):
                setattr(self, name, getattr(fresh, name))
        self.obj_reset_changes()

    @base.remotable
    def destroy(self):
        """Delete the group and forget its members."""
        self._db().server_groups.delete_group(self._context, self.uuid)

    @base.remotable_classmethod
    def add_members(cls, context, group_uuid, instance_uuids):
        """Record ``instance_uuids`` as members of the group."""
        cls._db().server_groups.add_members(context, group_uuid,
                                            list(instance_uuids))


@base.register
class InstanceGroupList(base.ObjectListBase, base.NimbusObject):
    """Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"
    fields = {"objects": fields.ListOfObjectsField("InstanceGroup")}

    @base.remotable_classmethod
    def get_all(cls, context, project_id=None):
        """Every group, or only ``project_id``'s."""
        rows = cls._db().server_groups.get_all(context,
                                               project_id=project_id)
        return cls.from_rows(context, InstanceGroup, rows)
