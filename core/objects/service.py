"""Service objects: a binary running on a host, and its heartbeat."""

from oslo_versionedobjects import fields

from nimbus.core.objects import base


@base.register
class Service(base.NimbusTimestampObject, base.NimbusObject):
    """A nimbus service process.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = dict(base.NimbusTimestampObject.fields, **{
        "id": fields.IntegerField(),
        "uuid": fields.UUIDField(),
        "host": fields.StringField(),
        "binary": fields.StringField(),
        "topic": fields.StringField(nullable=True),
        "report_count": fields.IntegerField(default=0),
        "disabled": fields.BooleanField(default=False),
        "disabled_reason": fields.StringField(nullable=True),
        "forced_down": fields.BooleanField(default=False),
        "last_seen_up": fields.DateTimeField(nullable=True),
        "version": fields.IntegerField(default=0),
    })

    @base.remotable_classmethod
    def get_by_host_and_binary(cls, context, host, binary):
        row = cls._db().services.get_by_host_and_binary(context, host,
                                                        binary)
        return cls.from_row(context, row)

    @base.remotable_classmethod
    def register(cls, context, host, binary, topic, version):
        """Return the service row for (host, binary), creating it."""
        row = cls._db().services.register(context, host, binary, topic,
                                          version)
        return cls.from_row(context, row)

    @base.remotable
    def heartbeat(self):
        row = self._db().services.heartbeat(self._context, self.id)
        for name in ("report_count", "last_seen_up", "disabled",
                     "forced_down", "disabled_reason"):
            setattr(self, name, row[name])
        self.obj_reset_changes()

    def save(self):
        changes = self.obj_get_changes()
        if changes:
            row = self._db().services.update(self._context, self.id, changes)
            for name, value in row.items():
                if name in self.fields:
                    setattr(self, name, value)
        self.obj_reset_changes()


@base.register
class ServiceList(base.ObjectListBase, base.NimbusObject):
    """Version history:

    * 1.0: initial version
    * 1.1: heartbeat_many
    """

    VERSION = "1.1"
    fields = {"objects": fields.ListOfObjectsField("Service")}

    @base.remotable_classmethod
    def heartbeat_many(cls, context, service_ids):
        """Record that each service of ``service_ids`` is alive now, in
        one round trip (the compute fleet's heartbeats: each host's row
        is updated as its own heartbeat would). Returns how many rows
        were updated."""
        return cls._db().services.heartbeat_many(context, service_ids)

    @classmethod
    def get_all(cls, context, binary=None, host=None):
        rows = cls._db().services.get_all(context, binary=binary, host=host)
        return cls.from_rows(context, Service, rows)
