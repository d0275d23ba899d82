"""Compute nodes: inventory reported by computes, claims by schedulers.

A claim is one transaction: add the amounts to the node's ``*_used``
columns with ``WHERE generation = :seen`` and insert the allocation row
(on PostgreSQL both in one statement). If another scheduler claimed on
the node since this one read it, the update matches no row, nothing is
written and the caller re-reads the node and decides again. No node is ever over-committed, however many scheduler
processes run.
"""

import json

from oslo_utils import timeutils, uuidutils
from sqlalchemy import (
    bindparam,
    delete,
    false,
    func,
    insert,
    select,
    update,
)

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api import server_groups
from nimbus.core.db.api._common import fits_integer, to_dict

_INVENTORY = ("hypervisor_type", "hypervisor_version", "cpu_info", "host_ip",
              "vcpus", "memory_mb", "local_gb", "cpu_allocation_ratio",
              "ram_allocation_ratio", "disk_allocation_ratio",
              "reserved_host_memory_mb", "reserved_host_disk_mb",
              "reserved_host_cpus", "service_id", "capabilities")

CN = models.ComputeNode
ALLOC = models.Allocation


def _dump(values):
    values = dict(values)
    for key in ("cpu_info", "capabilities"):
        if isinstance(values.get(key), dict):
            values[key] = json.dumps(values[key], sort_keys=True)
    return values


def report_inventory(context, host, hypervisor_hostname, values):
    """Create the node or update its inventory; bump generation on change.

    :returns: the node row.
    """
    values = _dump(values)
    with engine.writer(context) as session:
        row = session.scalars(select(CN).where(
            CN.host == host, CN.hypervisor_hostname == hypervisor_hostname,
            CN.deleted == 0)).first()
        if row is None:
            row = CN(uuid=uuidutils.generate_uuid(), host=host,
                     hypervisor_hostname=hypervisor_hostname,
                     **{k: v for k, v in values.items() if k in _INVENTORY})
            session.add(row)
        else:
            changed = {k: v for k, v in values.items()
                       if k in _INVENTORY and getattr(row, k) != v}
            if changed:
                for key, value in changed.items():
                    setattr(row, key, value)
                row.generation = row.generation + 1
            row.updated_at = timeutils.utcnow()
        session.flush()
        return to_dict(row)


def _is_node(marker):
    """The clause matching the node ``marker`` names (its id or uuid)."""
    if uuidutils.is_uuid_like(str(marker)):
        return CN.uuid == str(marker)
    if str(marker).isascii() and str(marker).isdigit() and \
            fits_integer(int(marker)):
        return CN.id == int(marker)
    return false()


def get_all(context, host=None, limit=None, marker=None,
            hypervisor_hostname=None):
    """Live nodes by id; a page after ``marker`` (a node's id or uuid);
    only ``host``'s and only the node named ``hypervisor_hostname`` when
    given.

    :raises InvalidInput: ``marker`` is no live node's id or uuid.
    """
    query = select(CN).where(CN.deleted == 0)
    if host:
        query = query.where(CN.host == host)
    if hypervisor_hostname:
        query = query.where(CN.hypervisor_hostname == hypervisor_hostname)
    with engine.reader(context) as session:
        if marker is not None:
            found = session.scalars(query.where(_is_node(marker))).first()
            if not found:
                raise exception.InvalidInput(
                    reason=f"marker [{marker}] not found")
            query = query.where(CN.id > found.id)
        return [to_dict(r) for r in session.scalars(
            query.order_by(CN.id).limit(limit))]


def get(context, node_id):
    column = CN.uuid if uuidutils.is_uuid_like(str(node_id)) else CN.id
    with engine.reader(context) as session:
        row = session.scalars(select(CN).where(
            column == node_id, CN.deleted == 0)).first()
        if row is None:
            raise exception.ComputeNodeNotFound(node=node_id)
        return to_dict(row)


def get_capabilities(context, host, nodename=None):
    """Return what the compute API needs to check an action on ``host``:
    one indexed read of two columns.

    :param nodename: the instance's node (hypervisor hostname); any node of
        ``host`` when None.
    :returns: ``{"hypervisor_type": str, "capabilities": dict or None}``
        (None: the compute has not reported capabilities), or None when
        the host has no compute node.
    """
    query = select(CN.hypervisor_type, CN.capabilities).where(
        CN.host == host, CN.deleted == 0)
    if nodename:
        query = query.where(CN.hypervisor_hostname == nodename)
    with engine.reader(context) as session:
        row = session.execute(query.limit(1)).first()
    if row is None:
        return None
    caps = json.loads(row.capabilities) if row.capabilities else None
    return {"hypervisor_type": row.hypervisor_type, "capabilities": caps}


