"""The libvirt plugin lets no OSError out: spawn and destroy translate
file errors into HypervisorError (no libvirtd needed)."""

import os
from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.plugins.hypervisors.libvirt import driver as driver_mod

UUID = "6f1d3a52-0000-4000-8000-000000000001"


@pytest.fixture
def driver(conf, tmp_path):
    conf.set_override("instances_path", str(tmp_path), "libvirt")
    drv = driver_mod.LibvirtDriver(conf, "host1")
    drv._host = mock.Mock()
    drv._host.find.return_value = None
    drv._host.secret_usages.return_value = []
    drv._host.node_info.return_value = ("x86_64", 4096, 2)
    return drv


def _disk_full(*_args, **_kwargs):
    raise OSError(28, "No space left on device")


def test_destroy_translates_a_failed_removal(driver, tmp_path):
    os.makedirs(tmp_path / UUID)
    with mock.patch.object(driver_mod.shutil, "rmtree", _disk_full), \
            pytest.raises(exception.HypervisorError, match="No space"):
        driver.destroy(None, UUID)


def test_spawn_translates_file_errors_and_cleans_up(driver, tmp_path):
    spec = hv.GuestSpec(uuid=UUID, name="vm", vcpus=1, memory_mb=64,
                        root_gb=1)
    with mock.patch.object(driver._cache, "create_blank", _disk_full), \
            pytest.raises(exception.HypervisorError) as err:
        driver.spawn(None, spec)
    assert not isinstance(err.value, exception.BuildAbort)
    assert "No space left on device" in str(err.value)
    assert not os.path.exists(tmp_path / UUID)


def test_interface_detach_asks_again_until_the_guest_releases(driver):
    """A guest still booting ignores the first unplug request."""
    dev = hv.vif_device_name("6f1d3a52-aaaa-4000-8000-000000000009")
    with_nic = (f"<domain><devices><interface type='bridge'>"
                f"<mac address='fa:16:3e:00:00:09'/><target dev='{dev}'/>"
                f"</interface></devices></domain>")
    without = "<domain><devices/></domain>"
    guest = mock.Mock()
    guest.is_active.return_value = True
    state = {"requests": 0}

    def detach(xml, live=True, config=True):
        if live:
            state["requests"] += 1

    def xml(inactive=False):
        if inactive:
            return without
        return without if state["requests"] >= 2 else with_nic

    guest.detach_device.side_effect = detach
    guest.xml.side_effect = xml
    driver._host.lookup.return_value = guest
    with mock.patch.object(driver_mod, "_wait_for",
                           lambda pred, timeout, interval=0.1: pred()):
        driver.detach_interface(UUID, "6f1d3a52-aaaa-4000-8000-000000000009")
    assert state["requests"] == 2


def test_interface_detach_gives_up_after_the_timeout(driver, conf):
    conf.set_override("detach_timeout", 1, "libvirt")
    dev = hv.vif_device_name("6f1d3a52-aaaa-4000-8000-000000000009")
    guest = mock.Mock()
    guest.is_active.return_value = True
    guest.xml.return_value = (f"<domain><devices><interface type='bridge'>"
                              f"<target dev='{dev}'/></interface>"
                              f"</devices></domain>")
    driver._host.lookup.return_value = guest
    with pytest.raises(exception.HypervisorError, match="did not release"):
        driver.detach_interface(UUID, "6f1d3a52-aaaa-4000-8000-000000000009")
