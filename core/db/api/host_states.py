"""What schedulers read to keep their host-state caches current.

Every function reads only rows changed since a timestamp, or small
aggregates over a few rows, so a scheduler refreshes its view of 10,000
hosts without re-reading them all.
"""

from sqlalchemy import and_, bindparam, func, or_, select

from nimbus.core.db import engine, models

CN = models.ComputeNode
S = models.Service
I = models.Instance  # noqa: E741

#: task states that load a host's disks and network (io_ops).
IO_TASK_STATES = ("scheduling", "block_device_mapping", "networking",
                  "spawning", "resize_prep", "resize_migrating",
                  "resize_migrated", "resize_finish", "image_snapshot",
                  "image_uploading", "rebuilding", "rebuild_spawning")


def snapshot(context):
    """``with snapshot(ctx):`` run several reads in one transaction (one
    connection checkout instead of one per read)."""
    return engine.reader(context)


def _changed(model, since):
    """``COALESCE(updated_at, created_at) >= since``, spelled so that an
    index on ``(updated_at, created_at)`` serves it."""
    return or_(model.updated_at >= since,
               and_(model.updated_at.is_(None), model.created_at >= since))


def nodes(context, ids=None):
    """Live compute nodes (only ``ids`` if given), as full rows."""
    query = select(*CN.__table__.columns).where(CN.deleted == 0)
    if ids is not None:
        query = query.where(CN.id.in_(list(ids)))
    with engine.reader(context) as session:
        return [dict(r._mapping) for r in
                session.execute(query.order_by(CN.id))]


_VERSIONS = select(CN.id, CN.generation, CN.failed_builds,
                   CN.deleted).where(_changed(
                       CN, bindparam("since", type_=CN.updated_at.type)))


def node_versions(context, since):
    """Return ``(id, generation, failed_builds, deleted)`` of nodes
    changed since ``since``.

    Read before every scheduling decision, so it is cheap: one indexed
    statement on a held connection (see ``engine.held``), no session, only
    integers (the overlap window re-reads hundreds of rows at high
    decision rates).
    """
    with engine.held() as conn:
        return [tuple(r) for r in conn.execute(_VERSIONS, {"since": since})]


_SERVICE_COLUMNS = (S.id, S.host, S.disabled, S.disabled_reason,
                    S.forced_down, S.last_seen_up, S.updated_at,
                    S.created_at, S.deleted)


def compute_services(context, since=None):
    """Compute services (changed since ``since``, deleted ones too)."""
    query = select(*_SERVICE_COLUMNS).where(S.binary == "nimbus-compute")
    if since is None:
        query = query.where(S.deleted == 0)
    else:
        query = query.where(_changed(S, since))
    with engine.reader(context) as session:
        return [dict(r._mapping) for r in session.execute(query)]


def allocations(context, node_ids=None):
    """Return ``{node_id: {consumer_uuid, ...}}``."""
    query = select(models.Allocation.compute_node_id,
                   models.Allocation.consumer_uuid)
    if node_ids is not None:
        if not node_ids:
            return {}
        query = query.where(models.Allocation.compute_node_id.in_(
            list(node_ids)))
    result = {}
    with engine.reader(context) as session:
        for node_id, consumer in session.execute(query):
            result.setdefault(node_id, set()).add(consumer)
    return result


def io_ops(context):
    """Return ``{host: instances in an I/O-heavy task state}``."""
    query = (select(I.host, func.count(I.id))
             .where(I.deleted == 0, I.host.is_not(None),
                    I.task_state.in_(IO_TASK_STATES))
             .group_by(I.host))
    with engine.reader(context) as session:
        return dict(session.execute(query).all())
