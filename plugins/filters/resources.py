"""ResourcesFilter."""

from nimbus.core.interfaces import scheduler


class ResourcesFilter(scheduler.HostFilter):
    """Rejects hosts without enough free vCPU, RAM or disk for the flavor.

    Free amounts apply the host's allocation ratios and reserved amounts,
    so over-commit is exactly what the operator configured.
    """

    rejection = "not enough free vCPU, RAM or disk"

    def host_passes(self, host_state, spec):
        vcpus, memory_mb, disk_gb = host_state.needs(spec)
        return (host_state.free_vcpus >= vcpus
                and host_state.free_ram_mb >= memory_mb
                and host_state.free_disk_gb >= disk_gb)
