"""Services and their heartbeats."""

import datetime

from oslo_utils import timeutils, uuidutils
from sqlalchemy import and_, bindparam, case, false, func, select
from sqlalchemy import update as sa_update

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import fits_integer, to_dict


def create(context, values):
    values = dict(values)
    values.setdefault("uuid", uuidutils.generate_uuid())
    with engine.writer(context) as session:
        row = models.Service(**values)
        session.add(row)
        session.flush()
        return to_dict(row)


def get(context, service_id):
    with engine.reader(context) as session:
        row = session.scalars(select(models.Service).where(
            _id_clause(service_id), models.Service.deleted == 0)).first()
        if row is None:
            raise exception.ServiceNotFound(service_id=service_id)
        return to_dict(row)


def _id_clause(service_id):
    if isinstance(service_id, int) or (
            str(service_id).isascii() and str(service_id).isdigit()):
        if not fits_integer(int(service_id)):
            return false()
        return models.Service.id == int(service_id)
    return models.Service.uuid == service_id


_ST = models.Service.__table__
#: Built once (every delete asks whether its server's host is up).
_BY_HOST_AND_BINARY = select(_ST).where(
    _ST.c.host == bindparam("host"), _ST.c.binary == bindparam("binary"),
    _ST.c.deleted == 0)


def get_by_host_and_binary(context, host, binary):
    with engine.reader(context, connection=True) as session:
        row = session.execute(_BY_HOST_AND_BINARY,
                              {"host": host, "binary": binary}).first()
        if row is None:
            raise exception.ServiceNotFound(service_id=f"{binary}@{host}")
        return dict(row._mapping)


def get_all(context, binary=None, host=None):
    # The table's columns, not the mapped class: os-services and
    # os-hypervisors list every service (10,000 in a large cloud).
    query = select(*models.Service.__table__.columns).where(
        models.Service.deleted == 0)
    if binary:
        query = query.where(models.Service.binary == binary)
    if host:
        query = query.where(models.Service.host == host)
    with engine.reader(context) as session:
        return [dict(r._mapping) for r in
                session.execute(query.order_by(models.Service.id))]


def liveness(context, down_time, now):
    """``(binary, host, topic, is_up)`` of every live service, ``is_up``
    judged by the database by the rule of
    :func:`nimbus.core.servicegroup.is_up` (not forced down, and the last
    heartbeat, else the last update or the creation, at most
    ``down_time`` seconds from ``now``, a naive UTC time). The metrics
    samplers ask every few seconds: with 10,000 hosts, whole rows judged
    one by one cost them six times as much.
    """
    last = func.coalesce(_ST.c.last_seen_up, _ST.c.updated_at,
                         _ST.c.created_at)
    margin = datetime.timedelta(seconds=down_time)
    up = and_(_ST.c.forced_down == false(),
              last.between(now - margin, now + margin))
    query = select(_ST.c.binary, _ST.c.host, _ST.c.topic,
                   case((up, True), else_=False)).where(
        _ST.c.deleted == 0).order_by(_ST.c.id)
    with engine.reader(context, connection=True) as connection:
        return [tuple(row) for row in connection.execute(query)]


def update(context, service_id, values):
    with engine.writer(context) as session:
        row = session.scalars(select(models.Service).where(
            _id_clause(service_id), models.Service.deleted == 0)).first()
        if row is None:
            raise exception.ServiceNotFound(service_id=service_id)
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        return to_dict(row)


def register(context, host, binary, topic, version):
    """Return the live service row of (host, binary) with its topic and
    version set, creating it if there is none: one transaction (a
    service's start costs the database one round trip, not two)."""
    with engine.writer(context) as session:
        row = session.scalars(select(models.Service).where(
            models.Service.host == host, models.Service.binary == binary,
            models.Service.deleted == 0)).first()
        if row is None:
            row = models.Service(uuid=uuidutils.generate_uuid(), host=host,
                                 binary=binary)
            session.add(row)
        row.topic = topic
        row.version = version
        session.flush()
        return to_dict(row)


def heartbeat(context, service_id):
    """Record that the service is alive now; return its row (read in the
    same transaction).

    :raises ServiceNotFound: no live service has that id.
    """
    with engine.writer(context) as session:
        session.execute(
            sa_update(models.Service)
            .where(models.Service.id == service_id)
            .values(last_seen_up=timeutils.utcnow(),
                    report_count=models.Service.report_count + 1,
                    updated_at=timeutils.utcnow()))
        row = session.scalars(select(models.Service).where(
            _id_clause(service_id), models.Service.deleted == 0)).first()
        if row is None:
            raise exception.ServiceNotFound(service_id=service_id)
        return to_dict(row)


def heartbeat_many(context, service_ids):
    """:func:`heartbeat` for each of ``service_ids`` in one statement;
    returns how many live rows were updated."""
    ids = [i for i in service_ids if fits_integer(i)]
    if not ids:
        return 0
    now = timeutils.utcnow()
    with engine.writer(context) as session:
        return session.execute(
            sa_update(models.Service)
            .where(models.Service.id.in_(ids), models.Service.deleted == 0)
            .values(last_seen_up=now,
                    report_count=models.Service.report_count + 1,
                    updated_at=now)).rowcount


def destroy(context, service_id):
    if not fits_integer(service_id):
        raise exception.ServiceNotFound(service_id=service_id)
    with engine.writer(context) as session:
        row = session.get(models.Service, service_id)
        if row is None or row.deleted:
            raise exception.ServiceNotFound(service_id=service_id)
        row.deleted = row.id
        row.deleted_at = timeutils.utcnow()
