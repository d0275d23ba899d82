"""RAMWeigher."""

from nimbus.core.interfaces import scheduler


class RAMWeigher(scheduler.HostWeigher):
    """Prefers hosts with more free RAM (spreads); a negative
    ``[scheduler] ram_weight_multiplier`` stacks instead."""

    multiplier_option = "ram_weight_multiplier"

    def weigh(self, host_state, spec):
        return host_state.free_ram_mb
