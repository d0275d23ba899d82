"""Console auth tokens: what the console proxy checks a client's token
against. Rows hold the token's SHA-256, never the token."""

from sqlalchemy import bindparam, delete, select

from nimbus.core.db import engine, models
from nimbus.core.db.api import _common

T = models.ConsoleAuthToken


def create(context, values):
    """Record a token (``values`` holds ``token_hash`` and the columns it
    grants); return the row."""
    with engine.writer(context) as session:
        row = T(**values)
        session.add(row)
        session.flush()
        return _common.to_dict(row)


def get_valid(context, token_hash, now):
    """The row of ``token_hash`` while it has not expired at ``now``
    (seconds since the epoch), else None."""
    with engine.reader(context) as session:
        return _common.to_dict(session.scalar(select(T).where(
            T.token_hash == token_hash, T.expires > now)))


def purge_expired(context, now):
    """Delete every token expired at ``now``; return how many went."""
    with engine.writer(context) as session:
        return session.execute(delete(T).where(T.expires <= now)).rowcount


#: Built once: every delete runs it.
_DELETE_FOR_INSTANCE = delete(T.__table__).where(
    T.__table__.c.instance_uuid == bindparam("instance_uuid"))


def delete_for_instance(context, instance_uuid):
    """Delete the instance's tokens (it was deleted)."""
    with engine.writer(context, connection=True) as session:
        session.execute(_DELETE_FOR_INSTANCE,
                        {"instance_uuid": instance_uuid})
