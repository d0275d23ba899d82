"""Compute API: live migration and its control (``os-migrateLive``,
``servers/{id}/migrations/{id}`` abort and force-complete)."""

from nimbus.core import exception, servicegroup
from nimbus.core.compute import task_states, vm_states

#: a running guest (or a paused one) can move.
_LIVE_FROM = (vm_states.ACTIVE, vm_states.PAUSED)


class LiveMigrationMixin:
    """Live-migration operations (mixed into ComputeAPI)."""

    def live_migrate(self, context, uuid, block_migration=None, host=None,
                     checks_in_conductor=False):
        """Start moving the running server to ``host`` (None: the
        scheduler picks) and return at once (conductor does the rest).

        :param block_migration: True, False or None ("auto": copy the
            disks when the hosts share no storage).
        :param checks_in_conductor: leave whether ``host`` is up and not
            the server's own to conductor (its claim on ``host`` fails:
            the migration ``error``, the action's event failed), as Nova
            does from 2.34; only an unknown ``host`` is refused here.
        :raises InvalidInput: ``host`` is no compute host, is down, or
            is the server's own (the last two not with
            ``checks_in_conductor``).
        :raises InstanceInvalidState: the server is not active (or
            paused) with no task.
        :raises ActionNotSupportedByHost: the host's plugin cannot.
        """
        instance = self.get(context, uuid)
        if host is not None:
            self._check_live_target(context, instance, host,
                                    exists_only=checks_in_conductor)
        if block_migration:
            self._check_capable(context, instance, "live-migration",
                                "block_migration")
        instance = self._begin(context, uuid, "live-migration", _LIVE_FROM,
                               task_states.MIGRATING,
                               operation="live_migration")
        self.conductor_rpc.live_migrate_instance(context, instance, host,
                                                 block_migration)

    def _check_live_target(self, context, instance, host,
                           exists_only=False):
        try:
            service = self.db.services.get_by_host_and_binary(
                context, host, "nimbus-compute")
        except exception.ServiceNotFound:
            raise exception.InvalidInput(
                reason=f"Compute host {host} could not be found.")
        if exists_only:
            return
        if host == instance.host:
            raise exception.InvalidInput(
                reason=f"Unable to migrate instance ({instance.uuid}) to "
                       f"current host ({host}).")
        if not servicegroup.is_up(self.conf, service):
            raise exception.InvalidInput(
                reason=f"Compute service of {host} is unavailable at "
                       "this time.")

    def _running_live_migration(self, context, uuid, migration_id):
        return self._live_migration_in(context, uuid, migration_id,
                                       ("running",))

    def _live_migration_in(self, context, uuid, migration_id, statuses):
        """The server and its live migration, which must be in one of
        ``statuses`` while the server is ``migrating``."""
        instance = self.get(context, uuid)
        migration = self.server_migration(context, uuid, migration_id)
        if migration.migration_type != "live-migration" or \
                migration.status not in statuses:
            raise exception.LiveMigrationNotRunning(
                migration_id=migration_id, instance_uuid=uuid,
                status=migration.status)
        if instance.task_state != task_states.MIGRATING:
            raise exception.InstanceInvalidState(
                action="force_complete", instance_uuid=uuid,
                attr="task_state", state=instance.task_state)
        return instance, migration

    def live_migration_abort(self, context, uuid, migration_id,
                             before_running=False):
        """Abort the server's live migration; it ends ``cancelled`` and
        the server stays where it was.

        A ``running`` one is the source compute's to stop. With
        ``before_running`` (Compute API 2.65) one still ``preparing``
        (or ``queued``) may be aborted too: its record moves to
        ``cancelling`` (guarded, so it cannot cross the hand-over to
        the source), and conductor's workflow, whose next step then
        fails, undoes the preparation and ends it ``cancelled``.

        :raises MigrationNotFound: no such migration of the server.
        :raises LiveMigrationNotRunning: it is not a live migration in
            a status that can be aborted.
        """
        allowed = ("queued", "preparing", "running") if before_running \
            else ("running",)
        instance, migration = self._live_migration_in(
            context, uuid, migration_id, allowed)
        if migration.status != "running":
            self.db.actions.action_start(context, uuid,
                                         "live_migration_cancel")
            migration.status = "cancelling"
            try:
                migration.save(expected_status=("queued", "preparing"))
                return
            except exception.UnexpectedMigrationStatus:
                # Handed over to the source meanwhile: abort it there.
                instance, migration = self._live_migration_in(
                    context, uuid, migration_id, ("running",))
                self._check_capable(context, instance,
                                    "live_migration_abort",
                                    "live_migration_abort")
        else:
            self._check_capable(context, instance, "live_migration_abort",
                                "live_migration_abort")
            self.db.actions.action_start(context, uuid,
                                         "live_migration_cancel")
        self.compute_rpc.live_migration_abort(context, instance,
                                              migration.id)

    def live_migration_force_complete(self, context, uuid, migration_id):
        """Ask the source to finish the running live migration now (the
        guest pauses for the last copy and runs on at the destination).
        """
        instance, _migration = self._running_live_migration(
            context, uuid, migration_id)
        self._check_capable(context, instance,
                            "live_migration_force_complete",
                            "live_migration_force_complete")
        self.db.actions.action_start(context, uuid,
                                     "live_migration_force_complete")
        self.compute_rpc.live_migration_force_complete(context, instance)

