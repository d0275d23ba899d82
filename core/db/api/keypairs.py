"""Key pairs (owned by users)."""

from sqlalchemy import select

from nimbus.core import exception
from nimbus.core.db import engine, models
from nimbus.core.db.api._common import DUPLICATE, to_dict

K = models.KeyPair


def create(context, values):
    try:
        with engine.writer(context) as session:
            row = K(**values)
            session.add(row)
            session.flush()
            return to_dict(row)
    except DUPLICATE:
        raise exception.Conflict(
            reason=f"Key pair '{values.get('name')}' already exists.")


def get(context, user_id, name):
    with engine.reader(context) as session:
        row = session.scalars(select(K).where(
            K.user_id == user_id, K.name == name)).first()
        if row is None:
            raise exception.NotFound(
                message=f"Keypair {name} not found for user {user_id}")
        return to_dict(row)


def get_all(context, user_id, limit=None, marker=None):
    """The user's key pairs by name; a page after ``marker`` (a name).

    :raises InvalidInput: ``marker`` names none of the user's keys.
    """
    query = select(K).where(K.user_id == user_id)
    with engine.reader(context) as session:
        if marker is not None:
            if session.scalars(query.where(K.name == marker)).first() is None:
                raise exception.InvalidInput(
                    reason=f"marker [{marker}] not found")
            query = query.where(K.name > marker)
        return [to_dict(r) for r in session.scalars(
            query.order_by(K.name).limit(limit))]


def destroy(context, user_id, name):
    with engine.writer(context) as session:
        row = session.scalars(select(K).where(
            K.user_id == user_id, K.name == name)).first()
        if row is None:
            raise exception.NotFound(
                message=f"Keypair {name} not found for user {user_id}")
        session.delete(row)
