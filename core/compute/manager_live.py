"""The compute side of live migration (compute RPC 1.6).

Conductor runs the checks and the destination's preparation through the
calls here, then casts :meth:`LiveMigrationManagerMixin.live_migration`
to the source, which moves the guest with the hypervisor plugin and
ends the move with the destination: on success the destination adopts
the guest, the source removes its leftovers, the instance names the
destination and the source's claim (held by the migration) is released;
on failure or abort the destination removes what it prepared, the
target's claim is released and the source's goes back to the instance.
Each ending is one guarded status change of the migration record
(``running`` -> ``completed``/``error``/``cancelled``) carrying its claim
changes, so it happens exactly once even when a restarted compute
settles the same move (:meth:`LiveMigrationManagerMixin.
recover_live_migration`).
"""

import time

import oslo_messaging as messaging
from oslo_log import log as logging

from nimbus.core import exception, fault_injection
from nimbus.core.compute import guest_spec, task_states, vm_states
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state
from nimbus.core.objects import instance_action
from nimbus.core.objects import migration as migration_obj

LOG = logging.getLogger(__name__)

#: seconds between progress writes to the migration record.
PROGRESS_INTERVAL = 1.0
#: seconds a restarted compute waits for a migration its hypervisor
#: still runs before settling it.
RECOVERY_WAIT = 600


