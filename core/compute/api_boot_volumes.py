"""The volumes a server is created with (``block_device_mapping_v2``),
boot from volume included.

:class:`BootVolumesMixin` is mixed into
:class:`nimbus.core.compute.api.ComputeAPI`; it relies on its ``images``,
``db``, ``volumes`` and ``_visible_volume``.

What a create may ask for, as Nova serves it:

* the image as the local root disk (``source_type`` image,
  ``destination_type`` local): only ``imageRef`` itself;
* volumes (``destination_type`` volume) from an existing volume
  (``volume``), a new empty one (``blank``, not bootable), a new one
  made from an image (``image``, with ``volume_size``) or from a
  snapshot (``snapshot``);
* a ``volume_type`` (2.67) for the volumes made for the server (not
  for an existing volume nor a local disk);
* one of them with ``boot_index`` 0: the server is *volume-backed*, its
  root disk (``/dev/vda``) is that volume and ``imageRef`` may be empty.
  Boot indexes (those >= 0) must run 0, 1, 2... without gaps.

Everything is checked before anything is recorded (400 with Nova's
messages). Then :meth:`BootVolumesMixin.claim_block_devices` reserves
the existing volumes and asks the volume service for the new ones (their
quota counted there); the compute waits for them at build time.
"""

from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.volume import statuses as st

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3
_VOLUME_SOURCES = ("volume", "blank", "image", "snapshot")
#: the device names of the volumes a server is created with.
_ROOT_DEVICE = "/dev/vda"
_EXTRA_LETTERS = "bcdefghijklmnopqrstuvwxyz"
#: image record keys that are not properties (``volume_image_metadata``
#: holds both).
_IMAGE_KEYS = ("image_id", "image_name", "disk_format", "container_format",
               "checksum", "min_disk", "min_ram", "size")


def _invalid_bdm(detail):
    return exception.InvalidInput(
        reason=f"Block Device Mapping is Invalid: {detail}")


def _boot_sequence_error():
    return _invalid_bdm("Boot sequence for the instance and image/block "
                        "device mapping combination is not valid.")


def _truthy(value):
    return str(value).lower() in ("true", "1")


def _boot_index(bdm):
    """The entry's boot index; None when it is not a boot device (absent,
    empty or negative, as in Nova)."""
    value = bdm.get("boot_index")
    if value in (None, ""):
        return None
    value = int(value)
    return value if value >= 0 else None


def image_from_volume(volume):
    """The image ``dict`` (``id``, ``properties``) a volume was made from,
    from its ``volume_image_metadata``; None when it has none."""
    meta = dict(volume.get("volume_image_metadata") or {})
    if not meta:
        return None
    return {"id": meta.get("image_id") or "",
            "properties": {k: v for k, v in meta.items()
                           if k not in _IMAGE_KEYS}}


