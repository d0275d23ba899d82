"""Host aggregates: named groups of hosts with metadata and a zone.

Every change touches the aggregate's ``updated_at``, so schedulers notice
changes with one cheap query (:func:`version`) instead of re-reading.
"""

from oslo_utils import timeutils, uuidutils
from sqlalchemy import bindparam, delete, func, select

from nimbus.core import exception
from nimbus.core.db import engine, models

A = models.Aggregate
AH = models.AggregateHost
AM = models.AggregateMetadata
AZ_KEY = "availability_zone"


def _row(session, aggregate_id):
    column = A.uuid if uuidutils.is_uuid_like(str(aggregate_id)) else A.id
    try:
        ident = aggregate_id if column is A.uuid else int(aggregate_id)
    except (TypeError, ValueError):
        raise exception.AggregateNotFound(aggregate_id=aggregate_id)
    row = session.scalars(select(A).where(column == ident,
                                          A.deleted == 0)).first()
    if row is None:
        raise exception.AggregateNotFound(aggregate_id=aggregate_id)
    return row


def _view(session, row):
    hosts = session.scalars(select(AH.host).where(
        AH.aggregate_id == row.id).order_by(AH.id)).all()
    meta = {m.key: m.value for m in session.scalars(
        select(AM).where(AM.aggregate_id == row.id))}
    if row.availability_zone:
        meta[AZ_KEY] = row.availability_zone
    return {"id": row.id, "uuid": row.uuid, "name": row.name,
            "availability_zone": row.availability_zone,
            "hosts": list(hosts), "metadata": meta,
            "created_at": row.created_at, "updated_at": row.updated_at,
            "deleted_at": row.deleted_at, "deleted": bool(row.deleted)}


def _touch(row):
    row.updated_at = timeutils.utcnow()


def create(context, name, availability_zone=None):
    with engine.writer(context) as session:
        if session.scalars(select(A.id).where(
                A.name == name, A.deleted == 0)).first():
            raise exception.AggregateNameExists(name=name)
        row = A(uuid=uuidutils.generate_uuid(), name=name,
                availability_zone=availability_zone,
                created_at=timeutils.utcnow(), deleted=0)
        session.add(row)
        session.flush()
        _touch(row)
        return _view(session, row)


def get(context, aggregate_id):
    with engine.reader(context) as session:
        return _view(session, _row(session, aggregate_id))


def get_all(context):
    with engine.reader(context) as session:
        rows = session.scalars(select(A).where(A.deleted == 0)
                               .order_by(A.id)).all()
        return [_view(session, r) for r in rows]


def host_zone(context, host):
    """The zone that an aggregate of ``host`` sets (the first such by
    id), or None: one statement, as every build and move asks it."""
    with engine.reader(context) as session:
        return session.scalars(_HOST_ZONE, {"host": host}).first()


_HOST_ZONE = (select(A.availability_zone)
              .join(AH, AH.aggregate_id == A.id)
              .where(AH.host == bindparam("host"), A.deleted == 0,
                     A.availability_zone.is_not(None),
                     A.availability_zone != "")
              .order_by(A.id).limit(1))


def update_aggregate(context, aggregate_id, values):
    with engine.writer(context) as session:
        row = _row(session, aggregate_id)
        name = values.get("name")
        if name and name != row.name and session.scalars(select(A.id).where(
                A.name == name, A.deleted == 0)).first():
            raise exception.AggregateNameExists(name=name)
        if name:
            row.name = name
        if AZ_KEY in values:
            _check_zone(session, row, row_hosts(session, row),
                        values[AZ_KEY])
            row.availability_zone = values[AZ_KEY] or None
        _touch(row)
        session.flush()
        return _view(session, row)


def delete_aggregate(context, aggregate_id):
    with engine.writer(context) as session:
        row = _row(session, aggregate_id)
        if row_hosts(session, row):
            raise exception.InvalidAggregateAction(
                action="delete", aggregate_id=aggregate_id,
                reason="it still has hosts")
        session.execute(delete(AM).where(AM.aggregate_id == row.id))
        row.deleted = row.id
        row.deleted_at = timeutils.utcnow()
        _touch(row)


def row_hosts(session, row):
    return set(session.scalars(select(AH.host).where(
        AH.aggregate_id == row.id)))


def _check_zone(session, row, hosts, zone):
    """A host may sit in one zone only: refuse conflicting zones."""
    if not zone or not hosts:
        return
    others = session.execute(
        select(AH.host, A.availability_zone).join(A, A.id == AH.aggregate_id)
        .where(AH.host.in_(hosts), A.id != row.id, A.deleted == 0,
               A.availability_zone.is_not(None))).all()
    clash = sorted({h for h, z in others if z != zone})
    if clash:
        raise exception.InvalidAggregateAction(
            action="set the zone of", aggregate_id=row.id,
            reason=f"hosts {', '.join(clash)} are in another zone")


def add_host(context, aggregate_id, host):
    with engine.writer(context) as session:
        row = _row(session, aggregate_id)
        if host in row_hosts(session, row):
            raise exception.AggregateHostExists(aggregate_id=aggregate_id,
                                                host=host)
        if not session.scalars(select(models.Service.id).where(
                models.Service.host == host,
                models.Service.binary == "nimbus-compute",
                models.Service.deleted == 0)).first():
            raise exception.ComputeHostNotFound(host=host)
        _check_zone(session, row, {host}, row.availability_zone)
        session.add(AH(aggregate_id=row.id, host=host))
        _touch(row)
        session.flush()
        return _view(session, row)


def remove_host(context, aggregate_id, host):
    with engine.writer(context) as session:
        row = _row(session, aggregate_id)
        result = session.execute(delete(AH).where(
            AH.aggregate_id == row.id, AH.host == host))
        if result.rowcount == 0:
            raise exception.AggregateHostNotFound(
                aggregate_id=aggregate_id, host=host)
        _touch(row)
        return _view(session, row)


def set_metadata(context, aggregate_id, metadata):
    """Set keys; a ``None`` value removes the key."""
    with engine.writer(context) as session:
        row = _row(session, aggregate_id)
        for key, value in metadata.items():
            if key == AZ_KEY:
                _check_zone(session, row, row_hosts(session, row), value)
                row.availability_zone = value or None
                continue
            session.execute(delete(AM).where(AM.aggregate_id == row.id,
                                             AM.key == key))
            if value is not None:
                session.add(AM(aggregate_id=row.id, key=key,
                               value=str(value)))
        _touch(row)
        session.flush()
        return _view(session, row)


def version(context):
    """Return a value that changes whenever any aggregate changes."""
    with engine.reader(context) as session:
        count, last = session.execute(
            select(func.count(A.id), func.max(A.updated_at))).one()
    return (count, str(last))

