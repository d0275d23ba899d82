"""AvailabilityZoneFilter."""

from nimbus.core.interfaces import scheduler


class AvailabilityZoneFilter(scheduler.HostFilter):
    """Rejects hosts outside the availability zone the request asked for.

    A host's zone is the ``availability_zone`` of its aggregates, or
    ``[compute] default_availability_zone`` when none sets one.
    """

    rejection = "not in the requested availability zone"
    run_filter_once_per_request = True

    def applies(self, spec):
        return bool(spec.availability_zone)

    def host_passes(self, host_state, spec):
        zone = (host_state.availability_zone
                or self.conf.compute.default_availability_zone)
        return zone == spec.availability_zone
