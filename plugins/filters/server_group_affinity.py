"""ServerGroupAffinityFilter."""

from nimbus.core.interfaces import scheduler


class ServerGroupAffinityFilter(scheduler.HostFilter):
    """Rejects hosts other than the one an ``affinity`` group's members
    already occupy.

    The first member may go anywhere; the claim re-checks the members in
    the same transaction, so concurrent boots cannot split the group.
    """

    rejection = "server group affinity: members are on another host"

    def applies(self, spec):
        return spec.group_policy() == "affinity"

    def host_passes(self, host_state, spec):
        hosts = spec.group["hosts"]
        return not hosts or host_state.host in hosts
