"""State changes and claims are guarded in SQL (SQLite here; the same
statements run on PostgreSQL and MariaDB in the integration tests)."""

import concurrent.futures
import threading

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.db import api as db_api
from tests.unit.db.rows import instance as _instance
from tests.unit.db.rows import node as _node


def test_two_actions_on_one_instance_only_one_wins(db):
    ctx = nimbus_context.get_admin_context()
    uuid_ = _instance(ctx)["uuid"]
    barrier = threading.Barrier(2)

    def act(task):
        barrier.wait()
        try:
            db_api.instances.update_instance(
                ctx.elevated(), uuid_, {"task_state": task},
                expected_task_state=(None,))
            return task
        except exception.UnexpectedTaskStateError:
            return None

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(act, ["powering-off", "rebooting"]))
    winners = [r for r in results if r]
    assert len(winners) == 1
    assert db_api.instances.get(ctx, uuid_)["task_state"] == winners[0]


def test_guard_mismatch_reports_actual_state(db):
    ctx = nimbus_context.get_admin_context()
    uuid_ = _instance(ctx, task_state="deleting")["uuid"]
    with pytest.raises(exception.UnexpectedDeletingTaskStateError):
        db_api.instances.update_instance(ctx, uuid_, {"vm_state": "x"},
                                         expected_task_state=(None,))
    assert db_api.instances.get(ctx, uuid_)["vm_state"] == "active"


def test_claim_with_stale_generation_writes_nothing(db):
    ctx = nimbus_context.get_admin_context()
    node = _node(ctx)
    new_gen = db_api.compute_nodes.claim(ctx, node["id"], node["generation"],
                                         "c1", 1, 512, 1)
    assert new_gen == node["generation"] + 1
    with pytest.raises(exception.GenerationConflict):
        db_api.compute_nodes.claim(ctx, node["id"], node["generation"],
                                   "c2", 1, 512, 1)
    fresh = db_api.compute_nodes.get(ctx, node["id"])
    assert (fresh["vcpus_used"], fresh["memory_mb_used"],
            fresh["running_vms"]) == (1, 512, 1)
    assert db_api.compute_nodes.allocations_for(ctx, "c2") == []


def test_destroy_releases_allocations_atomically(db):
    ctx = nimbus_context.get_admin_context()
    node = _node(ctx)
    inst = _instance(ctx)
    db_api.compute_nodes.claim(ctx, node["id"], node["generation"],
                               inst["uuid"], 2, 1024, 10)
    db_api.instances.destroy(ctx, inst["uuid"])
    fresh = db_api.compute_nodes.get(ctx, node["id"])
    assert (fresh["vcpus_used"], fresh["memory_mb_used"],
            fresh["local_gb_used"], fresh["running_vms"]) == (0, 0, 0, 0)
    assert db_api.compute_nodes.allocation_count(ctx) == 0
    with pytest.raises(exception.InstanceNotFound):
        db_api.instances.get(ctx, inst["uuid"])
    assert db_api.compute_nodes.release(ctx, inst["uuid"]) == 0


def test_inventory_change_bumps_generation_only_when_changed(db):
    ctx = nimbus_context.get_admin_context()
    node = _node(ctx)
    same = _node(ctx)
    assert same["generation"] == node["generation"]
    bigger = db_api.compute_nodes.report_inventory(
        ctx, "h1", "h1", {"vcpus": 8})
    assert bigger["generation"] == node["generation"] + 1
