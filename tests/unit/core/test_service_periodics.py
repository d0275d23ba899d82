"""A periodic task stuck waiting (e.g. on a peer that is down, until its
RPC timeout) must not hold back the service's heartbeat: a busy but
healthy service would be reported down, and its work given up."""

import threading
import time
from unittest import mock

from nimbus.core import service


def _service_with_a_stuck_task(nimbus_conf):
    """A service whose one periodic task blocks until the returned
    event is set (a call to a peer that is down); its periodics not
    started yet. Returns (service, stuck, release)."""
    release = threading.Event()
    stuck = threading.Event()

    def sync_power_states():
        stuck.set()
        release.wait(30)

    manager = mock.Mock()
    manager.periodic_tasks.return_value = [(sync_power_states, 0.05)]
    svc = service.Service(nimbus_conf, "nimbus-test", "test", manager, "h")
    svc.service_ref = mock.Mock()
    return svc, stuck, release


def test_a_stuck_task_does_not_stop_the_heartbeat(nimbus_conf):
    nimbus_conf.set_override("report_interval", 1)
    svc, stuck, release = _service_with_a_stuck_task(nimbus_conf)
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


def test_a_stop_does_not_wait_out_a_stuck_task(nimbus_conf, caplog):
    """The task waits on a peer that is gone (a conductor stopped first):
    the service stops after PERIODIC_STOP_WAIT, not at the RPC
    timeout, and says what it left running."""
    svc, stuck, release = _service_with_a_stuck_task(nimbus_conf)
    try:
        svc._start_periodics()
        assert stuck.wait(10)
        started = time.monotonic()
        svc.stop()
        took = time.monotonic() - started
        assert service.PERIODIC_STOP_WAIT - 0.1 <= took < \
            service.PERIODIC_STOP_WAIT + 1.5
        svc.manager.cleanup_host.assert_called_once_with()
        assert "stops without waiting for its periodic tasks" in caplog.text
    finally:
        release.set()
        svc._worker.wait()


def test_a_stop_waits_for_requests_up_to_the_grace(nimbus_conf, caplog):
    """A request being handled is waited for up to ``[DEFAULT]
    graceful_shutdown_timeout``; one that ends sooner ends the wait."""
    nimbus_conf.set_override("graceful_shutdown_timeout", 1)
    release = threading.Event()
    manager = mock.Mock()
    svc = service.Service(nimbus_conf, "nimbus-test", "test", manager, "h")
    svc._rpcserver = mock.Mock()
    svc._rpcserver.wait.side_effect = lambda: release.wait(30)
    started = time.monotonic()
    svc.stop()
    assert 0.9 <= time.monotonic() - started < 2.5
    svc._rpcserver.stop.assert_called_once_with()
    assert "stops without waiting for the requests it handles" in \
        caplog.text

    caplog.clear()
    nimbus_conf.set_override("graceful_shutdown_timeout", 30)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    svc.stop()
    assert time.monotonic() - started < 5
    assert "stops without waiting" not in caplog.text
