"""Build workflows run by conductor: schedule, build, reschedule.

The API records instances (``vm_state=building``,
``task_state=scheduling``) and casts here. Conductor asks the scheduler to
pick and claim hosts, writes the placement with a task-state guard (so a
delete that won the race is respected) and casts each build to its
compute. A compute whose build fails in a retryable way casts back to
:meth:`ComputeTaskManager.build_instances`, which claims the next
alternate, up to ``[conductor] max_build_attempts`` hosts in all.
"""

import oslo_messaging as messaging
from oslo_log import log as logging

from nimbus.core import exception, notifications
from nimbus.core.compute import rpcapi as compute_rpcapi
from nimbus.core.compute import task_states, vm_states, zones
from nimbus.core.conductor import image_cache, image_tasks
from nimbus.core.conductor.workflows import endpoint as move_endpoint
from nimbus.core.interfaces import request_spec as rs
from nimbus.core.objects import instance as instance_obj
from nimbus.core.objects import instance_action
from nimbus.core.scheduler import rpcapi as scheduler_rpcapi

LOG = logging.getLogger(__name__)


class ComputeTaskManager(move_endpoint.MoveTaskMixin,
                         image_tasks.ImageTasksMixin,
                         image_cache.ImageCacheTasksMixin):
    """Endpoint of the ``compute_task`` namespace on the conductor topic
    (builds here; cold moves in :mod:`.workflows.endpoint`, image
    workflows in :mod:`.image_tasks`).

    :param conf: the configuration.
    :param db: the database API handed in by the daemon.
    """

    target = messaging.Target(namespace="compute_task", version="1.6")

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self._scheduler = None
        self._compute = None

    @property
    def scheduler(self):
        if self._scheduler is None:
            self._scheduler = scheduler_rpcapi.SchedulerAPI()
        return self._scheduler

    @property
    def compute(self):
        if self._compute is None:
            self._compute = compute_rpcapi.ComputeAPI()
        return self._compute

    def host_zone(self, context, host):
        """The availability zone of ``host`` (see
        :func:`~nimbus.core.compute.zones.host_zone`), which a server
        placed there is in."""
        return zones.host_zone(self.conf, self.db, context, host)

    def schedule_and_build_instances(self, context, instance_uuids,
                                     request_spec):
        # Deserialized from this call's message: the call's own object,
        # changed in place (a copy cost about 0.2 ms of CPU per boot).
        request_spec = rs.RequestSpec.from_rpc(request_spec)
        request_spec.attempts = 1
        try:
            selections = self._select_destinations(context, request_spec,
                                                 instance_uuids)
        except Exception as err:
            # NoValidHost, or a scheduler that did not answer: either way
            # no compute builds these instances, so they must not stay
            # building.
            if not isinstance(err, (exception.NoValidHost,
                                    exception.SchedulerUnavailable)):
                LOG.exception("Scheduling %s failed", instance_uuids)
            for uuid in instance_uuids:
                self._fail(context, uuid, err)
            return
        for uuid, selection in zip(instance_uuids, selections, strict=True):
            self._place_and_build(context, uuid, request_spec, selection[0],
                                  selection[1:])

    def build_instances(self, context, instance_uuid, request_spec,
                        alternates, failed_host, reason):
        """Reschedule one failed build onto the next alternate that fits."""
        # An older compute sends the legacy dict back.
        spec = rs.RequestSpec.from_rpc(request_spec).obj_clone()
        spec.tried_hosts = spec.tried_hosts + [failed_host]
        self.db.compute_nodes.release(context, instance_uuid)
        max_attempts = self.conf.conductor.max_build_attempts
        for index, alternate in enumerate(alternates):
            if spec.attempts >= max_attempts:
                break
            spec.attempts += 1
            spec.requested_hosts = [alternate["host"]]
            try:
                selection = self._select_destinations(
                    context, spec, [instance_uuid])[0]
            except exception.NoValidHost:
                continue
            except Exception as err:
                LOG.exception("Rescheduling %s failed", instance_uuid)
                self._fail(context, instance_uuid, err)
                return
            LOG.info("Rescheduling %(uuid)s from %(failed)s to %(host)s",
                     {"uuid": instance_uuid, "failed": failed_host,
                      "host": selection[0]["host"]})
            self._place_and_build(context, instance_uuid, spec,
                                  selection[0], alternates[index + 1:])
            return
        self._fail(context, instance_uuid, exception.MaxRetriesExceeded(
            reason=f"Last failure on {failed_host}: {reason}"))

    def _select_destinations(self, context, spec, instance_uuids):
        """The scheduler's selections; a scheduler that did not answer is
        :class:`~nimbus.core.exception.SchedulerUnavailable`, which says
        so to the user, rather than the broker's message-id timeout."""
        try:
            return self.scheduler.select_destinations(
                context, spec, instance_uuids)
        except messaging.MessagingTimeout:
            raise exception.SchedulerUnavailable(
                timeout=getattr(self.conf, "rpc_response_timeout", "?")
            ) from None

    def _place_and_build(self, context, uuid, spec, selection, alternates):
        instance = instance_obj.Instance(context, uuid=uuid)
        instance.host = selection["host"]
        instance.node = selection["nodename"]
        if self.compute.builds_arrive_spawning():
            # the compute spawns without a write of its own (compute RPC
            # 1.17): a round trip to conductor fewer per boot
            instance.task_state = task_states.SPAWNING
        try:
            # the zone's read (if any) and the guarded write: one
            # transaction
            with self.db.writing(context):
                # in the zone of its host from now on (the pin, if any,
                # is kept)
                instance.availability_zone = self._selected_zone(
                    context, selection)
                instance.save(
                    expected_task_state=(task_states.SCHEDULING,))
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            # Deleted while being scheduled: give the claim back.
            self.db.compute_nodes.release(context, uuid)
            return
        if spec.requested_hosts:
            # A reschedule's pin to its alternate: the compute's own
            # reschedule picks from its alternates, unpinned.
            spec = spec.obj_clone()
            spec.requested_hosts = []
        self.compute.build_and_run_instance(
            context, instance, selection["host"], spec, list(alternates))

    def _selected_zone(self, context, selection):
        """The zone of the selected host: the scheduler's, from the
        aggregates its decision saw (a second old at most; Nova's
        conductor caches host zones for an hour), or read here when a
        scheduler of the previous release did not say."""
        if "availability_zone" not in selection:
            return self.host_zone(context, selection["host"])
        return zones.or_default(self.conf, selection["availability_zone"])

    def _fail(self, context, uuid, err):
        """Put a build no host will take in ERROR with ``err`` as its
        fault and give back any claim it still holds (a scheduler that
        timed out may have claimed), unless it was deleted meanwhile."""
        LOG.warning("Build of %(uuid)s failed: %(err)s",
                    {"uuid": uuid, "err": err})
        # The fault first, so whoever sees the ERROR finds its reason
        # (the API shows faults of instances in ERROR only).
        instance_action.InstanceFault.record(
            context, uuid, getattr(err, "code", 500), str(err),
            details=getattr(err, "message", None))
        instance = instance_obj.Instance(context, uuid=uuid)
        instance.vm_state = vm_states.ERROR
        instance.task_state = None
        try:
            instance.save(expected_task_state=(task_states.SCHEDULING,
                                               task_states.SPAWNING))
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            return
        event = "conductor_schedule_and_build_instances"
        instance_action.InstanceActionEvent.event_start(
            context, uuid, event, host=self.conf.host)
        instance_action.InstanceActionEvent.event_finish(
            context, uuid, event, result="Error",
            details=exception.message_of(err))
        self.db.compute_nodes.release(context, uuid)
        if notifications.enabled():
            self._notify_failed(context, uuid, err)

    def _notify_failed(self, context, uuid, err):
        """``instance.create.error`` for a build no compute ever had, from
        conductor (a compute reports the builds it fails itself)."""
        try:
            instance = instance_obj.Instance.get_by_uuid(context, uuid)
        except exception.InstanceNotFound:
            return   # deleted meanwhile: its delete is what happened
        notifications.notify(context, instance, "create", "error",
                             self.conf.host, exception=err,
                             source="nimbus-conductor")

    # -- moves ----------------------------------------------------------------

    def live_migrate_instance(self, context, instance, host,
                              block_migration):
        """Run :class:`~nimbus.core.conductor.workflows.live_migrate.
        LiveMigrationTask` (conductor RPC 1.3)."""
        from nimbus.core.conductor.workflows import live_migrate
        live_migrate.LiveMigrationTask(
            self, context, instance, host=host,
            block_migration=block_migration).execute()
