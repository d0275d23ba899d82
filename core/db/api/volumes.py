"""Volumes, snapshots, attachments and volume hosts.

Every status change is a guarded ``UPDATE ... WHERE status IN
(expected)``: of two concurrent transitions of one record exactly one
matches a row, and the other gets
:class:`~nimbus.core.exception.VolumeInvalidState` (or
:class:`~nimbus.core.exception.SnapshotInvalidState`) naming the status it
found. Setting ``status`` also sets ``status_changed_at``, which recovery
reads to find records stuck in a transient status.
"""

import functools
import json

from oslo_utils import timeutils, uuidutils
from sqlalchemy import bindparam, exists, func, select, update

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import to_dict

V = models.Volume
S = models.VolumeSnapshot
A = models.VolumeAttachment
H = models.VolumeHost


def _stamp(values):
    values = dict(values)
    now = timeutils.utcnow()
    values["updated_at"] = now
    if "status" in values:
        values["status_changed_at"] = now
    return values


#: the tables, for Core statements on hot paths (rows straight to dicts,
#: no ORM objects: a create+delete pair makes a dozen of these calls).
VT = V.__table__
AT = A.__table__


def _one(session, query):
    """The first row of a Core ``query`` as a dict, or None."""
    row = session.execute(query).first()
    return None if row is None else dict(row._mapping)


def _tuple(expected):
    if expected is None:
        return None
    return (expected,) if isinstance(expected, str) else tuple(expected)


# -- grouping -------------------------------------------------------------------

def reading(context):
    """``with reading(ctx):`` one read transaction that the calls of the
    database API made inside it join (one connection, one snapshot)
    instead of each opening its own; the volume API groups the reads of
    a request with it."""
    return engine.reader(context)


def writing(context):
    """``with writing(ctx):`` one read-write transaction the calls made
    inside it join (reads and guarded updates of one request commit or
    roll back together)."""
    return engine.writer(context)


# -- volumes -------------------------------------------------------------------

def create_volume(context, values):
    """Insert a volume (``values`` carry ``id`` and ``status``)."""
    now = timeutils.utcnow()
    with engine.writer(context) as session:
        session.execute(VT.insert().values(
            created_at=now, status_changed_at=now, deleted=0, **values))
        return _one(session, select(VT).where(VT.c.id == values["id"]))


def get_volume(context, volume_id, project_id=None):
    """Return a live volume.

    :param project_id: when given, a volume of another project is
        reported as not found.
    :raises VolumeNotFound:
    """
    query = select(VT).where(VT.c.id == volume_id, VT.c.deleted == 0)
    if project_id is not None:
        query = query.where(VT.c.project_id == project_id)
    with engine.reader(context) as session:
        row = _one(session, query)
        if row is None:
            raise exception.VolumeNotFound(volume_id=volume_id)
        return row


def get_volumes(context, filters=None):
    """List live volumes, newest first.

    :param filters: ``project_id``, ``host``, ``status`` (a value or a
        list), ``ids``, ``name`` (exact), ``changed_before`` (status
        changed before this time).
    """
    filters = filters or {}
    query = select(V).where(V.deleted == 0)
    for key, column in (("project_id", V.project_id), ("host", V.host),
                        ("name", V.display_name)):
        if filters.get(key) is not None:
            query = query.where(column == filters[key])
    if filters.get("status"):
        query = query.where(V.status.in_(_tuple(filters["status"])))
    if filters.get("ids") is not None:
        query = query.where(V.id.in_(filters["ids"]))
    if filters.get("changed_before") is not None:
        query = query.where(V.status_changed_at < filters["changed_before"])
    query = query.order_by(V.created_at.desc(), V.id)
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(query)]


def update_volume(context, volume_id, values, expected_status=None,
                  action="update", require_no_snapshots=False):
    """Update a live volume if its status is one of ``expected_status``.

    :param expected_status: a status or tuple of statuses; None: no check.
    :param action: names the operation in the error.
    :param require_no_snapshots: also require that no live snapshot of
        the volume exists (checked in the same statement).
    :raises VolumeNotFound: no such live volume.
    :raises VolumeInvalidState: the guard did not match.
    :raises VolumeIsBusy: ``require_no_snapshots`` and it has some.
    """
    expected = _tuple(expected_status)
    clauses = [VT.c.id == volume_id, VT.c.deleted == 0]
    if expected is not None:
        clauses.append(VT.c.status.in_(expected))
    if require_no_snapshots:
        clauses.append(~exists().where(S.volume_id == VT.c.id,
                                       S.deleted == 0))
    with engine.writer(context) as session:
        if require_no_snapshots:
            # Wait for a snapshot being inserted (create_snapshot holds this
            # row lock) before the guard reads the snapshots: PostgreSQL
            # re-checks a blocked UPDATE's own row but not its subquery, so
            # without the lock a snapshot committed meanwhile goes unseen.
            session.execute(select(VT.c.id).where(VT.c.id == volume_id)
                            .with_for_update())
        result = session.execute(
            VT.update().where(*clauses).values(**_stamp(values)))
        if result.rowcount != 1:
            row = session.scalars(select(V).where(
                V.id == volume_id, V.deleted == 0)).first()
            if row is None:
                raise exception.VolumeNotFound(volume_id=volume_id)
            if expected is not None and row.status not in expected:
                raise exception.VolumeInvalidState(
                    action=action, volume_id=volume_id, status=row.status,
                    expected=" or ".join(expected))
            raise exception.VolumeIsBusy(
                volume_id=volume_id, reason="it has snapshots")
        return _one(session, select(VT).where(VT.c.id == volume_id))


