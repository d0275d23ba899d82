"""The ``file`` driver passes the volume conformance kit with real files
(raw and qcow2, through privsep), and keeps data through snapshots,
clones, extends and image copies."""

import os
import shutil
import subprocess
import tempfile
import unittest
import uuid

import pytest

from nimbus.core import exception, loading
from nimbus.core.interfaces import volume as volume_if
from nimbus.core.testing import volume as kit
from nimbus.plugins.volumes.file import conf as file_conf
from tests.integration.volumes.conftest import apply, make_conf

pytestmark = pytest.mark.real


def file_driver(directory, fmt="raw", total_gb=20):
    conf, _ = make_conf()
    file_conf.register_opts(conf)
    apply(conf, {"volume_file": {"directory": directory, "format": fmt,
                                 "total_gb": total_gb}})
    return loading.load_driver(loading.VOLUMES, "file", conf, "file-host")


class _FileKit(kit.VolumeDriverConformanceTests):
    fmt = "raw"

    @pytest.fixture(autouse=True)
    def _privsep(self, privsep):
        pass

    def make_driver(self):
        directory = tempfile.mkdtemp(prefix="nimbus-filevol-")
        self.addCleanup(shutil.rmtree, directory, True)
        return file_driver(directory, self.fmt)


class TestFileRaw(_FileKit, unittest.TestCase):
    fmt = "raw"


class TestFileQcow2(_FileKit, unittest.TestCase):
    fmt = "qcow2"


@pytest.fixture
def driver(privsep, workdir):
    drv = file_driver(workdir)
    drv.init_host()
    return drv


def test_files_are_sparse_and_named_by_id(driver, workdir):
    volume = kit.new_volume(2)
    location = driver.create_volume(volume)
    assert location == os.path.join(workdir, f"volume-{volume.id}.raw")
    stat = os.stat(location)
    assert stat.st_size == 2 * volume_if.GiB
    assert stat.st_blocks * 512 < kit.MiB  # sparse: nothing allocated
    assert driver.get_capacity().provisioned_gb == 2.0


def test_a_failed_create_leaves_nothing(driver, workdir):
    volume = kit.new_volume(1)
    # a size the file system cannot hold: truncate fails with EFBIG
    volume.size = (1 << 49) // volume_if.GiB
    with pytest.raises(exception.VolumeBackendError):
        driver.create_volume(volume)
    assert os.listdir(workdir) == []
    assert not driver.volume_exists(volume)


def test_stale_part_files_are_removed_at_start(driver, workdir):
    stale = os.path.join(workdir, f"volume-{uuid.uuid4()}.raw.part")
    open(stale, "wb").close()
    driver.init_host()
    assert not os.path.exists(stale)


def test_image_copy_in_and_out(driver, workdir):
    image = os.path.join(workdir, "..", f"img-{uuid.uuid4().hex[:6]}.qcow2")
    image = os.path.realpath(image)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", image,
                    str(64 << 20)], check=True)
    try:
        kit.write_bytes(volume_if.LocalDevice("file", image, "qcow2"), 4096,
                        b"IMAGE-DATA")
        volume = kit.new_volume(1)
        driver.create_volume(volume)
        driver.copy_image_to_volume(volume, image, "qcow2")
        device = driver.local_path(volume)
        assert kit.read_bytes(device, 4096, 10) == b"IMAGE-DATA"
        assert kit.device_size(device) == volume_if.GiB
        out = os.path.join(workdir, "..", f"up-{uuid.uuid4().hex[:6]}")
        try:
            driver.copy_volume_to_image(volume, out, "qcow2")
            assert kit.read_bytes(volume_if.LocalDevice("file", out,
                                                        "qcow2"),
                                  4096, 10) == b"IMAGE-DATA"
        finally:
            if os.path.exists(out):
                os.unlink(out)
        assert sorted(os.listdir(workdir)) == [f"volume-{volume.id}.raw"]
    finally:
        os.unlink(image)


def test_an_image_larger_than_the_volume_is_refused(driver, workdir):
    image = os.path.realpath(os.path.join(workdir, "..",
                                          f"big-{uuid.uuid4().hex[:6]}"))
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", image,
                    str(2 * volume_if.GiB)], check=True)
    try:
        volume = kit.new_volume(1)
        driver.create_volume(volume)
        kit.write_bytes(driver.local_path(volume), 0, b"KEEP")
        with pytest.raises(exception.VolumeBackendError):
            driver.copy_image_to_volume(volume, image, "qcow2")
        assert kit.read_bytes(driver.local_path(volume), 0, 4) == b"KEEP"
        assert sorted(os.listdir(workdir)) == [f"volume-{volume.id}.raw"]
    finally:
        os.unlink(image)


def test_paths_outside_the_directory_are_refused(privsep, workdir):
    from nimbus.plugins.volumes.file import privileged as priv
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        priv.create(workdir, "/etc/nimbus-evil", 1024, "raw")
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        priv.create(workdir, os.path.join(workdir, "../x"), 1024, "raw")
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        priv.create(workdir, os.path.join(workdir, "x"), 1024, "vmdk")
    with pytest.raises(exception.PrivilegedArgumentInvalid):
        priv.remove("/", "/etc/passwd")
    assert os.listdir(workdir) == []
