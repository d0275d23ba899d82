"""ServerGroupAntiAffinityFilter."""

from nimbus.core.interfaces import scheduler
from nimbus.core.scheduler import request_spec


def max_per_host(group):
    rules = group.get("rules") or {}
    return int(rules.get("max_server_per_host", 1))


class ServerGroupAntiAffinityFilter(scheduler.HostFilter):
    """Rejects hosts already holding ``max_server_per_host`` (default 1)
    members of the request's ``anti-affinity`` group.

    The claim re-checks the members in the same transaction, so two
    schedulers cannot both place a member on one host.
    """

    rejection = "server group anti-affinity: host holds a member already"

    def applies(self, spec):
        return request_spec.group_policy(spec) == "anti-affinity"

    def host_passes(self, host_state, spec):
        group = spec["group"]
        here = (group.get("hosts") or []).count(host_state.host)
        return here < max_per_host(group)
