"""SameHostFilter."""

from nimbus.core.interfaces import scheduler


class SameHostFilter(scheduler.HostFilter):
    """Rejects hosts that hold none of the instances named in the
    ``same_host`` scheduler hint.

    The hint is one instance uuid or a list of them.
    """

    rejection = "not the host of the same_host instances"

    def applies(self, spec):
        return bool(spec.hint_list("same_host"))

    def host_passes(self, host_state, spec):
        wanted = spec.hint_list("same_host")
        return any(uuid in host_state.instances for uuid in wanted)
