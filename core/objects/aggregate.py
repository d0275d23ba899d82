"""Aggregate objects: named groups of hosts with metadata and a zone.

The admin API manages them; schedulers read aggregates straight from the
database API they are given (they cache and version them themselves).
"""

from oslo_versionedobjects import fields

from nimbus.core.objects import base


@base.register
class Aggregate(base.NimbusTimestampObject, base.NimbusObject):
    """A host aggregate.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = dict(base.NimbusTimestampObject.fields, **{
        "id": fields.IntegerField(),
        "uuid": fields.UUIDField(),
        "name": fields.StringField(),
        "availability_zone": fields.StringField(nullable=True),
        "hosts": fields.ListOfStringsField(default=[]),
        "metadata": fields.DictOfStringsField(default={}),
        "deleted_at": fields.DateTimeField(nullable=True),
        "deleted": fields.BooleanField(default=False),
    })

    @base.remotable_classmethod
    def get(cls, context, aggregate_id):
        """:param aggregate_id: the aggregate's id or uuid.

        :raises AggregateNotFound: no such aggregate.
        """
        return cls.from_row(context,
                            cls._db().aggregates.get(context, aggregate_id))

    @base.remotable
    def create(self):
        """Record the aggregate (``name``, maybe ``availability_zone``).

        :raises AggregateNameExists: the name is taken.
        """
        zone = self.availability_zone \
            if self.obj_attr_is_set("availability_zone") else None
        self._update(self._db().aggregates.create(self._context, self.name,
                                                  zone))

    @base.remotable
    def save(self):
        """Write a changed ``name`` or ``availability_zone``.

        :raises AggregateNameExists: the new name is taken.
        :raises InvalidAggregateAction: a host would sit in two zones.
        """
        changes = {k: v for k, v in self.obj_get_changes().items()
                   if k in ("name", "availability_zone")}
        if changes:
            self._update(self._db().aggregates.update_aggregate(
                self._context, self.id, changes))

    @base.remotable
    def destroy(self):
        """:raises InvalidAggregateAction: the aggregate still has hosts."""
        self._db().aggregates.delete_aggregate(self._context, self.id)

    @base.remotable
    def add_host(self, host):
        """:raises AggregateHostExists: already a member.
        :raises ComputeHostNotFound: no compute service on ``host``.
        :raises InvalidAggregateAction: the host is in another zone.
        """
        self._update(self._db().aggregates.add_host(self._context, self.id,
                                                    host))

    @base.remotable
    def delete_host(self, host):
        """:raises AggregateHostNotFound: ``host`` is not a member."""
        self._update(self._db().aggregates.remove_host(self._context,
                                                       self.id, host))

    @base.remotable
    def update_metadata(self, updates):
        """Set metadata keys; a ``None`` value removes the key."""
        self._update(self._db().aggregates.set_metadata(self._context,
                                                        self.id, updates))

    def _update(self, row):
        fresh = type(self).from_row(self._context, row)
        for name in self.fields:
            if fresh.obj_attr_is_set(name):
                setattr(self, name, getattr(fresh, name))
        self.obj_reset_changes()


@base.register
class AggregateList(base.ObjectListBase, base.NimbusObject):
    """Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"
    fields = {"objects": fields.ListOfObjectsField("Aggregate")}

    @base.remotable_classmethod
    def get_all(cls, context):
        rows = cls._db().aggregates.get_all(context)
        return cls.from_rows(context, Aggregate, rows)
