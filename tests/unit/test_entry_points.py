"""Every entry point the installed nimbus distribution declares loads.

Plugin groups (``nimbus.*`` but the CLI's) load through
:mod:`nimbus.core.loading`, so they also pass the interface check; the
other groups import and give what their consumer calls. The second half
proves the check fails: fabricated entry points, fed to stevedore's
lookup, are rejected with the right message.
"""

import importlib.metadata
import inspect

import pytest
import stevedore
from cliff import command

from nimbus.core import exception, loading


def _callable(obj):
    assert callable(obj), f"{obj!r} is not callable"


def _command(obj):
    assert inspect.isclass(obj) and issubclass(obj, command.Command), \
        f"{obj!r} is not a cliff Command class"


def _opts_lister(obj):
    _callable(obj)
    pairs = list(obj())
    assert pairs and all(len(pair) == 2 for pair in pairs), pairs


def _messaging_driver(obj):
    from oslo_messaging._drivers import base
    assert inspect.isclass(obj) and issubclass(obj, base.BaseDriver), \
        f"{obj!r} is not an oslo.messaging driver class"


def _rules_lister(obj):
    _callable(obj)
    assert list(obj()), f"{obj!r} lists no policy rules"


#: non-plugin groups nimbus declares -> what their objects must be.
OTHER_GROUPS = {
    "console_scripts": _callable,
    "nimbus.cli": _command,
    "oslo.config.opts": _opts_lister,
    "oslo.policy.policies": _rules_lister,
    "oslo.messaging.drivers": _messaging_driver,
}


def verify(entry_point):
    """Load ``entry_point`` the way its consumer does.

    :raises AssertionError: an unknown group, or the wrong kind of object.
    :raises PluginNotFound, PluginLoadFailed, PluginInterfaceMismatch:
        a plugin group's entry point that nimbus cannot use.
    """
    if entry_point.group in OTHER_GROUPS:
        OTHER_GROUPS[entry_point.group](entry_point.load())
        return
    assert entry_point.group in loading.GROUPS, (
        f"group {entry_point.group} is declared but has no interface in "
        "nimbus.core.loading.GROUPS")
    loading.load_class(entry_point.group, entry_point.name)


def _declared():
    return sorted(importlib.metadata.distribution("nimbus").entry_points,
                  key=lambda ep: (ep.group, ep.name))


@pytest.mark.parametrize("entry_point", _declared(),
                         ids=lambda ep: f"{ep.group}:{ep.name}")
def test_declared_entry_point_loads(entry_point):
    verify(entry_point)


def test_every_plugin_group_is_declared_with_a_plugin():
    declared = {ep.group for ep in _declared()}
    assert set(loading.GROUPS) <= declared
    assert declared - set(loading.GROUPS) == set(OTHER_GROUPS)


# -- the checks can fail ----------------------------------------------------

@pytest.fixture
def fabricate(monkeypatch):
    """Make stevedore see ``(name, value)`` entry points in a group."""
    def _fabricate(group, *pairs):
        entry_points = [importlib.metadata.EntryPoint(name, value, group)
                        for name, value in pairs]
        monkeypatch.setitem(stevedore.ExtensionManager.ENTRY_POINT_CACHE,
                            group, entry_points)
        return entry_points
    return _fabricate


def test_missing_module_is_rejected(fabricate):
    [entry_point] = fabricate(loading.HYPERVISORS, (
        "ghost", "nimbus.plugins.hypervisors.ghost:GhostDriver"))
    with pytest.raises(exception.PluginLoadFailed) as err:
        verify(entry_point)
    assert str(err.value) == (
        "hypervisor plugin 'ghost' failed to load: No module named "
        "'nimbus.plugins.hypervisors.ghost'")


def test_class_of_another_interface_is_rejected(fabricate):
    [entry_point] = fabricate(loading.FILTERS, (
        "ram", "nimbus.plugins.weighers.ram:RAMWeigher"))
    with pytest.raises(exception.PluginInterfaceMismatch) as err:
        verify(entry_point)
    assert str(err.value) == (
        "scheduler filter plugin 'ram' (nimbus.plugins.weighers.ram:"
        "RAMWeigher) does not implement "
        "nimbus.core.interfaces.scheduler.HostFilter: it is not a subclass "
        "of it")


def test_abstract_class_is_rejected(fabricate):
    [entry_point] = fabricate(loading.IMAGES, (
        "abstract", "nimbus.core.interfaces.images:ImageStore"))
    with pytest.raises(exception.PluginInterfaceMismatch,
                       match="abstract methods left unimplemented: "
                             "add_member, create, delete, delete_member, "
                             "download, get, get_member, list, "
                             "list_members, update, update_member, "
                             "upload"):
        verify(entry_point)


def test_non_class_is_rejected(fabricate):
    [entry_point] = fabricate(loading.API_DIALECTS, (
        "func", "nimbus.core.loading:load_class"))
    with pytest.raises(exception.PluginInterfaceMismatch,
                       match=r"it is not a class \(type function\)"):
        verify(entry_point)


def test_unknown_group_is_rejected():
    entry_point = importlib.metadata.EntryPoint(
        "fake", "nimbus.plugins.telemetry.fake:FakeMeter",
        "nimbus.telemetry")
    with pytest.raises(AssertionError, match="nimbus.telemetry is declared"):
        verify(entry_point)


@pytest.mark.parametrize("group, value", [
    ("console_scripts", "nimbus.cli.shell:no_such_main"),
    ("nimbus.cli", "nimbus.cli.shell:main"),
    ("oslo.config.opts", "nimbus.core.conf.opts:_SKIP"),
    ("oslo.policy.policies", "builtins:list"),
])
def test_other_groups_are_checked(group, value):
    entry_point = importlib.metadata.EntryPoint("x", value, group)
    with pytest.raises((AssertionError, AttributeError)):
        verify(entry_point)
