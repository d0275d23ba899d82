"""DifferentHostFilter."""

from nimbus.core.interfaces import scheduler


class DifferentHostFilter(scheduler.HostFilter):
    """Rejects hosts that hold any instance named in the
    ``different_host`` scheduler hint.

    The hint is one instance uuid or a list of them.
    """

    rejection = "holds a different_host instance"

    def applies(self, spec):
        return bool(spec.hint_list("different_host"))

    def host_passes(self, host_state, spec):
        avoid = spec.hint_list("different_host")
        return not any(uuid in host_state.instances for uuid in avoid)
