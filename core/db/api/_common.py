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


def mapping(row):
    """Return a Core result row as a ``dict``."""
    return dict(row._mapping) if row is not None else None


# What a unique-constraint violation raises: oslo.db translates the
# driver's IntegrityError into DBDuplicateEntry inside enginefacade.
DUPLICATE = (IntegrityError, db_exc.DBDuplicateEntry)
