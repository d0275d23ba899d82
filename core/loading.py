"""The one place plugins are loaded: stevedore entry points, failing fast.

Operators name plugins in the configuration; a name with no installed entry
point stops the service with one line naming it and listing what is
installed. Nothing else in nimbus imports plugin classes by path.
"""

import stevedore

from nimbus.core import exception

HYPERVISORS = "nimbus.hypervisors"
FILTERS = "nimbus.scheduler.filters"
WEIGHERS = "nimbus.scheduler.weighers"
NETWORKS = "nimbus.networks"
VOLUMES = "nimbus.volumes"
VOLUME_TARGETS = "nimbus.volumes.targets"
IMAGES = "nimbus.images"
API_DIALECTS = "nimbus.api.dialects"

_KINDS = {
    HYPERVISORS: "hypervisor",
    FILTERS: "scheduler filter",
    WEIGHERS: "scheduler weigher",
    NETWORKS: "network",
    VOLUMES: "volume",
    VOLUME_TARGETS: "volume target",
    IMAGES: "image",
    API_DIALECTS: "API dialect",
}


def installed(namespace):
    """Return the sorted names of the plugins installed in ``namespace``."""
    mgr = stevedore.ExtensionManager(namespace, invoke_on_load=False)
    return sorted(mgr.names())


def load_class(namespace, name):
    """Return the plugin class registered as ``name`` in ``namespace``.

    :raises PluginNotFound: no such entry point.
    :raises PluginLoadFailed: the entry point exists but does not import.
    """
    failures = []

    def _on_failure(_manager, entrypoint, err):
        failures.append((entrypoint.name, err))

    mgr = stevedore.NamedExtensionManager(
        namespace, [name], invoke_on_load=False,
        on_load_failure_callback=_on_failure, name_order=True)
    if name in mgr.names():
        return mgr[name].plugin
    for failed_name, err in failures:
        if failed_name == name:
            raise exception.PluginLoadFailed(
                kind=_KINDS.get(namespace, namespace), name=name,
                reason=str(err))
    raise exception.PluginNotFound(
        kind=_KINDS.get(namespace, namespace), name=name,
        installed=", ".join(installed(namespace)) or "(none)")


def load_driver(namespace, name, *args, **kwargs):
    """Instantiate the plugin ``name`` of ``namespace`` with the arguments."""
    return load_class(namespace, name)(*args, **kwargs)
