"""Versioned notification payloads (Nova's names and fields where nimbus
has the data; a field nimbus does not keep is left out, not faked).

Each payload fills itself from what its caller holds (an ``Instance``, an
exception): the compute has no database, so a notification from it
carries what the instance object it was handed carries.
"""

import traceback as tb

from oslo_versionedobjects import fields

from nimbus.core import exception
from nimbus.core.notifications import base


@base.register
class FlavorPayload(base.NotificationPayloadBase):
    """The flavor an instance was built with.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    #: payload field -> Instance field (nimbus copies the flavor's
    #: values into the instance when it is built).
    SCHEMA = {"flavorid": "flavor_id", "name": "flavor_name",
              "vcpus": "vcpus", "memory_mb": "memory_mb",
              "root_gb": "root_gb", "ephemeral_gb": "ephemeral_gb",
              "swap": "swap", "extra_specs": "extra_specs"}

    fields = {
        "flavorid": fields.StringField(nullable=True),
        "name": fields.StringField(nullable=True),
        "vcpus": fields.IntegerField(nullable=True),
        "memory_mb": fields.IntegerField(nullable=True),
        "root_gb": fields.IntegerField(nullable=True),
        "ephemeral_gb": fields.IntegerField(nullable=True),
        "swap": fields.IntegerField(nullable=True),
        "extra_specs": fields.DictOfStringsField(nullable=True),
    }

    @classmethod
    def from_instance(cls, instance):
        return _copy(cls(), instance)


def _copy(payload, instance):
    """Set each of ``payload.SCHEMA``'s fields from ``instance`` (None
    where the instance object does not carry the field)."""
    for name, source in payload.SCHEMA.items():
        setattr(payload, name, getattr(instance, source)
                if instance.obj_attr_is_set(source) else None)
    return payload


@base.register
class ExceptionPayload(base.NotificationPayloadBase):
    """An exception that ended an action.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = {
        "module_name": fields.StringField(),
        "function_name": fields.StringField(),
        "exception": fields.StringField(),
        "exception_message": fields.StringField(),
        "traceback": fields.StringField(),
    }

    @classmethod
    def from_exception(cls, err):
        """Name the module and function of the innermost frame that
        raised ``err`` (as Nova does)."""
        frame = err.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        code = frame.tb_frame if frame is not None else None
        return cls(
            module_name=code.f_globals.get("__name__", "") if code else "",
            function_name=code.f_code.co_name if code else "",
            exception=exception.name_of(err),
            exception_message=exception.message_of(err),
            traceback="".join(tb.format_exception(err)))


@base.register
class InstancePayload(base.NotificationPayloadBase):
    """What every instance notification says about the instance.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    #: payload field -> Instance field, copied as they are.
    SCHEMA = {
        "uuid": "uuid", "user_id": "user_id", "tenant_id": "project_id",
        "reservation_id": "reservation_id", "display_name": "display_name",
        "host": "host", "node": "node",
        "availability_zone": "availability_zone",
        "image_uuid": "image_ref", "key_name": "key_name",
        "state": "vm_state", "task_state": "task_state",
        "power_state": "power_state", "progress": "progress",
        "locked": "locked", "metadata": "metadata",
        "created_at": "created_at", "updated_at": "updated_at",
        "launched_at": "launched_at", "terminated_at": "terminated_at",
        "deleted_at": "deleted_at",
    }

    fields = {
        "uuid": fields.UUIDField(),
        "user_id": fields.StringField(nullable=True),
        "tenant_id": fields.StringField(nullable=True),
        "reservation_id": fields.StringField(nullable=True),
        "display_name": fields.StringField(nullable=True),
        "host": fields.StringField(nullable=True),
        "node": fields.StringField(nullable=True),
        "availability_zone": fields.StringField(nullable=True),
        "image_uuid": fields.StringField(nullable=True),
        "key_name": fields.StringField(nullable=True),
        "flavor": fields.ObjectField("FlavorPayload"),
        "state": fields.StringField(nullable=True),
        "task_state": fields.StringField(nullable=True),
        "power_state": fields.IntegerField(nullable=True),
        "progress": fields.IntegerField(nullable=True),
        "locked": fields.BooleanField(nullable=True),
        "metadata": fields.DictOfStringsField(nullable=True),
        "created_at": fields.DateTimeField(nullable=True),
        "updated_at": fields.DateTimeField(nullable=True),
        "launched_at": fields.DateTimeField(nullable=True),
        "terminated_at": fields.DateTimeField(nullable=True),
        "deleted_at": fields.DateTimeField(nullable=True),
        "request_id": fields.StringField(nullable=True),
    }

    def __init__(self, context, instance, **kwargs):
        super().__init__(**kwargs)
        _copy(self, instance)
        self.flavor = FlavorPayload.from_instance(instance)
        self.request_id = getattr(context, "request_id", None)


@base.register
class InstanceActionPayload(InstancePayload):
    """``instance.<action>.<phase>``: the instance and, for ``error``,
    the exception that ended the action.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = dict(InstancePayload.fields, **{
        "fault": fields.ObjectField("ExceptionPayload", nullable=True),
    })

    def __init__(self, context, instance, fault=None):
        super().__init__(context, instance)
        self.fault = fault


@base.register
class InstanceStateUpdatePayload(base.NotificationPayloadBase):
    """The states before and after an ``instance.update``.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = {
        "old_state": fields.StringField(nullable=True),
        "state": fields.StringField(nullable=True),
        "old_task_state": fields.StringField(nullable=True),
        "new_task_state": fields.StringField(nullable=True),
    }


@base.register
class InstanceUpdatePayload(InstancePayload):
    """``instance.update``: the instance after a state change.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"

    fields = dict(InstancePayload.fields, **{
        "state_update": fields.ObjectField("InstanceStateUpdatePayload"),
    })

    def __init__(self, context, instance, state_update):
        super().__init__(context, instance)
        self.state_update = state_update
