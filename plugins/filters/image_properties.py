"""ImagePropertiesFilter."""

from nimbus.core.interfaces import scheduler

# image property -> how to read the host's value
_ARCH = ("hw_architecture", "architecture")
_HV_TYPE = ("img_hv_type", "hypervisor_type")


def _first(props, names):
    for name in names:
        if props.get(name):
            return str(props[name]).lower()
    return None


class ImagePropertiesFilter(scheduler.HostFilter):
    """Rejects hosts whose CPU architecture or hypervisor type differs
    from what the image requires.

    The image asks with ``hw_architecture`` (or ``architecture``) and
    ``img_hv_type`` (or ``hypervisor_type``); a host reports its
    architecture in ``cpu_info["arch"]``. Images that ask nothing fit
    anywhere.
    """

    rejection = "image architecture or hypervisor type not supported"
    run_filter_once_per_request = True

    def applies(self, spec):
        props = spec.image["properties"]
        return bool(_first(props, _ARCH) or _first(props, _HV_TYPE))

    def host_passes(self, host_state, spec):
        props = spec.image["properties"]
        arch = _first(props, _ARCH)
        if arch and str(host_state.cpu_info.get("arch", "")).lower() != \
                arch:
            return False
        hv_type = _first(props, _HV_TYPE)
        return not hv_type or \
            str(host_state.hypervisor_type).lower() == hv_type
