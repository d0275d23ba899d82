"""DiskWeigher."""

from nimbus.core.interfaces import scheduler


class DiskWeigher(scheduler.HostWeigher):
    """Prefers hosts with more free disk (spreads); a negative
    ``[scheduler] disk_weight_multiplier`` stacks instead."""

    multiplier_option = "disk_weight_multiplier"

    def weigh(self, host_state, spec):
        return host_state.free_disk_gb
