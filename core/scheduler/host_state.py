"""HostState: the scheduler's view of one compute node; HostSet: many.

A :class:`HostSet` is what a :class:`~nimbus.core.scheduler.selector.
Selector` chooses among. It keeps a change log, so the selector re-filters
and re-weighs only the hosts that changed since its last decision instead
of every host on every request.
"""

import dataclasses
import json

from nimbus.core.interfaces import host_state as host_state_view


@dataclasses.dataclass(eq=False)
class HostState(host_state_view.HostStateView):
    """Inventory, usage, service status and aggregates of one node.

    What filters and weighers may read of it, and the derived values
    (``free_*``, ``num_instances``, ``metadata_*``, ``needs``), are the
    contract :class:`~nimbus.core.interfaces.host_state.HostStateView`;
    the rest (``node_id``, ``generation``, ``version``, ``updated_at``,
    :meth:`consume`) is the scheduler's own.
    """

    host: str
    nodename: str
    uuid: str
    node_id: int
    generation: int
    hypervisor_type: str
    vcpus: int
    memory_mb: int
    local_gb: int
    hypervisor_version: int = 0
    vcpus_used: int = 0
    memory_mb_used: int = 0
    local_gb_used: int = 0
    running_vms: int = 0
    cpu_allocation_ratio: float = 1.0
    ram_allocation_ratio: float = 1.0
    disk_allocation_ratio: float = 1.0
    reserved_host_memory_mb: int = 0
    reserved_host_disk_mb: int = 0
    reserved_host_cpus: int = 0
    cpu_info: dict = dataclasses.field(default_factory=dict)
    service_up: bool = True
    service_disabled: bool = False
    failed_builds: int = 0
    #: instances in build, resize or snapshot task states on this host.
    io_ops: int = 0
    #: uuids of the consumers holding allocations here.
    instances: set = dataclasses.field(default_factory=set)
    aggregates: list = dataclasses.field(default_factory=list)
    availability_zone: str | None = None
    #: bumped by every change; the selector compares it with what it saw.
    version: int = 0
    #: the node row's ``updated_at`` when last read.
    updated_at: object = None

    @classmethod
    def from_node(cls, node, service_up=True, service_disabled=False):
        """Build from a compute node row (``dict``)."""
        state = cls(host=node["host"], nodename="", uuid="", node_id=0,
                    generation=0, hypervisor_type="", vcpus=0, memory_mb=0,
                    local_gb=0, service_up=service_up,
                    service_disabled=service_disabled)
        state.update_from_node(node)
        return state

    def update_from_node(self, node):
        """Copy a node row's inventory and usage in (keeps aggregates,
        instances and service status)."""
        for name in _NODE_FIELDS:
            if name in node and node[name] is not None:
                setattr(self, name, node[name])
        self.node_id = node["id"]
        self.nodename = node["hypervisor_hostname"]
        info = node.get("cpu_info") or "{}"
        self.cpu_info = json.loads(info) if isinstance(info, str) \
            else dict(info)
        self.version += 1

    def consume(self, spec, consumer_uuid=None):
        """Account for one instance of ``spec`` claimed on this host."""
        vcpus, memory_mb, disk_gb = self.needs(spec)
        self.vcpus_used += vcpus
        self.memory_mb_used += memory_mb
        self.local_gb_used += disk_gb
        self.running_vms += 1
        self.io_ops += 1
        if consumer_uuid:
            self.instances.add(consumer_uuid)
        self.generation += 1
        self.version += 1


_NODE_FIELDS = tuple(
    f.name for f in dataclasses.fields(HostState)
    if f.name not in ("nodename", "node_id", "cpu_info", "service_up",
                      "service_disabled", "io_ops", "instances",
                      "aggregates", "availability_zone", "version"))


class HostSet:
    """The hosts to choose among, with a log of which ones changed.

    :attr epoch: bumped when hosts are added or removed (any cached
        ranking must then be rebuilt).
    """

    _MAX_LOG = 50000

    def __init__(self, hosts=()):
        self.hosts = list(hosts)
        self.epoch = 0
        self._log = []
        self._base = 0

    @property
    def position(self):
        """Opaque marker to pass to :meth:`changed_since` later."""
        return (self.epoch, self._base + len(self._log))

    def touch(self, host):
        """Record that ``host`` changed (after updating it)."""
        self._log.append(host)
        if len(self._log) > self._MAX_LOG:
            self.replace(self.hosts)

    def replace(self, hosts):
        """Swap in a new list of hosts (a structural change)."""
        self.hosts = list(hosts)
        self.epoch += 1
        self._base += len(self._log)
        self._log = []

    def changed_since(self, position):
        """Return the hosts changed since ``position``, or None when the
        set itself changed (the caller must start over)."""
        epoch, index = position
        if epoch != self.epoch or index < self._base:
            return None
        return self._log[index - self._base:]
