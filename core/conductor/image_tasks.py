"""Conductor workflows that place a server anew: unshelve (of an
offloaded server) and evacuate (off a host that is down).

Unshelve asks the scheduler to pick and claim a host (never
over-committing it), writes the placement with a task-state guard, moves
the server's ports to the new host (its addresses stay) and casts the
spawn to that host's compute; a failure before the cast leaves the
server SHELVED_OFFLOADED with a fault and nothing claimed. Evacuate is a
move task with a migration record
(:mod:`nimbus.core.conductor.workflows.evacuate`).
"""

from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.compute import task_states, zones
from nimbus.core.conductor.workflows import evacuate
from nimbus.core.interfaces import request_spec as rs
from nimbus.core.objects import instance as instance_obj
from nimbus.core.objects import instance_action

LOG = logging.getLogger(__name__)


class ImageTasksMixin:
    """``compute_task`` methods of conductor RPC 1.4; mixed into
    :class:`nimbus.core.conductor.tasks.ComputeTaskManager`."""

    def unshelve_instance(self, context, instance_uuid, request_spec):
        """Schedule an offloaded server and spawn it from its shelved
        image on the chosen host."""
        spec = rs.RequestSpec.from_rpc(request_spec).obj_clone()
        event = "conductor_unshelve_instance"
        instance_action.InstanceActionEvent.event_start(
            context, instance_uuid, event, host=self.conf.host)
        selection = self._select(context, instance_uuid, spec)
        if isinstance(selection, Exception):
            self._unshelve_failed(context, instance_uuid, selection, event)
            return
        instance, ports = self._place(context, instance_uuid, selection,
                                      task_states.UNSHELVING,
                                      pin=spec.availability_zone)
        if instance is None:
            return
        instance_action.InstanceActionEvent.event_finish(
            context, instance_uuid, event)
        self.compute.unshelve_instance(context, instance,
                                       host=selection["host"],
                                       with_network=bool(ports))

    def evacuate_instance(self, context, instance_uuid, image_ref,
                          target_host=None, target_state=None):
        """Rebuild a server of a down host elsewhere (see
        :mod:`nimbus.core.conductor.workflows.evacuate`).

        :param target_host: the host an admin asked for (still checked and
            claimed by the scheduler), or None for any.
        :param target_state: the vm_state it ends in (``stopped``, 2.95),
            or None for the one it had.
        """
        instance = instance_obj.Instance.get_by_uuid(context, instance_uuid)
        evacuate.EvacuateTask(self, context, instance, image_ref,
                              target_host, target_state).execute()

    # -- helpers ------------------------------------------------------------

    def _select(self, context, uuid, spec):
        """The scheduler's claimed selection, or the exception."""
        try:
            return self.scheduler.select_destinations(
                context, spec, [uuid])[0][0]
        except Exception as err:
            if not isinstance(err, exception.NoValidHost):
                LOG.exception("Scheduling %s failed", uuid)
            return err

    def _place(self, context, uuid, selection, expected, pin=None):
        """Write the new host, its zone and ``pin`` (the zone the server
        is pinned to from now on: 2.77's unshelve may pin it to another,
        2.91's unpin it with None) with a guard, so a failed unshelve
        leaves the old pin, and move the ports there; return the instance
        and its ports, or ``(None, [])`` (claim given back) when the
        server left ``expected`` meanwhile."""
        instance = instance_obj.Instance.get_by_uuid(context, uuid)
        instance.host = selection["host"]
        instance.node = selection["nodename"]
        sysmeta = instance.system_metadata
        if zones.PIN not in sysmeta or sysmeta[zones.PIN] != pin:
            instance.system_metadata = zones.with_pin(sysmeta, pin)
        instance.availability_zone = self.host_zone(context,
                                                    selection["host"])
        try:
            instance.save(expected_task_state=(expected,))
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            self.db.compute_nodes.release(context, uuid)
            return None, []
        ports = self.db.ports.get_all(context, instance_uuid=uuid)
        for port in ports:
            self.db.ports.update_port(context, port["uuid"],
                                      {"host": selection["host"]})
        return instance, ports

    def _fault(self, context, uuid, err, event):
        instance_action.InstanceFault.record(
            context, uuid, getattr(err, "code", 500), str(err),
            details=getattr(err, "message", None))
        instance_action.InstanceActionEvent.event_finish(
            context, uuid, event, result="Error",
            details=exception.message_of(err))

    def _unshelve_failed(self, context, uuid, err, event):
        LOG.warning("Unshelve of %(uuid)s failed: %(err)s",
                    {"uuid": uuid, "err": err})
        self._fault(context, uuid, err, event)
        self.db.compute_nodes.release(context, uuid)
        instance = instance_obj.Instance(context, uuid=uuid)
        instance.task_state = None
        try:
            instance.save(expected_task_state=(task_states.UNSHELVING,))
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            pass
