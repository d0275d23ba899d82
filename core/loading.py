"""The one place plugins are loaded: stevedore entry points, failing fast.

Operators name plugins in the configuration; a name with no installed entry
point stops the service with one line naming it and listing what is
installed, and so does an entry point naming something that does not
implement its group's interface. Nothing else in nimbus imports plugin
classes by path.

:data:`GROUPS` is the table of plugin groups: entry-point namespace ->
what its plugins are called in messages and the interface they implement.
:func:`describe` reports every installed plugin (``nimbus plugin list``).
"""

import dataclasses
import importlib.metadata
import inspect
import sys

import stevedore

from nimbus.core import exception
from nimbus.core.interfaces import (
    api_dialect,
    hypervisor,
    images,
    network,
    scheduler,
    volume,
)

HYPERVISORS = "nimbus.hypervisors"
FILTERS = "nimbus.scheduler.filters"
WEIGHERS = "nimbus.scheduler.weighers"
IMAGES = "nimbus.images"
API_DIALECTS = "nimbus.api.dialects"
NETWORKS = "nimbus.networks"
VOLUMES = "nimbus.volumes"
VOLUME_TARGETS = "nimbus.volumes.targets"


@dataclasses.dataclass(frozen=True)
class PluginGroup:
    """One entry-point group and the interface its plugins implement."""

    namespace: str
    #: how messages name one plugin of the group ("scheduler filter").
    kind: str
    interface: type

    @property
    def interface_name(self):
        """The interface as ``module.Class``."""
        return f"{self.interface.__module__}.{self.interface.__qualname__}"

    @property
    def interface_version(self):
        """``INTERFACE_VERSION`` of the module declaring the interface."""
        return sys.modules[self.interface.__module__].INTERFACE_VERSION


GROUPS = {group.namespace: group for group in (
    PluginGroup(HYPERVISORS, "hypervisor", hypervisor.Hypervisor),
    PluginGroup(FILTERS, "scheduler filter", scheduler.HostFilter),
    PluginGroup(WEIGHERS, "scheduler weigher", scheduler.HostWeigher),
    PluginGroup(IMAGES, "image", images.ImageStore),
    PluginGroup(API_DIALECTS, "API dialect", api_dialect.APIDialect),
    PluginGroup(NETWORKS, "network", network.NetworkDriver),
    PluginGroup(VOLUMES, "volume", volume.VolumeDriver),
    PluginGroup(VOLUME_TARGETS, "volume target", volume.VolumeTarget),
)}


def installed(namespace):
    """Return the sorted names of the plugins installed in ``namespace``."""
    mgr = stevedore.ExtensionManager(namespace, invoke_on_load=False)
    return sorted(mgr.names())


def load_class(namespace, name):
    """Return the plugin class registered as ``name`` in ``namespace``.

    :param namespace: one of :data:`GROUPS`.
    :raises PluginNotFound: no such entry point.
    :raises PluginLoadFailed: the entry point exists but does not import.
    :raises PluginInterfaceMismatch: it imports, but is not a concrete
        subclass of the group's interface.
    """
    group = GROUPS[namespace]
    failures = []

    def _on_failure(_manager, entrypoint, err):
        failures.append((entrypoint.name, err))

    mgr = stevedore.NamedExtensionManager(
        namespace, [name], invoke_on_load=False,
        on_load_failure_callback=_on_failure, name_order=True)
    if name in mgr.names():
        ext = mgr[name]
        return check(group, name, ext.entry_point_target, ext.plugin)
    for failed_name, err in failures:
        if failed_name == name:
            raise exception.PluginLoadFailed(
                kind=group.kind, name=name, reason=str(err))
    raise exception.PluginNotFound(
        kind=group.kind, name=name,
        installed=", ".join(installed(namespace)) or "(none)")


def load_driver(namespace, name, *args, **kwargs):
    """Instantiate the plugin ``name`` of ``namespace`` with the arguments.

    :raises: what :func:`load_class` raises.
    """
    return load_class(namespace, name)(*args, **kwargs)


def check(group, name, target, plugin):
    """Return ``plugin`` if it is a class implementing ``group.interface``.

    :param group: a :class:`PluginGroup`.
    :param name: the entry point's name, for the message.
    :param target: the entry point's value (``module:Class``).
    :raises PluginInterfaceMismatch: not a class, not a subclass of the
        interface, or abstract methods left unimplemented.
    """
    reason = _mismatch(plugin, group.interface)
    if reason is not None:
        raise exception.PluginInterfaceMismatch(
            kind=group.kind, name=name, target=target,
            interface=group.interface_name, reason=reason)
    return plugin


def _mismatch(plugin, interface):
    if not inspect.isclass(plugin):
        return f"it is not a class (type {type(plugin).__name__})"
    if not issubclass(plugin, interface):
        return "it is not a subclass of it"
    if inspect.isabstract(plugin):
        missing = ", ".join(sorted(plugin.__abstractmethods__))
        return f"abstract methods left unimplemented: {missing}"
    return None


# -- what is installed (``nimbus plugin list``) ------------------------------

@dataclasses.dataclass(frozen=True)
class PluginInfo:
    """One installed plugin, as ``nimbus plugin list`` shows it."""

    group: str
    name: str
    #: the entry point's target, ``module:Class``.
    target: str
    #: the distribution declaring the entry point, or None if unknown.
    package: str | None
    version: str | None
    interface: str
    interface_version: str
    #: "ok", or the one-line error loading it raises.
    status: str


def describe(namespaces=None):
    """Return a :class:`PluginInfo` per installed plugin, loading each.

    :param namespaces: groups to report (default: all of :data:`GROUPS`).
    :returns: a list sorted by group, then name.
    :raises KeyError: a namespace that is not in :data:`GROUPS`.
    """
    infos = []
    for namespace in sorted(namespaces or GROUPS):
        group = GROUPS[namespace]
        for entry_point in importlib.metadata.entry_points(group=namespace):
            infos.append(_info(group, entry_point))
    return sorted(infos, key=lambda i: (i.group, i.name, i.target))


def _info(group, entry_point):
    dist = getattr(entry_point, "dist", None)
    return PluginInfo(
        group=group.namespace, name=entry_point.name,
        target=entry_point.value,
        package=dist.name if dist is not None else None,
        version=dist.version if dist is not None else None,
        interface=group.interface_name,
        interface_version=group.interface_version,
        status=_status(group, entry_point))


def _status(group, entry_point):
    try:
        plugin = entry_point.load()
    except Exception as err:  # reported in the listing, not raised
        lines = str(err).splitlines() or [repr(err)]
        return str(exception.PluginLoadFailed(
            kind=group.kind, name=entry_point.name, reason=lines[0]))
    try:
        check(group, entry_point.name, entry_point.value, plugin)
    except exception.PluginInterfaceMismatch as err:
        return str(err)
    return "ok"
