"""Compute API 2.83's server list filters in the database API (SQLite
here): patterns searched in a column's text (times as
``YYYY-MM-DD HH:MM:SS``, numbers as digits), a NULL column matching
nothing unless it has a shown default; ``user_id`` and ``task_state``
exact."""

import datetime
import uuid

from nimbus.core import context as nimbus_context
from nimbus.core.db import api as db_api

_WHEN = datetime.datetime(2026, 3, 4, 5, 6, 7, 890123)


def _instance(ctx, **values):
    row = dict({"uuid": str(uuid.uuid4()), "project_id": "p-cols",
                "user_id": "u1", "vm_state": "active"}, **values)
    return db_api.instances.create(ctx, row)["uuid"]


def _found(ctx, **filters):
    return {r["uuid"] for r in db_api.instances.get_all(
        ctx, dict(filters, project_id="p-cols"))}


def test_regex_and_exact_column_filters(db):
    check_column_filters()


def check_column_filters():
    """The filters over a migrated database (tests/integration/db runs
    this on PostgreSQL and MariaDB too)."""
    ctx = nimbus_context.get_admin_context()
    a = _instance(ctx, key_name="k1", launched_at=_WHEN, power_state=1,
                  availability_zone="az-b", task_state="rebooting")
    b = _instance(ctx, user_id="u12", vm_state="stopped", power_state=4)
    regex = {"regex_defaults": {"availability_zone": "nova",
                                "config_drive": ""}}
    for patterns, expected in (
            ({"key_name": "."}, {a}),                  # b's is NULL
            ({"key_name": "^k1$"}, {a}),
            ({"launched_at": "^2026-03-04 05:06:07$"}, {a}),
            ({"launched_at": "T05"}, set()),
            ({"launched_at": "890123"}, set()),        # to the second
            ({"terminated_at": ""}, set()),            # NULL: none
            ({"power_state": "^[14]$"}, {a, b}),
            ({"power_state": "4"}, {b}),
            ({"availability_zone": "^nova$"}, {b}),    # NULL shows nova
            ({"availability_zone": "az"}, {a}),
            ({"config_drive": "True"}, set()),         # none has one
            ({"config_drive": "^$"}, {a, b}),
            ({"progress": "^100$"}, {a}),              # shown when ACTIVE
            ({"progress": "^0$"}, {b}),
            ({"key_name": "k", "power_state": "4"}, set())):
        assert _found(ctx, regex=patterns, **regex) == expected, patterns
    assert _found(ctx, user_id="u1") == {a}
    assert _found(ctx, user_id="u") == set()
    assert _found(ctx, task_state="rebooting") == {a}
    assert _found(ctx, task_state="reboot") == set()
    assert _found(ctx, vm_state="stopped") == {b}
