"""Instances, with state changes guarded in SQL.

:func:`update` takes ``expected_task_state`` (and ``expected_vm_state``):
the ``UPDATE`` carries them in its ``WHERE`` clause, so of two concurrent
actions on one instance exactly one wins and the other gets
:class:`~nimbus.core.exception.UnexpectedTaskStateError`.
"""

import contextlib
import functools
import re

from oslo_db import exception as db_exc
from oslo_utils import timeutils
from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy import exc as sa_exc

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api import compute_nodes, instance_tags, migrations
from nimbus.core.db.api._common import to_dict

I = models.Instance  # noqa: E741 - a table alias, as in SQL
#: the instances table, for Core statements on the hot paths (a boot's
#: and a delete's reads and guarded updates): its rows become dicts
#: without building ORM objects (column names are the attribute names).
IT = I.__table__
MIG = models.Migration
SVC = models.Service

_UNSET = object()

# The statements of a boot's and a delete's reads and writes are built
# once, with bound parameters, and run again and again: building one
# (and the key SQLAlchemy caches its compiled form under) cost 30-170 us
# a time, more than SQLite took to run it. Guarded updates: one per
# shape (see _guarded_update).

#: an instance by uuid, live ones only / deleted ones too
_BY_UUID = select(IT).where(IT.c.uuid == bindparam("_uuid"))
_LIVE_BY_UUID = _BY_UUID.where(IT.c.deleted == 0)
#: the values (their columns) go with each execution
_INSERT = insert(IT)
_INSERT_RETURNING = insert(IT).returning(*IT.c)


def create(context, values, action=None):
    """Insert an instance (and its first action, in the same transaction).

    :param action: ``dict`` of InstanceAction values, or None.
    """
    now = timeutils.utcnow()
    with engine.writer(context) as session:
        row = I(created_at=now, **values)
        session.add(row)
        if action:
            session.add(models.InstanceAction(
                instance_uuid=values["uuid"], start_time=now, **action))
        session.flush()
        return to_dict(row)


def create_many(context, rows, actions=(), tags=()):
    """Insert several instances in one transaction (multi-create), each
    with ``tags`` (Compute API 2.52).

    Core statements, not the ORM's unit of work (every boot runs this:
    the flush of an instance and its action was a sixth of a create's
    CPU). Returns the rows as inserted, defaults and ids included.
    """
    now = timeutils.utcnow()
    with engine.writer(context, connection=True) as session:
        created = [_insert(session, dict(values, created_at=now))
                   for values in rows]
        if actions:
            session.execute(insert(models.InstanceAction.__table__),
                            [dict(a, start_time=now) for a in actions])
        tag_rows = [{"instance_uuid": values["uuid"], "tag": tag}
                    for values in rows for tag in sorted(set(tags))]
        if tag_rows:
            session.execute(insert(models.InstanceTag.__table__), tag_rows)
    return created


def _insert(session, values):
    """INSERT one instance; its row as stored (``RETURNING`` where the
    database has it, else read back in the same transaction)."""
    if engine.dialect_of(session).insert_returning:
        return dict(session.execute(_INSERT_RETURNING, values)
                    .one()._mapping)
    session.execute(_INSERT, values)
    return dict(session.execute(_BY_UUID, {"_uuid": values["uuid"]})
                .one()._mapping)


def get(context, uuid, read_deleted=False):
    with engine.reader(context, connection=True) as session:
        row = session.execute(_BY_UUID if read_deleted else _LIVE_BY_UUID,
                              {"_uuid": uuid}).first()
        if row is None:
            raise exception.InstanceNotFound(instance_id=uuid)
        return dict(row._mapping)


_ST = models.Service.__table__
#: what :func:`nimbus.core.servicegroup.is_up` reads of a service
_LIVENESS = ("forced_down", "last_seen_up", "updated_at", "created_at")
#: the live instance beside its host's service of one binary (none: the
#: ``host_service_id`` is NULL); built once, every delete runs it
_LIVE_WITH_HOST_SERVICE = select(
    IT, _ST.c.id.label("host_service_id"),
    *(_ST.c[name].label("host_service_" + name) for name in _LIVENESS)
).select_from(IT.outerjoin(_ST, and_(
    _ST.c.host == IT.c.host, _ST.c.binary == bindparam("binary"),
    _ST.c.deleted == 0))).where(IT.c.uuid == bindparam("_uuid"),
                                IT.c.deleted == 0)


