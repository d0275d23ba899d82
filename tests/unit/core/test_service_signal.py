"""``service.wait_for_signal``: a started daemon's objects are frozen
out of the garbage collector, and SIGTERM runs the stop callbacks."""

import gc
import signal
import threading

from nimbus.core import service


def test_started_daemon_is_frozen_then_stops_on_sigterm(monkeypatch):
    handlers, installed = {}, threading.Event()

    def fake_signal(signum, handler):
        handlers[signum] = handler
        if signum == signal.SIGINT:
            installed.set()

    monkeypatch.setattr(service.signal, "signal", fake_signal)
    gc.unfreeze()  # whatever an earlier test froze
    stopped = []
    waiter = threading.Thread(
        target=service.wait_for_signal, args=([lambda: stopped.append(1)],),
        daemon=True)
    try:
        waiter.start()
        assert installed.wait(10)
        # the modules, config and the like: hundreds of thousands here
        assert gc.get_freeze_count() > 1000
    finally:
        if signal.SIGTERM in handlers:
            handlers[signal.SIGTERM](signal.SIGTERM, None)
        waiter.join(10)
        gc.unfreeze()
    assert not waiter.is_alive() and stopped == [1]


def _stop_on_sigterm(monkeypatch, callbacks):
    """Run wait_for_signal(callbacks) in a thread, deliver SIGTERM,
    wait for it to return; returns whether end_now was called."""
    handlers, installed = {}, threading.Event()
    ended = []

    def fake_signal(signum, handler):
        handlers[signum] = handler
        if signum == signal.SIGINT:
            installed.set()

    monkeypatch.setattr(service.signal, "signal", fake_signal)
    monkeypatch.setattr(service, "end_now", lambda: ended.append(1))
    monkeypatch.setattr(service, "freeze_startup_objects", lambda: None)
    waiter = threading.Thread(target=service.wait_for_signal,
                              args=(callbacks,), daemon=True)
    waiter.start()
    assert installed.wait(10)
    handlers[signal.SIGTERM](signal.SIGTERM, None)
    waiter.join(10)
    assert not waiter.is_alive()
    return ended == [1]


def test_a_stop_that_left_work_running_ends_the_process_at_once(
        monkeypatch, nimbus_conf):
    """What the stop left running would hold the interpreter's exit
    (futurist joins its workers there): the daemon ends at once."""
    release = threading.Event()
    server = type("Server", (), {"stop": lambda self: None,
                                 "wait": lambda self: release.wait(30)})()
    nimbus_conf.set_override("graceful_shutdown_timeout", 1)
    try:
        assert _stop_on_sigterm(monkeypatch, [lambda: service.stop_parts(
            nimbus_conf, "nimbus-test", None, server)])
    finally:
        release.set()


def test_a_clean_stop_lets_the_process_end_normally(monkeypatch,
                                                    nimbus_conf):
    server = type("Server", (), {"stop": lambda self: None,
                                 "wait": lambda self: None})()
    assert not _stop_on_sigterm(monkeypatch, [lambda: service.stop_parts(
        nimbus_conf, "nimbus-test", None, server)])
