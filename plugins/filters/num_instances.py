"""NumInstancesFilter."""

from nimbus.core.interfaces import scheduler


class NumInstancesFilter(scheduler.HostFilter):
    """Rejects hosts that already hold ``max_instances_per_host``
    instances.

    The limit is ``[scheduler] max_instances_per_host``; an aggregate's
    ``max_instances_per_host`` metadata lowers or raises it for its hosts.
    """

    rejection = "too many instances on the host"

    def host_passes(self, host_state, spec):
        maximum = host_state.metadata_min(
            "max_instances_per_host",
            self.conf.scheduler.max_instances_per_host)
        return host_state.num_instances < maximum
