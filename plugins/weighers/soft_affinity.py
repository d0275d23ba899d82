"""ServerGroupSoftAffinityWeigher."""

from nimbus.core.interfaces import scheduler
from nimbus.core.scheduler import request_spec


class ServerGroupSoftAffinityWeigher(scheduler.HostWeigher):
    """Prefers hosts holding more members of the request's
    ``soft-affinity`` group (a preference, never a rejection)."""

    multiplier_option = "soft_affinity_weight_multiplier"

    def applies(self, spec):
        return request_spec.group_policy(spec) == "soft-affinity"

    def weigh(self, host_state, spec):
        return (spec["group"].get("hosts") or []).count(host_state.host)
