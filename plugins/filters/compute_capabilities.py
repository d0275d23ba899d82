"""ComputeCapabilitiesFilter."""

import inspect

from nimbus.core.interfaces import extra_specs, host_state, scheduler

SCOPE = "capabilities:"
_VIEW = host_state.HostStateView
#: what a host state tells, as the view documents it.
_ATTRIBUTES = sorted(set(_VIEW.__annotations__) | {
    name for name, member in inspect.getmembers(_VIEW)
    if isinstance(member, property) and not name.startswith("_")})
_NESTED = sorted(name for name, kind in _VIEW.__annotations__.items()
                 if kind is dict)
_DESCRIPTION = ("The host state's {name} satisfies the value (an operator "
                "of nimbus.core.interfaces.extra_specs and its operand, "
                "or a plain value). Requires the "
                "ComputeCapabilitiesFilter scheduler filter.")


def _declared():
    specs = [extra_specs.ExtraSpec(
        name=f"{SCOPE}{name}",
        description=_DESCRIPTION.format(name=f"'{name}'"))
        for name in _ATTRIBUTES]
    specs += [extra_specs.ExtraSpec(
        name=f"{SCOPE}{name}{{path}}",
        description=_DESCRIPTION.format(name=f"'{name}' entry at path"),
        parameters={"path": "(:[^:]+)+"}) for name in _NESTED]
    return tuple(specs)


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
    extra_specs = _declared()

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
