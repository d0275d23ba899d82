"""Claims raced by concurrent schedulers on SQLite, PostgreSQL and MariaDB.

Each thread claims through its own held connection, as separate
scheduler processes would: the generation check must stop every
over-commit, and a hard server group's check must stop two members from
splitting an affinity group even when they are claimed on different
nodes at the same moment.
"""

import concurrent.futures
import threading
import uuid

import pytest

from nimbus.core import context as nimbus_context
from nimbus.core import exception
from nimbus.core.db import api as db_api
from nimbus.core.db import migration
from nimbus.core.db import setup as db_setup
from tests import real

pytestmark = pytest.mark.real
CAPACITY = 12
WORKERS = 4


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def claims_db(request, nimbus_conf):
    """A migrated database of each kind, in use by this process."""
    if request.param == "sqlite":
        db_setup.use_database(nimbus_conf)
        migration.sync()
        yield nimbus_context.get_admin_context()
        return
    with real.database(request.param) as url:
        nimbus_conf.set_override("connection", url, "database")
        db_setup.use_database(nimbus_conf)
        migration.sync()
        yield nimbus_context.get_admin_context()
        from nimbus.core.db import engine
        engine.reset()


def _node(ctx, host, vcpus=CAPACITY):
    return db_api.compute_nodes.report_inventory(ctx, host, host, {
        "hypervisor_type": "fake", "hypervisor_version": 1,
        "vcpus": vcpus, "memory_mb": 512 * vcpus, "local_gb": 100})


def _fill(ctx, node_id, barrier):
    """Claim one vCPU at a time, like a scheduler, until the node is
    full as last read; return the number of claims won."""
    nodes, won = db_api.compute_nodes, 0
    barrier.wait()
    while True:
        node = nodes.get(ctx, node_id)
        if node["vcpus_used"] >= node["vcpus"]:
            return won
        try:
            nodes.claim(ctx, node_id, node["generation"],
                        str(uuid.uuid4()), 1, 512, 1)
            won += 1
        except exception.GenerationConflict:
            continue


def test_racing_claims_never_over_commit(claims_db):
    ctx = claims_db
    node = _node(ctx, "h1")
    barrier = threading.Barrier(WORKERS)
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        won = list(pool.map(lambda _i: _fill(ctx, node["id"], barrier),
                            range(WORKERS)))
    assert sum(won) == CAPACITY
    fresh = db_api.compute_nodes.get(ctx, node["id"])
    assert (fresh["vcpus_used"], fresh["memory_mb_used"],
            fresh["local_gb_used"], fresh["running_vms"]) == \
        (CAPACITY, 512 * CAPACITY, CAPACITY, CAPACITY)
    assert fresh["generation"] == node["generation"] + CAPACITY
    assert db_api.compute_nodes.allocation_count(ctx) == CAPACITY


def _claim_member(ctx, node, group, consumer, barrier):
    barrier.wait()
    try:
        db_api.compute_nodes.claim(
            ctx, node["id"], node["generation"], consumer, 1, 512, 1,
            group=group, host=node["host"])
        return node["host"]
    except exception.GroupConflict:
        return None


def test_racing_affinity_members_never_split(claims_db):
    ctx = claims_db
    nodes = [_node(ctx, "h1"), _node(ctx, "h2")]
    barrier = threading.Barrier(2)
    pool = concurrent.futures.ThreadPoolExecutor(2)
    for _round in range(10):
        group = db_api.server_groups.create(ctx, "g", "p", "u", "affinity")
        members = [str(uuid.uuid4()), str(uuid.uuid4())]
        db_api.server_groups.add_members(ctx, group["uuid"], members)
        spec_group = {"uuid": group["uuid"], "policy": "affinity",
                      "hosts": []}
        nodes = [db_api.compute_nodes.get(ctx, n["id"]) for n in nodes]
        hosts = list(pool.map(
            lambda args: _claim_member(ctx, *args, barrier),
            zip(nodes, [spec_group] * 2, members, strict=True)))
        assert sorted(hosts, key=str) == [None, hosts[0] or hosts[1]]
        assert db_api.server_groups.member_hosts(ctx, group["uuid"]) == \
            [hosts[0] or hosts[1]]
    pool.shutdown()


def test_stale_claim_in_group_writes_nothing(claims_db):
    ctx = claims_db
    node = _node(ctx, "h1")
    group = db_api.server_groups.create(ctx, "g", "p", "u",
                                        "anti-affinity")
    db_api.server_groups.add_members(ctx, group["uuid"], ["a", "b"])
    spec_group = {"uuid": group["uuid"], "policy": "anti-affinity",
                  "hosts": []}
    db_api.compute_nodes.claim(ctx, node["id"], node["generation"], "a",
                               1, 512, 1, group=spec_group, host="h1")
    with pytest.raises(exception.GenerationConflict):
        db_api.compute_nodes.claim(ctx, node["id"], node["generation"],
                                   "b", 1, 512, 1)
    with pytest.raises(exception.GroupConflict):
        db_api.compute_nodes.claim(ctx, node["id"], node["generation"] + 1,
                                   "b", 1, 512, 1, group=spec_group,
                                   host="h1")
    assert db_api.compute_nodes.allocations_for(ctx, "b") == []
    assert db_api.compute_nodes.get(ctx, node["id"])["running_vms"] == 1
