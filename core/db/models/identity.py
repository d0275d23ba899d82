"""Tables of the embedded identity service: projects, users, roles and
revoked tokens."""

import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from nimbus.core.db.models.base import (
    Base,
    TimestampMixin,
)


class Project(TimestampMixin, Base):
    """An identity project (the Identity v3 subset nimbus serves)."""

    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("domain_id", "name",
                         name="uniq_projects0domain_id0name"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(String(64), default="default")
    description: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class User(TimestampMixin, Base):
    """An identity user with a KDF-hashed password."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("domain_id", "name",
                         name="uniq_users0domain_id0name"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(String(64), default="default")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    default_project_id: Mapped[str | None] = mapped_column(String(64))
    # failed password logins in a row, and when the last one was
    # (``[security_compliance]`` lockout)
    failed_auth_count: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0")
    failed_auth_at: Mapped[datetime.datetime | None] = mapped_column(
        DateTime)


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)


class RoleAssignment(Base):
    """A user holds a role on a project."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "project_id", "role_id",
                         name="uniq_role_assignments0user0project0role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("projects.id", ondelete="CASCADE"))
    role_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("roles.id", ondelete="CASCADE"))


class RevokedToken(Base):
    """A token revoked before its expiry (by its audit id)."""

    __tablename__ = "revoked_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime)
