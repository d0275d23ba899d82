"""A boot's instance rows, actions and tags, and a later action's row,
written with Core statements on SQLite, PostgreSQL and MariaDB
(``RETURNING`` where the database has it, a read back where not): what
the writes return is what the database holds."""

import uuid

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core.db import api as db_api
from tests.integration.db.test_instance_column_filters import (  # noqa: F401
    database,
)

pytestmark = pytest.mark.real


def _row(name):
    return {"uuid": str(uuid.uuid4()), "project_id": "p", "user_id": "u",
            "display_name": name, "vm_state": "building",
            "task_state": "scheduling", "memory_mb": 64, "vcpus": 1}


def test_a_multi_create_returns_the_rows_it_stored(database):  # noqa: F811
    ctx = nimbus_context.RequestContext(user_id="u", project_id="p",
                                        request_id="req-1")
    rows = [_row("a"), _row("b")]
    actions = [{"instance_uuid": r["uuid"], "action": "create",
                "request_id": "req-1", "user_id": "u", "project_id": "p"}
               for r in rows]

    created = db_api.instances.create_many(ctx, rows, actions,
                                           tags=["t2", "t1", "t2"])

    assert [c["uuid"] for c in created] == [r["uuid"] for r in rows]
    assert len({c["id"] for c in created}) == 2
    for stored in created:
        assert stored == db_api.instances.get(ctx, stored["uuid"])
        assert stored["deleted"] == 0 and stored["created_at"] is not None
    assert db_api.instance_tags.tags_for(ctx, [r["uuid"] for r in rows]) \
        == {r["uuid"]: ["t1", "t2"] for r in rows}
    for row in rows:
        [action] = db_api.actions.actions_for(ctx, row["uuid"])
        assert (action["action"], action["request_id"]) == \
            ("create", "req-1")


def test_an_action_start_returns_its_stored_row(database):  # noqa: F811
    ctx = nimbus_context.RequestContext(user_id="u", project_id="p",
                                        request_id="req-2")
    [instance] = db_api.instances.create_many(ctx, [_row("c")])

    started = db_api.actions.action_start(ctx, instance["uuid"], "reboot")

    [stored] = db_api.actions.actions_for(ctx, instance["uuid"])
    when = started.pop("start_time")
    assert {k: stored[k] for k in started} == started
    # MariaDB's DATETIME keeps whole seconds
    assert abs((stored["start_time"] - when).total_seconds()) < 1
    assert started["id"] is not None and started["finish_time"] is None
