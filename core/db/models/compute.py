"""Tables of the compute kernel: services, nodes and claims, flavors,
instances and their records, quotas, aggregates, server groups, block
device mappings and migrations."""

import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from nimbus.core.db.models.base import (
    Base,
    SoftDeleteMixin,
    TimestampMixin,
    now,
)


class Service(TimestampMixin, SoftDeleteMixin, Base):
    """A running nimbus service (binary on a host) and its heartbeat."""

    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("host", "binary", "deleted",
                         name="uniq_services0host0binary0deleted"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str | None] = mapped_column(String(255))
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    forced_down: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_up: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)


class ComputeNode(TimestampMixin, SoftDeleteMixin, Base):
    """A hypervisor's inventory and the resources claimed on it.

    ``*_used`` and ``running_vms`` are maintained by scheduler claims in the
    same transaction as the allocation rows; ``generation`` is bumped by
    every claim and every inventory change (optimistic concurrency).
    """

    __tablename__ = "compute_nodes"
    __table_args__ = (
        UniqueConstraint("host", "hypervisor_hostname", "deleted",
                         name="uniq_compute_nodes0host0hypervisor_hostname"
                              "0deleted"),
        # Schedulers read the nodes changed since their last read.
        Index("compute_nodes_changed_idx", "updated_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    service_id: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    hypervisor_hostname: Mapped[str] = mapped_column(String(255))
    hypervisor_type: Mapped[str] = mapped_column(String(255))
    hypervisor_version: Mapped[int] = mapped_column(Integer, default=0)
    cpu_info: Mapped[str] = mapped_column(Text, default="{}")
    host_ip: Mapped[str | None] = mapped_column(String(64))
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    local_gb: Mapped[int] = mapped_column(Integer)
    vcpus_used: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb_used: Mapped[int] = mapped_column(Integer, default=0)
    local_gb_used: Mapped[int] = mapped_column(Integer, default=0)
    running_vms: Mapped[int] = mapped_column(Integer, default=0)
    cpu_allocation_ratio: Mapped[float] = mapped_column(Float, default=4.0)
    ram_allocation_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    disk_allocation_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    reserved_host_memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    reserved_host_disk_mb: Mapped[int] = mapped_column(Integer, default=0)
    reserved_host_cpus: Mapped[int] = mapped_column(Integer, default=0)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
    #: builds that failed here recently (reset by a success); weighed.
    failed_builds: Mapped[int] = mapped_column(Integer, default=0)
    #: the hypervisor plugin's capabilities, a JSON object of name ->
    #: bool; NULL until a compute that reports them does (the compute
    #: API then treats the host as capable).
    capabilities: Mapped[str | None] = mapped_column(Text)


class Allocation(Base):
    """Resources one instance holds on one compute node (a claim)."""

    __tablename__ = "allocations"
    __table_args__ = (
        Index("allocations_consumer_idx", "consumer_uuid"),
        Index("allocations_node_idx", "compute_node_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_uuid: Mapped[str] = mapped_column(String(36))
    compute_node_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("compute_nodes.id"))
    vcpus: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    disk_gb: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=now)


class Flavor(TimestampMixin, Base):
    """A size of instance users can pick."""

    __tablename__ = "flavors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flavorid: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer, default=0)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    swap: Mapped[int] = mapped_column(Integer, default=0)
    rxtx_factor: Mapped[float] = mapped_column(Float, default=1.0)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)


class FlavorExtraSpec(Base):
    __tablename__ = "flavor_extra_specs"
    __table_args__ = (
        UniqueConstraint("flavor_id", "key",
                         name="uniq_flavor_extra_specs0flavor_id0key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flavor_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("flavors.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))


class FlavorProject(Base):
    __tablename__ = "flavor_projects"
    __table_args__ = (
        UniqueConstraint("flavor_id", "project_id",
                         name="uniq_flavor_projects0flavor_id0project_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flavor_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("flavors.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(String(255))


class Instance(TimestampMixin, SoftDeleteMixin, Base):
    """A virtual machine. Flavor values are copied in at boot."""

    __tablename__ = "instances"
    __table_args__ = (
        Index("instances_project_deleted_idx", "project_id", "deleted",
              "created_at"),
        Index("instances_host_deleted_idx", "host", "deleted"),
        Index("instances_deleted_created_idx", "deleted", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    #: the user's description (2.19); None when unset.
    display_description: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))
    host: Mapped[str | None] = mapped_column(String(255))
    node: Mapped[str | None] = mapped_column(String(255))
    image_ref: Mapped[str | None] = mapped_column(String(255))
    flavor_id: Mapped[str | None] = mapped_column(String(255))
    flavor_name: Mapped[str | None] = mapped_column(String(255))
    vcpus: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    root_gb: Mapped[int] = mapped_column(Integer, default=0)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    swap: Mapped[int] = mapped_column(Integer, default=0)
    extra_specs: Mapped[str] = mapped_column(Text, default="{}")
    vm_state: Mapped[str] = mapped_column(String(255))
    task_state: Mapped[str | None] = mapped_column(String(255))
    power_state: Mapped[int] = mapped_column(Integer, default=0)
    key_name: Mapped[str | None] = mapped_column(String(255))
    key_data: Mapped[str | None] = mapped_column(Text)
    user_data: Mapped[str | None] = mapped_column(Text)
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_by: Mapped[str | None] = mapped_column(String(255))
    launched_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    terminated_at: Mapped[datetime.datetime | None] = mapped_column(
        DateTime)
    reservation_id: Mapped[str | None] = mapped_column(String(255))
    launch_index: Mapped[int] = mapped_column(Integer, default=0)
    metadata_json: Mapped[str] = mapped_column(Text, default="{}")
    #: JSON: nimbus's own notes (``shelved_image_id``, ...), never shown.
    system_metadata: Mapped[str] = mapped_column(Text, default="{}",
                                                 server_default="{}")
    access_ip_v4: Mapped[str | None] = mapped_column(String(64))
    access_ip_v6: Mapped[str | None] = mapped_column(String(64))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: JSON list of key manager certificate ids (2.63); NULL for none.
    trusted_certs: Mapped[str | None] = mapped_column(Text)
    #: what the metadata service and DHCP hand the guest (2.90); NULL
    #: for servers recorded before (made from the display name).
    hostname: Mapped[str | None] = mapped_column(String(255))


class InstanceTag(Base):
    """One tag of an instance (2.26); the tags go with the instance's
    record (kept after a soft delete, as the actions are)."""

    __tablename__ = "instance_tags"
    __table_args__ = (Index("instance_tags_tag_idx", "tag"),)

    instance_uuid: Mapped[str] = mapped_column(String(36),
                                               primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)


class InstanceFault(Base):
    """Why an instance failed (shown as ``fault`` on ERROR servers)."""

    __tablename__ = "instance_faults"
    __table_args__ = (Index("instance_faults_uuid_idx", "instance_uuid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    code: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(String(255))
    details: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=now)


class InstanceAction(Base):
    """A user-visible action on an instance (os-instance-actions)."""

    __tablename__ = "instance_actions"
    __table_args__ = (
        Index("instance_actions_uuid_idx", "instance_uuid"),
        Index("instance_actions_request_idx", "request_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(255))
    request_id: Mapped[str | None] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str | None] = mapped_column(String(255))
    start_time: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=now)
    finish_time: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    message: Mapped[str | None] = mapped_column(String(255))
    #: when an event of the action last started or finished (Nova's;
    #: ``None`` until the first event).
    updated_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)


class InstanceActionEvent(Base):
    """One step of an action, recorded by the service that did it."""

    __tablename__ = "instance_actions_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("instance_actions.id"))
    event: Mapped[str] = mapped_column(String(255))
    start_time: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=now)
    finish_time: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    result: Mapped[str | None] = mapped_column(String(255))
    traceback: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255))
    #: why a failed event failed (its fault's message; 2.84).
    details: Mapped[str | None] = mapped_column(Text)


