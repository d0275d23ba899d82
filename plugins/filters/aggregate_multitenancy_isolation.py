"""AggregateMultiTenancyIsolation."""

from nimbus.core.interfaces import scheduler

KEY = "filter_tenant_id"


class AggregateMultiTenancyIsolation(scheduler.HostFilter):
    """Rejects hosts set aside for other projects.

    A host in an aggregate whose metadata has ``filter_tenant_id`` (a
    comma-separated list; keys ``filter_tenant_id*`` add more) takes only
    instances of those projects. Hosts in no such aggregate take anyone.
    """

    rejection = "host reserved for other projects"
    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        allowed = set()
        for agg in host_state.aggregates:
            for key, value in agg["metadata"].items():
                if key.startswith(KEY):
                    allowed.update(v.strip() for v in value.split(","))
        return not allowed or spec.project_id in allowed
