"""Tables of nimbus-volume: volumes, snapshots, attachments, volume hosts
and volume types."""

import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from nimbus.core.db.models.base import (
    Base,
    SoftDeleteMixin,
    TimestampMixin,
)


class Volume(TimestampMixin, SoftDeleteMixin, Base):
    """A block storage volume (Cinder's volume record).

    ``status`` changes only through guarded updates (``WHERE status IN
    (...)``) so of two concurrent transitions exactly one wins;
    ``status_changed_at`` says since when the volume is in its status
    (recovery fails records stuck in a transient status).
    """

    __tablename__ = "volumes"
    __table_args__ = (
        Index("volumes_project_deleted_idx", "project_id", "deleted"),
        Index("volumes_host_deleted_idx", "host", "deleted"),
        Index("volumes_type_deleted_idx", "volume_type_id", "deleted"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))
    #: the volume host holding it; None until scheduled.
    host: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(255))
    status_changed_at: Mapped[datetime.datetime | None] = mapped_column(
        DateTime)
    display_name: Mapped[str | None] = mapped_column(String(255))
    display_description: Mapped[str | None] = mapped_column(Text)
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    bootable: Mapped[bool] = mapped_column(Boolean, default=False)
    #: may be attached to several servers at once (one attachment each).
    multiattach: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false())
    #: the type's name (kept in step when the type is renamed).
    volume_type: Mapped[str | None] = mapped_column(String(255))
    volume_type_id: Mapped[str | None] = mapped_column(String(36))
    snapshot_id: Mapped[str | None] = mapped_column(String(36))
    source_volid: Mapped[str | None] = mapped_column(String(36))
    image_id: Mapped[str | None] = mapped_column(String(36))
    metadata_json: Mapped[str] = mapped_column(Text, default="{}")
    image_metadata_json: Mapped[str] = mapped_column(Text, default="{}")
    #: what the driver returned at creation (a path, an LV name).
    provider_location: Mapped[str | None] = mapped_column(String(255))
    #: the target's export record (JSON; holds the CHAP secret).
    export_json: Mapped[str | None] = mapped_column(Text)
    #: why the volume went to an error status (shown to its owner).
    fault_message: Mapped[str | None] = mapped_column(Text)
    #: the request an operation in progress belongs to.
    task_request_id: Mapped[str | None] = mapped_column(String(255))


class VolumeSnapshot(TimestampMixin, SoftDeleteMixin, Base):
    """A snapshot of a volume."""

    __tablename__ = "snapshots"
    __table_args__ = (
        Index("snapshots_volume_deleted_idx", "volume_id", "deleted"),
        Index("snapshots_project_deleted_idx", "project_id", "deleted"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    volume_id: Mapped[str] = mapped_column(String(36),
                                           ForeignKey("volumes.id"))
    project_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))
    volume_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(255))
    status_changed_at: Mapped[datetime.datetime | None] = mapped_column(
        DateTime)
    progress: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255))
    display_description: Mapped[str | None] = mapped_column(Text)
    metadata_json: Mapped[str] = mapped_column(Text, default="{}")
    provider_location: Mapped[str | None] = mapped_column(String(255))
    fault_message: Mapped[str | None] = mapped_column(Text)


class VolumeAttachment(TimestampMixin, SoftDeleteMixin, Base):
    """One attachment of a volume to an instance."""

    __tablename__ = "volume_attachments"
    __table_args__ = (
        Index("volume_attachments_volume_deleted_idx", "volume_id",
              "deleted"),
        Index("volume_attachments_instance_deleted_idx", "instance_uuid",
              "deleted"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    volume_id: Mapped[str] = mapped_column(String(36),
                                           ForeignKey("volumes.id"))
    instance_uuid: Mapped[str | None] = mapped_column(String(36))
    attached_host: Mapped[str | None] = mapped_column(String(255))
    mountpoint: Mapped[str | None] = mapped_column(String(255))
    #: attaching, attached, detaching, detached.
    attach_status: Mapped[str] = mapped_column(String(255))
    attach_time: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    detach_time: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    connector_json: Mapped[str | None] = mapped_column(Text)


class VolumeHost(TimestampMixin, Base):
    """A volume host's backend capacity, as its last report said."""

    __tablename__ = "volume_hosts"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    driver: Mapped[str] = mapped_column(String(255))
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    total_gb: Mapped[float] = mapped_column(Float, default=0.0)
    free_gb: Mapped[float] = mapped_column(Float, default=0.0)
    #: the driver's :class:`~nimbus.core.interfaces.volume.Capabilities`
    #: as a JSON object.
    capabilities: Mapped[str] = mapped_column(Text, default="{}")


class VolumeType(TimestampMixin, SoftDeleteMixin, Base):
    """A volume type (Cinder's): a name users pick at create, extra specs
    the volume scheduler reads (``volume_backend_name``), and, when not
    public, the projects that may use it."""

    __tablename__ = "volume_types"
    __table_args__ = (
        UniqueConstraint("name", "deleted",
                         name="uniq_volume_types0name0deleted"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(255))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)


class VolumeTypeExtraSpec(Base):
    """One ``key=value`` extra spec of a volume type."""

    __tablename__ = "volume_type_extra_specs"
    __table_args__ = (
        UniqueConstraint("volume_type_id", "key",
                         name="uniq_volume_type_extra_specs0type0key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volume_type_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("volume_types.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))


class VolumeTypeProject(Base):
    """A project given access to a private volume type."""

    __tablename__ = "volume_type_projects"
    __table_args__ = (
        UniqueConstraint("volume_type_id", "project_id",
                         name="uniq_volume_type_projects0type0project"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volume_type_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("volume_types.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(String(255))
