"""Tables of nimbus-network. Rows reference each other by UUID (the ids
the APIs show), so the database API hands out what the dialects need
without joins."""

import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
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
    TimestampMixin,
    now,
)


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
    #: the device tag the server's create or the interface attach gave
    #: this NIC (compute API 2.32, 2.42, 2.49); cleared when unbound.
    tag: Mapped[str | None] = mapped_column(String(255))


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
        DateTime, default=now)


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