def get_with_host_service(context, uuid, binary):
    """Return ``(instance row, service)``: the live instance and the
    liveness columns (``forced_down``, ``last_seen_up``, ``updated_at``,
    ``created_at``) of its host's ``binary`` service, or None when it
    has no host or the host no such service. One statement where a
    delete read the two apart.

    :raises InstanceNotFound: no such live instance.
    """
    with engine.reader(context, connection=True) as session:
        row = session.execute(_LIVE_WITH_HOST_SERVICE,
                              {"_uuid": uuid, "binary": binary}).first()
    if row is None:
        raise exception.InstanceNotFound(instance_id=uuid)
    found = row._mapping
    service = None if found["host_service_id"] is None else {
        name: found["host_service_" + name] for name in _LIVENESS}
    return {column.key: found[column] for column in IT.c}, service


def _returning(session):
    """Whether the database returns an UPDATE's rows (SQLite 3.35+,
    PostgreSQL; not MariaDB): then a guarded update and the read of its
    result are one statement."""
    return engine.dialect_of(session).update_returning


def _guard_of(expected):
    """``(shape, values)`` of a guard on ``expected`` (a value or a tuple
    of them, None included): the shape ``(any values, None among
    them)`` decides how it is written, the values (None left out) are
    bound; ``(None, None)`` for ``_UNSET`` (no guard)."""
    if expected is _UNSET:
        return None, None
    expected = expected if isinstance(expected, (list, tuple)) \
        else (expected,)
    values = [v for v in expected if v is not None]
    return (bool(values), None in expected), values


def _guard(column, shape, name):
    """The guard clause of ``shape`` (see :func:`_guard_of`) with its
    values bound as ``name`` (an expanding IN)."""
    values, none = shape
    clause = column.in_(bindparam(name, expanding=True)) if values \
        else None
    if none:
        clause = column.is_(None) if clause is None else \
            or_(clause, column.is_(None))
    return clause


@functools.lru_cache(maxsize=256)
def _guarded_update(columns, task_shape, vm_shape, returning,
                    destroying=False):
    """The UPDATE of one live instance (bound as ``_uuid``) that writes
    ``columns`` (each bound as ``v_<column>``) where the task and VM
    states are as the shapes say (``_task``, ``_vm``); with
    ``RETURNING`` every column when asked. ``destroying``: the
    soft-delete's ``deleted = id`` besides. One per shape, built once.
    """
    clauses = [IT.c.uuid == bindparam("_uuid"), IT.c.deleted == 0]
    if task_shape is not None:
        clauses.append(_guard(IT.c.task_state, task_shape, "_task"))
    if vm_shape is not None:
        clauses.append(_guard(IT.c.vm_state, vm_shape, "_vm"))
    values = {column: bindparam(f"v_{column}", type_=IT.c[column].type)
              for column in columns}
    if destroying:
        values["deleted"] = IT.c.id
    statement = update(IT).where(*clauses).values(values)
    return statement.returning(*IT.c) if returning else statement


def _write(session, uuid, values, expected_task_state=_UNSET,
           expected_vm_state=_UNSET, destroying=False):
    """Write ``values`` (plain values) to the live instance ``uuid`` if
    its states are as expected; return its row afterwards as a dict, or
    None when the guard (or the uuid) matched nothing: with
    ``RETURNING`` where the database has it, else with a read in the
    same transaction."""
    returning = _returning(session)
    task_shape, task_values = _guard_of(expected_task_state)
    vm_shape, vm_values = _guard_of(expected_vm_state)
    statement = _guarded_update(tuple(sorted(values)), task_shape,
                                vm_shape, returning, destroying)
    params = {f"v_{column}": value for column, value in values.items()}
    params.update(_uuid=uuid, _task=task_values, _vm=vm_values)
    if returning:
        row = session.execute(statement, params).first()
        return None if row is None else dict(row._mapping)
    if session.execute(statement, params).rowcount != 1:
        return None
    return dict(session.execute(_BY_UUID, {"_uuid": uuid}).one()._mapping)


