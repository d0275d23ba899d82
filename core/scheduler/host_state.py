"""HostState: the scheduler's view of one compute node."""

import dataclasses
import json

from nimbus.core.scheduler import request_spec


@dataclasses.dataclass
class HostState:
    """Inventory, usage and service status of one compute node.

    ``free_*`` apply allocation ratios and reserved amounts, so filters
    and weighers compare like with like.
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

    @classmethod
    def from_node(cls, node, service_up=True, service_disabled=False):
        """Build from a compute node row (``dict``)."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in node.items() if k in names}
        values["node_id"] = node["id"]
        values["nodename"] = node["hypervisor_hostname"]
        info = node.get("cpu_info") or "{}"
        values["cpu_info"] = json.loads(info) if isinstance(info, str) \
            else dict(info)
        return cls(service_up=service_up, service_disabled=service_disabled,
                   **values)

    @property
    def free_vcpus(self):
        total = (self.vcpus - self.reserved_host_cpus) * \
            self.cpu_allocation_ratio
        return total - self.vcpus_used

    @property
    def free_ram_mb(self):
        total = (self.memory_mb - self.reserved_host_memory_mb) * \
            self.ram_allocation_ratio
        return total - self.memory_mb_used

    @property
    def free_disk_gb(self):
        total = (self.local_gb - self.reserved_host_disk_mb / 1024) * \
            self.disk_allocation_ratio
        return total - self.local_gb_used

    def needs(self, spec):
        """Return ``(vcpus, memory_mb, disk_gb)`` one instance of spec
        takes."""
        flavor = spec["flavor"]
        return (flavor["vcpus"], flavor["memory_mb"],
                request_spec.disk_gb(spec))

    def consume(self, spec):
        """Account for one instance of ``spec`` claimed on this host."""
        vcpus, memory_mb, disk_gb = self.needs(spec)
        self.vcpus_used += vcpus
        self.memory_mb_used += memory_mb
        self.local_gb_used += disk_gb
        self.running_vms += 1
        self.generation += 1
