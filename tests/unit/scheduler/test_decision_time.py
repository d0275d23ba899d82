"""nimbus_scheduler_decision_seconds: the time a request is decided in,
without its wait for the process's decision lock (which a burst of
queued requests would otherwise add to every one of them)."""

import threading
import time
from unittest import mock

from nimbus.core import context as nimbus_context
from nimbus.core import metrics
from nimbus.core.scheduler import manager as scheduler_manager
from tests.unit import workflow_fakes as wf

DECIDING = 0.05
QUEUED = 0.4


def _observed():
    """(seconds, decisions) the histogram holds so far."""
    value = metrics.REGISTRY.get_sample_value
    return (value("nimbus_scheduler_decision_seconds_sum"),
            value("nimbus_scheduler_decision_seconds_count"))


def test_decision_time_leaves_out_the_wait_for_the_lock(conf, db_api):
    scheduler = scheduler_manager.SchedulerManager(conf, "sched", db_api)
    scheduler.host_manager = mock.Mock()

    def decide(*_args):
        time.sleep(DECIDING)
        return [[{"host": "c-1"}]]
    scheduler._select = decide
    ctx = nimbus_context.get_admin_context()
    spent, count = _observed()
    result = []
    with scheduler._lock:   # another decision holds the scheduler
        waiter = threading.Thread(target=lambda: result.append(
            scheduler.select_destinations(ctx, wf.make_spec(), ["i-1"])))
        waiter.start()
        time.sleep(QUEUED)
    waiter.join(5)
    assert result == [[[{"host": "c-1"}]]]
    after, count_after = _observed()
    assert count_after - count == 1
    assert DECIDING <= after - spent < QUEUED
