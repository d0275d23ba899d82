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
    binary = sys.executable.replace("/python", "/nimbus-compute")
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
