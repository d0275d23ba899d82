"""CPUWeigher."""

from nimbus.core.interfaces import scheduler


class CPUWeigher(scheduler.HostWeigher):
    """Prefers hosts with more free vCPUs (spreads); a negative
    ``[scheduler] cpu_weight_multiplier`` stacks instead."""

    multiplier_option = "cpu_weight_multiplier"

    def weigh(self, host_state, spec):
        return host_state.free_vcpus
