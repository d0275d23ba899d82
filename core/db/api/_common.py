"""Helpers shared by the database API modules."""

import functools

from oslo_db import exception as db_exc
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError


def to_dict(row):
    """Return the column values of an ORM row as a ``dict``."""
    if row is None:
        return None
    return {key: getattr(row, key) for key in _column_keys(type(row))}


@functools.cache
def _column_keys(model):
    """The column attribute names of a mapped class (``inspect`` per
    row was most of the cost of turning rows into dicts)."""
    return tuple(attr.key for attr in inspect(model).column_attrs)


def where_columns(query, model, filters):
    """``query`` narrowed to rows of ``model`` whose column equals each
    ``filters`` value (a list/tuple/set value matches any of its items)."""
    for column, value in filters.items():
        attr = getattr(model, column)
        if isinstance(value, (list, tuple, set, frozenset)):
            query = query.where(attr.in_(list(value)))
        else:
            query = query.where(attr == value)
    return query


#: The largest value of an INTEGER column (signed 32 bits on PostgreSQL
#: and MariaDB).
INT_MAX = 2 ** 31 - 1


def fits_integer(value):
    """Whether ``value`` (an int) is in an INTEGER column's range. An id
    outside it names no row, and the database would refuse to compare
    it (SQLite and PostgreSQL raise), so callers answer "not found"
    without asking."""
    return -INT_MAX - 1 <= value <= INT_MAX


# What a unique-constraint violation raises: oslo.db translates the
# driver's IntegrityError into DBDuplicateEntry inside enginefacade.
DUPLICATE = (IntegrityError, db_exc.DBDuplicateEntry)

# What a foreign-key violation raises (a row still referenced, or a
# reference to a row that is gone), translated the same way.
REFERENCE = (IntegrityError, db_exc.DBReferenceError)