class KeyPair(TimestampMixin, Base):
    __tablename__ = "key_pairs"
    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uniq_key_pairs0user_id0name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(255))
    public_key: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(32), default="ssh")


class Quota(TimestampMixin, Base):
    """A per-project hard limit overriding the configured default."""

    __tablename__ = "quotas"
    __table_args__ = (
        UniqueConstraint("project_id", "resource",
                         name="uniq_quotas0project_id0resource"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    resource: Mapped[str] = mapped_column(String(255))
    hard_limit: Mapped[int] = mapped_column(Integer)


class InstancePassword(TimestampMixin, Base):
    """The (encrypted) password a guest posted to the metadata service,
    for ``os-server-password`` (and EC2's GetPasswordData)."""

    __tablename__ = "instance_passwords"

    instance_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    password: Mapped[str] = mapped_column(Text)


class QuotaClass(TimestampMixin, Base):
    """A limit of a quota class; the ``default`` class overrides the
    configured defaults for every project (Nova's quota classes)."""

    __tablename__ = "quota_classes"
    __table_args__ = (
        UniqueConstraint("class_name", "resource",
                         name="uniq_quota_classes0class_name0resource"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_name: Mapped[str] = mapped_column(String(255))
    resource: Mapped[str] = mapped_column(String(255))
    hard_limit: Mapped[int] = mapped_column(Integer)


class Aggregate(TimestampMixin, SoftDeleteMixin, Base):
    """A named group of hosts with metadata (and maybe a zone)."""

    __tablename__ = "aggregates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    availability_zone: Mapped[str | None] = mapped_column(String(255))


class AggregateHost(Base):
    __tablename__ = "aggregate_hosts"
    __table_args__ = (
        UniqueConstraint("aggregate_id", "host",
                         name="uniq_aggregate_hosts0aggregate_id0host"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aggregate_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("aggregates.id"))
    host: Mapped[str] = mapped_column(String(255))


class AggregateMetadata(Base):
    __tablename__ = "aggregate_metadata"
    __table_args__ = (
        UniqueConstraint("aggregate_id", "key",
                         name="uniq_aggregate_metadata0aggregate_id0key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aggregate_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("aggregates.id"))
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))


class InstanceGroup(TimestampMixin, SoftDeleteMixin, Base):
    """A server group: a placement policy over its members."""

    __tablename__ = "instance_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))
    policy: Mapped[str] = mapped_column(String(255))
    rules: Mapped[str] = mapped_column(Text, default="{}")


class InstanceGroupMember(Base):
    __tablename__ = "instance_group_members"
    __table_args__ = (
        UniqueConstraint("group_id", "instance_uuid",
                         name="uniq_instance_group_members0group0instance"),
        Index("instance_group_members_instance_idx", "instance_uuid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("instance_groups.id"))
    instance_uuid: Mapped[str] = mapped_column(String(36))


# -- block device mappings (compute API, volumes of a server at boot) ------

class BlockDeviceMapping(TimestampMixin, Base):
    """A volume of a server: one it was created with
    (``block_device_mapping_v2``: what the compute connects at spawn) or
    one attached to it later (os-volume_attachments), with what happens to the volume when the
    server is deleted (``delete_on_termination``). Removed when the
    volume is detached or the server's volumes are let go of."""

    __tablename__ = "block_device_mappings"
    __table_args__ = (
        Index("block_device_mappings_instance_idx", "instance_uuid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: shown as ``bdm_uuid`` in volume attachments (2.89).
    uuid: Mapped[str | None] = mapped_column(String(36))
    instance_uuid: Mapped[str] = mapped_column(String(36))
    volume_id: Mapped[str] = mapped_column(String(36))
    #: ``volume`` (an existing volume) or ``blank`` (made for the server).
    source_type: Mapped[str] = mapped_column(String(255))
    boot_index: Mapped[int | None] = mapped_column(Integer)
    delete_on_termination: Mapped[bool] = mapped_column(Boolean,
                                                        default=False)
    #: the device name the API chose (``/dev/vdb``); a hint only.
    device_name: Mapped[str | None] = mapped_column(String(255))
    #: the device tag the create or the attach gave it (2.32, 2.42,
    #: 2.49; shown from 2.70).
    tag: Mapped[str | None] = mapped_column(String(255))
    #: the volume type name a volume made for the server was asked with
    #: (2.67).
    volume_type: Mapped[str | None] = mapped_column(String(255))



# -- migrations (conductor's move workflows) --------------------------------

class Migration(TimestampMixin, SoftDeleteMixin, Base):
    """One move of an instance between hosts (or a resize on one): the
    record a conductor workflow advances step by step (Nova's
    ``migrations`` table). While a move is in progress the source's claim
    is held by the migration (``consumer_uuid`` = this ``uuid``) and the
    target's by the instance."""

    __tablename__ = "migrations"
    __table_args__ = (
        Index("migrations_instance_uuid_and_status_idx", "deleted",
              "instance_uuid", "status"),
        # One per side (a host's moves are "source OR destination"),
        # short enough for MySQL's 3072-byte keys in utf8mb4.
        Index("migrations_by_source_and_status_idx", "deleted",
              "source_compute", "status"),
        Index("migrations_by_dest_and_status_idx", "deleted",
              "dest_compute", "status"),
        Index("migrations_updated_at_idx", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    source_compute: Mapped[str | None] = mapped_column(String(255))
    source_node: Mapped[str | None] = mapped_column(String(255))
    dest_compute: Mapped[str | None] = mapped_column(String(255))
    dest_node: Mapped[str | None] = mapped_column(String(255))
    #: the destination host's address (live migration's target URI).
    dest_host: Mapped[str | None] = mapped_column(String(255))
    #: ``flavors.id`` of the old and the new flavor (os-migrations'
    #: ``old_instance_type_id``/``new_instance_type_id``).
    old_instance_type_id: Mapped[int | None] = mapped_column(Integer)
    new_instance_type_id: Mapped[int | None] = mapped_column(Integer)
    #: the flavors' values as JSON objects when the move started: what a
    #: revert restores even if the flavor is deleted meanwhile.
    old_flavor: Mapped[str | None] = mapped_column(Text)
    new_flavor: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(255))
    #: ``migration``, ``resize``, ``live-migration`` or ``evacuation``.
    migration_type: Mapped[str] = mapped_column(String(255))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    memory_total: Mapped[int | None] = mapped_column(BigInteger)
    memory_processed: Mapped[int | None] = mapped_column(BigInteger)
    memory_remaining: Mapped[int | None] = mapped_column(BigInteger)
    disk_total: Mapped[int | None] = mapped_column(BigInteger)
    disk_processed: Mapped[int | None] = mapped_column(BigInteger)
    disk_remaining: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str | None] = mapped_column(String(255))
