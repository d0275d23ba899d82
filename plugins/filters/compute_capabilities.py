"""ComputeCapabilitiesFilter."""

from nimbus.core.interfaces import extra_specs, scheduler

SCOPE = "capabilities:"


def _lookup(host_state, path):
    value = host_state
    for part in path.split(":"):
        if isinstance(value, dict):
            if part not in value:
                return None
            value = value[part]
        else:
            value = getattr(value, part, None)
        if value is None:
            return None
    return value


class ComputeCapabilitiesFilter(scheduler.HostFilter):
    """Rejects hosts whose state does not satisfy the flavor's
    ``capabilities:*`` extra specs.

    ``capabilities:hypervisor_type = s== fake`` or
    ``capabilities:cpu_info:arch = x86_64`` compare a host-state
    attribute (``:`` walks into dicts such as ``cpu_info``) with the
    operators of :mod:`nimbus.core.interfaces.extra_specs`.
    """

    rejection = "host capabilities do not match the flavor extra specs"
    run_filter_once_per_request = True

    def _wanted(self, spec):
        specs = spec.flavor["extra_specs"]
        return {k[len(SCOPE):]: v for k, v in specs.items()
                if k.startswith(SCOPE)}

    def applies(self, spec):
        return bool(self._wanted(spec))

    def host_passes(self, host_state, spec):
        for path, requirement in self._wanted(spec).items():
            value = _lookup(host_state, path)
            if value is None or not extra_specs.match(value,
                                                          requirement):
                return False
        return True
