"""ServerGroupSoftAffinityWeigher."""

from nimbus.core.interfaces import scheduler


class ServerGroupSoftAffinityWeigher(scheduler.HostWeigher):
    """Prefers hosts holding more members of the request's
    ``soft-affinity`` group (a preference, never a rejection)."""

    multiplier_option = "soft_affinity_weight_multiplier"

    def applies(self, spec):
        return spec.group_policy() == "soft-affinity"

    def weigh(self, host_state, spec):
        return spec.group["hosts"].count(host_state.host)
