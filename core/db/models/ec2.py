"""Tables of the EC2 dialect: credentials, the short ids EC2 shows for
UUIDs, and tags."""


from sqlalchemy import (
    Index,
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


class Ec2Credential(TimestampMixin, Base):
    """An EC2 access key of a user in a project (the OS-EC2 credential);
    the secret is stored Fernet-encrypted, never in the clear."""

    __tablename__ = "ec2_credentials"
    __table_args__ = (Index("ec2_credentials_user_idx", "user_id"),)

    access: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    user_id: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255))


class Ec2Id(Base):
    """The stable EC2 id of a nimbus object: ``<prefix>-<id as 8 hex
    digits>`` (``i-0000000a``) for ``uuid`` of kind ``prefix``."""

    __tablename__ = "ec2_ids"
    __table_args__ = (
        UniqueConstraint("prefix", "uuid", name="uniq_ec2_ids0prefix0uuid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16))
    uuid: Mapped[str] = mapped_column(String(64))


class Ec2Tag(Base):
    """A tag (key, value) a project set on one of its EC2 resources."""

    __tablename__ = "ec2_tags"
    __table_args__ = (
        UniqueConstraint("project_id", "resource_id", "key",
                         name="uniq_ec2_tags0project_id0resource_id0key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    resource_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255), default="")
