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