def destroy_volume(context, volume_id, expected_status=None):
    """Soft-delete a volume (status ``deleted``) and its attachment rows,
    in one transaction.

    :raises VolumeNotFound, VolumeInvalidState: as :func:`update_volume`.
    """
    now = timeutils.utcnow()
    values = {"deleted": 1, "deleted_at": now, "status": "deleted"}
    with engine.writer(context):
        row = update_volume(context, volume_id, values, expected_status,
                            action="delete")
        with engine.writer(context) as session:
            session.execute(AT.update().where(AT.c.volume_id == volume_id,
                                              AT.c.deleted == 0)
                            .values(deleted=1, deleted_at=now,
                                    updated_at=now))
    return row


def mark_attached(context, volume_id, instance_uuid, values):
    """``attaching`` -> ``in-use`` and the server's pending attachment
    (or a new one) -> ``values`` (its attached state), in ONE
    transaction: no reader sees an in-use volume without its attachment.

    :raises VolumeNotFound, VolumeInvalidState: as :func:`update_volume`.
    """
    now = timeutils.utcnow()
    with engine.writer(context) as session:
        update_volume(context, volume_id, {"status": "in-use"},
                      expected_status="attaching", action="attach")
        pending = session.execute(select(AT.c.id).where(
            AT.c.deleted == 0, AT.c.volume_id == volume_id,
            AT.c.instance_uuid == instance_uuid,
            AT.c.attach_status == "attaching")
            .order_by(AT.c.created_at, AT.c.id)).first()
        if pending is not None:
            session.execute(AT.update().where(AT.c.id == pending.id)
                            .values(updated_at=now, **values))
        else:
            session.add(A(id=uuidutils.generate_uuid(), created_at=now,
                          deleted=0, volume_id=volume_id,
                          instance_uuid=instance_uuid, **values))


# -- snapshots -----------------------------------------------------------------

def create_snapshot(context, values, volume_status):
    """Insert a snapshot if its volume is live and in ``volume_status``.

    The volume row is locked (``SELECT ... FOR UPDATE``) while the
    snapshot is inserted, so a concurrent delete of the volume, which
    requires no live snapshot, cannot slip in between.

    :raises VolumeNotFound, VolumeInvalidState:
    """
    now = timeutils.utcnow()
    expected = _tuple(volume_status)
    with engine.writer(context) as session:
        volume = session.scalars(
            select(V).where(V.id == values["volume_id"], V.deleted == 0)
            .with_for_update()).first()
        if volume is None:
            raise exception.VolumeNotFound(volume_id=values["volume_id"])
        if volume.status not in expected:
            raise exception.VolumeInvalidState(
                action="snapshot", volume_id=volume.id,
                status=volume.status, expected=" or ".join(expected))
        row = S(created_at=now, status_changed_at=now, deleted=0, **values)
        session.add(row)
        session.flush()
        return to_dict(row)


def get_snapshot(context, snapshot_id, project_id=None):
    """:raises SnapshotNotFound:"""
    query = select(S).where(S.id == snapshot_id, S.deleted == 0)
    if project_id is not None:
        query = query.where(S.project_id == project_id)
    with engine.reader(context) as session:
        row = session.scalars(query).first()
        if row is None:
            raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
        return to_dict(row)


def get_snapshots(context, filters=None):
    """List live snapshots, newest first (filters: ``project_id``,
    ``volume_id``, ``status``, ``name``, ``changed_before``)."""
    filters = filters or {}
    query = select(S).where(S.deleted == 0)
    for key, column in (("project_id", S.project_id),
                        ("volume_id", S.volume_id),
                        ("name", S.display_name)):
        if filters.get(key) is not None:
            query = query.where(column == filters[key])
    if filters.get("status"):
        query = query.where(S.status.in_(_tuple(filters["status"])))
    if filters.get("changed_before") is not None:
        query = query.where(S.status_changed_at < filters["changed_before"])
    query = query.order_by(S.created_at.desc(), S.id)
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(query)]


