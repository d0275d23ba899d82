"""ServerGroupSoftAntiAffinityWeigher."""

from nimbus.core.interfaces import scheduler
from nimbus.core.scheduler import request_spec


class ServerGroupSoftAntiAffinityWeigher(scheduler.HostWeigher):
    """Prefers hosts holding fewer members of the request's
    ``soft-anti-affinity`` group (a preference, never a rejection)."""

    multiplier_option = "soft_anti_affinity_weight_multiplier"

    def applies(self, spec):
        return request_spec.group_policy(spec) == "soft-anti-affinity"

    def weigh(self, host_state, spec):
        return -(spec["group"].get("hosts") or []).count(host_state.host)
