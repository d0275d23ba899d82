"""A host's instances (its power sync, its shelved offloads, a compute
fleet's periodic reads of many hosts) are read through the host's index
on SQLite, in the order they were recorded: newest first, SQLite without
statistics walked every live instance in the order of creation instead."""

import pytest
from sqlalchemy import event

from nimbus.core import context as nimbus_context
from nimbus.core.db import api as db_api
from nimbus.core.db import engine
from nimbus.core.objects import instance as instance_obj
from tests.unit.db.rows import instance as _instance


@pytest.fixture
def recorded(db):
    ctx = nimbus_context.get_admin_context()
    made = {"h1": [], "h2": [], "h3": []}
    for n in range(4):
        for host in made:
            made[host].append(_instance(ctx, host=host,
                                        display_name=f"{host}-{n}")["uuid"])
    db_api.instances.destroy(ctx, made["h1"].pop(1))
    return ctx, made


def _plans(ctx, read):
    """The query plan of each statement ``read`` runs."""
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))
    sql_engine = engine.get_engine()
    event.listen(sql_engine, "before_cursor_execute", seen)
    try:
        read()
    finally:
        event.remove(sql_engine, "before_cursor_execute", seen)
    with sql_engine.connect() as conn:
        return [" ".join(str(row[-1]) for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters).all())
            for statement, parameters in statements]


def test_a_hosts_live_instances_in_the_order_recorded(recorded):
    ctx, made = recorded
    assert [i.uuid for i in instance_obj.InstanceList.get_by_host(
        ctx, "h1")] == made["h1"]
    both = instance_obj.InstanceList.get_by_host(ctx, ["h3", "h1"])
    assert sorted(i.uuid for i in both) == sorted(made["h1"] + made["h3"])
    assert [i.id for i in both] == sorted(i.id for i in both)


@pytest.mark.parametrize("hosts", ["h2", ["h2", "h3"]])
def test_a_hosts_instances_are_read_through_its_index(recorded, hosts):
    ctx, _made = recorded
    [plan] = _plans(ctx, lambda: instance_obj.InstanceList.get_by_host(
        ctx, hosts))
    assert "instances_host_deleted_idx" in plan, plan
    assert "instances_deleted_created_idx" not in plan, plan


def test_a_read_by_id_has_no_pages(recorded):
    ctx, made = recorded
    with pytest.raises(ValueError, match="newest first"):
        db_api.instances.get_all(ctx, {"host": "h2"},
                                 marker=made["h2"][0], by_id=True)
