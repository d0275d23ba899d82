"""The end of a resize or cold migration: confirm (keep the move) and
revert (undo it), each a conductor task on a ``finished`` migration.

Confirm: ``confirming`` -> the source compute drops the set-aside guest
(confirm_migration) -> the source's claim released, ``confirmed``, the
instance active (or stopped). A failed confirm leaves the move
``finished`` (resized, a fault recorded) to be confirmed again.

Revert: ``reverting`` / task ``resize_reverting`` -> the destination
compute removes the moved guest -> the source compute brings the
set-aside guest back with the old flavor -> the target's claim released,
the source's back with the instance, ``reverted``, the instance on the
source with its old flavor. A failed revert ends in ERROR with a fault,
the instance recorded on its source with its old flavor and claims.
"""

from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.compute import task_states, vm_states
from nimbus.core.conductor.workflows import base, resize
from nimbus.core.interfaces import power_state
from nimbus.core.objects import instance_action

LOG = logging.getLogger(__name__)


class ConfirmResizeTask(base.MoveTask):
    """Keep a finished move (migration ``confirming``)."""

    event = "compute_confirm_resize"

    def __init__(self, manager, context, instance, migration):
        super().__init__(manager, context, instance, migration)
        self.migration_type = migration.migration_type
        self.source_held = True

    def _execute(self):
        self.manager.compute.confirm_resize(self.context, self.instance,
                                            self.migration)
        self.release_source("confirmed", "confirming")
        self.instance.vm_state = resize.vm_state_for(
            self.instance.power_state)
        try:
            self.instance.save(expected_task_state=(None,),
                               expected_vm_state=(vm_states.RESIZED,))
        except (exception.InstanceNotFound, exception.Conflict):
            # Deleted (or being deleted): the move is confirmed anyway.
            LOG.info("Instance %s left resized state during the confirm",
                     self.instance.uuid)

    def rollback(self, err):
        instance_action.InstanceFault.record(
            self.context, self.instance.uuid, getattr(err, "code", 500),
            f"Confirming the resize failed: {err}", host=self.conf.host)
        try:
            self.set_status("finished", "confirming")
        except exception.UnexpectedMigrationStatus:
            LOG.warning("Migration %s changed during the rollback",
                        self.migration.uuid)


class RevertResizeTask(base.MoveTask):
    """Undo a finished move (migration ``reverting``, task
    ``resize_reverting``)."""

    event = "compute_revert_resize"

    def __init__(self, manager, context, instance, migration):
        super().__init__(manager, context, instance, migration)
        self.migration_type = migration.migration_type
        self.source_held = self.target_claimed = True
        self.power_on = instance.power_state != power_state.SHUTDOWN

    def _execute(self):
        compute = self.manager.compute
        old = self.migration.flavor("old")
        compute.revert_resize(self.context, self.instance, self.migration)
        compute.finish_revert_resize(self.context, self.instance,
                                     self.migration, old, self.power_on)
        self.restore_source("reverted", "reverting")
        power = power_state.RUNNING if self.power_on \
            else power_state.SHUTDOWN
        self.place_on(self.migration.source_compute)
        self.set_task_state(
            None, task_states.RESIZE_REVERTING,
            host=self.migration.source_compute,
            node=self.migration.source_node,
            vm_state=resize.vm_state_for(power), power_state=power,
            **resize.flavor_values(old))

    def give_back_instance(self, err, undone):
        """A failed revert: ERROR on the source with the old flavor (where
        its claim now is)."""
        old = self.migration.flavor("old")
        for name, value in resize.flavor_values(old).items():
            setattr(self.instance, name, value)
        self.instance.host = self.migration.source_compute
        self.instance.node = self.migration.source_node
        self.place_on(self.migration.source_compute)
        instance_action.InstanceFault.record(
            self.context, self.instance.uuid, getattr(err, "code", 500),
            str(err), host=self.conf.host)
        self.instance.vm_state = vm_states.ERROR
        self.instance.task_state = None
        try:
            self.instance.save()
        except exception.InstanceNotFound:
            pass
