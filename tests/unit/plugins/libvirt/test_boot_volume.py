"""A volume-backed guest in the libvirt plugin: the boot volume is the
first disk (vda) and the root of the kernel command line, no local root
disk is made, the image only lends its kernel (no libvirtd needed)."""

import os
import xml.etree.ElementTree as ET
from unittest import mock

import pytest

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
