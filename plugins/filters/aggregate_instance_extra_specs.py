"""AggregateInstanceExtraSpecsFilter."""

from nimbus.core.interfaces import extra_specs, scheduler

SCOPE = "aggregate_instance_extra_specs:"


class AggregateInstanceExtraSpecsFilter(scheduler.HostFilter):
    """Rejects hosts whose aggregates' metadata does not match the
    flavor's extra specs.

    Unscoped keys (no ``:``) and keys scoped
    ``aggregate_instance_extra_specs:`` must each be matched by the value
    some aggregate of the host gives that key, e.g. flavor ``ssd=true``
    goes only to hosts in an aggregate with metadata ``ssd=true``.
    """

    rejection = "aggregate metadata does not match the flavor extra specs"
    run_filter_once_per_request = True
    extra_specs = (extra_specs.ExtraSpec(
        name=SCOPE + "{key}",
        description="A metadata key some aggregate of the host gives a "
                    "value satisfying this one. Requires the "
                    "AggregateInstanceExtraSpecsFilter scheduler filter.",
        parameters={"key": "[^:]+"}),)

    def _wanted(self, spec):
        wanted = {}
        for key, value in spec.flavor["extra_specs"].items():
            if key.startswith(SCOPE):
                wanted[key[len(SCOPE):]] = value
            elif ":" not in key:
                wanted[key] = value
        return wanted

    def applies(self, spec):
        return bool(self._wanted(spec))

    def host_passes(self, host_state, spec):
        for key, requirement in self._wanted(spec).items():
            values = host_state.metadata_values(key)
            if not any(extra_specs.match(v, requirement)
                       for v in values):
                return False
        return True
