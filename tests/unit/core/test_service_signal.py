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