class BootVolumesMixin:
    """block_device_mapping_v2 on server create."""

    def block_devices_for_boot(self, context, block_devices, image_id,
                               count, multiattach=False):
        """Check a create request's ``block_device_mapping_v2`` before
        anything is recorded; return the volumes to give the server.

        :param image_id: ``imageRef`` (None or empty for a volume-backed
            server).
        :param multiattach: the request may give multiattach volumes
            (2.60), which may be in use by other servers already.
        :returns: a list of plans, the boot volume (if any) first: dicts
            with ``source_type``, ``volume_id`` (an existing volume),
            ``snapshot_id``, ``image_id``, ``size`` (GiB),
            ``delete_on_termination``, ``boot_index``, ``volume_type``
            (a name; 2.67), ``tag`` and, for the boot
            volume, ``image`` (the image dict its data comes from, or
            None).
        :raises InvalidInput: anything Nova refuses (400): an unknown or
            another project's volume, snapshot or image, a volume not
            available, a bad boot sequence, a size smaller than the
            image, a volume for several servers.
        :raises MultiattachNotSupportedOldMicroversion: a multiattach
            volume without ``multiattach`` (400).
        """
        plans, seen, boot_indexes = [], set(), []
        local_root = False
        for bdm in block_devices or []:
            source = bdm.get("source_type")
            dest = bdm.get("destination_type") or (
                "local" if source == "image" else "volume")
            try:
                boot_index = _boot_index(bdm)
            except ValueError:
                raise _boot_sequence_error()
            if boot_index is not None:
                boot_indexes.append(boot_index)
            volume_type = self._requested_type(context, bdm, source, dest)
            if source == "image" and dest == "local":
                if boot_index not in (None, 0) or not image_id or (
                        bdm.get("uuid") and bdm["uuid"] != image_id):
                    raise exception.InvalidInput(
                        reason="Only the server's image (imageRef) may be "
                               "a local block device")
                local_root = boot_index == 0
                continue
            if dest != "volume" or source not in _VOLUME_SOURCES:
                raise exception.InvalidInput(
                    reason=f"Block device mapping with source_type "
                           f"{source} and destination_type {dest} is not "
                           "supported: only volume, blank, image or "
                           "snapshot sources to volume destinations")
            plan = {"source_type": source, "volume_id": None,
                    "snapshot_id": None, "image_id": None,
                    "boot_index": boot_index, "image": None,
                    "volume_type": volume_type, "tag": bdm.get("tag"),
                    "delete_on_termination": _truthy(
                        bdm.get("delete_on_termination", False))}
            ref = bdm.get("uuid")
            if source != "blank":
                if not ref or (source, ref) in seen:
                    raise exception.InvalidInput(
                        reason=f"Each {source} block device needs its own "
                               f"{source} uuid")
                seen.add((source, ref))
            getattr(self, f"_plan_{source}")(context, plan, bdm, ref)
            if plan.pop("multiattach", False) and not multiattach:
                raise exception.MultiattachNotSupportedOldMicroversion()
            plans.append(plan)
        self._check_boot_sequence(boot_indexes, plans, local_root, image_id)
        if plans and count != 1:
            raise exception.InvalidInput(
                reason="Volumes can be given to one server at a time "
                       "(min_count and max_count must be 1)")
        plans.sort(key=lambda p: p["boot_index"] != 0)
        return plans

    def _requested_type(self, context, bdm, source, dest):
        """The name of the volume type an entry asks for (2.67), None
        when it asks for none (absent, null or empty).

        :raises Invalid: a type for a local disk or an existing volume,
            or no such type the caller may use (Nova's 400s).
        """
        requested = bdm.get("volume_type")
        if not requested:
            return None
        if dest == "local":
            raise exception.Invalid(
                message="Block Device Mapping is Invalid: Specifying a "
                        "volume_type with destination_type=local is not "
                        "supported.")
        if source == "volume":
            raise exception.Invalid(
                message="Block Device Mapping is Invalid: Specifying "
                        "volume type to existing volume is not supported.")
        try:
            return self.volumes.types.find_for_volume(context,
                                                      requested)["name"]
        except exception.VolumeTypeNotFound:
            raise exception.Invalid(
                message=f"Volume type {requested} could not be found.")

    @staticmethod
    def _check_boot_sequence(boot_indexes, plans, local_root, image_id):
        """Nova's rule: boot indexes 0..n-1, each once; a server without
        ``imageRef`` needs a volume with boot index 0; a blank volume
        cannot be booted from."""
        if sorted(boot_indexes) != list(range(len(boot_indexes))):
            raise _boot_sequence_error()
        root = [p for p in plans if p["boot_index"] == 0]
        if root and local_root:
            raise _boot_sequence_error()
        if not image_id and not root:
            raise _boot_sequence_error()
        if root and root[0]["source_type"] == "blank":
            raise _invalid_bdm("a blank volume cannot be the boot disk.")

    @staticmethod
    def _requested_size(bdm):
        size = bdm.get("volume_size")
        return None if size in (None, "") else int(size)

    def _plan_blank(self, context, plan, bdm, _ref):
        size = self._requested_size(bdm)
        if size is None or size < 1:
            raise exception.InvalidInput(
                reason="A blank volume needs volume_size >= 1")
        plan["size"] = size

    def _plan_volume(self, context, plan, bdm, volume_id):
        try:
            volume = self._visible_volume(context, volume_id)
        except exception.VolumeNotFound:
            raise _invalid_bdm(f"volume {volume_id} could not be found.")
        # A multiattach volume may be in use by other servers already.
        usable = (st.AVAILABLE, st.IN_USE) if volume.get("multiattach") \
            else (st.AVAILABLE,)
        if volume["status"] not in usable:
            raise _invalid_bdm(f"volume {volume_id} is {volume['status']}, "
                               "not available.")
        if plan["boot_index"] == 0 and str(
                volume.get("bootable")).lower() != "true":
            raise exception.InvalidInput(
                reason=f"Block Device {volume_id} is not bootable.")
        plan.update(volume_id=volume_id, size=volume["size"],
                    image=image_from_volume(volume),
                    multiattach=bool(volume.get("multiattach")))

    def _plan_snapshot(self, context, plan, bdm, snapshot_id):
        try:
            snapshot = self.volumes.get_snapshot(context, snapshot_id)
        except exception.NotFound:
            raise _invalid_bdm(f"failed to get snapshot {snapshot_id}.")
        owner = snapshot.get("os-extended-snapshot-attributes:project_id")
        if not context.is_admin and owner != context.project_id:
            raise _invalid_bdm(f"failed to get snapshot {snapshot_id}.")
        if snapshot["status"] != st.AVAILABLE:
            raise _invalid_bdm(f"snapshot {snapshot_id} is "
                               f"{snapshot['status']}, not available.")
        size = self._requested_size(bdm) or snapshot["size"]
        if size < snapshot["size"]:
            raise exception.InvalidVolumeSize(
                reason=f"Volume size {size}GB cannot be smaller than the "
                       f"snapshot size {snapshot['size']}GB.")
        parent = self.volumes.get_volume(context.elevated(),
                                         snapshot["volume_id"])
        plan.update(snapshot_id=snapshot_id, size=size,
                    image=image_from_volume(parent))

    def _plan_image(self, context, plan, bdm, image_id):
        try:
            image = self.images.get(context, image_id)
        except exception.ImageNotFound:
            raise _invalid_bdm(f"failed to get image {image_id}.")
        if image.get("status") != "active":
            raise exception.InvalidInput(
                reason=f"Image {image_id} is not active.")
        size = self._requested_size(bdm)
        if not size:
            raise exception.InvalidInput(
                reason="Images with destination_type 'volume' need to have "
                       "a non-zero size specified")
        minimum = max(int(image.get("size") or 0),
                      int(image.get("min_disk") or 0) * GiB)
        if size * GiB < minimum:
            raise exception.InvalidInput(
                reason=f"Volume is smaller than the minimum size specified "
                       f"in image metadata. Volume size is {size * GiB} "
                       f"bytes, minimum size is {minimum} bytes.")
        plan.update(image_id=image_id, size=size,
                    image={"id": image["id"], "properties": dict(
                        image.get("properties") or {})})

    @staticmethod
    def boot_image(plans):
        """The image dict of a volume-backed server's root (``id`` ""
        and no properties when its volume came from no image); None
        when the server is not volume-backed."""
        for plan in plans:
            if plan["boot_index"] == 0:
                return plan["image"] or {"id": "", "properties": {}}
        return None

    def claim_block_devices(self, context, instance, plans):
        """Reserve the existing volumes for ``instance``, ask the volume
        service for the new ones (blank, from an image, from a snapshot:
        their ``volumes`` and ``gigabytes`` quota counted there) and
        record the mappings the compute connects at spawn; the boot
        volume is ``/dev/vda``, the others follow.

        On failure everything done is undone (reservations given back,
        new volumes deleted) and the error raised; the caller then
        removes the instance.
        :raises VolumeInvalidState: a volume was taken meanwhile (409).
        :raises OverQuota: the new volumes do not fit the project's
            volume quotas.
        """
        if not plans:
            return
        reserved, created, rows = [], [], []
        letters = iter(_EXTRA_LETTERS)
        try:
            for index, plan in enumerate(plans):
                if plan["source_type"] == "volume":
                    self.volumes.reserve(context, plan["volume_id"],
                                         instance.uuid)
                    reserved.append(plan["volume_id"])
                    volume_id = plan["volume_id"]
                else:
                    volume_id = self._new_volume(context, instance, plan,
                                                 index)
                    created.append(volume_id)
                boot = plan["boot_index"] == 0
                rows.append({
                    "instance_uuid": instance.uuid, "volume_id": volume_id,
                    "source_type": plan["source_type"],
                    "boot_index": plan["boot_index"],
                    "delete_on_termination": plan["delete_on_termination"],
                    "tag": plan.get("tag"),
                    "volume_type": plan.get("volume_type"),
                    "device_name": _ROOT_DEVICE if boot
                    else "/dev/vd" + next(letters)})
            self.db.block_devices.create_many(context, rows)
        except Exception:
            for volume_id in reserved:
                self._quietly(self.volumes.unreserve, context, volume_id)
            for volume_id in created:
                self._quietly(self.volumes.delete_volume, context,
                              volume_id)
            raise

    def _new_volume(self, context, instance, plan, index):
        """Ask the volume service for a plan's new volume; its id."""
        what = "root" if plan["boot_index"] == 0 else plan["source_type"]
        volume = self.volumes.create_volume(
            context, plan["size"],
            name=f"{instance.display_name}-{what}-{index}"[:255],
            snapshot_id=plan["snapshot_id"], image_id=plan["image_id"],
            availability_zone=None, volume_type=plan.get("volume_type"))
        if volume["status"] == st.ERROR:
            self._quietly(self.volumes.delete_volume, context, volume["id"])
            raise exception.InvalidInput(
                reason=f"No volume host can create the volume: "
                       f"{volume.get('fault')}")
        return volume["id"]
