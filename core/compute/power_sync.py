"""Keep the database in line with the hypervisor.

Four ways in: :meth:`PowerSync.reconcile` when the compute starts
(interrupted builds, unfinished deletes, guests of deleted instances),
:meth:`PowerSync.settle_orphans` periodically for the same kinds of work
lost while the compute ran (a reply or cast the broker dropped),
:meth:`PowerSync.sync_all` periodically, and :meth:`PowerSync.handle_event`
for lifecycle events the plugin delivers. The hypervisor is authoritative
for power state; an instance with an action in progress is left alone.
"""

import queue
import threading

from oslo_log import log as logging
from oslo_utils import timeutils

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.compute import task_states, vm_states
from nimbus.core.interfaces import power_state
from nimbus.core.objects import instance as instance_obj
from nimbus.core.objects import instance_action

LOG = logging.getLogger(__name__)

# What an unexpected power state means for a stable vm_state.
_OBSERVED = {
    power_state.SHUTDOWN: vm_states.STOPPED,
    power_state.CRASHED: vm_states.STOPPED,
    power_state.PAUSED: vm_states.PAUSED,
    power_state.SUSPENDED: vm_states.SUSPENDED,
    power_state.RUNNING: vm_states.ACTIVE,
}
_SYNCED_VM_STATES = (vm_states.ACTIVE, vm_states.STOPPED, vm_states.PAUSED,
                     vm_states.SUSPENDED)


