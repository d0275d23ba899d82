"""Conductor's RPC methods for cold moves (``compute_task`` namespace,
conductor RPC 1.2) and its periodic look at moves: abandoned ones (a
conductor stopped in the middle) and finished ones past
``[compute] resize_confirm_window``.

:class:`MoveTaskMixin` is mixed into
:class:`nimbus.core.conductor.tasks.ComputeTaskManager`, which provides
``conf``, ``db``, ``scheduler`` and ``compute``.
"""

import datetime

from oslo_log import log as logging
from oslo_utils import timeutils

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.conductor.workflows import base, resize, resize_end
from nimbus.core.objects import instance as instance_obj
from nimbus.core.objects import migration as migration_obj

LOG = logging.getLogger(__name__)

#: statuses a cold move's own run passes through (a conductor runs it).
_RUNNING = ("pre-migrating", "migrating", "post-migrating")
_COLD = ("resize", "migration")


class MoveTaskMixin:
    """RPC methods and periodic work of cold moves."""

    def migrate_server(self, context, instance, flavor, host=None):
        """Resize ``instance`` to ``flavor`` (a flavor ``dict``) or, with
        its own flavor, migrate it; to ``host`` when given (the API
        checked the request and set task_state resize_prep)."""
        resize.ResizeTask(self, context, instance, flavor,
                          host=host).execute()

    def confirm_resize(self, context, instance, migration):
        """Keep a finished move (the API set the migration confirming)."""
        resize_end.ConfirmResizeTask(self, context, instance,
                                     migration).execute()

    def revert_resize(self, context, instance, migration):
        """Undo a finished move (the API set the migration reverting and
        the instance resize_reverting)."""
        resize_end.RevertResizeTask(self, context, instance,
                                    migration).execute()

    # -- periodic -----------------------------------------------------------

    def check_moves(self):
        """Settle abandoned cold moves and confirm finished ones whose
        confirm window passed. Never raises."""
        ctx = nimbus_context.get_admin_context()
        for method in (self._recover_abandoned, self._auto_confirm):
            try:
                method(ctx)
            except Exception:
                LOG.exception("Checking moves (%s) failed",
                              method.__name__)

    def _stale(self, ctx, statuses, seconds):
        before = timeutils.utcnow() - datetime.timedelta(seconds=seconds)
        for migration_type in _COLD:
            yield from migration_obj.MigrationList.get_by_filters(
                ctx, {"status": statuses, "migration_type": migration_type,
                      "updated_before": before})

    def _recover_abandoned(self, ctx):
        # A running conductor's step changes the record or times out
        # (and rolls back) within one move_step_timeout: twice that
        # unchanged, and no conductor is running the move any more.
        timeout = 2 * self.conf.conductor.move_step_timeout
        stale = list(self._stale(
            ctx, _RUNNING + ("confirming", "reverting"), timeout))
        for migration in stale:
            try:
                self._recover(ctx, migration)
            except Exception:
                LOG.exception("Recovering migration %s failed",
                              migration.uuid)

    def _recover(self, ctx, migration):
        try:
            instance = instance_obj.Instance.get_by_uuid(
                ctx, migration.instance_uuid)
        except exception.InstanceNotFound:
            # Deleted meanwhile (its claims went with it): end the record.
            self.db.migrations.update_migration(
                ctx, migration.uuid, {"status": "error"},
                expected_status=(migration.status,),
                release=migration.uuid)
            return
        # The events of the settling end the interrupted request's action.
        ctx = base.interrupted_context(self.db, ctx, instance.uuid)
        LOG.warning("Settling migration %(m)s of %(i)s, abandoned in "
                    "status %(s)s", {"m": migration.uuid,
                                     "i": instance.uuid,
                                     "s": migration.status})
        if migration.status == "confirming":
            resize_end.ConfirmResizeTask(self, ctx, instance,
                                         migration).execute()
        elif migration.status == "reverting":
            resize_end.RevertResizeTask(self, ctx, instance,
                                        migration).execute()
        else:
            resize.ResizeTask.recover(self, ctx, instance, migration)

    def _auto_confirm(self, ctx):
        window = self.conf.compute.resize_confirm_window
        if not window:
            return
        for migration in list(self._stale(ctx, ("finished",), window)):
            try:
                migration.status = "confirming"
                migration.save(expected_status="finished")
                instance = instance_obj.Instance.get_by_uuid(
                    ctx, migration.instance_uuid)
            except (exception.UnexpectedMigrationStatus,
                    exception.InstanceNotFound):
                continue
            LOG.info("Confirming the resize of %s automatically",
                     instance.uuid)
            actx = nimbus_context.get_admin_context()
            self.db.actions.action_start(actx, instance.uuid,
                                         "confirmResize")
            resize_end.ConfirmResizeTask(self, actx, instance,
                                         migration).execute()
