"""NumInstancesWeigher."""

from nimbus.core.interfaces import scheduler


class NumInstancesWeigher(scheduler.HostWeigher):
    """Weighs hosts by how many instances they hold: a negative
    ``[scheduler] num_instances_weight_multiplier`` spreads by count, a
    positive one packs (the default 0.0 ignores it)."""

    multiplier_option = "num_instances_weight_multiplier"

    def weigh(self, host_state, spec):
        return host_state.num_instances
