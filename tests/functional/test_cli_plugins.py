"""``nimbus plugin list``: the real console script, no API, no cloud."""

import configparser
import importlib
import json
import os
import subprocess
import sys

from nimbus.core import loading
from tests.unit.core.test_loading import BROKEN, write_distribution

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
BIN = os.path.dirname(sys.executable)
# Every group of the kernel's table -> its interface below
# nimbus.core.interfaces ("hypervisor.Hypervisor").
PLUGIN_GROUPS = {
    namespace: group.interface_name.removeprefix("nimbus.core.interfaces.")
    for namespace, group in loading.GROUPS.items()}


def _bundled():
    """``{(group, name): "module:Class"}`` of setup.cfg's plugin groups."""
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, "setup.cfg"))
    bundled = {}
    for group in PLUGIN_GROUPS:
        for line in filter(None, parser["options.entry_points"][group]
                           .splitlines()):
            name, value = (part.strip() for part in line.split("=", 1))
            bundled[(group, name)] = value
    return bundled


def plugin_list(tmp_path, *args, pythonpath=None):
    env = dict(os.environ, OS_CLOUD="no-such-cloud",
               OS_CLIENT_CONFIG_FILE=str(tmp_path / "absent.yaml"),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    result = subprocess.run([f"{BIN}/nimbus", "plugin", "list", *args],
                            env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_lists_every_bundled_plugin_as_json(tmp_path):
    rows = plugin_list(tmp_path, "-f", "json")
    listed = {(r["Group"], r["Name"]): r for r in rows}
    # Other installed distributions (the example vendor package) list too.
    bundled = {key for key, row in listed.items()
               if row["Package"] == "nimbus"}
    assert bundled == set(_bundled())
    for (group, name), target in _bundled().items():
        row = listed[(group, name)]
        interface = f"nimbus.core.interfaces.{PLUGIN_GROUPS[group]}"
        assert row["Class"] == target
        assert (row["Package"], row["Status"]) == ("nimbus", "ok"), row
        assert row["Interface"] == interface
        module = importlib.import_module(interface.rsplit(".", 1)[0])
        assert row["Interface version"] == module.INTERFACE_VERSION
        assert row["Version"]


def test_broken_plugin_of_another_package_is_a_row_not_a_crash(tmp_path):
    site = write_distribution(tmp_path / "site", "nimbus-fab", **BROKEN)
    rows = plugin_list(tmp_path, "-f", "json", "--group",
                       "nimbus.hypervisors", pythonpath=str(site))
    listed = {r["Name"]: r for r in rows}
    assert {r["Group"] for r in rows} == {"nimbus.hypervisors"}
    assert listed["fake"]["Status"] == "ok"
    assert (listed["wrong"]["Package"], listed["wrong"]["Version"]) == \
        ("nimbus-fab", "1.2.3")
    assert listed["wrong"]["Status"].endswith(
        "does not implement nimbus.core.interfaces.hypervisor.Hypervisor: "
        "it is not a subclass of it")
    assert listed["gone"]["Status"] == (
        "hypervisor plugin 'gone' failed to load: No module named "
        "'fab_missing'")
