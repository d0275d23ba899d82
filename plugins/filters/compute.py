"""ComputeFilter."""

from nimbus.core.interfaces import scheduler


class ComputeFilter(scheduler.HostFilter):
    """Rejects hosts whose compute service is down or disabled.

    A host whose service missed heartbeats for ``service_down_time`` (or
    was forced down, or disabled by an operator) cannot build anything.
    """

    rejection = "compute service down or disabled"
    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        return host_state.service_up and not host_state.service_disabled
