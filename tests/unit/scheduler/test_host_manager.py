"""The host-state cache's incremental refresh (SQLite)."""

import datetime

from oslo_utils import timeutils
from sqlalchemy import update

from nimbus.core import context as nimbus_context
from nimbus.core.db import api as db_api
from nimbus.core.db import engine, models
from nimbus.core.scheduler import host_manager


class Clock:
    """A settable ``time.monotonic``."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _node(ctx, host):
    return db_api.compute_nodes.report_inventory(ctx, host, host, {
        "hypervisor_type": "fake", "hypervisor_version": 1, "vcpus": 4,
        "memory_mb": 4096, "local_gb": 100})


def _late_change(node_id, seconds_ago):
    """Bump a node's generation with a timestamp already in the past, as
    a transaction committing after its timestamp was taken does."""
    stamp = timeutils.utcnow() - datetime.timedelta(seconds=seconds_ago)
    CN = models.ComputeNode  # noqa: N806
    with engine.get_engine().begin() as conn:
        conn.execute(update(CN).where(CN.id == node_id).values(
            generation=CN.generation + 1, updated_at=stamp))


def test_late_commit_is_read_by_the_next_margin_sweep(db, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(host_manager.time, "monotonic", clock)
    db.set_override("change_margin", 0.5, "scheduler")
    ctx = nimbus_context.get_admin_context()
    node = _node(ctx, "h1")
    manager = host_manager.HostManager(db, db_api)
    [state] = manager.get_host_states(ctx).hosts
    clock.now += 0.3            # a sweep is due (margin / 2)
    manager.get_host_states(ctx)
    _late_change(node["id"], seconds_ago=0.2)
    clock.now += 0.01           # no sweep: reads from the last read only
    manager.get_host_states(ctx)
    assert state.generation == node["generation"]
    clock.now += 0.3            # sweep: reads the margin again
    manager.get_host_states(ctx)
    assert state.generation == node["generation"] + 1


def test_own_claim_is_read_without_a_sweep(db, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(host_manager.time, "monotonic", clock)
    ctx = nimbus_context.get_admin_context()
    node = _node(ctx, "h1")
    manager = host_manager.HostManager(db, db_api)
    [state] = manager.get_host_states(ctx).hosts
    clock.now += 0.3
    manager.get_host_states(ctx)
    db_api.compute_nodes.claim(ctx, node["id"], node["generation"], "c1",
                               1, 512, 1)
    clock.now += 0.01
    manager.get_host_states(ctx)
    assert (state.generation, state.vcpus_used, state.instances) == \
        (node["generation"] + 1, 1, {"c1"})
