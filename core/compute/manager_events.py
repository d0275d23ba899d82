"""External events on the compute host (rpcapi 1.12): what another
service tells the host about one of its instances
(``os-server-external-events``, :mod:`nimbus.core.compute.api_events`).

* ``volume-extended`` (tag: the volume id, ``new_size``: bytes, added by
  the compute API): a running guest is told the new size of the disk of
  that volume (the plugin's ``extend_volume``); a guest that is not
  running sees it when it next starts, so there is nothing to do.
* ``network-*``: recorded only. nimbus-network is the truth for VIFs:
  ``network-changed`` refreshes nothing, and nothing waits for
  ``network-vif-plugged`` as Nova does for Neutron's.
* ``power-update`` (2.76; tag ``POWER_ON`` or ``POWER_OFF``): the
  server's power is said to have changed outside nimbus. As in Nova it
  is a no-op unless the server is settled in the opposite state
  (stopped and shut down for ``POWER_ON``, active and running for
  ``POWER_OFF``); otherwise only a hypervisor that powers machines
  outside the compute service (Nova's ironic) could take the record
  over, and no nimbus plugin is one: the event fails, as Nova's does on
  libvirt, and the server is left as it is.

Each event is recorded as an event of the instance action the compute
API started (``compute_extend_volume``, ``compute_network_changed``,
...), with result "Error" and an instance fault when it failed.

:class:`ExternalEventsManagerMixin` is mixed into
:class:`nimbus.core.compute.manager.ComputeManager`; it relies on its
``driver`` and ``host``.
"""

from oslo_log import log as logging
from oslo_utils import timeutils

from nimbus.core import exception
from nimbus.core.compute import manager_volumes, vm_states
from nimbus.core.interfaces import power_state
from nimbus.core.objects import instance_action

LOG = logging.getLogger(__name__)


def event_name(name):
    """The instance action event of an external event's ``name``."""
    if name == "volume-extended":
        return "compute_extend_volume"
    return "compute_" + name.replace("-", "_")


class ExternalEventsManagerMixin:
    """external_instance_event."""

    def external_instance_event(self, context, instances, events):
        """Handle ``events`` (dicts) for ``instances`` of this host, one
        at a time; one failing does not stop the others."""
        by_uuid = {instance.uuid: instance for instance in instances}
        for event in events:
            instance = by_uuid.get(event["server_uuid"])
            if instance is None:
                LOG.warning("Event %(name)s for unknown instance %(uuid)s",
                            {"name": event["name"],
                             "uuid": event["server_uuid"]})
                continue
            started = timeutils.utcnow().isoformat()
            result, details = "Success", None
            try:
                if event["name"] == "volume-extended":
                    self._volume_extended(instance, event)
                elif event["name"] == "power-update":
                    self._power_update(instance, event["tag"])
            except Exception as err:
                LOG.error("Event %(name)s for %(uuid)s failed: %(err)s",
                          {"name": event["name"], "uuid": instance.uuid,
                           "err": err})
                result, details = "Error", exception.message_of(err)
                self._event_fault(context, instance, err)
            self._event_record(context, instance, event, started, result,
                               details)

    def _volume_extended(self, instance, event):
        """Tell a running guest its volume's disk grew to ``new_size``."""
        uuid = instance.uuid
        if self.driver.get_info(uuid).power_state != power_state.RUNNING:
            LOG.info("Instance %s is not running: it sees volume %s's new "
                     "size when it starts", uuid, event.get("tag"))
            return
        self.driver.extend_volume(
            uuid, manager_volumes.disk_serial(event["tag"]),
            int(event["new_size"]))
        LOG.info("Instance %(uuid)s sees volume %(vol)s at %(size)d bytes",
                 {"uuid": uuid, "vol": event["tag"],
                  "size": int(event["new_size"])})

    def _power_update(self, instance, target):
        """See the module docstring (``power-update``)."""
        settled = instance.task_state is None and (
            (target == "POWER_ON" and instance.vm_state == vm_states.STOPPED
             and instance.power_state == power_state.SHUTDOWN) or
            (target == "POWER_OFF" and instance.vm_state == vm_states.ACTIVE
             and instance.power_state == power_state.RUNNING))
        if not settled:
            LOG.info("power-update %(tag)s for %(uuid)s is a no-op in "
                     "vm_state %(vm)s, task_state %(task)s",
                     {"tag": target, "uuid": instance.uuid,
                      "vm": instance.vm_state, "task": instance.task_state})
            return
        raise exception.UnsupportedOperation(
            plugin=type(self.driver).__name__,
            operation="power-update events (the power of its guests is "
                      "its own to change, not another service's)")

    def _event_record(self, context, instance, event, started, result,
                      details=None):
        try:
            instance_action.InstanceActionEvent.record(
                context, instance.uuid, event_name(event["name"]), started,
                result, host=self.host, details=details)
        except Exception:
            LOG.exception("Could not record event %s of %s", event["name"],
                          instance.uuid)

    def _event_fault(self, context, instance, err):
        try:
            instance_action.InstanceFault.record(
                context, instance.uuid, getattr(err, "code", 500),
                exception.message_of(err), host=self.host)
        except Exception:
            LOG.exception("Could not record the fault of %s", instance.uuid)
