"""BuildFailureWeigher."""

from nimbus.core.interfaces import scheduler


class BuildFailureWeigher(scheduler.HostWeigher):
    """Pushes hosts whose recent builds failed to the back of the line.

    Computes report each failed build (and reset the count on a success);
    with the large default ``[scheduler] build_failure_weight_multiplier``
    such a host is chosen only when nothing else fits.
    """

    multiplier_option = "build_failure_weight_multiplier"

    def weigh(self, host_state, spec):
        return -host_state.failed_builds
