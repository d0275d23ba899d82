"""A guarded update returns its row in one statement where the database
can (UPDATE/DELETE ... RETURNING) and with a second read where it cannot
(MariaDB's UPDATE): both give the same answer. ``writing()`` makes several
writes one transaction that a failed guard rolls back whole."""

import uuid

import pytest
from sqlalchemy import event

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.db import api as db_api
from nimbus.core.db import engine
from tests.unit.db.rows import instance as _instance
from tests.unit.db.rows import node as _node


@pytest.fixture(params=[True, False], ids=["returning", "no-returning"])
def returning(request, monkeypatch):
    """Run the test with the database's RETURNING, and as if it had none
    (MariaDB's UPDATE)."""
    if not request.param:
        dialect = engine.get_engine().dialect
        monkeypatch.setattr(dialect, "update_returning", False)
        monkeypatch.setattr(dialect, "delete_returning", False)
    return request.param


def _count_statements():
    """Statements (``n``) and transactions (``begins``) sent from now;
    call the second value to stop counting."""
    counts = {"n": 0, "begins": 0}

    def count(*_args):
        counts["n"] += 1

    def begin(*_args):
        counts["begins"] += 1
    listeners = [("before_cursor_execute", count), ("begin", begin)]
    for name, fn in listeners:
        event.listen(engine.get_engine(), name, fn)

    def stop():
        for name, fn in listeners:
            event.remove(engine.get_engine(), name, fn)
    return counts, stop


def test_update_returns_the_row_written(db, returning):
    ctx = nimbus_context.get_admin_context()
    created = _instance(ctx, task_state="scheduling")
    counts, stop = _count_statements()
    try:
        row = db_api.instances.update_instance(
            ctx, created["uuid"], {"task_state": "spawning", "host": "h1"},
            expected_task_state=("scheduling",))
    finally:
        stop()
    assert (row["task_state"], row["host"]) == ("spawning", "h1")
    assert row == db_api.instances.get(ctx, created["uuid"])
    assert set(row) == set(created)
    # one transaction: the UPDATE (and the read where RETURNING is
    # missing); its BEGIN goes to the driver straight
    assert counts == {"n": 1 if returning else 2, "begins": 1}


def test_failed_guard_still_says_why(db, returning):
    ctx = nimbus_context.get_admin_context()
    created = _instance(ctx, task_state="deleting")
    with pytest.raises(exception.UnexpectedDeletingTaskStateError):
        db_api.instances.update_instance(
            ctx, created["uuid"], {"task_state": "spawning"},
            expected_task_state=("scheduling",))
    with pytest.raises(exception.InstanceNotFound):
        db_api.instances.update_instance(ctx, str(uuid.uuid4()),
                                         {"host": "h1"})


def test_destroy_returns_the_deleted_row_and_releases(db, returning):
    ctx = nimbus_context.get_admin_context()
    node = _node(ctx)
    inst = _instance(ctx)
    db_api.compute_nodes.claim(ctx, node["id"], node["generation"],
                               inst["uuid"], 2, 1024, 10)
    row = db_api.instances.destroy(ctx, inst["uuid"])
    assert (row["uuid"], row["vm_state"], row["deleted"]) == (
        inst["uuid"], "deleted", inst["id"])
    fresh = db_api.compute_nodes.get(ctx, node["id"])
    assert (fresh["vcpus_used"], fresh["memory_mb_used"],
            fresh["local_gb_used"], fresh["running_vms"],
            fresh["generation"]) == (0, 0, 0, 0, node["generation"] + 2)
    assert db_api.compute_nodes.release(ctx, inst["uuid"]) == 0


def test_writing_rolls_back_every_write_when_the_guard_fails(db):
    ctx = nimbus_context.get_admin_context()
    inst = _instance(ctx, task_state="rebooting")
    with pytest.raises(exception.UnexpectedTaskStateError):
        with db_api.writing(ctx):
            db_api.actions.action_start(ctx, inst["uuid"], "delete")
            db_api.instances.update_instance(
                ctx, inst["uuid"], {"task_state": "deleting"},
                expected_task_state=(None,))
    assert db_api.actions.actions_for(ctx, inst["uuid"]) == []
    with db_api.writing(ctx):
        db_api.actions.action_start(ctx, inst["uuid"], "delete")
        db_api.instances.update_instance(
            ctx, inst["uuid"], {"task_state": "deleting"},
            expected_task_state=("rebooting",))
    assert [a["action"] for a in
            db_api.actions.actions_for(ctx, inst["uuid"])] == ["delete"]
