"""Disks the host reaches locally: image files and block devices."""

from nimbus.core import exception
from nimbus.plugins.hypervisors.libvirt.volume import base


class FileVolume(base.VolumeDriver):
    """A disk image file on the host (``<disk type='file'>``)."""

    source_type = "file"

    def source(self, owner, disk):
        return {"source_path": base.require_absolute(disk.path, "file path")}


class BlockVolume(base.VolumeDriver):
    """A host block device (``<disk type='block'>``), raw only."""

    source_type = "block"

    def source(self, owner, disk):
        path = base.require_absolute(disk.path, "block device path")
        if not path.startswith("/dev/"):
            raise exception.InvalidInput(
                reason=f"block device {path!r} is not under /dev")
        if disk.disk_format != "raw":
            raise exception.InvalidInput(
                reason="block devices are attached as raw")
        return {"source_path": path}
