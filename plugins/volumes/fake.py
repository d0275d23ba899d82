"""The ``fake`` volume driver and target: volumes recorded in memory.

For the embedded default (nimbus-all with the fake hypervisor) and for
tests: no disks, no root. The driver declares every capability except a
data path; sizes, snapshots and extends are recorded so every nimbus
path that reaches a plugin runs against it. A test can make the next
call of a method fail with :meth:`FakeVolumeDriver.fail_next`, and slow
one down with :attr:`FakeVolumeDriver.delays` (``{method: seconds}``).
"""

import copy
import threading
import time

from oslo_config import cfg

from nimbus.core import exception
from nimbus.core.interfaces import volume as volume_if

#: the capacity the fake backend reports, in GiB.
TOTAL_GB = 1000.0

group = cfg.OptGroup("volume_fake", title="Fake volume driver options")

opts = [
    cfg.FloatOpt("create_delay", default=0.0, min=0.0,
                 help="""
Seconds each create takes (for tests that stop nimbus-volume in the
middle of an operation and check what its restart recovers).
"""),
]


def register_opts(conf):
    conf.register_group(cfg.OptGroup(group.name, title=group.title))
    conf.register_opts(opts, group=group.name)


def list_opts():
    return [(group, opts)]


class FakeVolumeDriver(volume_if.VolumeDriver):
    """Volumes and snapshots kept in dicts (shared by nothing else)."""

    capabilities = volume_if.Capabilities(
        snapshots=True, clone=True, extend=True, extend_attached=True,
        image_copy=True, reimage=True, data_path=False, thin_provisioning=False,
        snapshots_block_delete=True)

    def __init__(self, conf, host):
        super().__init__(conf, host)
        self._lock = threading.Lock()
        #: volume id -> size in GiB.
        self.volumes = {}
        #: snapshot id -> (volume id, size).
        self.snapshots = {}
        #: volume id -> image path copied into it.
        self.images = {}
        self._failures = {}
        register_opts(conf)
        self.delays = {"create_volume": conf.volume_fake.create_delay}

    def fail_next(self, method, error=None):
        """Make the next call of ``method`` raise ``error`` (default a
        :class:`~nimbus.core.exception.VolumeBackendError`) before doing
        anything."""
        self._failures[method] = error or exception.VolumeBackendError(
            reason=f"injected failure of {method}")

    def _enter(self, method):
        delay = self.delays.get(method)
        if delay:
            time.sleep(delay)
        error = self._failures.pop(method, None)
        if error is not None:
            raise error

    def get_capacity(self):
        with self._lock:
            used = sum(self.volumes.values()) + sum(
                size for _, size in self.snapshots.values())
        return volume_if.Capacity(total_gb=TOTAL_GB,
                                  free_gb=TOTAL_GB - used,
                                  provisioned_gb=float(used))

    def create_volume(self, volume):
        self._enter("create_volume")
        with self._lock:
            self.volumes[volume.id] = volume.size
        return f"fake:{volume.id}"

    def delete_volume(self, volume):
        self._enter("delete_volume")
        with self._lock:
            if any(vid == volume.id for vid, _ in self.snapshots.values()):
                raise exception.VolumeIsBusy(volume_id=volume.id,
                                             reason="it has snapshots")
            self.volumes.pop(volume.id, None)
            self.images.pop(volume.id, None)

    def volume_exists(self, volume):
        with self._lock:
            return volume.id in self.volumes

    def local_path(self, volume):
        with self._lock:
            if volume.id not in self.volumes:
                raise exception.VolumeNotOnBackend(volume_id=volume.id)
        return volume_if.LocalDevice(protocol="file",
                                     path=f"/fake/volumes/{volume.id}")

    def extend_volume(self, volume, new_size):
        self._enter("extend_volume")
        with self._lock:
            if volume.id not in self.volumes:
                raise exception.VolumeNotOnBackend(volume_id=volume.id)
            self.volumes[volume.id] = new_size

    def create_cloned_volume(self, volume, source):
        self._enter("create_cloned_volume")
        with self._lock:
            if source.id not in self.volumes:
                raise exception.VolumeNotOnBackend(volume_id=source.id)
            self.volumes[volume.id] = volume.size
        return f"fake:{volume.id}"

    def create_snapshot(self, snapshot, volume):
        self._enter("create_snapshot")
        with self._lock:
            if volume.id not in self.volumes:
                raise exception.VolumeNotOnBackend(volume_id=volume.id)
            self.snapshots[snapshot.id] = (volume.id, volume.size)
        return f"fake:{snapshot.id}"

    def delete_snapshot(self, snapshot, volume):
        self._enter("delete_snapshot")
        with self._lock:
            self.snapshots.pop(snapshot.id, None)

    def create_volume_from_snapshot(self, volume, snapshot):
        self._enter("create_volume_from_snapshot")
        with self._lock:
            if snapshot.id not in self.snapshots:
                raise exception.VolumeBackendError(
                    reason=f"snapshot {snapshot.id} is not on this backend")
            self.volumes[volume.id] = volume.size
        return f"fake:{volume.id}"

    def copy_image_to_volume(self, volume, image_path, image_format):
        self._enter("copy_image_to_volume")
        with self._lock:
            if volume.id not in self.volumes:
                raise exception.VolumeNotOnBackend(volume_id=volume.id)
            self.images[volume.id] = image_path

    def copy_volume_to_image(self, volume, dest_path, disk_format):
        self._enter("copy_volume_to_image")
        with self._lock:
            if volume.id not in self.volumes:
                raise exception.VolumeNotOnBackend(volume_id=volume.id)
        # The fake holds no data: the image is an empty file of its kind.
        with open(dest_path, "wb"):
            pass


class FakeTarget(volume_if.VolumeTarget):
    """Exports recorded in memory; connection info names the local path."""

    protocols = ("file",)

    def __init__(self, conf, host):
        super().__init__(conf, host)
        self._lock = threading.Lock()
        #: volume id -> export record.
        self.exports = {}
        #: volume id -> [connector, ...] connected.
        self.connections = {}

    def create_export(self, volume, device):
        export = {"path": device.path, "disk_format": device.disk_format}
        with self._lock:
            self.exports[volume.id] = copy.deepcopy(export)
        return export

    def ensure_export(self, volume, device, export):
        with self._lock:
            self.exports[volume.id] = copy.deepcopy(export)
        return export

    def remove_export(self, volume, export):
        with self._lock:
            self.exports.pop(volume.id, None)
            self.connections.pop(volume.id, None)

    def initialize_connection(self, volume, device, export, connector):
        with self._lock:
            if volume.id not in self.exports:
                raise exception.VolumeExportError(
                    volume_id=volume.id, reason="not exported")
            self.connections.setdefault(volume.id, []).append(
                copy.deepcopy(connector))
        return volume_if.connection_info(
            volume, "file", path=device.path,
            disk_format=device.disk_format)

    def terminate_connection(self, volume, export, connector):
        with self._lock:
            conns = self.connections.get(volume.id, [])
            if connector in conns:
                conns.remove(connector)
