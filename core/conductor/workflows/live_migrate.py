"""Conductor's live-migration workflow.

States of the migration record (``migration_type`` ``live-migration``):

``accepted``
    created; the instance's claim on the source passed to the migration
    in the same transaction.
``preparing``
    a target is claimed for the instance (the scheduler, on the asked
    host when one is given); both hosts' checks and the destination's
    preparation run.
``running``
    handed to the source compute (a cast), which reports progress into
    the record and ends it: ``completed`` (the source's claim released),
    ``error`` or ``cancelled`` (the target's released, the source's
    given back to the instance); see
    :mod:`nimbus.core.compute.manager_live`.

A failure before the hand-over rolls back here (the destination's
preparation removed, the target's claim released, the source's given
back, the migration ``error``, the instance ACTIVE with a fault).

``cancelling``
    an abort asked while ``preparing`` (Compute API 2.65): the API moves
    the record there, so the workflow's next guarded step fails; the
    workflow then undoes the same as for a failure, but ends the
    migration ``cancelled`` and the instance ACTIVE with no fault.

A conductor that died before the hand-over leaves ``accepted``,
``preparing`` or ``cancelling`` records; :func:`recover` settles them the
same way when conductor starts again.
"""

from oslo_log import log as logging

from nimbus.core import exception, fault_injection
from nimbus.core.compute import vm_states, zones
from nimbus.core.conductor.workflows import base
from nimbus.core.objects import instance as instance_obj
from nimbus.core.objects import migration as migration_obj

LOG = logging.getLogger(__name__)

#: destinations tried when the scheduler picks (a failed pre-check moves
#: on to the next best host).
MAX_ATTEMPTS = 3


class LiveMigrationTask(base.MoveTask):
    """Live-migrate one instance (see the module doc).

    :param host: the destination asked for, or None for the scheduler's
        choice.
    :param block_migration: True, False or None ("auto").
    """

    event = "conductor_live_migrate_instance"
    migration_type = "live-migration"

    def __init__(self, manager, context, instance, host=None,
                 block_migration=None, migration=None):
        super().__init__(manager, context, instance, migration)
        self.host = host
        self.block_migration = block_migration
        self.dest = None
        self.data = None

    @property
    def compute(self):
        return self.manager.compute

    def _execute(self):
        instance = self.instance
        flavor = _flavor(instance)
        if self.migration is None:
            self.create_migration(flavor, flavor, "accepted",
                                  dest_compute=self.host)
        tried = [instance.host]
        for _attempt in range(1 if self.host else MAX_ATTEMPTS):
            spec = self.request_spec(
                flavor, ignore_hosts=tried,
                requested_hosts=[self.host] if self.host else ())
            selection = self.claim_target(spec)
            self.dest = selection["host"]
            self.set_status("preparing", ("accepted", "preparing"),
                            dest_compute=self.dest,
                            dest_node=selection.get("nodename"))
            try:
                self.data = self._check()
                break
            except exception.LiveMigrationPreCheckError as err:
                if self.host:
                    raise
                LOG.info("%(dest)s refused %(uuid)s: %(err)s",
                         {"dest": self.dest, "uuid": instance.uuid,
                          "err": err})
                tried.append(self.dest)
                self.manager.db.compute_nodes.release(self.context,
                                                      instance.uuid)
                self.target_claimed = False
                self.dest = None
        if self.data is None:
            raise exception.NoValidHost(
                reason="no host passed the live-migration checks "
                       f"(tried {', '.join(tried[1:])})")
        self.data = self.compute.pre_live_migration(
            self.context, instance, self.dest, self.data)
        fault_injection.pause_point(self.conf, "live.prepared", instance.uuid)
        self.set_status("running", ("preparing",))
        # The source compute saves the destination's zone with the host
        # once the guest has moved (Nova's way: conductor has the
        # aggregates, the compute no database); a rollback leaves it.
        moving = instance.obj_clone()
        zones.place(moving, self.manager.host_zone(self.context,
                                                   self.dest))
        self.compute.live_migration(self.context, moving, self.migration,
                                    self.data)

    def _check(self):
        """Both hosts' checks; returns the LiveMigrateData ``dict``."""
        data = self.compute.check_can_live_migrate_destination(
            self.context, self.instance, self.dest, self.block_migration)
        try:
            return self.compute.check_can_live_migrate_source(
                self.context, self.instance, data)
        finally:
            self.compute.cleanup_live_migration_destination_check(
                self.context, self.dest, data)

    def rollback_hosts(self, err):
        if self.dest is not None:
            self.compute.rollback_live_migration_at_destination(
                self.context, self.instance, self.dest, self.data)

    def rollback(self, err):
        if isinstance(err, exception.UnexpectedMigrationStatus) and \
                self._abort_asked():
            self.cancel()
        else:
            super().rollback(err)

    def _abort_asked(self):
        fresh = migration_obj.Migration.get_by_uuid(self.context,
                                                    self.migration.uuid)
        self.migration = fresh
        return fresh.status == "cancelling"

    def cancel(self):
        """End a run whose abort was asked (``cancelling``): the
        destination's preparation removed, the target's claim released
        and the source's given back, the migration ``cancelled``, the
        instance as it was, with no fault (the user asked for it)."""
        LOG.info("Live migration %(mig)s of %(uuid)s aborted before it "
                 "ran", {"mig": self.migration.uuid,
                         "uuid": self.instance.uuid})
        try:
            self.rollback_hosts(None)
        except Exception as err:
            LOG.exception("Undoing %s on the hosts failed",
                          self.instance.uuid)
            self.restore_source("error", ("cancelling",))
            self.give_back_instance(err, undone=False)
            return
        self.restore_source("cancelled", ("cancelling",))
        self.instance.refresh()
        self.instance.task_state = None
        self.instance.vm_state = self.original_vm_state
        try:
            self.instance.save()
        except exception.InstanceNotFound:
            pass


