"""The base of notification payloads and how one is emitted.

A payload is a versioned object whose primitive is the message's
``payload``: the envelope Nova uses for its versioned notifications
(``nova_object.name``, ``.namespace``, ``.version``, ``.data``), so
consumers written for Nova's notifications read nimbus's unchanged. The
namespace says whose they are (``nimbus``).

Payloads live in their own registry (as Nova's do): they are never sent
over RPC and never deserialised by nimbus, so they do not join the
objects whose versions compute and conductor negotiate.
"""

import oslo_messaging as messaging
from oslo_versionedobjects import base as ovo_base

from nimbus.core import conf as nimbus_conf
from nimbus.core import rpc

_STATE = {"notifier": None, "transport": None, "binary": "nimbus"}


class NotificationObjectRegistry(ovo_base.VersionedObjectRegistry):
    pass


register = NotificationObjectRegistry.register


class NotificationPayloadBase(ovo_base.VersionedObject):
    """Base of every payload (a versioned object in Nova's envelope)."""

    OBJ_SERIAL_NAMESPACE = "nova_object"
    OBJ_PROJECT_NAMESPACE = "nimbus"


def init(binary):
    """Name this process's publisher (``nimbus-conductor``, ...) and
    forget any notifier built before the configuration was read."""
    _STATE["binary"] = binary
    reset()


def binary():
    return _STATE["binary"]


def notifier():
    """This process's versioned notifier, built on first use from
    ``[oslo_messaging_notifications]`` and ``[notifications]``."""
    if _STATE["notifier"] is None:
        conf = nimbus_conf.CONF
        transport = messaging.get_notification_transport(conf)
        _STATE["transport"] = transport
        _STATE["notifier"] = messaging.Notifier(
            transport, serializer=rpc.RequestContextSerializer(),
            topics=conf.notifications.notification_topics)
    return _STATE["notifier"]


def enabled():
    """Whether ``[oslo_messaging_notifications] driver`` names a driver
    other than ``noop`` (oslo.messaging's own ``is_enabled`` counts an
    empty list as enabled)."""
    notifier()  # registers [oslo_messaging_notifications]
    drivers = nimbus_conf.CONF.oslo_messaging_notifications.driver
    return any(d != "noop" for d in drivers)


def emit(context, event_type, payload, publisher_id, error=False):
    """Send ``payload`` as ``event_type`` at INFO (ERROR if ``error``)."""
    # Every field of a new payload is "changed": that says nothing, so
    # it is dropped from the message (as Nova does).
    payload.obj_reset_changes(recursive=True)
    prepared = notifier().prepare(publisher_id=publisher_id)
    send = prepared.error if error else prepared.info
    send(context, event_type, payload.obj_to_primitive())


def reset():
    """Drop the notifier and close its transport (a new configuration,
    or tests that change it)."""
    transport, _STATE["transport"] = _STATE["transport"], None
    _STATE["notifier"] = None
    if transport is not None:
        transport.cleanup()
