"""The hot paths' statements are built once and run with bound values:
every guard shape still matches exactly the rows it should, with and
without RETURNING, and a second write of one shape reuses the statement
of the first (building one cost more than SQLite took to run it)."""

import pytest
from sqlalchemy import event

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.db import api as db_api
from nimbus.core.db import engine
from nimbus.core.db.api import instances as instances_api
from tests.unit.db.rows import instance as _instance
from tests.unit.db.rows import node as _node


@pytest.fixture(params=[True, False], ids=["returning", "no-returning"])
def returning(request, monkeypatch):
    if not request.param:
        dialect = engine.get_engine().dialect
        monkeypatch.setattr(dialect, "update_returning", False)
        monkeypatch.setattr(dialect, "delete_returning", False)
        monkeypatch.setattr(dialect, "insert_returning", False)
    return request.param


@pytest.mark.parametrize("expected, matches", [
    ((None,), {None}),
    (("a",), {"a"}),
    (("a", "b", "c"), {"a", "b", "c"}),
    (("b", None), {"b", None}),
    ((), set()),  # in no state: nothing matches
])
def test_each_guard_shape_matches_only_its_states(db, returning, expected,
                                                  matches):
    ctx = nimbus_context.get_admin_context()
    for state in (None, "a", "b", "c", "d"):
        uuid = _instance(ctx, task_state=state)["uuid"]
        if state in matches:
            row = db_api.instances.update_instance(
                ctx, uuid, {"display_name": "renamed"},
                expected_task_state=expected)
            assert (row["display_name"], row["task_state"]) == \
                ("renamed", state)
        else:
            with pytest.raises(exception.UnexpectedTaskStateError):
                db_api.instances.update_instance(
                    ctx, uuid, {"display_name": "renamed"},
                    expected_task_state=expected)
            assert db_api.instances.get(ctx, uuid)["display_name"] != \
                "renamed"


def test_task_and_vm_guards_together(db, returning):
    ctx = nimbus_context.get_admin_context()
    uuid = _instance(ctx, vm_state="stopped", task_state=None)["uuid"]
    with pytest.raises(exception.InstanceInvalidState):
        db_api.instances.update_instance(
            ctx, uuid, {"vm_state": "active"},
            expected_vm_state=("active", "error"))
    row = db_api.instances.update_instance(
        ctx, uuid, {"vm_state": "active", "task_state": None},
        expected_task_state=(None,), expected_vm_state=("stopped",))
    assert row["vm_state"] == "active"


def test_one_statement_per_shape(db, returning):
    ctx = nimbus_context.get_admin_context()
    first, second = (_instance(ctx, task_state="a")["uuid"]
                     for _ in range(2))
    instances_api._guarded_update.cache_clear()
    # The same columns and guard shape, other values (and guard values
    # of another length): one statement.
    db_api.instances.update_instance(ctx, first, {"task_state": "b"},
                                     expected_task_state=("a",))
    db_api.instances.update_instance(ctx, second, {"task_state": "c"},
                                     expected_task_state=("x", "a", "y"))
    info = instances_api._guarded_update.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert db_api.instances.get(ctx, first)["task_state"] == "b"
    assert db_api.instances.get(ctx, second)["task_state"] == "c"
    # Another set of columns is another statement.
    db_api.instances.update_instance(ctx, first, {"host": "h2"})
    assert instances_api._guarded_update.cache_info().misses == 2


def test_destroy_soft_deletes_and_gives_back_its_claim(db, returning):
    ctx = nimbus_context.get_admin_context()
    node = _node(ctx)
    uuid = _instance(ctx, task_state="deleting")["uuid"]
    db_api.compute_nodes.claim(ctx, node["id"], node["generation"], uuid,
                               1, 512, 1)
    row = db_api.instances.destroy(ctx, uuid,
                                   expected_task_state=("deleting",))
    assert (row["vm_state"], row["deleted"]) == ("deleted", row["id"])
    with pytest.raises(exception.InstanceNotFound):
        db_api.instances.get(ctx, uuid)
    assert db_api.instances.get(ctx, uuid, read_deleted=True)["uuid"] == \
        uuid
    after = db_api.compute_nodes.get(ctx, node["id"])
    assert (after["vcpus_used"], after["memory_mb_used"],
            after["local_gb_used"], after["running_vms"]) == (0, 0, 0, 0)
    assert db_api.compute_nodes.allocations_for(ctx, uuid) == []


