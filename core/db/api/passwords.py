"""Server passwords: set once by the guest, read and cleared by users."""

from oslo_db import exception as db_exc
from sqlalchemy import delete, select

from nimbus.core.db import engine, models

P = models.InstancePassword


def get(context, instance_uuid):
    """The instance's password, or ``""`` when none was posted."""
    with engine.reader(context) as session:
        return session.scalar(select(P.password).where(
            P.instance_uuid == instance_uuid)) or ""


def set_once(context, instance_uuid, password):
    """Record the password unless one is already there.

    :returns: whether it was recorded (False: one was set before).
    """
    try:
        with engine.writer(context) as session:
            session.add(P(instance_uuid=instance_uuid, password=password))
            session.flush()
    except db_exc.DBDuplicateEntry:
        return False
    return True


def clear(context, instance_uuid):
    with engine.writer(context) as session:
        session.execute(delete(P).where(P.instance_uuid == instance_uuid))
