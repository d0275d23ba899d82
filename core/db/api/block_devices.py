"""Block device mappings: the volumes of a server (given at create or
attached later)."""

from oslo_utils import uuidutils
from sqlalchemy import bindparam, delete, exists, or_, select
from sqlalchemy import update as sa_update

from nimbus.core.db import engine, models
from nimbus.core.db.api._common import to_dict

B = models.BlockDeviceMapping


def create_many(context, rows):
    """Insert mappings (each a dict of the model's columns)."""
    with engine.writer(context) as session:
        objs = [B(**dict({"uuid": uuidutils.generate_uuid()}, **row))
                for row in rows]
        session.add_all(objs)
        session.flush()
        return [to_dict(o) for o in objs]


#: Built once: every delete reads them.
_OF_INSTANCE = select(B.__table__).where(
    B.__table__.c.instance_uuid == bindparam("instance_uuid")).order_by(
    B.__table__.c.id)


def get_by_instance(context, instance_uuid):
    """The mappings of an instance, in the order they were given."""
    with engine.reader(context) as session:
        return [dict(r._mapping) for r in session.execute(
            _OF_INSTANCE, {"instance_uuid": instance_uuid})]


_MAPPED = B.__table__.c.instance_uuid == bindparam("instance_uuid")
_ATTACHED = models.VolumeAttachment.__table__.c
#: Built once: every delete asks it.
_HAS_VOLUMES = select(or_(
    exists().where(_MAPPED),
    exists().where(_ATTACHED.instance_uuid == bindparam("instance_uuid"),
                   _ATTACHED.deleted == 0)))


def has_volumes(context, instance_uuid):
    """Whether the instance has a volume: a mapping, or a live attachment
    (one made without a mapping counts too)."""
    with engine.reader(context, connection=True) as session:
        return bool(session.execute(
            _HAS_VOLUMES, {"instance_uuid": instance_uuid}).scalar())


def get_by_instances(context, instance_uuids):
    """The mappings of several instances, in the order they were given."""
    if not instance_uuids:
        return []
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(
            select(B).where(B.instance_uuid.in_(tuple(instance_uuids)))
            .order_by(B.id))]


def destroy_by_instance(context, instance_uuid):
    """Forget an instance's mappings (its volumes were let go of)."""
    with engine.writer(context) as session:
        session.execute(delete(B).where(B.instance_uuid == instance_uuid)
                        .execution_options(synchronize_session=False))


def get_by_volume_and_instance(context, volume_id, instance_uuid):
    """The mapping of ``volume_id`` on the instance, or None."""
    with engine.reader(context) as session:
        row = session.scalars(
            select(B).where(B.instance_uuid == instance_uuid,
                            B.volume_id == volume_id)
            .order_by(B.id.desc())).first()
        return to_dict(row) if row is not None else None


def update(context, volume_id, instance_uuid, values):
    """Change the mapping of ``volume_id`` on the instance; returns it
    (None when there is none)."""
    with engine.writer(context) as session:
        session.execute(
            sa_update(B).where(B.instance_uuid == instance_uuid,
                               B.volume_id == volume_id).values(**values)
            .execution_options(synchronize_session=False))
    return get_by_volume_and_instance(context, volume_id, instance_uuid)


def destroy_by_volume(context, volume_id, instance_uuid):
    """Forget the mapping of one volume of the instance (it was detached,
    or its attach failed)."""
    with engine.writer(context) as session:
        session.execute(delete(B).where(B.instance_uuid == instance_uuid,
                                        B.volume_id == volume_id)
                        .execution_options(synchronize_session=False))
