"""nimbus-all's services start one after another in one process; when a
later one cannot start (the API's port is taken), those already running
are stopped, so none keeps serving (an RPC server left behind would take
the messages of the next cloud started in the same process)."""

import socket
import threading

import pytest

from nimbus.cli.daemons import all as all_daemon
from nimbus.core import exception


def _periodic_threads():
    return {t.name for t in threading.enumerate()
            if t.name.startswith("periodic-")}


def test_a_taken_api_port_stops_what_was_started(nimbus_conf):
    before = _periodic_threads()
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    nimbus_conf.set_override("bind_port", taken.getsockname()[1], "api")
    try:
        with pytest.raises(exception.ConfigError, match="bind_port"):
            all_daemon.start_all(nimbus_conf)
    finally:
        taken.close()
    assert _periodic_threads() == before