def _flavor(instance):
    return {"id": None, "flavorid": instance.flavor_id,
            "name": instance.flavor_name, "vcpus": instance.vcpus,
            "memory_mb": instance.memory_mb, "root_gb": instance.root_gb,
            "ephemeral_gb": instance.ephemeral_gb, "swap": instance.swap,
            "extra_specs": dict(instance.extra_specs)}


def recover(manager, context):
    """Settle the live migrations a dead conductor left before handing
    them to a compute (``accepted``/``preparing``/``cancelling``): roll
    each back as a failed (or, ``cancelling``, an aborted) run would.
    Returns how many were settled."""
    settled = 0
    for status in ("accepted", "preparing", "cancelling"):
        for migration in migration_obj.MigrationList.get_by_filters(
                context, {"status": status,
                          "migration_type": "live-migration"}):
            try:
                instance = instance_obj.Instance.get_by_uuid(
                    context, migration.instance_uuid)
            except exception.InstanceNotFound:
                instance = None
            if instance is None:
                _close(manager, context, migration)
                continue
            task = LiveMigrationTask(
                manager, base.interrupted_context(manager.db, context,
                                                  instance.uuid),
                instance, migration=migration)
            task.source_held = True
            task.target_claimed = True
            task.original_vm_state = vm_states.ACTIVE
            task.dest = migration.dest_compute \
                if status != "accepted" else None
            err = exception.LiveMigrationError(
                instance_uuid=instance.uuid,
                reason="interrupted by a restart of conductor")
            try:
                if status == "cancelling":
                    task.cancel()
                else:
                    task.rollback(err)
            except Exception:
                LOG.exception("Settling migration %s failed",
                              migration.uuid)
                continue
            task.record_event(migration.created_at.isoformat(), "Error",
                              details=exception.message_of(err))
            settled += 1
    return settled


def _close(manager, context, migration):
    """A deleted instance's migration: close it, releasing its claims."""
    expected = migration.status
    migration.status = "error"
    try:
        migration.save(expected_status=(expected,), release=migration.uuid)
    except exception.UnexpectedMigrationStatus:
        pass
    manager.db.compute_nodes.release(context, migration.instance_uuid)
