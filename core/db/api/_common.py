"""Helpers shared by the database API modules."""

from oslo_db import exception as db_exc
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError


def to_dict(row):
    """Return the column values of an ORM row as a ``dict``."""
    if row is None:
        return None
    return {attr.key: getattr(row, attr.key)
            for attr in inspect(row).mapper.column_attrs}



# What a unique-constraint violation raises: oslo.db translates the
# driver's IntegrityError into DBDuplicateEntry inside enginefacade.
DUPLICATE = (IntegrityError, db_exc.DBDuplicateEntry)
