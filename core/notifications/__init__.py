"""Versioned notifications: what happened to an instance, for auditors.

Two calls, so no call site builds a payload itself:

* :func:`notify` - ``instance.<action>.<phase>`` from where the action
  runs (the compute manager: ``create``, ``delete``, ``power_on``,
  ``power_off``, ``reboot``, ...), phase ``start``, ``end`` or ``error``
  (ERROR priority, with the exception as the payload's ``fault``);
* :func:`notify_state_change` - ``instance.update`` from where an
  instance's state is saved (``Instance.save``), as ``[notifications]
  notify_on_state_change`` asks.

Nothing is built or sent unless ``[oslo_messaging_notifications] driver``
names a driver. A notification that cannot be sent is logged and never
fails the action it reports.
"""

from oslo_log import log as logging

from nimbus.core import conf as nimbus_conf
from nimbus.core.notifications import base, payloads

LOG = logging.getLogger(__name__)

init = base.init
reset = base.reset

PHASES = ("start", "end", "error")


def notify(context, instance, action, phase, host, exception=None,
           source="nimbus-compute"):
    """Send ``instance.<action>.<phase>`` about ``instance``.

    :param host: the host the action runs on (the publisher is
        ``<source>:<host>``).
    :param exception: the error that ended the action (phase ``error``).
    """
    if phase not in PHASES:
        raise ValueError(f"unknown notification phase {phase!r}")
    if not enabled():
        return
    fault = payloads.ExceptionPayload.from_exception(exception) \
        if exception is not None else None
    _emit(context, f"instance.{action}.{phase}",
          lambda: payloads.InstanceActionPayload(context, instance,
                                                 fault=fault),
          f"{source}:{host}", error=phase == "error")


def wants_state_change(changes):
    """Whether a save changing the fields ``changes`` may need an
    ``instance.update`` (then the caller reads the states before it)."""
    level = nimbus_conf.CONF.notifications.notify_on_state_change
    watched = {"vm_state": ("vm_state",),
               "vm_and_task_state": ("vm_state", "task_state")}.get(level)
    return bool(watched) and any(f in changes for f in watched) \
        and enabled()


def notify_state_change(context, instance, old_vm_state, old_task_state):
    """Send ``instance.update`` if ``instance``'s (saved) state differs
    from the old one in what ``notify_on_state_change`` watches."""
    level = nimbus_conf.CONF.notifications.notify_on_state_change
    changed = old_vm_state != instance.vm_state or (
        level == "vm_and_task_state"
        and old_task_state != instance.task_state)
    if not changed or not enabled():
        return
    update = payloads.InstanceStateUpdatePayload(
        old_state=old_vm_state, state=instance.vm_state,
        old_task_state=old_task_state, new_task_state=instance.task_state)
    conf = nimbus_conf.CONF
    _emit(context, "instance.update",
          lambda: payloads.InstanceUpdatePayload(context, instance, update),
          f"{base.binary()}:{conf.host}")


def enabled():
    """Whether notifications are sent at all (callers that must read
    something to build a payload ask first); a notifier that cannot be
    set up is logged and counts as off."""
    try:
        return base.enabled()
    except Exception:
        LOG.exception("Cannot set up the notifier; nothing is sent")
        return False


def _emit(context, event_type, build, publisher_id, error=False):
    try:
        base.emit(context, event_type, build(), publisher_id, error=error)
    except Exception:
        LOG.exception("Could not send notification %s", event_type)
