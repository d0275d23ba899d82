"""Conductor's sweep for abandoned work: task states past their deadline.

Every task state has an owner (docs/reliability.md). A compute settles
its own instances when it starts (:mod:`nimbus.core.compute.power_sync`);
this sweep settles what no running service owns any more:

* ``scheduling`` unchanged for ``[conductor] task_state_timeout``: the
  conductor or scheduler that had it stopped (or the build cast was
  lost). ERROR with a fault; the claim is given back.
* any other task state unchanged that long on a host whose compute
  service is down: ``deleting`` is finished (the record deleted, its
  claims released; the returning compute destroys the guest), a build
  ends in ERROR with its claim released, anything else ends in ERROR
  with a fault and keeps its claim (the guest may still run there).
* moves are left to :meth:`~nimbus.core.conductor.workflows.endpoint.
  MoveTaskMixin.check_moves` and live-migration recovery.

Every write is guarded by the task state the sweep saw, so work that
moved on meanwhile (a compute came back) wins and nothing is written.
"""

import datetime

from oslo_log import log as logging
from oslo_utils import timeutils

from nimbus.core import context as nimbus_context
from nimbus.core import exception, servicegroup
from nimbus.core.compute import task_states, vm_states

LOG = logging.getLogger(__name__)

#: left to the move workflows' own recovery.
_NOT_OURS = task_states.SELF_RECOVERING_STATES


class TaskStateSweep:
    """Find instances whose task state outlived its owner and settle them.

    :param conf: the configuration.
    :param db: the database API (conductor's).
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db

    def run(self):
        """The periodic task: one query, then one guarded write per
        abandoned instance. Never raises; returns how many it settled."""
        ctx = nimbus_context.get_admin_context()
        timeout = self.conf.conductor.task_state_timeout
        now = timeutils.utcnow()
        try:
            rows = self.db.instances.get_in_flight_before(
                ctx, now - datetime.timedelta(seconds=timeout))
        except Exception:
            LOG.exception("Looking for abandoned task states failed")
            return 0
        settled = 0
        for row in rows:
            try:
                settled += self._settle(ctx, row, now, timeout)
            except Exception:
                LOG.exception("Settling the %(state)s of %(uuid)s failed",
                              {"state": row["task_state"],
                               "uuid": row["uuid"]})
        return settled

    def _settle(self, ctx, row, now, timeout):
        state = row["task_state"]
        if state in _NOT_OURS:
            return False
        if state == task_states.SCHEDULING:
            return self._fail(
                ctx, row, release=True,
                message=f"Build was still scheduling after {timeout}s: "
                        f"the conductor or scheduler handling it stopped")
        service = row["service"]
        if service is not None and \
                servicegroup.is_up(self.conf, service, now):
            return False   # its compute is alive and owns the work
        where = f"host {row['host']}" if row["host"] else "no host"
        if state == task_states.DELETING:
            return self._finish_delete(ctx, row, where)
        return self._fail(
            ctx, row, release=state in task_states.BUILD_STATES,
            message=f"Task {state} on {where} did not finish within "
                    f"{timeout}s and the compute service there is down")

    def _fail(self, ctx, row, message, release):
        LOG.warning("Instance %(uuid)s: %(message)s",
                    {"uuid": row["uuid"], "message": message})
        # The fault first, so whoever sees the ERROR finds its reason.
        self.db.actions.fault_create(ctx, row["uuid"], 500, message,
                                     host=self.conf.host)
        try:
            self.db.instances.update_instance(
                ctx, row["uuid"],
                {"vm_state": vm_states.ERROR, "task_state": None},
                expected_task_state=(row["task_state"],))
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            return False
        if release:
            self.db.compute_nodes.release(ctx, row["uuid"])
        return True

    def _finish_delete(self, ctx, row, where):
        LOG.warning("Finishing the delete of %(uuid)s: its compute "
                    "(%(where)s) is down", {"uuid": row["uuid"],
                                            "where": where})
        try:
            # Releases its claims in the same transaction.
            self.db.instances.destroy(
                ctx, row["uuid"], expected_task_state=(task_states.DELETING,))
        except (exception.UnexpectedTaskStateError,
                exception.InstanceNotFound):
            return False
        return True
