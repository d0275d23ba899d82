"""ExampleRejectFilter: a scheduler filter with its own option."""

from nimbus.core.interfaces import scheduler

from nimbus_example import conf as example_conf


class ExampleRejectFilter(scheduler.HostFilter):
    """Rejects hosts listed in ``[example] reject_hosts``.

    A template for filters: it registers its own option on the conf it is
    given, says why a host failed in :attr:`rejection` (shown in
    NoValidHost explanations) and does no I/O. With the list empty it
    steps aside (:meth:`applies`).
    """

    rejection = "listed in [example] reject_hosts"

    def __init__(self, conf):
        super().__init__(conf)
        example_conf.register_opts(conf)

    def applies(self, spec):
        return bool(self.conf.example.reject_hosts)

    def host_passes(self, host_state, spec):
        return host_state.host not in self.conf.example.reject_hosts
