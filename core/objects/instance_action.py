"""Instance action events and faults, recorded from any service."""

from oslo_utils import timeutils
from oslo_versionedobjects import fields

from nimbus.core import exception
from nimbus.core.objects import base


@base.register
class InstanceActionEvent(base.NimbusObject):
    """One step of an instance action (e.g. ``compute_build``).

    Version history:

    * 1.0: initial version
    * 1.1: record (a finished event in one call)
    * 1.2: event_finish and record take ``details``: why a failed event
      failed (Compute API 2.84)
    """

    VERSION = "1.2"
    fields = {
        "event": fields.StringField(),
        "result": fields.StringField(nullable=True),
    }

    @base.remotable_classmethod
    def event_start(cls, context, instance_uuid, event, host=None):
        cls._db().actions.event_start(context, instance_uuid, event,
                                      host=host)

    @base.remotable_classmethod
    def event_finish(cls, context, instance_uuid, event, result="Success",
                     exc_tb=None, details=None):
        cls._db().actions.event_finish(context, instance_uuid, event,
                                       result=result, exc_tb=exc_tb,
                                       details=details)

    @base.remotable_classmethod
    def record(cls, context, instance_uuid, event, start_time, result,
               host=None, details=None):
        """Record a finished event and finish its action in one write.

        :param start_time: when the event started, an ISO 8601 ``str``
            (it crosses RPC as one).
        :param details: why a failed event failed (its fault's message).
        """
        started = timeutils.normalize_time(
            timeutils.parse_isotime(start_time))
        cls._db().actions.event_record(context, instance_uuid, event,
                                       started, result, host=host,
                                       details=details)


@base.register
class InstanceFault(base.NimbusObject):
    """Why an instance went to ERROR.

    Version history:

    * 1.0: initial version
    """

    VERSION = "1.0"
    fields = {
        "instance_uuid": fields.UUIDField(),
        "code": fields.IntegerField(),
        "message": fields.StringField(),
        "details": fields.StringField(nullable=True),
        "host": fields.StringField(nullable=True),
    }

    @base.remotable_classmethod
    def record(cls, context, instance_uuid, code, message, details=None,
               host=None):
        row = cls._db().actions.fault_create(
            context, instance_uuid, code, exception.message_of(message),
            details=details, host=host)
        return cls.from_row(context, row)
