"""The scheduler's RPC endpoint (see rpcapi for the version history)."""

import oslo_messaging as messaging

from nimbus.core import exception, loading, manager
from nimbus.core.scheduler import host_manager, selector


def load_filters(conf):
    filters = []
    for name in conf.scheduler.enabled_filters:
        flt = loading.load_driver(loading.FILTERS, name, conf)
        flt.plugin_name = name
        filters.append(flt)
    return filters


def load_weighers(conf):
    return [loading.load_driver(loading.WEIGHERS, name, conf)
            for name in conf.scheduler.enabled_weighers]


class SchedulerManager(manager.Manager):
    """Picks hosts for instances and claims their resources."""

    target = messaging.Target(version="1.0")

    def __init__(self, conf, host):
        super().__init__(conf, host)
        self.selector = selector.Selector(conf, load_filters(conf),
                                          load_weighers(conf))
        self.host_manager = host_manager.HostManager(conf)

    @messaging.expected_exceptions(exception.NoValidHost)
    def select_destinations(self, context, request_spec, instance_uuids):
        ctx = context.elevated()
        hosts = self.host_manager.get_host_states(ctx)
        return self.selector.select(
            hosts, request_spec, instance_uuids,
            host_manager.DatabaseClaimer(ctx),
            lambda h: self.host_manager.refresh(ctx, h))
