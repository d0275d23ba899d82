"""``[fake] disabled_capabilities`` makes a fake host that lacks some
capabilities and behaves like a plugin without them."""

import unittest

import pytest
from oslo_config import cfg

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.testing.hypervisor import HypervisorConformanceTests
from nimbus.plugins.hypervisors.fake import conf as fake_conf
from nimbus.plugins.hypervisors.fake.driver import FakeDriver


def _driver(host, disabled):
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt("state_path", default="/nonexistent"))
    fake_conf.register_opts(conf)
    conf([], project="nimbus-test", default_config_files=[])
    conf.set_override("persist", False, group="fake")
    conf.set_override("disabled_capabilities", disabled, group="fake")
    return FakeDriver(conf, host)


class TestRestrictedFakeConformance(HypervisorConformanceTests,
                                    unittest.TestCase):
    """The kit passes for a fake without pause, suspend, console log,
    hot-plug, VNC consoles, volume-backed rescue and setting passwords:
    those operations refuse and change nothing."""

    def make_driver(self):
        return _driver("h1", ["pause", "h1:suspend", "console_log",
                              "disk_hotplug", "vif_hotplug",
                              "vnc_console", "rescue_volume_backed",
                              "set_admin_password"])


def test_disabled_only_on_the_named_host():
    disabled = ["fake-2:pause", "soft_reboot"]
    one, two = _driver("fake-1", disabled), _driver("fake-2", disabled)
    assert one.capabilities.pause and not two.capabilities.pause
    assert not one.capabilities.soft_reboot
    assert not two.capabilities.soft_reboot
    assert FakeDriver.capabilities.pause
    assert FakeDriver.capabilities.soft_reboot


def test_missing_operations_raise_and_change_nothing():
    driver = _driver("h1", ["pause", "suspend", "soft_reboot"])
    driver.spawn(None, hv.GuestSpec(uuid="g1", name="g1", vcpus=1,
                                    memory_mb=64))
    for call in (lambda: driver.pause("g1"), lambda: driver.unpause("g1"),
                 lambda: driver.suspend("g1"), lambda: driver.resume("g1"),
                 lambda: driver.reboot("g1", hv.REBOOT_SOFT)):
        with pytest.raises(exception.UnsupportedOperation):
            call()
    assert "rebooted" not in driver.get_console_output("g1")
    driver.reboot("g1", hv.REBOOT_HARD)
    assert "rebooted (HARD)" in driver.get_console_output("g1")


def test_unknown_capability_is_a_config_error():
    with pytest.raises(exception.ConfigError, match="'pasue'"):
        _driver("h1", ["h1:pasue"])
