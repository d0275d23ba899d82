"""The host state filters and weighers read: the contract.

The scheduler passes every filter and weigher a host state, its view of
one compute node. :class:`HostStateView` lists what a plugin may read;
anything else on the object is the scheduler's own and may change without
notice. The view is read-only for plugins: the scheduler updates it
between decisions (claims, refreshes), and a plugin that assigns to it
corrupts every later decision. ``nimbus.core.testing.scheduler`` checks
both rules.

Everything is in memory: reading costs no I/O.
"""


class HostStateView:
    """One compute node as the scheduler sees it (read-only).

    Identity:

    :ivar str host: the host name of the node's compute service.
    :ivar str nodename: the hypervisor's node name (also :attr:`node`).
    :ivar str uuid: the compute node's uuid.

    Inventory, as the hypervisor reports it, and what is claimed of it:

    :ivar int vcpus: vCPUs (also :attr:`vcpus_total`); ``vcpus_used``.
    :ivar int memory_mb: RAM; ``memory_mb_used``.
    :ivar int local_gb: local disk; ``local_gb_used``.
    :ivar int running_vms: instances the node reports running.
    :ivar float cpu_allocation_ratio: also ``ram_allocation_ratio`` and
        ``disk_allocation_ratio``: the over-commit the operator allows.
    :ivar int reserved_host_cpus: also ``reserved_host_memory_mb`` and
        ``reserved_host_disk_mb``: kept back for the host itself.

    Use :attr:`free_vcpus`, :attr:`free_ram_mb` and :attr:`free_disk_gb`
    rather than the raw numbers: they apply ratios and reserved amounts.

    Capabilities:

    :ivar str hypervisor_type: e.g. ``QEMU``, ``fake``.
    :ivar int hypervisor_version: the hypervisor's version number.
    :ivar dict cpu_info: ``arch``, ``model``, ``vendor``, ``features``...

    Status and load:

    :ivar bool service_up: the compute service heartbeats in time.
    :ivar bool service_disabled: an operator disabled the service.
    :ivar int failed_builds: builds failed in a row on the node.
    :ivar int io_ops: instances building, resizing or snapshotting here.
    :ivar set instances: uuids of the instances holding resources here.

    Placement:

    :ivar list aggregates: the host's aggregates, each a ``dict`` with
        ``name``, ``availability_zone`` and ``metadata`` (``{str: str}``).
    :ivar availability_zone: the zone its aggregates give it, or None
        (then ``[compute] default_availability_zone`` applies).
    """

    host: str
    nodename: str
    uuid: str
    vcpus: int
    memory_mb: int
    local_gb: int
    vcpus_used: int
    memory_mb_used: int
    local_gb_used: int
    running_vms: int
    cpu_allocation_ratio: float
    ram_allocation_ratio: float
    disk_allocation_ratio: float
    reserved_host_cpus: int
    reserved_host_memory_mb: int
    reserved_host_disk_mb: int
    hypervisor_type: str
    hypervisor_version: int
    cpu_info: dict
    service_up: bool
    service_disabled: bool
    failed_builds: int
    io_ops: int
    instances: set
    aggregates: list
    availability_zone: str | None

    @property
    def node(self):
        """The hypervisor's node name (same as ``nodename``)."""
        return self.nodename

    @property
    def vcpus_total(self):
        """The node's vCPUs (same as ``vcpus``)."""
        return self.vcpus

    @property
    def free_vcpus(self):
        """vCPUs still free, after the allocation ratio and reserved
        vCPUs (may be fractional or negative)."""
        total = (self.vcpus - self.reserved_host_cpus) * \
            self.cpu_allocation_ratio
        return total - self.vcpus_used

    @property
    def free_ram_mb(self):
        """RAM still free in MB, after ratio and reserved amount."""
        total = (self.memory_mb - self.reserved_host_memory_mb) * \
            self.ram_allocation_ratio
        return total - self.memory_mb_used

    @property
    def free_disk_gb(self):
        """Local disk still free in GB, after ratio and reserved amount."""
        total = (self.local_gb - self.reserved_host_disk_mb / 1024) * \
            self.disk_allocation_ratio
        return total - self.local_gb_used

    @property
    def num_instances(self):
        """Instances on the host (the larger of reported and claimed)."""
        return max(self.running_vms, len(self.instances))

    def metadata_values(self, key):
        """Return the set of values ``key`` has in this host's
        aggregates (empty if none sets it)."""
        return {agg["metadata"][key] for agg in self.aggregates
                if key in agg["metadata"]}

    def metadata_min(self, key, default, kind=int):
        """Return the smallest value of ``key`` among the host's
        aggregates (converted with ``kind``; unconvertible values are
        ignored), or ``default``."""
        values = []
        for value in self.metadata_values(key):
            try:
                values.append(kind(value))
            except ValueError:
                continue
        return min(values) if values else default

    def needs(self, spec):
        """Return ``(vcpus, memory_mb, disk_gb)`` one instance of the
        :class:`~nimbus.core.interfaces.request_spec.RequestSpec` takes
        here."""
        flavor = spec.flavor
        return flavor["vcpus"], flavor["memory_mb"], spec.disk_gb()
