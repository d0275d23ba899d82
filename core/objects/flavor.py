"""Flavor objects: the sizes users boot."""

from oslo_versionedobjects import fields

from nimbus.core.objects import base


@base.register
class Flavor(base.NimbusTimestampObject, base.NimbusObject):
    """Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = dict(base.NimbusTimestampObject.fields, **{
        "id": fields.IntegerField(),
        "flavorid": fields.StringField(),
        "name": fields.StringField(),
        "vcpus": fields.IntegerField(),
        "memory_mb": fields.IntegerField(),
        "root_gb": fields.IntegerField(default=0),
        "ephemeral_gb": fields.IntegerField(default=0),
        "swap": fields.IntegerField(default=0),
        "rxtx_factor": fields.FloatField(default=1.0),
        "is_public": fields.BooleanField(default=True),
        "disabled": fields.BooleanField(default=False),
        "description": fields.StringField(nullable=True),
        "extra_specs": fields.DictOfStringsField(default={}),
    })

    @classmethod
    def get_by_flavor_id(cls, context, flavorid):
        return cls.from_row(context,
                            cls._db().flavors.get_by_flavorid(context,
                                                              flavorid))

    def create(self):
        values = {n: getattr(self, n) for n in self.fields
                  if self.obj_attr_is_set(n)
                  and n not in ("id", "extra_specs", "created_at",
                                "updated_at")}
        extra = self.extra_specs if self.obj_attr_is_set("extra_specs") \
            else {}
        row = self._db().flavors.create(self._context, values, extra)
        fresh = type(self).from_row(self._context, row)
        for name in self.fields:
            if fresh.obj_attr_is_set(name):
                setattr(self, name, getattr(fresh, name))
        self.obj_reset_changes()

    def destroy(self):
        self._db().flavors.destroy(self._context, self.flavorid)


@base.register
class FlavorList(base.ObjectListBase, base.NimbusObject):
    """Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"
    fields = {"objects": fields.ListOfObjectsField("Flavor")}

    @classmethod
    def get_all(cls, context, **filters):
        rows = cls._db().flavors.get_all(context, **filters)
        return cls.from_rows(context, Flavor, rows)
