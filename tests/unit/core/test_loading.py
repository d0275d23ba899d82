import os
import subprocess
import sys

import pytest

from nimbus.core import exception, loading


def test_known_plugin_loads():
    from nimbus.plugins.hypervisors.fake.driver import FakeDriver
    assert loading.load_class(loading.HYPERVISORS, "fake") is FakeDriver


def test_misspelt_plugin_names_it_and_lists_installed():
    with pytest.raises(exception.PluginNotFound) as err:
        loading.load_class(loading.HYPERVISORS, "fakee")
    message = str(err.value)
    assert "'fakee'" in message
    assert "fake" in message.split("installed:")[1]


def test_misspelt_plugin_stops_compute_with_one_line(tmp_path):
    conf = tmp_path / "compute.conf"
    conf.write_text("[DEFAULT]\ntransport_url = fake://\nstate_path = "
                    f"{tmp_path}\n[compute]\nhypervisor = kvmm\n")
    binary = os.path.join(os.path.dirname(sys.executable), "nimbus-compute")
    # The compute would wait for conductor first; the plugin is loaded
    # before that, so the error comes at once.
    result = subprocess.run([binary, "--config-file", str(conf)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()
             and "arning" not in line and "eventlet" not in line.lower()]
    assert lines[-1].startswith(
        "nimbus-compute: hypervisor plugin 'kvmm' is not installed; "
        "installed: "), result.stderr
    assert "fake" in lines[-1]
    assert "Traceback" not in result.stderr


# -- the interface check ----------------------------------------------------

def write_distribution(root, name, entry_points, modules):
    """Install a tiny distribution into directory ``root`` (put it on
    ``sys.path`` or ``PYTHONPATH`` to see it).

    :param entry_points: ``{group: {name: "module:Class"}}``.
    :param modules: ``{module_name: source}`` written beside it.
    """
    info = root / f"{name.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n")
    lines = []
    for group, plugins in entry_points.items():
        lines.append(f"[{group}]")
        lines += [f"{key} = {value}" for key, value in plugins.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for module, source in modules.items():
        (root / f"{module}.py").write_text(source)
    return root


BROKEN = {
    "entry_points": {
        loading.HYPERVISORS: {"wrong": "fab_plugins:NotADriver",
                              "gone": "fab_missing:Driver"},
        loading.FILTERS: {"half": "fab_plugins:HalfFilter"},
    },
    "modules": {"fab_plugins": (
        "from nimbus.core.interfaces import scheduler\n\n\n"
        "class NotADriver:\n    pass\n\n\n"
        "class HalfFilter(scheduler.HostFilter):\n    pass\n")},
}


def test_every_group_names_a_versioned_interface():
    for namespace, group in loading.GROUPS.items():
        assert group.namespace == namespace
        assert group.interface_name.startswith("nimbus.core.interfaces.")
        assert group.interface_version.count(".") == 1


def test_check_accepts_a_concrete_subclass():
    from nimbus.plugins.filters.all_hosts import AllHostsFilter
    group = loading.GROUPS[loading.FILTERS]
    assert loading.check(group, "all_hosts", "m:C", AllHostsFilter) is \
        AllHostsFilter


@pytest.mark.parametrize("plugin, reason", [
    (object(), "it is not a class (type object)"),
    (dict, "it is not a subclass of it"),
    (type("Half", (loading.GROUPS[loading.FILTERS].interface,), {}),
     "abstract methods left unimplemented: host_passes"),
])
def test_check_rejects_with_one_line(plugin, reason):
    group = loading.GROUPS[loading.FILTERS]
    with pytest.raises(exception.PluginInterfaceMismatch) as err:
        loading.check(group, "x", "pkg.mod:Cls", plugin)
    assert str(err.value) == (
        "scheduler filter plugin 'x' (pkg.mod:Cls) does not implement "
        f"nimbus.core.interfaces.scheduler.HostFilter: {reason}")


def test_describe_reports_package_and_errors(tmp_path, monkeypatch):
    write_distribution(tmp_path, "nimbus-fab", **BROKEN)
    monkeypatch.syspath_prepend(str(tmp_path))
    infos = {(i.group, i.name): i for i in loading.describe()}
    wrong = infos[(loading.HYPERVISORS, "wrong")]
    assert (wrong.package, wrong.version) == ("nimbus-fab", "1.2.3")
    assert wrong.status.startswith(
        "hypervisor plugin 'wrong' (fab_plugins:NotADriver) does not "
        "implement nimbus.core.interfaces.hypervisor.Hypervisor")
    assert infos[(loading.HYPERVISORS, "gone")].status == (
        "hypervisor plugin 'gone' failed to load: No module named "
        "'fab_missing'")
    assert "host_passes" in infos[(loading.FILTERS, "half")].status
    fake = infos[(loading.HYPERVISORS, "fake")]
    assert (fake.package, fake.status) == ("nimbus", "ok")
    assert fake.interface_version == "1.13"


def test_describe_one_group_only():
    groups = {i.group for i in loading.describe([loading.IMAGES])}
    assert groups == {loading.IMAGES}


def test_wrong_interface_stops_compute_with_one_line(tmp_path):
    write_distribution(tmp_path / "site", "nimbus-fab", **BROKEN)
    conf = tmp_path / "compute.conf"
    conf.write_text("[DEFAULT]\ntransport_url = fake://\nstate_path = "
                    f"{tmp_path}\n[compute]\nhypervisor = wrong\n")
    binary = os.path.join(os.path.dirname(sys.executable), "nimbus-compute")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    result = subprocess.run([binary, "--config-file", str(conf)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()
             and "arning" not in line and "eventlet" not in line.lower()]
    assert lines[-1] == (
        "nimbus-compute: hypervisor plugin 'wrong' (fab_plugins:NotADriver)"
        " does not implement nimbus.core.interfaces.hypervisor.Hypervisor: "
        "it is not a subclass of it"), result.stderr
    assert "Traceback" not in result.stderr
