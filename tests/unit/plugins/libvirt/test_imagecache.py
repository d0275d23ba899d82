"""Image cache: qemu-img argument lists and validation, base copies."""

import os
from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.plugins.hypervisors.libvirt import imagecache


def test_overlay_args():
    assert imagecache.create_args(
        "/i/x/disk", "qcow2", 1024, "/i/_base/abc", "raw") == [
        "qemu-img", "create", "-q", "-f", "qcow2", "-b", "/i/_base/abc",
        "-F", "raw", "/i/x/disk", "1024"]


def test_blank_and_convert_args():
    assert imagecache.create_args("/d", "raw", 5) == [
        "qemu-img", "create", "-q", "-f", "raw", "/d", "5"]
    assert imagecache.convert_args("/b", "qcow2", "/d") == [
        "qemu-img", "convert", "-q", "-f", "qcow2", "-O", "raw", "/b", "/d"]
    assert imagecache.info_args("/b", "qcow2") == [
        "qemu-img", "info", "--output=json", "-f", "qcow2", "/b"]


@pytest.mark.parametrize("kwargs", [
    {"path": "relative"},
    {"path": "-o/evil"},
    {"path": "/a\0b"},
    {"path": "/d", "fmt": "vmdk"},
    {"path": "/d", "size": 0},
    {"path": "/d", "size": "1G; rm -rf /"},
    {"path": "/d", "size": True},
    {"path": "/d", "backing": "/b", "backing_fmt": "luks"},
])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(exception.InvalidInput):
        imagecache.create_args(**kwargs)


def test_fetch_copies_once(tmp_path):
    src = tmp_path / "image"
    src.write_bytes(b"IMAGE")
    cache = imagecache.ImageCache(str(tmp_path / "instances"))
    first = cache.fetch("img-1", str(src))
    src.write_bytes(b"CHANGED")
    assert cache.fetch("img-1", str(src)) == first
    assert open(first, "rb").read() == b"IMAGE"
    assert os.path.dirname(first) == str(tmp_path / "instances" / "_base")
    assert os.listdir(os.path.dirname(first)) == [os.path.basename(first)]


def test_fetch_missing_image(tmp_path):
    cache = imagecache.ImageCache(str(tmp_path))
    with pytest.raises(exception.InvalidInput):
        cache.fetch("img-1", str(tmp_path / "missing"))


def test_create_disk_qcow2_overlay_grows_only(tmp_path):
    base = tmp_path / "base"
    base.write_bytes(b"\0" * 4096)
    with mock.patch.object(imagecache.processutils, "execute") as execute:
        imagecache.ImageCache.create_disk(str(base), "raw", "/i/d", "qcow2",
                                          size=1024)
        imagecache.ImageCache.create_disk(str(base), "raw", "/i/d", "qcow2",
                                          size=8192)
    assert execute.call_args_list == [
        mock.call("qemu-img", "create", "-q", "-f", "qcow2", "-b",
                  str(base), "-F", "raw", "/i/d"),
        mock.call("qemu-img", "create", "-q", "-f", "qcow2", "-b",
                  str(base), "-F", "raw", "/i/d", "8192"),
    ]


def test_create_disk_raw_copy(tmp_path):
    base = tmp_path / "base"
    base.write_bytes(b"\0" * 4096)
    with mock.patch.object(imagecache.processutils, "execute") as execute:
        imagecache.ImageCache.create_disk(str(base), "raw", "/i/d", "raw")
    execute.assert_called_once_with(
        "qemu-img", "convert", "-q", "-f", "raw", "-O", "raw", str(base),
        "/i/d")


def test_qemu_img_failure_is_a_hypervisor_error():
    err = imagecache.processutils.ProcessExecutionError(stderr="boom")
    with mock.patch.object(imagecache.processutils, "execute",
                           side_effect=err):
        with pytest.raises(exception.HypervisorError, match="boom"):
            imagecache.ImageCache.create_blank("/i/d", "qcow2", 1024)


def test_real_overlay(tmp_path):
    """qemu-img itself accepts the arguments (qemu-utils is installed)."""
    base = tmp_path / "base"
    base.write_bytes(b"\0" * 1024 * 1024)
    disk = tmp_path / "disk"
    imagecache.ImageCache.create_disk(str(base), "raw", str(disk), "qcow2",
                                      size=2 * 1024 * 1024)
    assert imagecache.virtual_size(str(disk), "qcow2") == 2 * 1024 * 1024


def test_resize_and_rebase_args_are_checked():
    assert imagecache.resize_args("/i/x/disk", "qcow2", 2048) == [
        "qemu-img", "resize", "-q", "-f", "qcow2", "/i/x/disk", "2048"]
    assert imagecache.rebase_args("/i/x/disk", "/i/_base/b", "raw") == [
        "qemu-img", "rebase", "-q", "-u", "-f", "qcow2", "-b", "/i/_base/b",
        "-F", "raw", "/i/x/disk"]
    for bad in (("disk", "qcow2", 1), ("/d", "vmdk", 1), ("/d", "raw", 0)):
        with pytest.raises(exception.InvalidInput):
            imagecache.resize_args(*bad)


def test_grow_only_grows(tmp_path):
    disk = tmp_path / "disk"
    imagecache._run(imagecache.create_args(str(disk), "qcow2", 1 << 20))
    imagecache.grow(str(disk), "qcow2", 4 << 20)
    assert imagecache.virtual_size(str(disk), "qcow2") == 4 << 20
    imagecache.grow(str(disk), "qcow2", 2 << 20)  # never shrinks
    assert imagecache.virtual_size(str(disk), "qcow2") == 4 << 20
