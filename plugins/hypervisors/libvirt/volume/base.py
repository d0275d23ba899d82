"""Common parts of the volume drivers."""

import abc
import os

from nimbus.core import exception
from nimbus.plugins.hypervisors.libvirt import config

FORMATS = ("raw", "qcow2")


class VolumeDriver(abc.ABC):
    """Base class: ``connect`` returns a DiskConfig, ``disconnect`` undoes
    whatever ``connect`` set up on the host (nothing by default).

    :param host: the plugin's :class:`~..host.Host` (for secrets).
    """

    source_type = "file"

    def __init__(self, host):
        self.host = host

    def connect(self, owner, disk, target_dev, bus):
        """Return the :class:`DiskConfig` attaching ``disk`` to the guest
        of instance ``owner`` at ``target_dev`` on ``bus``.

        A shareable disk (a multiattach volume) is ``<shareable/>`` with
        no host cache, as Nova's: the guests sharing it must see each
        other's writes.
        """
        self.validate(disk)
        source = self.source(owner, disk)
        if disk.shareable:
            source["driver_cache"] = "none"
        return config.DiskConfig(
            source_type=self.source_type, target_dev=target_dev,
            target_bus=bus, serial=disk.serial,
            driver_format=disk.disk_format, read_only=disk.read_only,
            shareable=disk.shareable, **source)

    def disconnect(self, owner, serial):
        """Release host resources of the disk ``serial`` of ``owner``."""

    def validate(self, disk):
        if not disk.serial or len(disk.serial) > 20 or \
                not disk.serial.replace("-", "").replace("_", "").isalnum():
            raise exception.InvalidInput(
                reason=f"disk serial {disk.serial!r} must be 1-20 letters, "
                       "digits, '-' or '_' (virtio-blk shows 20 bytes)")
        if disk.disk_format not in FORMATS:
            raise exception.InvalidInput(
                reason=f"disk format {disk.disk_format!r} is not one of "
                       f"{', '.join(FORMATS)}")

    @abc.abstractmethod
    def source(self, owner, disk):
        """Return the keyword arguments of the disk's ``<source>`` (and
        ``type``) for :class:`config.DiskConfig`; one protocol each."""


def require_absolute(path, what):
    if not path or not os.path.isabs(path) or "\0" in path:
        raise exception.InvalidInput(
            reason=f"{what} must be an absolute path, got {path!r}")
    return os.path.normpath(path)
