"""ServerGroupSoftAntiAffinityWeigher."""

from nimbus.core.interfaces import scheduler


class ServerGroupSoftAntiAffinityWeigher(scheduler.HostWeigher):
    """Prefers hosts holding fewer members of the request's
    ``soft-anti-affinity`` group (a preference, never a rejection)."""

    multiplier_option = "soft_anti_affinity_weight_multiplier"

    def applies(self, spec):
        return spec.group_policy() == "soft-anti-affinity"

    def weigh(self, host_state, spec):
        return -spec.group["hosts"].count(host_state.host)
