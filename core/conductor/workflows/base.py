"""The base of conductor's move workflows (resize, migrate, live
migration, evacuate, ...): a small state machine around a migration
record.

A task runs its steps in :meth:`MoveTask._execute` and owns:

* the **migration record**: created by :meth:`MoveTask.create_migration`,
  advanced by :meth:`MoveTask.set_status`, every change guarded by the
  status the step expects (``UPDATE ... WHERE status IN (...)``);
* the **claims**: :meth:`MoveTask.create_migration` (or
  :meth:`MoveTask.hold_source_claim`) hands the instance's allocation on
  the source to the migration, :meth:`MoveTask.claim_target` has the
  scheduler claim the target for the instance;
  :meth:`MoveTask.release_source` (the move is kept) or
  :meth:`MoveTask.restore_source` (the move is undone) ends the pair.
  Each hand-over runs in the transaction of a guarded status change, so
  it happens exactly once;
* the **instance**: task-state changes guarded by the state the step
  expects (:meth:`MoveTask.set_task_state`);
* the **instance action event** (``self.event``), recorded from the
  start of :meth:`MoveTask.execute` to its end, "Success" or "Error";
* the **rollback**: a step that raises ends in :meth:`MoveTask.rollback`,
  which undoes the hypervisor side (:meth:`MoveTask.rollback_hosts`),
  restores the source claim, marks the migration ``error`` and gives the
  instance back its state, or ERROR with a fault when the hypervisor side
  could not be undone.
"""

import copy

from oslo_log import log as logging
from oslo_utils import timeutils, uuidutils

from nimbus.core import exception
from nimbus.core.compute import vm_states, zones
from nimbus.core.interfaces import request_spec as rs
from nimbus.core.objects import instance_action
from nimbus.core.objects import migration as migration_obj

LOG = logging.getLogger(__name__)


