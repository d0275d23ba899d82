"""Reads that serve every boot and every delete in one statement each,
on SQLite, PostgreSQL and MariaDB: a create's quota limits (the class's
and the project's, a UNION ALL) and a delete's instance with its host's
compute service (an outer join); and the metrics samplers' read of every
service's liveness columns alone."""

import datetime
import uuid

import pytest

from nimbus.core import admin_api, exception, servicegroup
from nimbus.core import context as nimbus_context
from nimbus.core.db import api as db_api
from tests.integration.db.test_instance_column_filters import (  # noqa: F401
    database,
)

pytestmark = pytest.mark.real


def _instance(ctx, host):
    [row] = db_api.instances.create_many(ctx, [{
        "uuid": str(uuid.uuid4()), "project_id": "p", "user_id": "u",
        "vm_state": "active", "host": host}])
    return row


def test_limits_of_class_and_project(database):  # noqa: F811
    ctx = nimbus_context.get_admin_context()
    db_api.quotas.set_class(ctx, "default", {"instances": 7, "cores": 20})
    db_api.quotas.set_project(ctx, "p1", {"instances": 3})
    db_api.quotas.set_project(ctx, "p2", {"instances": 5, "ram": 512})

    assert db_api.quotas.get_limits(ctx, "p2") == (
        {"instances": 7, "cores": 20}, {"instances": 5, "ram": 512})
    assert db_api.quotas.get_limits(ctx, "p9", "none") == ({}, {})


def test_instance_with_its_hosts_compute_service(database,  # noqa: F811
                                                 nimbus_conf):
    ctx = nimbus_context.get_admin_context()
    service = db_api.services.register(ctx, "h1", "nimbus-compute",
                                       "compute", 1)
    db_api.services.register(ctx, "h2", "nimbus-network", "network", 1)
    on_h1, on_h2, nowhere = (_instance(ctx, host)
                             for host in ("h1", "h2", None))

    row, found = db_api.instances.get_with_host_service(
        ctx, on_h1["uuid"], "nimbus-compute")
    assert row == db_api.instances.get(ctx, on_h1["uuid"])
    assert servicegroup.is_up(nimbus_conf, found)
    db_api.services.update(ctx, service["id"], {"forced_down": True})
    _, found = db_api.instances.get_with_host_service(
        ctx, on_h1["uuid"], "nimbus-compute")
    assert not servicegroup.is_up(nimbus_conf, found)
    for instance in (on_h2, nowhere):
        assert db_api.instances.get_with_host_service(
            ctx, instance["uuid"], "nimbus-compute")[1] is None
    with pytest.raises(exception.InstanceNotFound):
        db_api.instances.get_with_host_service(ctx, str(uuid.uuid4()),
                                               "nimbus-compute")


def test_service_states_judge_each_service_as_its_whole_row(
        database, nimbus_conf):  # noqa: F811
    ctx = nimbus_context.get_admin_context()
    beating = db_api.services.register(ctx, "h1", "nimbus-compute",
                                       "compute", 1)
    forced = db_api.services.register(ctx, "h2", "nimbus-compute",
                                      "compute", 1)
    stale = db_api.services.register(ctx, "h3", "nimbus-network",
                                     "network", 1)
    gone = db_api.services.register(ctx, "h4", "nimbus-compute",
                                    "compute", 1)
    ahead = db_api.services.register(ctx, "h5", "nimbus-volume", "volume",
                                     1)
    db_api.services.heartbeat_many(ctx, [beating["id"], forced["id"]])
    db_api.services.update(ctx, forced["id"], {"forced_down": True})
    long_ago = datetime.datetime.utcnow() - datetime.timedelta(
        seconds=nimbus_conf.service_down_time + 60)
    db_api.services.update(ctx, stale["id"], {
        "last_seen_up": long_ago, "updated_at": long_ago})
    db_api.services.update(ctx, ahead["id"], {
        "last_seen_up": datetime.datetime.utcnow() + datetime.timedelta(
            seconds=2 * nimbus_conf.service_down_time)})
    db_api.services.destroy(ctx, gone["id"])
    admin = admin_api.AdminAPI(nimbus_conf, db_api)

    states = admin.service_states(ctx)

    assert states == [(s["binary"], s["host"], s["topic"], s["is_up"])
                      for s in admin.list_services(ctx)]
    assert states == [("nimbus-compute", "h1", "compute", True),
                      ("nimbus-compute", "h2", "compute", False),
                      ("nimbus-network", "h3", "network", False),
                      ("nimbus-volume", "h5", "volume", False)]
