"""The ``file`` volume driver: sparse raw or qcow2 files in a directory.

Layout under ``[volume_file] directory``::

    volume-<volume id>.<format>
    snapshot-<volume id>-<snapshot id>.<format>

* **all or nothing**: every file is built under a ``.part`` name and
  renamed into place only when complete, so a crash or a failure leaves
  either nothing or a whole volume (a stray ``.part`` file is removed at
  start);
* **snapshots are copies** (``qemu-img convert``, sparse), so a
  snapshot, a volume made from it and the volume itself never depend on
  each other; a volume with snapshots still cannot be deleted, as with
  LVM, so the two backends behave alike;
* **capacity** counts every volume and snapshot with its full size
  (files are sparse, but the backend is never overcommitted).

Changes to files go through :mod:`.privileged` (the directory and the
files in it may belong to root, as tgtd needs).
"""

import json
import os
import subprocess

from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.interfaces import volume as volume_if
from nimbus.plugins.volumes.file import conf as file_conf
from nimbus.plugins.volumes.file import privileged as priv

LOG = logging.getLogger(__name__)

GiB = volume_if.GiB


class FileVolumeDriver(volume_if.VolumeDriver):
    """Volumes as files; see the module docstring."""

    capabilities = volume_if.Capabilities(
        snapshots=True, clone=True, extend=True, extend_attached=True,
        image_copy=True, reimage=True, data_path=True, thin_provisioning=False,
        snapshots_block_delete=True)

    def __init__(self, conf, host):
        super().__init__(conf, host)
        file_conf.register_opts(conf)
        self.directory = os.path.abspath(conf.volume_file.directory)
        self.format = conf.volume_file.format

    # -- paths ----------------------------------------------------------

    def _path(self, volume_id, fmt=None):
        return os.path.join(self.directory,
                            f"volume-{volume_id}.{fmt or self.format}")

    def _snapshot_path(self, snapshot):
        return os.path.join(
            self.directory, f"snapshot-{snapshot.volume_id}-{snapshot.id}."
            f"{self._format_of(snapshot.provider_location)}")

    def _format_of(self, location):
        """A file's format from its name (the configured one by default):
        a volume keeps the format it was made with."""
        if location and location.endswith(".qcow2"):
            return "qcow2"
        if location and location.endswith(".raw"):
            return "raw"
        return self.format

    def _existing(self, volume_id):
        """(path, format) of the volume's file, or None."""
        for fmt in (self.format, "qcow2" if self.format == "raw" else "raw"):
            path = self._path(volume_id, fmt)
            if os.path.exists(path):
                return path, fmt
        return None

    def _snapshots_of(self, volume_id):
        prefix = f"snapshot-{volume_id}-"
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        return [n for n in names
                if n.startswith(prefix) and not n.endswith(".part")]

    # -- lifecycle ------------------------------------------------------

    def init_host(self):
        try:
            priv.make_directory(self.directory)
        except Exception as err:
            raise exception.ConfigError(
                reason=f"[volume_file] directory {self.directory}: "
                       f"{err}") from None
        for name in os.listdir(self.directory):
            if name.endswith(".part"):
                LOG.warning("Removing %s left by an interrupted operation",
                            name)
                priv.remove(self.directory,
                            os.path.join(self.directory, name))

    def get_capacity(self):
        provisioned = 0
        for name in os.listdir(self.directory):
            if name.endswith(".part"):
                continue
            provisioned += _virtual_size(os.path.join(self.directory, name))
        if self.conf.volume_file.total_gb:
            total = float(self.conf.volume_file.total_gb)
        else:
            stat = os.statvfs(self.directory)
            total = stat.f_blocks * stat.f_frsize / GiB
        provisioned_gb = provisioned / GiB
        return volume_if.Capacity(total_gb=total,
                                  free_gb=max(0.0, total - provisioned_gb),
                                  provisioned_gb=provisioned_gb)

    # -- volumes ----------------------------------------------------------

    def _build(self, final, make):
        """Run ``make(part_path)`` and move the result to ``final``;
        remove the part file on any failure."""
        part = final + ".part"
        try:
            make(part)
            priv.rename(self.directory, part, final)
        except exception.NimbusException as err:
            _quietly(priv.remove, self.directory, part)
            raise exception.VolumeBackendError(reason=str(err)) from None
        except Exception:
            _quietly(priv.remove, self.directory, part)
            raise

    def create_volume(self, volume):
        path = self._path(volume.id)
        self._build(path, lambda part: priv.create(
            self.directory, part, volume.size * GiB, self.format))
        return path

    def delete_volume(self, volume):
        if self._snapshots_of(volume.id):
            raise exception.VolumeIsBusy(volume_id=volume.id,
                                         reason="it has snapshots")
        found = self._existing(volume.id)
        if found is not None:
            priv.remove(self.directory, found[0])

    def volume_exists(self, volume):
        return self._existing(volume.id) is not None

    def local_path(self, volume):
        found = self._existing(volume.id)
        if found is None:
            raise exception.VolumeNotOnBackend(volume_id=volume.id)
        return volume_if.LocalDevice(protocol="file", path=found[0],
                                     disk_format=found[1])

    def extend_volume(self, volume, new_size):
        device = self.local_path(volume)
        try:
            priv.resize(self.directory, device.path, device.disk_format,
                        new_size * GiB)
        except exception.NimbusException as err:
            raise exception.VolumeBackendError(reason=str(err)) from None

    def _copy_into(self, volume, source, source_fmt, source_root=None):
        """Make ``volume`` a copy of ``source``, grown to its size."""
        path = self._path(volume.id)

        def make(part):
            priv.convert(self.directory, source, source_fmt, part,
                         self.format, source_root=source_root)
            if _virtual_size(part) > volume.size * GiB:
                raise exception.VolumeBackendError(
                    reason=f"the source ({_virtual_size(part)} bytes) does "
                           f"not fit in {volume.size}GB")
            priv.resize(self.directory, part, self.format,
                        volume.size * GiB)
        self._build(path, make)
        return path

    def create_cloned_volume(self, volume, source):
        device = self.local_path(source)
        return self._copy_into(volume, device.path, device.disk_format)

    # -- snapshots --------------------------------------------------------

    def create_snapshot(self, snapshot, volume):
        device = self.local_path(volume)
        path = os.path.join(
            self.directory,
            f"snapshot-{volume.id}-{snapshot.id}.{device.disk_format}")
        self._build(path, lambda part: priv.convert(
            self.directory, device.path, device.disk_format, part,
            device.disk_format))
        return path

    def delete_snapshot(self, snapshot, volume):
        for fmt in ("raw", "qcow2"):
            priv.remove(self.directory, os.path.join(
                self.directory,
                f"snapshot-{volume.id}-{snapshot.id}.{fmt}"))

    def create_volume_from_snapshot(self, volume, snapshot):
        for fmt in ("raw", "qcow2"):
            path = os.path.join(
                self.directory,
                f"snapshot-{snapshot.volume_id}-{snapshot.id}.{fmt}")
            if os.path.exists(path):
                return self._copy_into(volume, path, fmt)
        raise exception.VolumeBackendError(
            reason=f"snapshot {snapshot.id} is not on this backend")

    # -- images -----------------------------------------------------------

    def copy_image_to_volume(self, volume, image_path, image_format):
        if image_format not in priv.FORMATS:
            raise exception.VolumeBackendError(
                reason=f"cannot read images in {image_format} format")
        self.local_path(volume)
        # Build the whole new content beside the volume, then replace it.
        found = self._existing(volume.id)
        root = os.path.dirname(os.path.realpath(image_path))
        self._copy_into(volume, image_path, image_format, source_root=root)
        if found is not None and found[0] != self._path(volume.id):
            priv.remove(self.directory, found[0])

    def copy_volume_to_image(self, volume, dest_path, disk_format):
        device = self.local_path(volume)
        staged = os.path.join(self.directory,
                              f"upload-{volume.id}.{disk_format}.part")
        try:
            priv.convert(self.directory, device.path, device.disk_format,
                         staged, disk_format)
            with open(staged, "rb") as src, open(dest_path, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        except exception.NimbusException as err:
            raise exception.VolumeBackendError(reason=str(err)) from None
        finally:
            _quietly(priv.remove, self.directory, staged)


def _virtual_size(path):
    """The virtual size in bytes of a raw or qcow2 file (its name, less
    any ``.part``, ends with its format)."""
    name = path[:-len(".part")] if path.endswith(".part") else path
    if name.endswith(".qcow2"):
        out = subprocess.run(
            ["qemu-img", "info", "--output=json", "-f", "qcow2", path],
            capture_output=True, text=True, timeout=60)
        if out.returncode == 0:
            return json.loads(out.stdout)["virtual-size"]
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


def _quietly(func, *args, **kwargs):
    try:
        func(*args, **kwargs)
    except Exception as err:  # cleanup must not hide the first error
        LOG.warning("Cleanup %s failed: %s", func.__name__, err)