def _guarded_update():
    """UPDATE the node's usage WHERE its generation is still the one the
    scheduler saw (the optimistic check)."""
    return (update(CN)
            .where(CN.id == bindparam("c_node_id"),
                   CN.generation == bindparam("c_generation"))
            .values(vcpus_used=CN.vcpus_used + bindparam("c_vcpus"),
                    memory_mb_used=CN.memory_mb_used
                    + bindparam("c_memory_mb"),
                    local_gb_used=CN.local_gb_used + bindparam("c_disk_gb"),
                    running_vms=CN.running_vms + 1,
                    generation=CN.generation + 1,
                    updated_at=bindparam("c_now", type_=CN.updated_at.type)))


_ALLOC_COLUMNS = ("compute_node_id", "consumer_uuid", "vcpus", "memory_mb",
                  "disk_gb", "created_at")


def _allocation_values(node_id):
    """The allocation row's values, ``node_id`` first (an expression)."""
    return (node_id,
            bindparam("c_consumer_uuid", type_=ALLOC.consumer_uuid.type),
            bindparam("c_vcpus", type_=ALLOC.vcpus.type),
            bindparam("c_memory_mb", type_=ALLOC.memory_mb.type),
            bindparam("c_disk_gb", type_=ALLOC.disk_gb.type),
            bindparam("c_now", type_=ALLOC.created_at.type))


def _claim_cte():
    """PostgreSQL: the guarded UPDATE and the allocation INSERT in one
    statement (one round trip, atomic even in autocommit). The INSERT
    selects from the UPDATE's RETURNING, so it inserts nothing when the
    generation check fails."""
    upd = _guarded_update().returning(CN.id).cte("claimed")
    return (insert(models.Allocation)
            .from_select(_ALLOC_COLUMNS,
                         select(*_allocation_values(upd.c.id)))
            .add_cte(upd))


# Built once: SQLAlchemy then reuses their compiled form on every claim.
_UPDATE = _guarded_update()
_INSERT = insert(models.Allocation).values(
    dict(zip(_ALLOC_COLUMNS, _allocation_values(bindparam("c_node_id")),
             strict=True)))
_CLAIM_CTE = _claim_cte()


def claim(context, node_id, generation, consumer_uuid, vcpus, memory_mb,
          disk_gb, group=None, host=None):
    """Claim resources on a node if it is still at ``generation``.

    Runs on this thread's held connection (see ``engine.held``): on
    PostgreSQL without a hard server group that is one statement; else one
    transaction.

    :param group: the request spec's server group, if any: its policy is
        re-checked in this transaction (see ``server_groups.check_claim``).
    :returns: the node's new generation.
    :raises GenerationConflict: the node changed; nothing was written.
    :raises GroupConflict: the group's policy forbids the
        node now; nothing was written.
    """
    params = {"c_node_id": node_id, "c_generation": generation,
              "c_consumer_uuid": consumer_uuid, "c_vcpus": vcpus,
              "c_memory_mb": memory_mb, "c_disk_gb": disk_gb,
              "c_now": timeutils.utcnow()}
    checked = server_groups.is_hard(group)
    # first in the writer turn: a process's decisions are made one at a
    # time, and every boot behind this one waits for its claim
    with engine.held(write=True, first=True) as conn:
        if conn.dialect.name == "postgresql" and not checked:
            _claim_statements(conn, params)
        else:
            with engine.transaction(conn):
                if checked:
                    server_groups.check_claim(conn, group, host,
                                              consumer_uuid)
                _claim_statements(conn, params)
    return generation + 1


def _claim_statements(conn, params):
    """Write the claim, or raise GenerationConflict having written
    nothing (callers roll back any enclosing transaction)."""
    if conn.dialect.name == "postgresql":
        if conn.execute(_CLAIM_CTE, params).rowcount != 1:
            raise exception.GenerationConflict(node=params["c_node_id"])
        return
    if conn.execute(_UPDATE, params).rowcount != 1:
        raise exception.GenerationConflict(node=params["c_node_id"])
    conn.execute(_INSERT, params)


