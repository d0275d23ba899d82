"""Migrations: the records of conductor's move workflows, and the claim
hand-overs that go with their steps.

While a move is in progress the source node's allocation belongs to the
migration (``consumer_uuid`` = the migration's uuid) and the target's to
the instance. Each step that changes who holds what runs in one
transaction with the status change it belongs to, guarded by the status
the step expects, so a claim is handed over or released exactly once
however often a step is retried or raced.
"""

from oslo_utils import timeutils
from sqlalchemy import and_, func, or_, select, update

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api import compute_nodes
from nimbus.core.db.api._common import fits_integer, to_dict

M = models.Migration
ALLOC = models.Allocation

#: statuses of a move that has not ended (for "in progress" queries).
IN_PROGRESS = ("queued", "accepted", "pre-migrating", "preparing",
               "cancelling", "migrating", "running", "post-migrating",
               "finished", "confirming", "reverting")
_UNSET = object()


def create(context, values, move=None):
    """Insert a migration; return its row.

    :param move: ``(from_consumer, to_consumer)``: allocations handed
        over in the same transaction (a move's source claim passes from
        the instance to the migration as the record appears, so every
        record of a move in progress holds it).
    """
    with engine.writer(context) as session:
        row = M(created_at=timeutils.utcnow(), **values)
        session.add(row)
        session.flush()
        if move:
            compute_nodes.move_allocations_in_session(session, *move)
        return to_dict(row)


def get(context, migration_id):
    """Return the migration by id (int) or uuid.

    :raises MigrationNotFound: no such live migration.
    """
    column = M.uuid if isinstance(migration_id, str) and \
        not (migration_id.isascii() and migration_id.isdigit()) else M.id
    if column is M.id and not fits_integer(int(migration_id)):
        raise exception.MigrationNotFound(migration_id=migration_id)
    with engine.reader(context) as session:
        row = session.scalars(select(M).where(
            column == migration_id, M.deleted == 0)).first()
    if row is None:
        raise exception.MigrationNotFound(migration_id=migration_id)
    return to_dict(row)


def get_all(context, filters=None, limit=None, marker=None):
    """List migrations, newest first, with keyset pagination.

    :param filters: ``instance_uuid``, ``status`` (str or list),
        ``migration_type``, ``source_compute``, ``dest_compute``,
        ``host`` (source or destination), ``node`` (either node),
        ``hidden`` (bool), ``project_id``, ``user_id``,
        ``changes_since`` and ``changes_before`` (datetimes on
        ``updated_at``), ``updated_before`` (same, for periodic tasks).
    :param marker: the uuid of the last migration of the previous page.
    :raises Invalid: ``marker`` names no migration.
    """
    filters = dict(filters or {})
    query = select(M).where(M.deleted == 0)
    for key in ("instance_uuid", "migration_type", "source_compute",
                "dest_compute", "project_id", "user_id"):
        if filters.get(key) is not None:
            query = query.where(getattr(M, key) == filters[key])
    if filters.get("status") is not None:
        status = filters["status"]
        status = [status] if isinstance(status, str) else list(status)
        query = query.where(M.status.in_(status))
    if filters.get("host") is not None:
        query = query.where(or_(M.source_compute == filters["host"],
                                M.dest_compute == filters["host"]))
    if filters.get("node") is not None:
        query = query.where(or_(M.source_node == filters["node"],
                                M.dest_node == filters["node"]))
    if filters.get("hidden") is not None:
        query = query.where(M.hidden == bool(filters["hidden"]))
    # ``updated_at``, or ``created_at`` for a row never updated.
    changed = func.coalesce(M.updated_at, M.created_at)
    if filters.get("changes_since") is not None:
        query = query.where(changed >= filters["changes_since"])
    if filters.get("changes_before") is not None:
        query = query.where(changed <= filters["changes_before"])
    if filters.get("updated_before") is not None:
        query = query.where(changed < filters["updated_before"])
    with engine.reader(context) as session:
        if marker:
            row = session.scalars(select(M).where(M.uuid == marker)).first()
            if row is None:
                raise exception.Invalid(
                    message=f"Marker {marker} could not be found.")
            query = query.where(or_(
                M.created_at < row.created_at,
                and_(M.created_at == row.created_at, M.id < row.id)))
        query = query.order_by(M.created_at.desc(), M.id.desc())
        if limit:
            query = query.limit(limit)
        return [to_dict(r) for r in session.scalars(query)]


def get_in_progress(context, instance_uuid, migration_type=None):
    """Return the instance's unfinished migrations, newest first."""
    filters = {"instance_uuid": instance_uuid, "status": IN_PROGRESS}
    if migration_type:
        filters["migration_type"] = migration_type
    return get_all(context, filters)


def update_migration(context, migration_id, values,
                     expected_status=_UNSET, release=None, move=None):
    """Update a migration if it is in the expected status; return its row.

    The claim changes asked for run in the same transaction, after the
    guarded update succeeded (so they happen once per status change):

    :param expected_status: a status or tuple of statuses the migration
        must have; omitted: no check.
    :param release: a consumer uuid whose allocations are released.
    :param move: ``(from_consumer, to_consumer)``: allocations handed
        over (see :func:`nimbus.core.db.api.compute_nodes.
        move_allocations_in_session`); after ``release``.
    :raises UnexpectedMigrationStatus: the guard did not match; nothing
        was written.
    :raises MigrationNotFound: no such live migration.
    """
    values = dict(values)
    values["updated_at"] = timeutils.utcnow()
    column = M.uuid if isinstance(migration_id, str) else M.id
    clauses = [column == migration_id, M.deleted == 0]
    if expected_status is not _UNSET:
        expected = (expected_status,) if isinstance(expected_status, str) \
            else tuple(expected_status)
        clauses.append(M.status.in_(expected))
    with engine.writer(context) as session:
        result = session.execute(
            update(M).where(*clauses).values(**values)
            .execution_options(synchronize_session=False))
        row = session.scalars(select(M).where(
            column == migration_id, M.deleted == 0)).first()
        if row is None:
            raise exception.MigrationNotFound(migration_id=migration_id)
        if result.rowcount != 1:
            raise exception.UnexpectedMigrationStatus(
                migration_id=row.uuid, expected=str(expected_status),
                actual=row.status)
        if release:
            compute_nodes.release_in_session(session, release)
        if move:
            compute_nodes.move_allocations_in_session(session, *move)
        session.refresh(row)
        return to_dict(row)
