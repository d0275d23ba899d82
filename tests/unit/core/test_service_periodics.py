"""A periodic task stuck waiting (e.g. on a peer that is down, until its
RPC timeout) must not hold back the service's heartbeat: a busy but
healthy service would be reported down, and its work given up."""

import threading
import time
from unittest import mock

from nimbus.core import service


def test_a_stuck_task_does_not_stop_the_heartbeat(nimbus_conf):
    nimbus_conf.set_override("report_interval", 1)
    release = threading.Event()
    stuck = threading.Event()

    def slow_task():
        stuck.set()
        release.wait(30)

    manager = mock.Mock()
    manager.periodic_tasks.return_value = [(slow_task, 0.05)]
    svc = service.Service(nimbus_conf, "nimbus-test", "test", manager, "h")
    svc.service_ref = mock.Mock()
    try:
        svc._start_periodics()
        assert stuck.wait(10)
        beats = svc.service_ref.heartbeat.call_count
        time.sleep(2.5)
        assert svc.service_ref.heartbeat.call_count >= beats + 2
    finally:
        release.set()
        svc._worker.stop()
        svc._worker.wait()