def update_snapshot(context, snapshot_id, values, expected_status=None,
                    action="update"):
    """Guarded update of a live snapshot (see :func:`update_volume`).

    :raises SnapshotNotFound, SnapshotInvalidState:
    """
    expected = _tuple(expected_status)
    clauses = [S.id == snapshot_id, S.deleted == 0]
    if expected is not None:
        clauses.append(S.status.in_(expected))
    with engine.writer(context) as session:
        result = session.execute(
            update(S).where(*clauses).values(**_stamp(values))
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            row = session.scalars(select(S).where(
                S.id == snapshot_id, S.deleted == 0)).first()
            if row is None:
                raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
            raise exception.SnapshotInvalidState(
                action=action, snapshot_id=snapshot_id, status=row.status,
                expected=" or ".join(expected))
        return to_dict(session.scalars(select(S).where(S.id == snapshot_id))
                       .one())


def destroy_snapshot(context, snapshot_id, expected_status=None):
    now = timeutils.utcnow()
    return update_snapshot(
        context, snapshot_id,
        {"deleted": 1, "deleted_at": now, "status": "deleted"},
        expected_status, action="delete")


# -- attachments ---------------------------------------------------------------

def create_attachment(context, values):
    now = timeutils.utcnow()
    with engine.writer(context) as session:
        row = A(created_at=now, deleted=0, **values)
        session.add(row)
        session.flush()
        return to_dict(row)


def get_attachments(context, volume_id=None, instance_uuid=None,
                    attach_status=None):
    """Live attachment rows, oldest first."""
    filters = {"volume_ids": _tuple(volume_id),
               "instance_uuids": _tuple(instance_uuid),
               "statuses": _tuple(attach_status)}
    given = {name: list(values) for name, values in filters.items()
             if values is not None}
    with engine.reader(context) as session:
        return [dict(r._mapping) for r in session.execute(
            _attachments_query(frozenset(given)), given)]


@functools.cache
def _attachments_query(filters):
    """The read of :func:`get_attachments` by ``filters`` (the names of
    the lists bound, each an expanding IN), built once per combination:
    every delete reads its server's."""
    columns = {"volume_ids": AT.c.volume_id,
               "instance_uuids": AT.c.instance_uuid,
               "statuses": AT.c.attach_status}
    query = select(AT).where(AT.c.deleted == 0, *(
        columns[name].in_(bindparam(name, expanding=True))
        for name in sorted(filters)))
    return query.order_by(AT.c.created_at, AT.c.id)


def orphaned_attachments(context, host):
    """Live attachments of ``host``'s volumes whose server is gone (its
    delete could not reach the volume service)."""
    instances = models.Instance.__table__
    query = (select(AT).join(VT, VT.c.id == AT.c.volume_id)
             .where(AT.c.deleted == 0, VT.c.deleted == 0, VT.c.host == host,
                    AT.c.instance_uuid.is_not(None),
                    ~exists().where(instances.c.uuid == AT.c.instance_uuid,
                                    instances.c.deleted == 0))
             .order_by(AT.c.created_at, AT.c.id))
    with engine.reader(context) as session:
        return [dict(r._mapping) for r in session.execute(query)]


def unowned_attach_states(context, host, changed_before):
    """``host``'s volumes ``attaching`` or ``detaching`` since before
    ``changed_before`` that no server is working on: none of their live
    attachments belongs to a live server with a task state (a build,
    delete or other action of its compute in flight). Their attach or
    detach was abandoned (a compute or message lost on the way)."""
    instances = models.Instance.__table__
    busy = exists().where(
        AT.c.volume_id == VT.c.id, AT.c.deleted == 0,
        instances.c.uuid == AT.c.instance_uuid, instances.c.deleted == 0,
        instances.c.task_state.is_not(None))
    query = (select(VT).where(
        VT.c.deleted == 0, VT.c.host == host,
        VT.c.status.in_(("attaching", "detaching")),
        VT.c.status_changed_at < changed_before, ~busy)
        .order_by(VT.c.status_changed_at, VT.c.id))
    with engine.reader(context) as session:
        return [dict(r._mapping) for r in session.execute(query)]


def update_attachment(context, attachment_id, values):
    """:raises VolumeAttachmentNotFound:"""
    values = dict(values, updated_at=timeutils.utcnow())
    with engine.writer(context) as session:
        result = session.execute(
            update(A).where(A.id == attachment_id, A.deleted == 0)
            .values(**values).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise exception.VolumeAttachmentNotFound(
                attachment_id=attachment_id)
        return to_dict(session.scalars(select(A).where(
            A.id == attachment_id)).one())


def destroy_attachment(context, attachment_id):
    now = timeutils.utcnow()
    return update_attachment(context, attachment_id,
                             {"deleted": 1, "deleted_at": now,
                              "attach_status": "detached",
                              "detach_time": now})


# -- volume hosts --------------------------------------------------------------

def report_host(context, host, driver, availability_zone, total_gb,
                free_gb, capabilities):
    """Record a volume host's capacity report (insert or update)."""
    now = timeutils.utcnow()
    values = {"driver": driver, "availability_zone": availability_zone,
              "total_gb": float(total_gb), "free_gb": float(free_gb),
              "capabilities": json.dumps(capabilities, sort_keys=True)}
    with engine.writer(context) as session:
        row = session.get(H, host)
        if row is None:
            session.add(H(host=host, created_at=now, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = now


def get_hosts(context):
    """Every volume host's last report, with ``allocated_gb``: the sum of
    the sizes of its live volumes and snapshots, counted now (so volumes
    scheduled since the last report count)."""
    with engine.reader(context) as session:
        allocated = dict(session.execute(
            select(V.host, func.coalesce(func.sum(V.size), 0))
            .where(V.deleted == 0, V.host.is_not(None))
            .group_by(V.host)).all())
        snap = dict(session.execute(
            select(V.host, func.coalesce(func.sum(S.volume_size), 0))
            .join(V, V.id == S.volume_id)
            .where(S.deleted == 0).group_by(V.host)).all())
        rows = []
        for row in session.scalars(select(H).order_by(H.host)):
            item = to_dict(row)
            item["capabilities"] = json.loads(item["capabilities"] or "{}")
            item["allocated_gb"] = int(allocated.get(row.host, 0)) + \
                int(snap.get(row.host, 0))
            rows.append(item)
        return rows


# -- quota usage ---------------------------------------------------------------

def usage(context, project_id):
    """``{"volumes", "snapshots", "gigabytes"}`` used by a project
    (gigabytes: volumes plus snapshots, as Cinder counts them)."""
    with engine.reader(context) as session:
        count, size = session.execute(
            select(func.count(V.id), func.coalesce(func.sum(V.size), 0))
            .where(V.project_id == project_id, V.deleted == 0)).one()
        snaps, snap_size = session.execute(
            select(func.count(S.id),
                   func.coalesce(func.sum(S.volume_size), 0))
            .where(S.project_id == project_id, S.deleted == 0)).one()
    return {"volumes": count, "snapshots": snaps,
            "gigabytes": int(size) + int(snap_size)}


# -- metadata ------------------------------------------------------------------

def change_metadata(context, kind, ident, project_id=None, merge=None,
                    replace=None, remove=None, max_items=None):
    """Change a live volume's or snapshot's metadata in one transaction
    (the row is locked while its JSON is read and written, so two
    concurrent changes of different keys both stay).

    :param kind: ``"volume"`` or ``"snapshot"``.
    :param project_id: when given, another project's record is not found.
    :param merge: keys to add or change; ``replace``: the new whole dict;
        ``remove``: a key to remove.
    :param max_items: the most items the result may hold (nothing is
        written when it would hold more).
    :returns: the new metadata dict.
    :raises InvalidInput: more than ``max_items``.
    :raises VolumeNotFound, SnapshotNotFound:
    :raises MetadataKeyNotFound: ``remove`` names no key.
    """
    model = V if kind == "volume" else S
    with engine.writer(context) as session:
        query = select(model.metadata_json).where(
            model.id == ident, model.deleted == 0)
        if project_id is not None:
            query = query.where(model.project_id == project_id)
        raw = session.execute(query.with_for_update()).scalar()
        if raw is None:
            if kind == "volume":
                raise exception.VolumeNotFound(volume_id=ident)
            raise exception.SnapshotNotFound(snapshot_id=ident)
        metadata = json.loads(raw or "{}")
        if replace is not None:
            metadata = dict(replace)
        metadata.update(merge or {})
        if remove is not None:
            if remove not in metadata:
                raise exception.MetadataKeyNotFound(
                    kind=kind.capitalize(), resource_id=ident, key=remove)
            del metadata[remove]
        if max_items is not None and len(metadata) > max_items:
            raise exception.InvalidInput(
                reason=f"Metadata may hold at most {max_items} items, not "
                       f"{len(metadata)}.")
        session.execute(
            update(model).where(model.id == ident)
            .values(metadata_json=json.dumps(metadata),
                    updated_at=timeutils.utcnow())
            .execution_options(synchronize_session=False))
        return metadata
