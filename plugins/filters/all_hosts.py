"""AllHostsFilter."""

from nimbus.core.interfaces import scheduler


class AllHostsFilter(scheduler.HostFilter):
    """Rejects no host: the no-op filter (Nova's AllHostsFilter).

    Enabled alone, it leaves the choice to the weighers; it also stands in
    for a real filter where a test or a small cloud wants none.
    """

    rejection = "never"
    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        return True
