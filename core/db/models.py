"""SQLAlchemy 2 models of nimbus's database.

The schema is created and upgraded only by alembic migrations
(``nimbus-manage db sync``); a test checks that these models and the
migrations agree. Soft deletion follows Nova: ``deleted`` is 0 for live rows
and the row id once deleted, so unique constraints can include it.
"""

import datetime

from oslo_utils import timeutils
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
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def _now():
    return timeutils.utcnow()


class Base(DeclarativeBase):
    pass


class TimestampMixin:
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=_now)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        DateTime, onupdate=_now)


class SoftDeleteMixin:
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted: Mapped[int] = mapped_column(Integer, default=0)


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
        DateTime, default=_now)


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
        DateTime, default=_now)


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
        DateTime, default=_now)
    finish_time: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    message: Mapped[str | None] = mapped_column(String(255))


class InstanceActionEvent(Base):
    """One step of an action, recorded by the service that did it."""

    __tablename__ = "instance_actions_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("instance_actions.id"))
    event: Mapped[str] = mapped_column(String(255))
    start_time: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=_now)
    finish_time: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    result: Mapped[str | None] = mapped_column(String(255))
    traceback: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255))


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


class ConsoleAuthToken(TimestampMixin, Base):
    """A remote console's one-time pass: the proxy lets a client that
    presents the token through to ``host:port`` until ``expires``. Only
    the token's SHA-256 is stored; the token itself is in the URL given
    to the user."""

    __tablename__ = "console_auth_tokens"
    __table_args__ = (
        Index("console_auth_tokens_instance_uuid_idx", "instance_uuid"),
        Index("console_auth_tokens_expires_idx", "expires"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    console_type: Mapped[str] = mapped_column(String(255))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    internal_access_path: Mapped[str | None] = mapped_column(
        String(255), nullable=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    #: when the token stops working, in seconds since the epoch.
    expires: Mapped[int] = mapped_column(Integer)


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


# -- networks (nimbus-network) ------------------------------------------------
# Rows reference each other by UUID (the ids the APIs show), so the
# database API hands out what the dialects need without joins.


class Network(TimestampMixin, Base):
    """A layer-2 network with its one IPv4 subnet (nova-network style).

    ``vlan`` is unique: two networks never share a segment. ``host`` is
    the network host serving the gateway side (NULL with ``multi_host``).
    An ``external`` network is a floating pool (Neutron's
    ``router:external``): guests never attach to it.
    """

    __tablename__ = "networks"
    __table_args__ = (
        # Internal networks never overlap (checked by the service API);
        # equal CIDRs are refused here too, so two concurrent creations
        # of a per-project network cannot take the same block.
        UniqueConstraint("cidr", name="uniq_networks0cidr"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str | None] = mapped_column(String(255), index=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    external: Mapped[bool] = mapped_column(Boolean, default=False)
    #: NULL until the network gets its subnet (Neutron's network create
    #: before subnet create).
    cidr: Mapped[str | None] = mapped_column(String(64))
    gateway: Mapped[str | None] = mapped_column(String(64))
    allocation_start: Mapped[str | None] = mapped_column(String(64))
    allocation_end: Mapped[str | None] = mapped_column(String(64))
    #: a JSON list of addresses.
    dns_servers: Mapped[str] = mapped_column(Text, default="[]")
    vlan: Mapped[int | None] = mapped_column(Integer, unique=True)
    bridge: Mapped[str | None] = mapped_column(String(255))
    bridge_interface: Mapped[str | None] = mapped_column(String(255))
    mtu: Mapped[int | None] = mapped_column(Integer)
    dhcp_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    multi_host: Mapped[bool] = mapped_column(Boolean, default=False)
    host: Mapped[str | None] = mapped_column(String(255))
    subnet_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    subnet_name: Mapped[str | None] = mapped_column(String(255))
    #: the per-project network nimbus-network made on the project's first
    #: boot in VLAN mode; unique so two first boots make only one.
    auto_project_id: Mapped[str | None] = mapped_column(String(255),
                                                        unique=True)


class FixedIp(TimestampMixin, Base):
    """One address of a network, pre-created when the network is.

    Allocation is a compare-and-swap ``UPDATE ... WHERE port_id IS NULL``:
    one row, one holder, whatever the concurrency. ``reserved`` rows (the
    network, gateway and broadcast addresses, and those outside the
    allocation range) are never handed out automatically.

    ``leased`` says a DHCP lease of the address is live (reported by the
    gateway side, ``lease_host`` says which host's DHCP server holds it).
    A leased row stays out of allocation even once its port is gone, until
    the lease ends: a deleted server's address is never handed out while
    a DHCP server still leases it to the old MAC. ``gateway_host`` marks
    the reserved row a ``multi_host`` network gave one host's gateway.
    """

    __tablename__ = "fixed_ips"
    __table_args__ = (
        UniqueConstraint("network_id", "address",
                         name="uniq_fixed_ips0network_id0address"),
        UniqueConstraint("network_id", "gateway_host",
                         name="uniq_fixed_ips0network_id0gateway_host"),
        Index("fixed_ips_address_idx", "address"),
        Index("fixed_ips_port_idx", "port_id"),
        Index("fixed_ips_instance_idx", "instance_uuid"),
        Index("fixed_ips_free_idx", "network_id", "port_id", "reserved"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("networks.uuid", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(64))
    instance_uuid: Mapped[str | None] = mapped_column(String(36))
    port_id: Mapped[str | None] = mapped_column(String(36))
    reserved: Mapped[bool] = mapped_column(Boolean, default=False)
    leased: Mapped[bool] = mapped_column(Boolean, default=False)
    lease_host: Mapped[str | None] = mapped_column(String(255))
    gateway_host: Mapped[str | None] = mapped_column(String(255))


class Port(TimestampMixin, Base):
    """A virtual interface: a MAC on a network, maybe bound to a server.

    Its fixed addresses are the :class:`FixedIp` rows naming it.
    """

    __tablename__ = "ports"
    __table_args__ = (
        Index("ports_instance_idx", "instance_uuid"),
        Index("ports_network_idx", "network_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    network_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("networks.uuid"))
    project_id: Mapped[str | None] = mapped_column(String(255))
    mac_address: Mapped[str] = mapped_column(String(32), unique=True)
    instance_uuid: Mapped[str | None] = mapped_column(String(36))
    device_owner: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    #: the guest's hostname (DHCP hands it out; Neutron's ``dns_name``).
    dns_name: Mapped[str | None] = mapped_column(String(255))
    host: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="DOWN")
    #: made by a user, not for a server: unbound, not deleted, when the
    #: server it is bound to goes.
    preserve_on_delete: Mapped[bool] = mapped_column(Boolean,
                                                     default=False)


class SecurityGroup(TimestampMixin, Base):
    """A named set of firewall rules of a project.

    ``default_for`` is the project id on the project's ``default`` group
    and NULL on every other, so a project has at most one (unique).
    """

    __tablename__ = "security_groups"
    __table_args__ = (Index("security_groups_project_idx", "project_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    project_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    default_for: Mapped[str | None] = mapped_column(String(255), unique=True)


class SecurityGroupRule(Base):
    """One allowed flow; a rule naming ``remote_group_id`` goes with
    that group (cascade)."""

    __tablename__ = "security_group_rules"
    __table_args__ = (
        Index("security_group_rules_group_idx", "security_group_id"),
        Index("security_group_rules_remote_idx", "remote_group_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    security_group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("security_groups.uuid", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(String(255))
    direction: Mapped[str] = mapped_column(String(16))
    ethertype: Mapped[str] = mapped_column(String(16), default="IPv4")
    protocol: Mapped[str | None] = mapped_column(String(40))
    port_range_min: Mapped[int | None] = mapped_column(Integer)
    port_range_max: Mapped[int | None] = mapped_column(Integer)
    remote_ip_prefix: Mapped[str | None] = mapped_column(String(64))
    remote_group_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("security_groups.uuid", ondelete="CASCADE"))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=_now)


class PortSecurityGroup(Base):
    """A port is filtered by a group (the foreign key keeps a group in
    use from being deleted)."""

    __tablename__ = "port_security_groups"
    __table_args__ = (
        UniqueConstraint("port_id", "security_group_id",
                         name="uniq_port_security_groups0port0group"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    port_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ports.uuid", ondelete="CASCADE"))
    security_group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("security_groups.uuid"))


class InstanceSecurityGroup(Base):
    """A server was created with (or added to) a group: it applies to all
    the server's ports, present and future."""

    __tablename__ = "instance_security_groups"
    __table_args__ = (
        UniqueConstraint("instance_uuid", "security_group_id",
                         name="uniq_instance_security_groups0instance0group"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    security_group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("security_groups.uuid"))


class FloatingIp(TimestampMixin, Base):
    """An address of an external network's pool.

    Pool rows are pre-created (``project_id`` NULL); allocating one is a
    compare-and-swap ``UPDATE ... WHERE project_id IS NULL`` that also
    gives it a fresh ``uuid`` (each allocation is a new floating IP).
    """

    __tablename__ = "floating_ips"
    __table_args__ = (
        Index("floating_ips_pool_idx", "network_id", "project_id"),
        Index("floating_ips_port_idx", "port_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    address: Mapped[str] = mapped_column(String(64), unique=True)
    network_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("networks.uuid", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(String(255))
    port_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("ports.uuid", ondelete="SET NULL"))
    fixed_address: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
# -- volumes (nimbus-volume) -------------------------------------------------

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


# -- block device mappings (compute API, volumes of a server at boot) ------

class BlockDeviceMapping(TimestampMixin, Base):
    """A volume a server was created with (``block_device_mapping_v2``):
    what the compute connects at spawn, and what happens to the volume
    when the server is deleted (``delete_on_termination``). Removed when
    the server's volumes are let go of."""

    __tablename__ = "block_device_mappings"
    __table_args__ = (
        Index("block_device_mappings_instance_idx", "instance_uuid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    volume_id: Mapped[str] = mapped_column(String(36))
    #: ``volume`` (an existing volume) or ``blank`` (made for the server).
    source_type: Mapped[str] = mapped_column(String(255))
    boot_index: Mapped[int | None] = mapped_column(Integer)
    delete_on_termination: Mapped[bool] = mapped_column(Boolean,
                                                        default=False)
    #: the device name the API chose (``/dev/vdb``); a hint only.
    device_name: Mapped[str | None] = mapped_column(String(255))


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
