"""IoOpsWeigher."""

from nimbus.core.interfaces import scheduler


class IoOpsWeigher(scheduler.HostWeigher):
    """Prefers hosts with fewer builds, resizes and snapshots in progress
    (``[scheduler] io_ops_weight_multiplier`` is negative by default)."""

    multiplier_option = "io_ops_weight_multiplier"

    def weigh(self, host_state, spec):
        return host_state.io_ops
