"""The ``lvm`` volume driver: thick LVs in the volume group of
``[volume_lvm] volume_group``.

* volumes are ``volume-<id>``, snapshots ``snapshot-<id>``
  (``lvcreate --snapshot``, copy-on-write, sized by
  ``snapshot_size_percent``);
* **thick**: every volume takes its whole size from the group at once,
  so the capacity reported is the group's real free space;
* a volume with snapshots cannot be deleted (LVM would take the
  snapshots with it): :class:`~nimbus.core.exception.VolumeIsBusy`;
* a deleted volume is zeroed first (``volume_clear = zero``), so its
  extents never leak data into the next volume;
* volumes from snapshots, clones and image copies write through the LV
  device nodes (``dd``, ``qemu-img convert``); a failure after
  ``lvcreate`` removes the new LV, so nothing is left half-made.

**Metadata mode** (``metadata_only = true``, for kernels without
device-mapper, like this project's CI machine): every command carries
``--driverloaded n``; LVs exist in the metadata only, with no device
node, so the driver declares no data path, snapshots, clones or image
copies (nimbus refuses those before recording anything) and skips
zeroing. Create, extend, delete and the capacity report run for real.
"""

from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.interfaces import volume as volume_if
from nimbus.plugins.volumes.lvm import conf as lvm_conf
from nimbus.plugins.volumes.lvm import privileged as priv

LOG = logging.getLogger(__name__)

GiB = volume_if.GiB

#: what a metadata-only host can do.
METADATA_ONLY = volume_if.Capabilities(
    snapshots=False, clone=False, extend=True, extend_attached=False,
    image_copy=False, data_path=False, thin_provisioning=False,
    snapshots_block_delete=True)


class LVMVolumeDriver(volume_if.VolumeDriver):
    """Volumes as logical volumes; see the module docstring."""

    capabilities = volume_if.Capabilities(
        snapshots=True, clone=True, extend=True, extend_attached=True,
        image_copy=True, reimage=True, data_path=True, thin_provisioning=False,
        snapshots_block_delete=True)

    def __init__(self, conf, host):
        super().__init__(conf, host)
        lvm_conf.register_opts(conf)
        options = conf.volume_lvm
        self.vg = options.volume_group
        self.metadata_only = options.metadata_only
        if self.metadata_only:
            self.capabilities = METADATA_ONLY

    # -- helpers --------------------------------------------------------

    @staticmethod
    def _lv(volume_id):
        return f"volume-{volume_id}"

    @staticmethod
    def _snap_lv(snapshot_id):
        return f"snapshot-{snapshot_id}"

    def _lvs(self):
        return {row["name"]: row for row in
                self._run(priv.lvs, self.vg, self.metadata_only)}

    def _run(self, func, *args):
        """Call a privileged function; its failure is a backend error."""
        try:
            return func(*args)
        except exception.VolumeBackendError:
            raise
        except exception.NimbusException as err:
            raise exception.VolumeBackendError(reason=str(err)) from None

    def _create_lv(self, name, size_gb):
        self._run(priv.lvcreate, self.vg, name, size_gb, self.metadata_only)

    def _remove_quietly(self, name):
        try:
            self._run(priv.lvremove, self.vg, name, self.metadata_only)
        except exception.VolumeBackendError as err:
            LOG.error("Could not remove %(lv)s after a failure: %(err)s",
                      {"lv": name, "err": err})

    def _need(self, capability):
        if not getattr(self.capabilities, capability):
            self._unsupported(capability.replace("_", " ") +
                              (" (metadata-only LVM)" if self.metadata_only
                               else ""))

    # -- lifecycle ------------------------------------------------------

    def init_host(self):
        try:
            self._run(priv.vgs, self.vg, self.metadata_only)
        except exception.VolumeBackendError as err:
            raise exception.ConfigError(
                reason=f"[volume_lvm] volume_group {self.vg}: {err}"
            ) from None

    def get_capacity(self):
        size, free, _ = self._run(priv.vgs, self.vg, self.metadata_only)
        provisioned = sum(row["size"] for row in self._lvs().values())
        return volume_if.Capacity(total_gb=size / GiB, free_gb=free / GiB,
                                  provisioned_gb=provisioned / GiB)

    # -- volumes ----------------------------------------------------------

    def create_volume(self, volume):
        name = self._lv(volume.id)
        self._create_lv(name, volume.size)
        return f"{self.vg}/{name}"

    def delete_volume(self, volume):
        name = self._lv(volume.id)
        lvs = self._lvs()
        if name not in lvs:
            return
        if any(row["origin"] == name for row in lvs.values()):
            raise exception.VolumeIsBusy(volume_id=volume.id,
                                         reason="it has snapshots")
        clear = self.conf.volume_lvm.volume_clear
        if clear == "zero" and not self.metadata_only:
            size_mb = self.conf.volume_lvm.volume_clear_size or \
                lvs[name]["size"] // (1024 * 1024)
            self._run(priv.clear, self.vg, name, size_mb)
        self._run(priv.lvremove, self.vg, name, self.metadata_only)

    def volume_exists(self, volume):
        return self._lv(volume.id) in self._lvs()

    def local_path(self, volume):
        if not self.volume_exists(volume):
            raise exception.VolumeNotOnBackend(volume_id=volume.id)
        return volume_if.LocalDevice(
            protocol="block", path=priv.device(self.vg, self._lv(volume.id)))

    def extend_volume(self, volume, new_size):
        self._need("extend")
        self._run(priv.lvextend, self.vg, self._lv(volume.id), new_size,
                  self.metadata_only)

    def _copy_from(self, volume, source_lv):
        name = self._lv(volume.id)
        self._create_lv(name, volume.size)
        try:
            self._run(priv.copy, self.vg, source_lv, name)
        except Exception:
            self._remove_quietly(name)
            raise
        return f"{self.vg}/{name}"

    def create_cloned_volume(self, volume, source):
        self._need("clone")
        return self._copy_from(volume, self._lv(source.id))

    # -- snapshots --------------------------------------------------------

    def create_snapshot(self, snapshot, volume):
        self._need("snapshots")
        percent = self.conf.volume_lvm.snapshot_size_percent
        size_gb = max(1, -(-volume.size * percent // 100))
        name = self._snap_lv(snapshot.id)
        self._run(priv.lvcreate_snapshot, self.vg, self._lv(volume.id),
                  name, size_gb)
        return f"{self.vg}/{name}"

    def delete_snapshot(self, snapshot, volume):
        self._need("snapshots")
        name = self._snap_lv(snapshot.id)
        if name in self._lvs():
            self._run(priv.lvremove, self.vg, name, self.metadata_only)

    def create_volume_from_snapshot(self, volume, snapshot):
        self._need("snapshots")
        return self._copy_from(volume, self._snap_lv(snapshot.id))

    # -- images -----------------------------------------------------------

    def copy_image_to_volume(self, volume, image_path, image_format):
        self._need("image_copy")
        self._run(priv.image_to_lv, self.vg, self._lv(volume.id),
                  image_path, image_format)

    def copy_volume_to_image(self, volume, dest_path, disk_format):
        self._need("image_copy")
        self._run(priv.lv_to_image, self.vg, self._lv(volume.id), dest_path,
                  disk_format)