class LiveMigrationManagerMixin:
    """Live-migration RPC methods of the compute manager."""

    @property
    def compute_rpc(self):
        if getattr(self, "_compute_rpc", None) is None:
            from nimbus.core.compute import rpcapi as compute_rpcapi
            self._compute_rpc = compute_rpcapi.ComputeAPI()
        return self._compute_rpc

    def _spec(self, context, instance):
        return guest_spec.build(context, instance, self.images)

    # -- checks and preparation (calls from conductor) -----------------------

    @messaging.expected_exceptions(exception.NimbusException)
    def check_can_live_migrate_destination(self, context, instance,
                                           block_migration):
        data = self.driver.check_can_live_migrate_destination(
            context, self._spec(context, instance), block_migration)
        return hv.LiveMigrateData.from_dict(data).to_dict()

    @messaging.expected_exceptions(exception.NimbusException)
    def check_can_live_migrate_source(self, context, instance, data):
        return hv.LiveMigrateData.from_dict(
            self.driver.check_can_live_migrate_source(
                context, instance.uuid, data)).to_dict()

    def cleanup_live_migration_destination_check(self, context, data):
        try:
            self.driver.cleanup_live_migration_destination_check(context,
                                                                 data)
        except Exception:
            LOG.exception("Removing the live-migration check's marker "
                          "failed")

    @messaging.expected_exceptions(exception.NimbusException)
    def pre_live_migration(self, context, instance, data):
        with self.lock(instance.uuid):
            return hv.LiveMigrateData.from_dict(
                self.driver.pre_live_migration(
                    context, self._spec(context, instance), data)).to_dict()

    @messaging.expected_exceptions(exception.NimbusException)
    def post_live_migration_at_destination(self, context, instance, data):
        with self.lock(instance.uuid):
            self.driver.post_live_migration_at_destination(
                context, self._spec(context, instance), data)

    @messaging.expected_exceptions(exception.NimbusException)
    def rollback_live_migration_at_destination(self, context, instance,
                                               data):
        with self.lock(instance.uuid):
            self.driver.rollback_live_migration_at_destination(
                context, instance.uuid, data)

    # -- the migration (cast to the source) ----------------------------------

    def live_migration(self, context, instance, migration, data):
        """Move the guest, then end the move (see the module doc)."""
        last = [0.0]

        def progress(sample):
            fault_injection.pause_point(self.conf, "live.running", instance.uuid)
            now = time.monotonic()
            if now - last[0] < PROGRESS_INTERVAL:
                return
            last[0] = now
            for name, value in vars(sample).items():
                setattr(migration, name, value)
            try:
                migration.save()
            except Exception:
                LOG.debug("Progress of %s not recorded", migration.uuid,
                          exc_info=True)
        try:
            self.driver.live_migration(context, instance.uuid, data,
                                       progress)
        except Exception as err:
            LOG.warning("Live migration of %(uuid)s failed: %(err)s",
                        {"uuid": instance.uuid, "err": err})
            self._live_rollback(context, instance, migration, data, err)
            return
        self._live_finish(context, instance, migration, data)

    def _live_finish(self, context, instance, migration, data):
        dest = migration.dest_compute
        try:
            self.compute_rpc.post_live_migration_at_destination(
                context, instance, dest, data)
        except Exception:
            LOG.exception("%(dest)s could not adopt %(uuid)s",
                          {"dest": dest, "uuid": instance.uuid})
        try:
            self.driver.post_live_migration(context, instance.uuid, data)
        except Exception:
            LOG.exception("Cleaning up after %s left failed", instance.uuid)
        instance.host = dest
        instance.node = migration.dest_node
        instance.task_state = None
        instance.vm_state = vm_states.ACTIVE
        instance.power_state = power_state.RUNNING
        try:
            instance.save(expected_task_state=(task_states.MIGRATING,))
        except exception.InstanceNotFound:
            LOG.info("%s was deleted while migrating", instance.uuid)
        except exception.UnexpectedTaskStateError:
            # Being deleted: placing it on its new host lets the delete
            # reach the guest.
            instance.save()
        migration.status = "completed"
        for name in ("memory_remaining", "disk_remaining"):
            setattr(migration, name, 0)
        try:
            migration.save(expected_status=("running",),
                           release=migration.uuid)
        except exception.UnexpectedMigrationStatus:
            LOG.warning("Migration %s was settled already", migration.uuid)
        LOG.info("Live migration of %(uuid)s to %(dest)s completed",
                 {"uuid": instance.uuid, "dest": dest})

    def _live_rollback(self, context, instance, migration, data, err):
        aborted = isinstance(err, exception.LiveMigrationAborted)
        try:
            self.compute_rpc.rollback_live_migration_at_destination(
                context, instance, migration.dest_compute, data)
        except Exception:
            LOG.exception("%(dest)s could not roll back %(uuid)s",
                          {"dest": migration.dest_compute,
                           "uuid": instance.uuid})
        migration.status = "cancelled" if aborted else "error"
        try:
            migration.save(expected_status=("running",),
                           release=instance.uuid,
                           move=(migration.uuid, instance.uuid))
        except exception.UnexpectedMigrationStatus:
            LOG.warning("Migration %s was settled already", migration.uuid)
            return
        if not aborted:
            instance_action.InstanceFault.record(
                context, instance.uuid, getattr(err, "code", 500),
                str(err), host=self.host)
        instance.task_state = None
        instance.vm_state = vm_states.ACTIVE
        # still in its source's zone: not the one conductor sent for the
        # destination
        instance.obj_reset_changes(["availability_zone"])
        self.save_quietly(instance, task_states.MIGRATING)

    def live_migration_abort(self, context, instance, migration_id):
        try:
            self.driver.live_migration_abort(instance.uuid)
        except Exception as err:
            LOG.warning("Aborting migration %(mid)s of %(uuid)s failed: "
                        "%(err)s", {"mid": migration_id,
                                    "uuid": instance.uuid, "err": err})

    def live_migration_force_complete(self, context, instance):
        try:
            self.driver.live_migration_force_complete(instance.uuid)
        except Exception as err:
            LOG.warning("Forcing the migration of %(uuid)s failed: %(err)s",
                        {"uuid": instance.uuid, "err": err})

    # -- restart ---------------------------------------------------------------

    def recover_live_migration(self, context, instance):
        """Settle a live migration this host was the source of when it
        stopped: completed when the guest left, rolled back when it is
        still here. Migrations conductor had not handed over yet
        (``accepted``, ``preparing``) are conductor's to settle.

        :returns: whether the instance is taken care of.
        """
        found = [m for m in
                 migration_obj.MigrationList.get_in_progress_by_instance(
                     context, instance.uuid, "live-migration")]
        if not found:
            return False
        migration = found[0]
        if migration.status != "running":
            return True
        deadline = time.monotonic() + RECOVERY_WAIT
        while self.driver.live_migration_in_progress(instance.uuid) and \
                time.monotonic() < deadline:
            time.sleep(0.5)
        data = None
        if self.driver.instance_exists(instance.uuid):
            LOG.warning("Rolling back the live migration of %s (the "
                        "compute restarted during it)", instance.uuid)
            self._live_rollback(context, instance, migration, data,
                                exception.LiveMigrationError(
                                    instance_uuid=instance.uuid,
                                    reason="interrupted by a restart of "
                                           f"the compute on {self.host}"))
        else:
            LOG.warning("Completing the live migration of %s (the guest "
                        "left before the compute restarted)", instance.uuid)
            self._live_finish(context, instance, migration, data)
        return True
