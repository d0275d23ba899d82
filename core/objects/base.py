"""Base classes of nimbus's versioned objects and their database access.

``remotable`` methods run locally in services that have a database and on
conductor in services that do not (the compute service), through
``NimbusObject.indirection_api``. Object code reaches the database only
through :attr:`NimbusObject.db_api`, which a process with a database sets
once at start-up (:func:`nimbus.core.db.setup.use_database`), the way
``indirection_api`` is set in compute; where it is left ``None`` any
database access from object code raises :class:`DBNotAllowed`.
"""

from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields

from nimbus.core import exception

remotable = ovo_base.remotable
remotable_classmethod = ovo_base.remotable_classmethod


class NimbusObjectRegistry(ovo_base.VersionedObjectRegistry):
    pass


register = NimbusObjectRegistry.register

#: where oslo.versionedobjects keeps a set field's value (its own
#: setter writes there after coercing)
STORED = "_obj_"
_UNSET = object()


def set_fields(obj):
    """``{name: value}`` of ``obj``'s set fields, as stored (no lazy
    load, no coercion)."""
    found = {}
    for name in obj.fields:
        value = getattr(obj, STORED + name, _UNSET)
        if value is not _UNSET:
            found[name] = value
    return found


class NimbusObject(ovo_base.VersionedObject):
    """Base of every nimbus object."""

    OBJ_SERIAL_NAMESPACE = "nimbus_object"
    OBJ_PROJECT_NAMESPACE = "nimbus"

    #: The database API (:mod:`nimbus.core.db.api`) of this process, set
    #: at start-up by :func:`nimbus.core.db.setup.use_database`; ``None``
    #: in compute, whose remotable calls go through ``indirection_api``.
    db_api = None
    #: The process named by :class:`DBNotAllowed` (set in compute).
    process_name = "this process"

    @classmethod
    def _db(cls):
        """Return the database API for object code.

        :raises DBNotAllowed: this process has no database (compute).
        """
        if NimbusObject.db_api is None:
            raise exception.DBNotAllowed(binary=NimbusObject.process_name)
        return NimbusObject.db_api

    def obj_attr_is_set(self, attrname):
        """Whether ``attrname`` has a value (oslo.versionedobjects'
        answer, and its AttributeError for a name that is no field),
        without building the list of every field name and searching it
        on each call, as ovo does: an instance has 41, and its saves and
        conversions ask for each of them."""
        if attrname not in self.fields and \
                attrname not in self.obj_extra_fields:
            raise AttributeError(
                f"{self.obj_name()} object has no attribute '{attrname}'")
        return hasattr(self, STORED + attrname)

    def obj_what_changed(self):
        """The changed fields, as oslo.versionedobjects answers, asking
        only the fields that can hold an object whether that object
        changed (ovo asks every set field: an instance's 41, on every
        save and every object call answered by conductor)."""
        changes = {name for name in self._changed_fields
                   if name in self.fields}
        for name in _object_fields(type(self)):
            if self.obj_attr_is_set(name):
                value = getattr(self, name)
                if isinstance(value, ovo_base.VersionedObject) and \
                        value.obj_what_changed():
                    changes.add(name)
        return changes

    @classmethod
    def from_row(cls, context, row):
        """Build an object from a ``dict`` row of the database API.

        A value a plain field (string, integer, boolean, UUID) would keep
        as it is, because it already has the field's Python type (or is
        None for a nullable one), is stored without the field's coercion:
        a page of 1000 servers sets 40000 attributes, and coercing them
        cost a list request a third of its time. Anything else is coerced.
        """
        obj = cls(context)
        obj._store_row(row)
        return obj

    def _store_row(self, row):
        """Set the fields ``row`` has, as :meth:`from_row` does, and mark
        none changed."""
        cls = type(self)
        plain = _plain_fields(cls)
        for name, field in cls.fields.items():
            if name in row:
                _store(self, name, field, plain.get(name), row[name])
        self.obj_reset_changes()

    @classmethod
    def _obj_from_primitive(cls, context, objver, primitive):
        """oslo.versionedobjects' field-by-field hydration (an object
        that crossed RPC), with :meth:`from_row`'s shortcut: a plain
        field's value that already has the field's type is stored as it
        is (its ``from_primitive`` and coercion would return it
        unchanged). Every build and delete hydrates an instance of 41
        fields and a request spec several times."""
        obj = cls()
        obj._context = context
        obj.VERSION = objver
        data = cls._obj_primitive_field(primitive, "data")
        changes = cls._obj_primitive_field(primitive, "changes", [])
        plain = _plain_fields(cls)
        for name, field in cls.fields.items():
            if name not in data:
                continue
            value = data[name]
            kind = plain.get(name)
            if kind is None:
                value = field.from_primitive(obj, name, value)
            _store(obj, name, field, kind, value)
        obj._changed_fields = {x for x in changes if x in cls.fields}
        return obj


def _store(obj, name, field, kind, value):
    """Set field ``name`` of ``obj``: as it is when ``kind`` (the plain
    field's Python type, or None) says coercion would not change it,
    else through the field's coercion."""
    if kind is not None and (type(value) is kind or (
            value is None and field.nullable)):
        setattr(obj, STORED + name, value)
    else:
        setattr(obj, name, value)


#: field classes whose values are never objects
_SCALAR_FIELDS = (
    fields.StringField, fields.IntegerField, fields.DateTimeField,
    fields.UUIDField, fields.BooleanField, fields.FloatField,
    fields.DictOfStringsField, fields.DictOfNullableStringsField,
    fields.DictOfIntegersField,
    fields.ListOfStringsField)
_OBJECT_FIELDS_BY_CLASS = {}


def _object_fields(cls):
    """The names of ``cls``'s fields that may hold an object (any field
    not of a scalar class)."""
    found = _OBJECT_FIELDS_BY_CLASS.get(cls)
    if found is None:
        found = _OBJECT_FIELDS_BY_CLASS[cls] = tuple(
            name for name, field in cls.fields.items()
            if type(field) not in _SCALAR_FIELDS)
    return found


#: field classes whose coercion leaves a value of this type unchanged.
_PLAIN_TYPES = {fields.StringField: str, fields.UUIDField: str,
                fields.IntegerField: int, fields.BooleanField: bool}
_PLAIN_BY_CLASS = {}


def _plain_fields(cls):
    """``{field name: Python type}`` of ``cls``'s plain fields."""
    found = _PLAIN_BY_CLASS.get(cls)
    if found is None:
        found = _PLAIN_BY_CLASS[cls] = {
            name: _PLAIN_TYPES[type(field)]
            for name, field in cls.fields.items()
            if type(field) in _PLAIN_TYPES}
    return found


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
