"""The declarative base and the columns every table shares.

The schema is created and upgraded only by alembic migrations
(``nimbus-manage db sync``); a test checks that these models and the
migrations agree. Soft deletion follows Nova: ``deleted`` is 0 for live rows
and the row id once deleted, so unique constraints can include it.
"""

import datetime

from oslo_utils import timeutils
from sqlalchemy import (
    DateTime,
    Integer,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now():
    """The time rows are stamped with (oslo's, so tests can move it)."""
    return timeutils.utcnow()


class Base(DeclarativeBase):
    pass


class TimestampMixin:
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=now)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        DateTime, onupdate=now)


class SoftDeleteMixin:
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
