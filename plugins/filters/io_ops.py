"""IoOpsFilter."""

from nimbus.core.interfaces import scheduler


class IoOpsFilter(scheduler.HostFilter):
    """Rejects hosts already running ``max_io_ops_per_host`` builds,
    resizes or snapshots.

    Those operations are disk and network heavy; piling more onto a busy
    host slows them all. The limit is ``[scheduler] max_io_ops_per_host``,
    overridable by an aggregate's ``max_io_ops_per_host`` metadata.
    """

    rejection = "too many concurrent I/O operations"

    def host_passes(self, host_state, spec):
        maximum = host_state.metadata_min(
            "max_io_ops_per_host", self.conf.scheduler.max_io_ops_per_host)
        return host_state.io_ops < maximum