def get_all(context, filters=None, limit=None, marker=None,
            sort_desc=True, by_id=False):
    """List instances, newest first, with keyset pagination.

    :param filters: ``project_id``, ``host``, ``flavor_id``, ``node``
        (each a value or a list of values), ``vm_state`` (list ok),
        ``uuids``, ``name`` and ``hostname`` (regexes, matched in Python
        after the query), ``changes_since``, ``changes_before`` (updated at or after,
        at or before), ``deleted`` (bool, default False: deleted ones
        too when true),
        ``terminated_since`` (live rows and the rows deleted since
        then, in one ordering: EC2's view), ``image_ref`` (list ok),
        ``flavor_id``, the tag filters (see :func:`_tag_filters`),
        ``locked`` (bool), ``user_id``, ``task_state`` (exact), ``regex``
        (see :func:`_regex_filters`).
    :param limit: at most this many (``0``: none, as Nova answers).
    :param marker: the uuid of the last instance of the previous page.
    :param by_id: in the order they were recorded instead, for reads of
        whole sets that need no page (a host's instances, without
        ``marker``). SQLite without statistics answered a host's
        instances newest first by walking every live instance in the
        order of creation (26 ms at 100,000 of them); in this order it
        takes the host's index (0.2 ms).
    """
    if limit == 0:
        return []
    if by_id and marker:
        raise ValueError("a page after a marker is newest first")
    filters = dict(filters or {})
    # The table's columns, not the mapped class: a page of 1000 rows
    # costs a third of the CPU it costs through the ORM's identity map.
    query = select(IT)
    since = filters.get("terminated_since")
    if since is not None:
        query = query.where(or_(I.deleted == 0, I.deleted_at >= since))
    elif not filters.pop("deleted", False):
        query = query.where(I.deleted == 0)
    for key in ("project_id", "host", "flavor_id", "node"):
        value = filters.get(key)
        if isinstance(value, (list, tuple, set, frozenset)):
            # several hosts at once: a compute fleet's periodic reads
            query = query.where(getattr(I, key).in_(list(value)))
        elif value is not None:
            query = query.where(getattr(I, key) == value)
    if filters.get("image_ref") is not None:
        refs = filters["image_ref"]
        query = query.where(I.image_ref.in_([refs] if isinstance(
            refs, str) else refs))
    if filters.get("vm_state"):
        states = filters["vm_state"]
        states = [states] if isinstance(states, str) else states
        query = query.where(I.vm_state.in_(states))
    if filters.get("uuids") is not None:
        query = query.where(I.uuid.in_(filters["uuids"]))
    if filters.get("changes_since"):
        query = query.where(I.updated_at >= filters["changes_since"])
    if filters.get("locked") is not None:
        query = query.where(I.locked == bool(filters["locked"]))
    if filters.get("changes_before"):
        query = query.where(I.updated_at <= filters["changes_before"])
    for key in ("user_id", "task_state"):
        if key in filters:
            query = query.where(getattr(I, key) == filters[key])
    query = _tag_filters(query, filters)
    query = _regex_filters(query, filters.get("regex"),
                           filters.get("regex_defaults") or {})
    if by_id:
        order = (I.id,)
    elif sort_desc:
        order = (I.created_at.desc(), I.id.desc())
    else:
        order = (I.created_at, I.id)
    regexes = {column: re.compile(filters[key]) for key, column in
               (("name", "display_name"), ("hostname", "hostname"))
               if filters.get(key)}
    with _refused_pattern(filters.get("regex")), \
            engine.reader(context) as session:
        if marker:
            query = _after_marker(session, query, marker, sort_desc)
        query = query.order_by(*order)
        if limit is not None and not regexes:
            query = query.limit(limit)
        # On the session's connection: no ORM result processing.
        rows = [dict(r) for r in
                session.connection().execute(query).mappings()]
    if regexes:
        rows = [r for r in rows if all(pattern.search(r[column] or "")
                                       for column, pattern in
                                       regexes.items())]
        rows = rows[:limit] if limit is not None else rows
    return rows


def _tag_filters(query, filters):
    """2.26: ``tags`` (all of), ``tags-any``, ``not-tags`` (not all
    of), ``not-tags-any`` (none of); lists of tags."""
    for key, every, negate in (("tags", True, False),
                               ("tags-any", False, False),
                               ("not-tags", True, True),
                               ("not-tags-any", False, True)):
        if filters.get(key):
            clause = instance_tags.matching(I.uuid, filters[key], every)
            query = query.where(~clause if negate else clause)
    return query


