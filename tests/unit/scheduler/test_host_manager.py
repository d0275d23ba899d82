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


def _set_node(node_id, **values):
    """Change a node's row without moving anything the incremental reads
    look at (as only the periodic full reload would notice)."""
    CN = models.ComputeNode  # noqa: N806
    with engine.get_engine().begin() as conn:
        conn.execute(update(CN).where(CN.id == node_id).values(**values))


def test_full_reload_copies_and_marks_only_the_hosts_that_changed(
        db, monkeypatch):
    """The periodic full reload re-reads every host but copies in (and
    marks as changed, for the rankings) only the rows that differ from
    the ones last copied; a host whose service stopped reporting is
    still marked down."""
    ctx = nimbus_context.get_admin_context()
    services = {host: db_api.services.create(ctx, {
        "host": host, "binary": "nimbus-compute", "topic": "compute"})
        for host in ("h1", "h2", "h3")}
    nodes = {host: _node(ctx, host) for host in services}
    manager = host_manager.HostManager(db, db_api)
    states = {s.host: s for s in manager.get_host_states(ctx).hosts}
    assert all(s.service_up for s in states.values())
    copied = []
    real_update = host_manager.HostState.update_from_node
    monkeypatch.setattr(host_manager.HostState, "update_from_node",
                        lambda self, node: copied.append(self.host) or
                        real_update(self, node))
    position = manager.host_set.position

    manager.full_reload(ctx)
    assert copied == []
    assert manager.host_set.changed_since(position) == []

    _set_node(nodes["h2"]["id"], memory_mb=8192)
    S = models.Service  # noqa: N806
    with engine.get_engine().begin() as conn:
        conn.execute(update(S).where(S.id == services["h3"]["id"]).values(
            updated_at=timeutils.utcnow() - datetime.timedelta(hours=1)))
    manager.full_reload(ctx)
    assert copied == ["h2"]
    assert states["h2"].memory_mb == 8192
    assert not states["h3"].service_up and states["h1"].service_up
    assert sorted(s.host for s in manager.host_set.changed_since(
        position)) == ["h2", "h3"]


def test_a_claim_here_is_compared_whole_at_the_next_full_reload(db):
    """A host this scheduler consumed is re-copied from its row even if
    the row it last copied looks the same (nothing is skipped on a
    stale comparison)."""
    ctx = nimbus_context.get_admin_context()
    node = _node(ctx, "h1")
    manager = host_manager.HostManager(db, db_api)
    [state] = manager.get_host_states(ctx).hosts
    db_api.compute_nodes.claim(ctx, node["id"], node["generation"], "c1",
                               1, 512, 1)
    # what the selector's consume does after its claim: the state's
    # generation now matches the row's, its usage only partly
    state.generation += 1
    state.vcpus_used += 1
    manager.full_reload(ctx)
    assert (state.generation, state.vcpus_used, state.memory_mb_used,
            state.instances) == (node["generation"] + 1, 1, 512, {"c1"})
