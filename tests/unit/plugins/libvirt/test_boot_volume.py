"""A volume-backed guest in the libvirt plugin: the boot volume is the
first disk (vda) and the root of the kernel command line, no local root
disk is made, the image only lends its kernel; its rescue keeps every
volume at its device (stable device rescue; no libvirtd needed)."""

import os
import xml.etree.ElementTree as ET
from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.plugins.hypervisors.libvirt import driver as driver_mod

UUID = "6f1d3a52-0000-4000-8000-0000000000b0"


@pytest.fixture
def driver(conf, tmp_path):
    conf.set_override("instances_path", str(tmp_path / "inst"), "libvirt")
    conf.set_override("virt_type", "qemu", "libvirt")
    drv = driver_mod.LibvirtDriver(conf, "host1")
    drv._host = mock.Mock()
    drv._host.find.return_value = None
    drv._host.secret_usages.return_value = []
    drv._host.node_info.return_value = ("x86_64", 4096, 2)
    return drv


def _volume(tmp_path, name, boot_index=None):
    path = tmp_path / name
    path.write_bytes(b"\0" * 512)
    return hv.DiskSpec(serial=f"{name}-serial", protocol="file",
                       path=str(path), boot_index=boot_index)


def test_the_boot_volume_is_vda_and_no_local_root_is_made(driver, tmp_path):
    kernel = tmp_path / "vmlinuz"
    kernel.write_bytes(b"kernel")
    image = hv.ImageSpec(id="img", properties={"kernel_id": "k"},
                         kernel=hv.ImageSpec(id="k", path=str(kernel)))
    spec = hv.GuestSpec(
        uuid=UUID, name="bfv", vcpus=1, memory_mb=64, root_gb=1,
        image=image, disks=[_volume(tmp_path, "data"),
                            _volume(tmp_path, "root", boot_index=0)])
    driver.spawn(None, spec)
    xml = ET.fromstring(driver._host.define.call_args[0][0])
    disks = [(d.find("target").get("dev"), d.findtext("serial"))
             for d in xml.findall("./devices/disk")]
    assert disks == [("vda", "root-serial"), ("vdb", "data-serial")]
    assert xml.find("./devices/disk/source").get("file") == str(
        tmp_path / "root")
    assert "root=/dev/vda" in xml.findtext("./os/cmdline")
    assert xml.findtext("./os/kernel")
    assert not os.path.exists(tmp_path / "inst" / UUID / "disk")


def _rescue_of(driver, tmp_path, properties, kernel=None):
    """Spawn a volume-backed guest, rescue it from an image with
    ``properties``; return (the rescue definition, the original)."""
    spec = hv.GuestSpec(
        uuid=UUID, name="bfv", vcpus=1, memory_mb=64, root_gb=1,
        disks=[_volume(tmp_path, "root", boot_index=0),
               _volume(tmp_path, "data")])
    driver.spawn(None, spec)
    original = driver._host.define.call_args[0][0]
    driver._host.lookup.return_value.xml.return_value = original
    data = tmp_path / "rescue.raw"
    data.write_bytes(b"\0" * 4096)
    driver._cache = mock.Mock()
    driver._cache.fetch.return_value = str(data)
    image = hv.ImageSpec(id="rescue", path=str(data), properties=properties,
                         kernel=kernel)
    driver.rescue(None, spec, image)
    return ET.fromstring(driver._host.define.call_args[0][0]), original


def test_stable_device_rescue_keeps_every_volume_at_its_device(driver,
                                                               tmp_path):
    """2.87: the volumes stay (root at vda), the rescue disk is added as
    the image's hw_rescue_device on hw_rescue_bus and boots first."""
    xml, original = _rescue_of(driver, tmp_path, {
        "hw_rescue_device": "cdrom", "hw_rescue_bus": "scsi"})
    disks = [(d.get("device"), d.find("target").get("dev"),
              d.find("target").get("bus"), d.findtext("serial"))
             for d in xml.findall("./devices/disk")]
    assert disks == [("disk", "vda", "virtio", "root-serial"),
                     ("disk", "vdb", "virtio", "data-serial"),
                     ("cdrom", "sda", "scsi", None)]
    rescue = xml.findall("./devices/disk")[-1]
    assert rescue.find("boot").get("order") == "1"
    assert rescue.find("readonly") is not None
    assert rescue.find("source").get("file").endswith("disk.rescue")
    assert xml.find("./os/boot") is None
    # Unrescue defines the original again, volumes and all.
    assert driver.is_rescued(UUID)
    driver._host.find.return_value = None
    driver.unrescue(UUID)
    assert driver._host.define.call_args[0][0] == original
    assert not driver.is_rescued(UUID)


def test_stable_device_rescue_defaults_to_a_disk_on_the_guest_bus(
        driver, tmp_path):
    kernel = hv.ImageSpec(id="k", path=str(tmp_path / "vmlinuz"))
    xml, _ = _rescue_of(driver, tmp_path, {
        "hw_rescue_bus": "virtio", "os_command_line": "quiet"}, kernel)
    rescue = xml.findall("./devices/disk")[-1]
    assert (rescue.get("device"), rescue.find("target").get("dev"),
            rescue.findtext("serial")) == ("disk", "vdc", "nimbus-rescue")
    # The rescue image's kernel, its command line without a root=.
    assert xml.findtext("./os/kernel")
    assert "quiet" in xml.findtext("./os/cmdline")
    assert "root=" not in xml.findtext("./os/cmdline")


def test_stable_device_rescue_refuses_an_unknown_bus(driver, tmp_path):
    with pytest.raises(exception.HypervisorError, match="floppy"):
        _rescue_of(driver, tmp_path, {"hw_rescue_device": "floppy"})
    assert not driver.is_rescued(UUID)