#: the columns whose text is the date and time to the second
#: (``YYYY-MM-DD HH:MM:SS``, what Nova's MySQL columns read as).
_TIMES = ("created_at", "launched_at", "terminated_at")


def _regex_filters(query, patterns, defaults):
    """Compute API 2.83's regex filters, as Nova's database applies them:
    each pattern searched (not anchored) in the column's text, numbers
    and times included; a NULL column matches nothing.

    :param patterns: ``{column: pattern}``.
    :param defaults: ``{column: text}`` for a column whose NULL shows as
        ``text`` (or one instances do not have: every row shows it).
    """
    for name, pattern in (patterns or {}).items():
        column = getattr(I, name, None)
        if column is None:
            text = literal(defaults.get(name, ""), String)
        elif name == "progress":
            # what server bodies show: 100 once ACTIVE (the column stays
            # 0: no nimbus plugin reports a build's progress).
            text = case((I.vm_state == "active", "100"),
                        else_=cast(column, String))
        else:
            text = cast(column, String)
            if name in _TIMES:
                text = func.substr(text, 1, 19)
            if name in defaults:
                text = func.coalesce(text, defaults[name])
        # NULL first: SQLite's REGEXP (oslo.db's) would search "None".
        query = query.where(text.is_not(None), text.regexp_match(pattern))
    return query


@contextlib.contextmanager
def _refused_pattern(patterns):
    """A pattern Python compiles (the API checked it) that the database's
    own regex engine refuses (PostgreSQL's, MariaDB's) is the caller's
    bad input, not a failure of ours: InvalidInput (a 400)."""
    try:
        yield
    except (db_exc.DBError, sa_exc.DBAPIError) as err:
        if not patterns:
            raise
        raise exception.InvalidInput(
            reason=f"The database cannot match the patterns {patterns}"
        ) from err


def _after_marker(session, query, marker, sort_desc):
    row = session.execute(select(I.created_at, I.id).where(
        I.uuid == marker)).first()
    if row is None:
        raise exception.InvalidInput(reason=f"marker {marker} not found")
    if sort_desc:
        return query.where(or_(I.created_at < row.created_at,
                               and_(I.created_at == row.created_at,
                                    I.id < row.id)))
    return query.where(or_(I.created_at > row.created_at,
                           and_(I.created_at == row.created_at,
                                I.id > row.id)))


def update_instance(context, uuid, values, expected_task_state=_UNSET,
                    expected_vm_state=_UNSET):
    """Update an instance if it is in the expected state; return the row.

    :param expected_task_state: a value or tuple of values the current
        ``task_state`` must have (None included); omitted: no check.
    :raises UnexpectedTaskStateError: the guard did not match.
    :raises InstanceNotFound: no such live instance.
    """
    return _update(context, uuid, values, expected_task_state,
                   expected_vm_state, original=False)[1]


def update_instance_and_get_original(context, uuid, values,
                                     expected_task_state=_UNSET,
                                     expected_vm_state=_UNSET):
    """:func:`update_instance`, also returning the ``vm_state`` and
    ``task_state`` the row had just before (read under a row lock in the
    same transaction), for ``instance.update`` notifications.

    :returns: ``({"vm_state": ..., "task_state": ...}, row)``
    """
    return _update(context, uuid, values, expected_task_state,
                   expected_vm_state, original=True)


def _update(context, uuid, values, expected_task_state, expected_vm_state,
            original):
    values = dict(values)
    values["updated_at"] = timeutils.utcnow()
    with engine.writer(context, connection=True) as session:
        before = None
        if original:
            # Columns, not the entity: the row read after the update must
            # not come from the session's identity map.
            before = session.execute(
                select(IT.c.vm_state, IT.c.task_state)
                .where(IT.c.uuid == uuid, IT.c.deleted == 0)
                .with_for_update()).first()
            before = dict(before._mapping) if before is not None else None
        row = _write(session, uuid, values, expected_task_state,
                     expected_vm_state)
        if row is None:
            _raise_guard_failure(session, uuid, expected_task_state)
        return before, row