def record_build_result(context, host, nodename, failed):
    """Count a failed build on the node, or reset the count on success.

    Touches ``updated_at`` (schedulers notice) but not ``generation``.
    """
    values = {"failed_builds": CN.failed_builds + 1} if failed else \
        {"failed_builds": 0}
    query = update(CN).where(CN.host == host, CN.deleted == 0)
    if nodename:
        query = query.where(CN.hypervisor_hostname == nodename)
    if not failed:
        query = query.where(CN.failed_builds != 0)
    with engine.writer(context) as session:
        session.execute(query.values(updated_at=timeutils.utcnow(), **values)
                        .execution_options(synchronize_session=False))


def release(context, consumer_uuid):
    """Remove every allocation of ``consumer_uuid``; idempotent.

    :returns: the number of allocations removed.
    """
    with engine.writer(context) as session:
        return release_in_session(session, consumer_uuid)


def release_in_session(session, consumer_uuid):
    """Delete the consumer's allocations and take them off their nodes'
    usage, in ``session``'s transaction; returns how many there were.

    Core statements built once (a delete runs this for every server):
    where the database returns a DELETE's rows (SQLite 3.35+,
    PostgreSQL, MariaDB 10.5+) the allocations are read by the DELETE
    itself, so of two concurrent releases only the one that deleted them
    gives them back.
    """
    mine = {"consumer": consumer_uuid}
    if engine.dialect_of(session).delete_returning:
        allocs = session.execute(_RELEASE_RETURNING, mine).all()
    else:
        allocs = session.execute(_AMOUNTS, mine).all()
        if allocs:
            session.execute(_RELEASE, mine)
    for node_id, vcpus, memory_mb, disk_gb in allocs:
        session.execute(_GIVE_BACK, {
            "r_node_id": node_id, "r_vcpus": vcpus,
            "r_memory_mb": memory_mb, "r_disk_gb": disk_gb})
    return len(allocs)


def _release_statements():
    table, nodes = ALLOC.__table__, CN.__table__
    amounts = (table.c.compute_node_id, table.c.vcpus, table.c.memory_mb,
               table.c.disk_gb)
    mine = table.c.consumer_uuid == bindparam("consumer")
    give_back = update(nodes).where(
        nodes.c.id == bindparam("r_node_id")).values(
        vcpus_used=nodes.c.vcpus_used - bindparam("r_vcpus"),
        memory_mb_used=nodes.c.memory_mb_used - bindparam("r_memory_mb"),
        local_gb_used=nodes.c.local_gb_used - bindparam("r_disk_gb"),
        running_vms=nodes.c.running_vms - 1,
        generation=nodes.c.generation + 1)
    return (delete(table).where(mine).returning(*amounts),
            select(*amounts).where(mine), delete(table).where(mine),
            give_back)


_RELEASE_RETURNING, _AMOUNTS, _RELEASE, _GIVE_BACK = _release_statements()


def allocations_for(context, consumer_uuid):
    with engine.reader(context) as session:
        return [to_dict(a) for a in session.scalars(
            select(models.Allocation).where(
                models.Allocation.consumer_uuid == consumer_uuid))]


def allocation_count(context):
    with engine.reader(context) as session:
        return session.scalar(select(func.count(models.Allocation.id)))


def statistics(context):
    """Sums over all nodes (os-hypervisors/statistics)."""
    cols = ("vcpus", "memory_mb", "local_gb", "vcpus_used",
            "memory_mb_used", "local_gb_used", "running_vms")
    with engine.reader(context) as session:
        row = session.execute(
            select(func.count(CN.id),
                   *[func.coalesce(func.sum(getattr(CN, c)), 0)
                     for c in cols]).where(CN.deleted == 0)).one()
    stats = dict(zip(("count",) + cols, (int(v) for v in row), strict=True))
    return stats


def move_allocations(context, from_consumer, to_consumer):
    """Hand every allocation of ``from_consumer`` to ``to_consumer`` (a
    move's source claim passes from the instance to its migration and
    back); node usage does not change. Idempotent.

    :returns: the number of allocations handed over.
    """
    with engine.writer(context) as session:
        return move_allocations_in_session(session, from_consumer,
                                           to_consumer)


def move_allocations_in_session(session, from_consumer, to_consumer):
    result = session.execute(
        update(models.Allocation)
        .where(models.Allocation.consumer_uuid == from_consumer)
        .values(consumer_uuid=to_consumer)
        .execution_options(synchronize_session=False))
    return result.rowcount
