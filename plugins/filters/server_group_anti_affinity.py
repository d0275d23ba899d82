"""ServerGroupAntiAffinityFilter."""

from nimbus.core.interfaces import scheduler


def max_per_host(group):
    """Return how many members of ``group`` one host may hold."""
    return int(group["rules"].get("max_server_per_host", 1))


class ServerGroupAntiAffinityFilter(scheduler.HostFilter):
    """Rejects hosts already holding ``max_server_per_host`` (default 1)
    members of the request's ``anti-affinity`` group.

    The claim re-checks the members in the same transaction, so two
    schedulers cannot both place a member on one host.
    """

    rejection = "server group anti-affinity: host holds a member already"

    def applies(self, spec):
        return spec.group_policy() == "anti-affinity"

    def host_passes(self, host_state, spec):
        group = spec.group
        here = group["hosts"].count(host_state.host)
        return here < max_per_host(group)