def _raise_guard_failure(session, uuid, expected_task):
    row = session.execute(select(IT.c.task_state, IT.c.vm_state).where(
        IT.c.uuid == uuid, IT.c.deleted == 0)).first()
    if row is None:
        raise exception.InstanceNotFound(instance_id=uuid)
    if row.task_state == "deleting":
        raise exception.UnexpectedDeletingTaskStateError(
            instance_uuid=uuid, expected=str(expected_task),
            actual=row.task_state)
    if expected_task is not _UNSET:
        raise exception.UnexpectedTaskStateError(
            instance_uuid=uuid, expected=str(expected_task),
            actual=row.task_state)
    raise exception.InstanceInvalidState(
        action="update", instance_uuid=uuid, attr="vm_state",
        state=row.vm_state)


def destroy(context, uuid, expected_task_state=_UNSET):
    """Soft-delete an instance and release its allocations, atomically."""
    now = timeutils.utcnow()
    with engine.writer(context, connection=True) as session:
        row = _write(session, uuid, {
            "deleted_at": now, "terminated_at": now, "updated_at": now,
            "vm_state": "deleted", "task_state": None, "power_state": 0},
            expected_task_state, destroying=True)
        if row is None:
            _raise_guard_failure(session, uuid, expected_task_state)
        compute_nodes.release_in_session(session, uuid)
        _end_moves_in_session(session, uuid, now)
        return row


_MOVES_IN_PROGRESS = select(MIG.__table__.c.id, MIG.__table__.c.uuid).where(
    MIG.__table__.c.instance_uuid == bindparam("_uuid"),
    MIG.__table__.c.deleted == 0,
    MIG.__table__.c.status.in_(migrations.IN_PROGRESS))


def _end_moves_in_session(session, uuid, now):
    """A deleted instance's moves in progress end in ``error`` and give
    back the source claims they held (the workflow still running, if
    any, then loses its next guarded step and writes nothing)."""
    table = MIG.__table__
    moves = session.execute(_MOVES_IN_PROGRESS, {"_uuid": uuid}).all()
    for move in moves:
        compute_nodes.release_in_session(session, move.uuid)
    if moves:
        session.execute(
            update(table).where(table.c.id.in_([m.id for m in moves]))
            .values(status="error", updated_at=now))



def active_between(context, start, end, project_id=None, limit=None,
                   marker=None):
    """Instances (deleted ones too) that ran at some time in
    ``[start, end)``: launched before ``end`` and not terminated before
    ``start``; oldest first. For usage reports: at most ``limit``, those
    after ``marker`` (an instance uuid).

    :raises InvalidInput: ``marker`` is none of these instances.
    """
    query = select(I).where(I.launched_at.is_not(None),
                            I.launched_at < end,
                            or_(I.terminated_at.is_(None),
                                I.terminated_at > start))
    if project_id is not None:
        query = query.where(I.project_id == project_id)
    with engine.reader(context) as session:
        if marker is not None:
            row = session.scalars(query.where(I.uuid == marker)).first()
            if row is None:
                raise exception.InvalidInput(
                    reason=f"marker [{marker}] not found")
            query = query.where(or_(
                I.launched_at > row.launched_at,
                and_(I.launched_at == row.launched_at, I.id > row.id)))
        return [to_dict(r) for r in session.scalars(
            query.order_by(I.launched_at, I.id).limit(limit))]


def get_in_flight_before(context, before, binary="nimbus-compute"):
    """Instances with a task state last written before ``before``, each
    with the heartbeat of its host's ``binary`` service, in one query.

    :returns: instance dicts with ``service`` added: the service's
        ``forced_down``, ``last_seen_up``, ``updated_at`` and
        ``created_at`` as a dict, or None when the host has no such
        service (or no host at all).
    """
    # A new instance's first write sets created_at only.
    changed = func.coalesce(I.updated_at, I.created_at)
    query = (select(I, SVC.forced_down, SVC.last_seen_up, SVC.updated_at,
                    SVC.created_at, SVC.id)
             .outerjoin(SVC, and_(SVC.host == I.host,
                                  SVC.binary == binary,
                                  SVC.deleted == 0))
             .where(I.deleted == 0, I.task_state.is_not(None),
                    changed < before)
             .order_by(changed))
    found = []
    with engine.reader(context) as session:
        for row, forced, last_seen, updated, created, sid in \
                session.execute(query):
            values = to_dict(row)
            values["service"] = None if sid is None else {
                "forced_down": forced, "last_seen_up": last_seen,
                "updated_at": updated, "created_at": created}
            found.append(values)
    return found
