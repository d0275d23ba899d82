"""The scheduler's RPC endpoint (see rpcapi for the version history)."""

import threading

import oslo_messaging as messaging
from oslo_log import log as logging

from nimbus.core import exception, loading, manager, metrics
from nimbus.core.interfaces import request_spec as rs
from nimbus.core.scheduler import host_manager, selector

LOG = logging.getLogger(__name__)


def load_filters(conf):
    """Instantiate ``[scheduler] enabled_filters`` in configured order."""
    filters = []
    for name in conf.scheduler.enabled_filters:
        flt = loading.load_driver(loading.FILTERS, name, conf)
        flt.plugin_name = name
        filters.append(flt)
    return filters


def load_weighers(conf):
    """Instantiate ``[scheduler] enabled_weighers`` in configured order."""
    return [loading.load_driver(loading.WEIGHERS, name, conf)
            for name in conf.scheduler.enabled_weighers]


class SchedulerManager(manager.Manager):
    """Picks hosts for instances and claims their resources.

    :param db: the database API handed in by the daemon.
    """

    target = messaging.Target(version="1.1")

    def __init__(self, conf, host, db):
        super().__init__(conf, host)
        self.db = db
        self.selector = selector.Selector(conf, load_filters(conf),
                                          load_weighers(conf))
        self.host_manager = host_manager.HostManager(conf, db)
        # NOTE(scheduler): one decision at a time per process: the host
        # cache and rankings are shared state. Processes scale out; the
        # claims keep them from over-committing each other.
        self._lock = threading.Lock()

    @messaging.expected_exceptions(exception.NoValidHost)
    def select_destinations(self, context, request_spec, instance_uuids):
        ctx = context.elevated()
        spec = self._with_group_hosts(
            ctx, rs.RequestSpec.from_rpc(request_spec))
        with self._lock, metrics.SCHEDULER_DECISION_TIME.time():
            hosts = self.host_manager.get_host_states(ctx)
            try:
                return self._select(ctx, hosts, spec, instance_uuids)
            except exception.NoValidHost:
                # The cache may lag (e.g. a release we have not read
                # yet): decide once more on a full re-read before failing.
                self.host_manager.full_reload(ctx)
                return self._select(ctx, self.host_manager.host_set, spec,
                                    instance_uuids)

    def _select(self, ctx, hosts, spec, instance_uuids):
        return self.selector.select(
            hosts, spec, instance_uuids,
            host_manager.DatabaseClaimer(ctx, self.db),
            lambda h: self.host_manager.refresh(ctx, h))

    def _with_group_hosts(self, ctx, spec):
        group = spec.group
        if group is None:
            return spec
        hosts = self.db.server_groups.member_hosts(ctx, group["uuid"])
        return spec.with_group_hosts(hosts)
