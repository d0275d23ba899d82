"""The libvirt plugin's extend_volume: the disk of the volume (found by
its serial in the live XML) is ``blockResize``d in bytes; a guest not
running, a serial it lacks or a shrink is refused (no libvirtd needed:
a stand-in domain answers libvirt-python's calls)."""

from unittest import mock

import libvirt
import pytest

from nimbus.core import exception
from nimbus.plugins.hypervisors.libvirt import driver as driver_mod
from nimbus.plugins.hypervisors.libvirt import guest as guest_mod

UUID = "6f1d3a52-0000-4000-8000-000000000004"
SERIAL = "0f7c1b2a-1111-4000-8"
XML = f"""<domain type='kvm'><devices>
  <disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>
  <disk type='block' device='disk'><serial>{SERIAL}</serial>
    <target dev='vdc' bus='virtio'/></disk>
</devices></domain>"""
GiB = 1024 ** 3


@pytest.fixture
def domain():
    dom = mock.Mock()
    dom.UUIDString.return_value = UUID
    dom.isActive.return_value = True
    dom.XMLDesc.return_value = XML
    dom.blockInfo.return_value = (GiB, GiB, GiB)
    return dom


@pytest.fixture
def driver(conf, tmp_path, domain):
    conf.set_override("instances_path", str(tmp_path), "libvirt")
    drv = driver_mod.LibvirtDriver(conf, "host1")
    drv._host = mock.Mock()
    drv._host.lookup.return_value = guest_mod.Guest(domain)
    return drv


def test_the_volume_disk_is_resized_in_bytes(driver, domain):
    assert driver.capabilities.volume_extend
    driver.extend_volume(UUID, SERIAL, 2 * GiB)
    domain.blockInfo.assert_called_once_with("vdc")
    domain.blockResize.assert_called_once_with(
        "vdc", 2 * GiB, libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)


@pytest.mark.parametrize("serial, size, active", [
    ("another-serial", 2 * GiB, True),
    (SERIAL, GiB // 2, True),
    (SERIAL, 2 * GiB, False)])
def test_refused_without_touching_the_guest(driver, domain, serial, size,
                                            active):
    domain.isActive.return_value = active
    with pytest.raises(exception.HypervisorError):
        driver.extend_volume(UUID, serial, size)
    domain.blockResize.assert_not_called()


def test_a_libvirt_failure_is_a_hypervisor_error(driver, domain):
    err = libvirt.libvirtError("block_resize failed")
    err.err = (libvirt.VIR_ERR_OPERATION_FAILED, 0, "failed", 2, "", "",
               "", 0, 0)
    domain.blockResize.side_effect = err
    with pytest.raises(exception.HypervisorError):
        driver.extend_volume(UUID, SERIAL, 2 * GiB)
