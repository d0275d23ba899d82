"""Starting services: several side by side (nimbus-all's compute
services), and a service's registration and heartbeat, each one
transaction."""

import threading

import pytest
from sqlalchemy import event as sa_event

from nimbus.core import context as nimbus_context
from nimbus.core import exception, service
from nimbus.core.db import api as db_api
from nimbus.core.db import engine


class _Recorder:
    """A stand-in service that records its start and stop."""

    def __init__(self, name, fail=False, gate=None):
        self.name, self.fail, self.gate = name, fail, gate
        self.started = self.stopped = False

    def start(self):
        if self.gate is not None:
            self.gate.wait(5)
        if self.fail:
            raise exception.ConfigError(reason=f"{self.name} cannot start")
        self.started = True

    def stop(self):
        self.stopped = True


def test_every_service_starts_and_is_returned_in_order():
    services = [_Recorder(f"s{i}") for i in range(20)]
    assert service.start_concurrently(services, 4) == services
    assert all(s.started and not s.stopped for s in services)


def test_services_start_side_by_side():
    # Neither start returns until both have begun: one after the other,
    # the first would wait for the second for ever (5 s here).
    both = threading.Barrier(2)
    services = [_Recorder("a"), _Recorder("b")]

    def start(svc):
        both.wait(5)
        svc.started = True
    for svc in services:
        svc.start = lambda svc=svc: start(svc)
    service.start_concurrently(services, 2)
    assert all(s.started for s in services)


def test_a_failed_start_stops_those_that_started():
    services = [_Recorder(f"s{i}") for i in range(6)]
    services[3].fail = True
    with pytest.raises(exception.ConfigError, match="s3 cannot start"):
        service.start_concurrently(services, 3)
    assert [s.stopped for s in services] == [
        True, True, True, False, True, True]


def _transactions(fn):
    count = []

    def listener(conn):
        count.append(conn)
    sa_event.listen(engine.get_engine(), "begin", listener)
    try:
        result = fn()
    finally:
        sa_event.remove(engine.get_engine(), "begin", listener)
    return result, len(count)


def test_register_creates_then_updates_in_one_transaction(db):
    ctx = nimbus_context.get_admin_context()
    first, n_create = _transactions(lambda: db_api.services.register(
        ctx, "h1", "nimbus-compute", "compute", 1))
    again, n_update = _transactions(lambda: db_api.services.register(
        ctx, "h1", "nimbus-compute", "compute-new", 2))
    assert (n_create, n_update) == (1, 1)
    assert again["id"] == first["id"]
    assert (again["topic"], again["version"]) == ("compute-new", 2)
    assert len(db_api.services.get_all(ctx, host="h1")) == 1


def test_heartbeat_is_one_transaction_and_returns_the_new_row(db):
    ctx = nimbus_context.get_admin_context()
    row = db_api.services.register(ctx, "h2", "nimbus-compute", "c", 1)
    beat, count = _transactions(
        lambda: db_api.services.heartbeat(ctx, row["id"]))
    assert count == 1
    assert beat["report_count"] == row["report_count"] + 1
    assert beat["last_seen_up"] is not None
    with pytest.raises(exception.ServiceNotFound):
        db_api.services.heartbeat(ctx, row["id"] + 1000)