class MoveTask:
    """One run of a move workflow on one instance.

    :param manager: the conductor's task manager: ``conf``, ``db``,
        ``scheduler`` (SchedulerAPI) and ``compute`` (compute ComputeAPI).
    :param context: the request context (its request id names the
        instance action the event is recorded under).
    :param instance: the :class:`~nimbus.core.objects.instance.Instance`.
    """

    #: the instance action event of the task (Nova's names).
    event = None
    #: the ``migration_type`` of the records it creates.
    migration_type = None

    def __init__(self, manager, context, instance, migration=None):
        self.manager = manager
        self.conf = manager.conf
        self.context = context
        self.instance = instance
        self.migration = migration
        #: the vm_state to give back on a rollback.
        self.original_vm_state = instance.vm_state
        self.target_claimed = False
        self.source_held = False

    # -- the run ------------------------------------------------------------

    def execute(self):
        """Run the task; on failure roll back (see :meth:`rollback`).

        Never raises: it runs from casts, with no one to raise to.

        :returns: whether the task succeeded.
        """
        started = timeutils.utcnow().isoformat()
        try:
            self._execute()
        except Exception as err:
            if isinstance(err, (exception.NoValidHost,
                                exception.UnexpectedTaskStateError,
                                exception.UnexpectedMigrationStatus)):
                LOG.warning("%(task)s of %(uuid)s failed: %(err)s",
                            {"task": type(self).__name__,
                             "uuid": self.instance.uuid, "err": err})
            else:
                LOG.exception("%(task)s of %(uuid)s failed",
                              {"task": type(self).__name__,
                               "uuid": self.instance.uuid})
            try:
                self.rollback(err)
            except Exception:
                LOG.exception("Rolling back %s failed", self.instance.uuid)
            self.record_event(started, "Error",
                              details=exception.message_of(err))
            return False
        self.record_event(started, "Success")
        return True

    def _execute(self):
        """The task's steps; raise to roll back."""
        raise NotImplementedError

    def record_event(self, started, result, details=None):
        """Record the task's event under the request's action (``details``:
        why it failed); never raises."""
        if not self.event:
            return
        try:
            instance_action.InstanceActionEvent.record(
                self.context, self.instance.uuid, self.event, started,
                result, host=self.conf.host, details=details)
        except Exception:
            LOG.exception("Could not record %(event)s of %(uuid)s",
                          {"event": self.event, "uuid": self.instance.uuid})

    # -- the migration record -----------------------------------------------

    def create_migration(self, old_flavor, new_flavor, status,
                         hold_source=True, **values):
        """Create the task's migration record from the instance's
        placement; with ``hold_source`` the instance's allocation (on
        the source) passes to the migration in the same transaction, so
        every record of a move in progress holds the source's claim and
        the instance at most the target's.

        :param old_flavor: the flavor the instance has (Flavor object or
            flavor ``dict``).
        :param new_flavor: the flavor it moves to (the same for a move
            without resize).
        :param values: more fields (``dest_compute``, ``hidden``, ...).
        """
        migration = migration_obj.Migration(
            self.context, uuid=uuidutils.generate_uuid(),
            instance_uuid=self.instance.uuid,
            source_compute=self.instance.host,
            source_node=self.instance.node,
            old_instance_type_id=_flavor_pk(old_flavor),
            new_instance_type_id=_flavor_pk(new_flavor),
            old_flavor=migration_obj.Migration.flavor_values(old_flavor),
            new_flavor=migration_obj.Migration.flavor_values(new_flavor),
            status=status, migration_type=self.migration_type,
            hidden=False, user_id=self.context.user_id,
            project_id=self.context.project_id, **values)
        migration.create(move=(self.instance.uuid, migration.uuid)
                         if hold_source else None)
        self.migration = migration
        self.source_held = hold_source
        return migration

    def set_status(self, status, expected, release=None, move=None,
                   **values):
        """Move the migration to ``status`` if it is in ``expected``;
        in the same transaction release and hand over claims (see
        :meth:`~nimbus.core.objects.migration.Migration.save`).

        :raises UnexpectedMigrationStatus: another step won.
        """
        self.migration.status = status
        for name, value in values.items():
            setattr(self.migration, name, value)
        self.migration.save(expected_status=expected, release=release,
                            move=move)

    # -- claims -------------------------------------------------------------

    def hold_source_claim(self, status, expected):
        """Hand the instance's allocation (on the source) to the
        migration, with the status change ``expected`` -> ``status``."""
        self.set_status(status, expected,
                        move=(self.instance.uuid, self.migration.uuid))
        self.source_held = True

    def claim_target(self, spec):
        """Have the scheduler pick and claim a target for the instance.

        :param spec: the :class:`~nimbus.core.interfaces.request_spec.
            RequestSpec` (flavor, hosts to avoid or to use).
        :returns: the selection ``dict`` (``host``, ``nodename``,
            ``compute_node_uuid``).
        :raises NoValidHost: nothing fits; nothing is claimed.
        """
        # Before the call: a scheduler that claimed but did not answer
        # in time leaves a claim the rollback must release.
        self.target_claimed = True
        return self.manager.scheduler.select_destinations(
            self.context, spec, [self.instance.uuid])[0][0]

    def release_source(self, status, expected, **values):
        """The move is kept: release the source's claim (held by the
        migration) with the status change ``expected`` -> ``status``."""
        self.set_status(status, expected, release=self.migration.uuid,
                        **values)
        self.source_held = False

    def restore_source(self, status, expected, **values):
        """The move is undone: release the target's claim (held by the
        instance) and give the source's back to the instance, with the
        status change ``expected`` -> ``status``."""
        self.set_status(
            status, expected,
            release=self.instance.uuid if self.target_claimed else None,
            move=(self.migration.uuid, self.instance.uuid)
            if self.source_held else None, **values)
        self.target_claimed = self.source_held = False

    # -- the instance -------------------------------------------------------

    def set_task_state(self, task_state, expected, **values):
        """Change the instance's task state (and ``values``) if it is in
        ``expected``.

        :raises UnexpectedTaskStateError: another action (or a delete)
            won.
        """
        self.instance.task_state = task_state
        for name, value in values.items():
            setattr(self.instance, name, value)
        self.instance.save(expected_task_state=expected)

    def place_on(self, host):
        """Put the instance (unsaved) in the zone of ``host``, which it is
        being placed on: the caller saves it with the host."""
        zones.place(self.instance,
                    self.manager.host_zone(self.context, host))

    def request_spec(self, flavor, ignore_hosts=(), requested_hosts=()):
        """The spec that places the instance with ``flavor`` (a flavor
        ``dict``) anywhere but ``ignore_hosts``, or only on
        ``requested_hosts`` when given."""
        instance = self.instance
        return rs.RequestSpec(
            project_id=instance.project_id, user_id=instance.user_id,
            num_instances=1,
            flavor={name: flavor[name] for name in rs.FLAVOR.names},
            image={"id": instance.image_ref, "properties": {}},
            # every move stays in the zone the server is pinned to
            availability_zone=zones.pinned(instance),
            tried_hosts=list(ignore_hosts),
            requested_hosts=list(requested_hosts))

    # -- rollback -----------------------------------------------------------

    def rollback(self, err):
        """Undo a failed run: the hypervisor side first
        (:meth:`rollback_hosts`), then the claims and the records.

        The instance gets back its original vm_state when the hypervisor
        side was undone, else ERROR with ``err`` as its fault.
        """
        undone = True
        try:
            self.rollback_hosts(err)
        except Exception:
            LOG.exception("Undoing %s on the hosts failed",
                          self.instance.uuid)
            undone = False
        if self.migration is not None and \
                self.migration.status in migration_obj.IN_PROGRESS:
            try:
                self.restore_source("error", self.migration.status)
            except exception.UnexpectedMigrationStatus:
                LOG.warning("Migration %s changed during the rollback",
                            self.migration.uuid)
        elif self.target_claimed:
            self.manager.db.compute_nodes.release(self.context,
                                                  self.instance.uuid)
        self.give_back_instance(err, undone)

    def rollback_hosts(self, err):
        """Undo the hypervisor side of a failed run (subclasses)."""

    def give_back_instance(self, err, undone):
        """End the instance's task after a failure: its original state
        (the fault recorded) or ERROR."""
        instance_action.InstanceFault.record(
            self.context, self.instance.uuid, getattr(err, "code", 500),
            str(err), details=getattr(err, "message", None),
            host=self.conf.host)
        self.instance.refresh()
        self.instance.task_state = None
        if not undone:
            self.instance.vm_state = vm_states.ERROR
        elif self.instance.vm_state not in (vm_states.ERROR,):
            self.instance.vm_state = self.original_vm_state
        try:
            self.instance.save()
        except exception.InstanceNotFound:
            pass


def interrupted_context(db, context, instance_uuid):
    """``context`` under the request id of the instance's newest action
    when that action never finished: the request whose run a stopped
    service left behind. A recovery settling the run records its events
    there, so the action ends (``Error`` or not) as the run would have
    ended it; an unfinished action is otherwise left open for good.
    ``context`` itself when the newest action is finished."""
    actions = db.actions.actions_for(context, instance_uuid)  # newest first
    if not actions or actions[0]["finish_time"] is not None:
        return context
    adopted = copy.copy(context)
    adopted.request_id = actions[0]["request_id"]
    return adopted


def _flavor_pk(flavor):
    value = flavor.get("id") if isinstance(flavor, dict) \
        else getattr(flavor, "id", None)
    return int(value) if value is not None else None