class PowerSync:
    """Reconciliation and power-state sync for one compute manager."""

    def __init__(self, compute):
        self.compute = compute
        self._events = queue.Queue()
        self._thread = None
        self._stopped = threading.Event()
        #: a queue shared with other hosts' syncs and drained by one
        #: thread (the compute fleet's): ``(sync, event)`` go there and
        #: this sync starts no thread of its own.
        self.shared_events = None

    @property
    def driver(self):
        return self.compute.driver

    def _ctx(self):
        return nimbus_context.get_admin_context()

    def _instances(self):
        return instance_obj.InstanceList.get_by_host(self._ctx(),
                                                     self.compute.host)

    def _own(self, instances):
        """``instances`` if the caller read them (a compute fleet reads
        many hosts' at once), else this host's, read now."""
        return self._instances() if instances is None else instances

    # -- start-up -----------------------------------------------------------

    def reconcile(self, instances=None):
        """Settle every instance of this host after a (re)start.

        :param instances: this host's instances when the caller read
            them already (a compute fleet reads many hosts' at once).
        """
        ctx = self._ctx()
        instances = list(self._own(instances))
        known = {i.uuid for i in instances}
        for instance in instances:
            try:
                self._reconcile_one(ctx, instance)
            except Exception:
                LOG.exception("Reconciling %s failed", instance.uuid)
        for uuid in set(self.driver.list_instances()) - known:
            try:
                self._reap(ctx, uuid)
            except Exception:
                LOG.exception("Reaping guest %s failed", uuid)
        self._start_event_thread()

    def _reap(self, ctx, uuid):
        """Destroy a guest whose instance was deleted while this compute
        was away. A guest nimbus has no record of (another deployment's,
        or this host was renamed) or that another host's instance owns is
        left alone: destroying it could destroy a user's server."""
        try:
            instance = instance_obj.Instance.get_by_uuid(
                ctx, uuid, read_deleted=True)
        except exception.InstanceNotFound:
            LOG.warning("Guest %s has no instance record: left alone", uuid)
            return
        if not instance.deleted and \
                instance.system_metadata.get("evacuated_from") == \
                self.compute.host and instance.host != self.compute.host:
            LOG.warning("Destroying guest %(uuid)s: its server was "
                        "evacuated to %(host)s while this host was down",
                        {"uuid": uuid, "host": instance.host})
            self.driver.destroy(ctx, uuid)
            return
        if not instance.deleted:
            LOG.warning("Guest %(uuid)s belongs to an instance of host "
                        "%(host)s: left alone",
                        {"uuid": uuid, "host": instance.host})
            return
        LOG.warning("Destroying guest %s: its instance was deleted", uuid)
        self.driver.destroy(ctx, uuid)

    def _reconcile_one(self, ctx, instance,
                       why="build interrupted by a restart of the compute "
                           "service"):
        if instance.task_state == task_states.DELETING:
            # Finish the delete as terminate_instance does: guest, ports,
            # volumes, then the record (which releases its claims in the
            # same write).
            self.driver.destroy(ctx, instance.uuid)
            self.compute.release_network(ctx, instance)
            self.compute.release_volumes(ctx, instance)
            instance.destroy()
            return
        if instance.task_state in task_states.BUILD_STATES:
            self.driver.destroy(ctx, instance.uuid)
            err = exception.HypervisorError(reason=why)
            self.compute.fail_build(ctx, instance, err,
                                     expected=(instance.task_state,))
            return
        if instance.task_state == task_states.MIGRATING and \
                self.compute.recover_live_migration(ctx, instance):
            return
        if instance.task_state in task_states.MOVE_STATES:
            # Conductor drives moves and settles interrupted ones.
            return
        if instance.task_state is not None:
            # The action's RPC died with the old process: forget it.
            self._clear_task(instance)
        self.sync_one(instance)

    # -- work lost while running -------------------------------------------

    def settle_orphans(self, instances=None):
        """Settle task states of this host that no thread here works on
        and that are older than ``[conductor] task_state_timeout``, as a
        restart would: a build whose conductor reply was lost, an action
        whose cast never came. Scheduling is conductor's; moves are their
        workflows'. Returns how many it settled; never raises.

        :param instances: this host's instances, read by the caller (a
            compute fleet reads many hosts' at once); each candidate is
            read again under its lock.
        """
        timeout = self.compute.conf.conductor.task_state_timeout
        settled = 0
        try:
            candidates = [i for i in self._own(instances)
                          if _orphaned(i, timeout)
                          and i.uuid not in self.compute.in_flight]
        except Exception:
            LOG.exception("Looking for orphaned task states failed")
            return 0
        ctx = self._ctx()
        for candidate in candidates:
            try:
                with self.compute.lock(candidate.uuid):
                    # Under the lock, from the database: whatever won
                    # meanwhile is seen, and no action here is running.
                    instance = instance_obj.Instance.get_by_uuid(
                        ctx, candidate.uuid)
                    if instance.host != self.compute.host or \
                            not _orphaned(instance, timeout):
                        continue
                    LOG.warning("Instance %(uuid)s: task %(task)s has had "
                                "no owner for %(timeout)ss: settling it",
                                {"uuid": instance.uuid, "timeout": timeout,
                                 "task": instance.task_state})
                    self._reconcile_one(
                        ctx, instance,
                        why=f"build lost (task {instance.task_state} "
                            f"unanswered for {timeout}s)")
                    settled += 1
            except exception.InstanceNotFound:
                continue
            except Exception:
                LOG.exception("Settling %s failed", candidate.uuid)
        return settled

    def _clear_task(self, instance):
        previous = instance.task_state
        instance.task_state = None
        self.compute.save_quietly(instance, previous)

    # -- periodic and event-driven sync -------------------------------------

    def sync_all(self, instances=None):
        """:param instances: this host's instances, read by the caller
        (a compute fleet reads many hosts' at once)."""
        for instance in self._own(instances):
            try:
                with self.compute.lock(instance.uuid):
                    self.sync_one(instance)
            except Exception:
                LOG.exception("Power sync of %s failed", instance.uuid)

    def sync_one(self, instance):
        """Make ``instance`` agree with its guest; returns nothing."""
        if instance.task_state is not None or \
                instance.vm_state not in _SYNCED_VM_STATES + (
                    vm_states.ERROR,):
            return
        try:
            observed = self.driver.get_info(instance.uuid).power_state
        except exception.HypervisorInstanceNotFound:
            observed = power_state.NOSTATE
        if observed == instance.power_state and \
                _OBSERVED.get(observed) in (instance.vm_state, None):
            return
        self._apply(instance, observed)

    def _apply(self, instance, observed):
        changes = {"power_state": observed}
        if observed == power_state.NOSTATE:
            if instance.vm_state != vm_states.ERROR:
                if not self._still_idle_here(instance):
                    return
                changes["vm_state"] = vm_states.ERROR
                # The fault first, so whoever sees the ERROR finds its
                # reason (the API shows faults of ERROR instances only).
                instance_action.InstanceFault.record(
                    self._ctx(), instance.uuid, 500,
                    "The guest disappeared from the hypervisor.",
                    host=self.compute.host)
        elif instance.vm_state in _SYNCED_VM_STATES:
            changes["vm_state"] = _OBSERVED[observed]
        LOG.info("Syncing %(uuid)s to the hypervisor: %(changes)s",
                 {"uuid": instance.uuid, "changes": changes})
        for name, value in changes.items():
            setattr(instance, name, value)
        # If an action started meanwhile, it owns the state: write nothing.
        self.compute.save_quietly(instance, None)

    def _still_idle_here(self, instance):
        """Whether the record of ``instance`` (read by the caller, maybe
        seconds ago for a whole host) is still this host's, in the same
        state and with no task: a guest missing because a delete or a
        move took it meanwhile is not a fault (a change seen here waits
        for the next sync). A delete starting after this read is still
        refused by the guarded save."""
        try:
            current = instance_obj.Instance.get_by_uuid(self._ctx(),
                                                        instance.uuid)
        except exception.InstanceNotFound:
            return False
        return current.task_state is None and \
            current.host == self.compute.host and \
            current.vm_state == instance.vm_state

    def handle_event(self, event):
        """Plugin callback: queue the event (never block the plugin)."""
        if self.shared_events is not None:
            self.shared_events.put((self, event))
        else:
            self._events.put(event)

    def _start_event_thread(self):
        if self._thread is None and self.shared_events is None:
            self._thread = threading.Thread(
                target=self._drain_events, daemon=True,
                name=f"lifecycle-{self.compute.host}")
            self._thread.start()

    def _drain_events(self):
        while not self._stopped.is_set():
            try:
                event = self._events.get(timeout=0.5)
            except queue.Empty:
                continue
            self.handle_one(event)

    def handle_one(self, event):
        """Sync the instance of one lifecycle event; never raises."""
        try:
            with self.compute.lock(event.uuid):
                instance = instance_obj.Instance.get_by_uuid(
                    self._ctx(), event.uuid)
                if instance.host == self.compute.host:
                    self.sync_one(instance)
        except exception.InstanceNotFound:
            pass
        except Exception:
            LOG.exception("Handling lifecycle event %s failed", event)

    def stop(self):
        self._stopped.set()


#: task states a compute leaves to others when it finds them unowned.
_NOT_OURS = (task_states.SCHEDULING,) + task_states.SELF_RECOVERING_STATES


def _orphaned(instance, timeout):
    """Whether ``instance`` has had a compute-owned task state unchanged
    for longer than ``timeout`` seconds."""
    changed = instance.updated_at or instance.created_at
    return (instance.task_state is not None
            and instance.task_state not in _NOT_OURS
            and changed is not None
            and timeutils.is_older_than(changed, timeout))
