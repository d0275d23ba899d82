"""Reports this host's inventory (totals) and its hypervisor plugin's
capabilities to the database via conductor.

Usage is not tracked here: scheduler claims keep ``*_used`` in the same
transaction as the allocations, so the compute only says what it has.
A report that would say what the previous one said is skipped, except
every ``FULL_REPORT_EVERY``-th (as Nova's resource tracker saves its
node only when it changed): ten thousand idle hosts in one process
would otherwise write ten thousand unchanged rows a minute.
"""

import dataclasses

from oslo_log import log as logging

from nimbus.core import context as nimbus_context
from nimbus.core.objects import compute_node

LOG = logging.getLogger(__name__)

#: an unchanged inventory is still reported every this many runs (a node
#: record removed meanwhile comes back).
FULL_REPORT_EVERY = 10


class ResourceTracker:
    """Turns the hypervisor's :class:`HostResources` into a ComputeNode."""

    def __init__(self, conf, host, driver):
        self.conf = conf
        self.host = host
        self.driver = driver
        self.node = None
        self._reported = None
        self._skipped = 0

    def update_available_resource(self, service_id=None):
        res = self.driver.get_available_resource()
        c = self.conf.compute
        values = {
            "hypervisor_type": res.hypervisor_type,
            "hypervisor_version": res.hypervisor_version,
            "cpu_info": res.cpu_info,
            "vcpus": res.vcpus, "memory_mb": res.memory_mb,
            "local_gb": res.local_gb,
            "cpu_allocation_ratio": c.cpu_allocation_ratio,
            "ram_allocation_ratio": c.ram_allocation_ratio,
            "disk_allocation_ratio": c.disk_allocation_ratio,
            "reserved_host_memory_mb": min(c.reserved_host_memory_mb,
                                           res.memory_mb // 2),
            "reserved_host_disk_mb": c.reserved_host_disk_mb,
            "reserved_host_cpus": c.reserved_host_cpus,
            # What the compute API checks before accepting an action.
            "capabilities": dataclasses.asdict(self.driver.capabilities),
        }
        if service_id is not None:
            values["service_id"] = service_id
        said = (res.hypervisor_hostname, values)
        if self.node is not None and said == self._reported and \
                self._skipped < FULL_REPORT_EVERY - 1:
            self._skipped += 1
            return self.node
        self.node = compute_node.ComputeNode.report_inventory(
            nimbus_context.get_admin_context(), self.host,
            res.hypervisor_hostname, values)
        self._reported, self._skipped = said, 0
        LOG.debug("Reported inventory of %(host)s: %(vcpus)d vCPU, "
                  "%(mem)d MiB, %(disk)d GiB",
                  {"host": self.host, "vcpus": res.vcpus,
                   "mem": res.memory_mb, "disk": res.local_gb})
        return self.node
