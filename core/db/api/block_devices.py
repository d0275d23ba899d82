"""Block device mappings: the volumes a server was created with."""

from sqlalchemy import delete, select

from nimbus.core.db import engine, models
from nimbus.core.db.api._common import to_dict

B = models.BlockDeviceMapping


def create_many(context, rows):
    """Insert mappings (each a dict of the model's columns)."""
    with engine.writer(context) as session:
        objs = [B(**row) for row in rows]
        session.add_all(objs)
        session.flush()
        return [to_dict(o) for o in objs]


def get_by_instance(context, instance_uuid):
    """The mappings of an instance, in the order they were given."""
    with engine.reader(context) as session:
        return [to_dict(r) for r in session.scalars(
            select(B).where(B.instance_uuid == instance_uuid)
            .order_by(B.id))]


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