def test_create_reads_back_what_it_wrote(db, returning):
    ctx = nimbus_context.get_admin_context()
    row = _instance(ctx, display_name="made", task_state="scheduling")
    assert row == db_api.instances.get(ctx, row["uuid"])
    assert (row["display_name"], row["deleted"]) == ("made", 0)


def test_reads_by_key_answer_for_their_own_key(db):
    ctx = nimbus_context.get_admin_context()
    for host in ("h1", "h2"):
        db_api.services.create(ctx, {"host": host, "binary": "nimbus-compute",
                                     "topic": "compute"})
    assert db_api.services.get_by_host_and_binary(
        ctx, "h2", "nimbus-compute")["host"] == "h2"
    with pytest.raises(exception.ServiceNotFound):
        db_api.services.get_by_host_and_binary(ctx, "h3", "nimbus-compute")
    db_api.quotas.set_class(ctx, "default", {"instances": 7})
    db_api.quotas.set_project(ctx, "p1", {"cores": 3})
    db_api.quotas.set_project(ctx, "p2", {"cores": 5})
    classes, project = db_api.quotas.get_limits(ctx, "p2")
    assert (classes["instances"], project) == (7, {"cores": 5})


def test_limits_of_class_and_project_in_one_statement(db):
    """A create's read of its limits: the class's and the project's in
    one statement, each limit given to its own owner (the same resource
    set on both, another class and another project left out)."""
    ctx = nimbus_context.get_admin_context()
    db_api.quotas.set_class(ctx, "default", {"instances": 7, "cores": 20})
    db_api.quotas.set_class(ctx, "gold", {"instances": 70})
    db_api.quotas.set_project(ctx, "p1", {"instances": 3})
    db_api.quotas.set_project(ctx, "p2", {"instances": 5, "ram": 512})
    statements = []

    def sent(_conn, _cursor, statement, *_args):
        statements.append(statement)
    event.listen(engine.get_engine(), "before_cursor_execute", sent)
    try:
        classes, project = db_api.quotas.get_limits(ctx, "p2")
    finally:
        event.remove(engine.get_engine(), "before_cursor_execute", sent)
    assert classes == {"instances": 7, "cores": 20}
    assert project == {"instances": 5, "ram": 512}
    assert len(statements) == 1
    assert db_api.quotas.get_limits(ctx, "p3", "gold") == (
        {"instances": 70}, {})


def test_instance_read_with_its_hosts_service(db):
    """A delete's read: the instance, and its host's service of the
    binary asked for (another binary's, another host's or a deleted one
    is no answer)."""
    ctx = nimbus_context.get_admin_context()
    up = db_api.services.create(ctx, {"host": "h1", "topic": "compute",
                                      "binary": "nimbus-compute"})
    db_api.services.create(ctx, {"host": "h2", "topic": "network",
                                 "binary": "nimbus-network"})
    gone = db_api.services.create(ctx, {"host": "h3", "topic": "compute",
                                        "binary": "nimbus-compute"})
    db_api.services.destroy(ctx, gone["id"])
    db_api.services.update(ctx, up["id"], {"forced_down": True})
    cases = {"h1": {"forced_down": True}, "h2": None, "h3": None,
             None: None}
    for host, expected in cases.items():
        made = _instance(ctx, host=host)
        row, service = db_api.instances.get_with_host_service(
            ctx, made["uuid"], "nimbus-compute")
        assert row == db_api.instances.get(ctx, made["uuid"])
        if expected is None:
            assert service is None
        else:
            assert set(service) == {"forced_down", "last_seen_up",
                                    "updated_at", "created_at"}
            assert service["forced_down"] is True
            assert service["created_at"] is not None
    db_api.instances.destroy(ctx, made["uuid"])
    with pytest.raises(exception.InstanceNotFound):
        db_api.instances.get_with_host_service(ctx, made["uuid"],
                                               "nimbus-compute")
