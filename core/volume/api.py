"""The volume API: what API dialects and the compute API call for volumes.

Dialects (Block Storage v3, ``os-volume_attachments``) translate requests
into these methods and the returned dicts (Cinder's volume and snapshot
view fields) back. Every method takes the request context first; a
caller who is not an admin sees and acts on its own project's volumes
only (others' are "not found"). Policy is the dialect's job.

Each action checks the record's status and moves it with a guarded
compare-and-swap update (:mod:`nimbus.core.db.api.volumes`), records
what it asks for, and casts to the volume's host
(:mod:`nimbus.core.volume.rpcapi`); nothing here waits for a backend
except :meth:`VolumeAPI.initialize_connection` and
:meth:`VolumeAPI.terminate_connection`, which compute needs answered.

Attach bookkeeping lives in :mod:`nimbus.core.volume.attach`, snapshots
in :mod:`nimbus.core.volume.snapshots`.
"""

import json
import math

from oslo_log import log as logging
from oslo_utils import uuidutils

from nimbus.core import exception, loading, quota
from nimbus.core.interfaces import volume as volume_if
from nimbus.core.volume import attach, checks, snapshots, views
from nimbus.core.volume import metadata as volume_metadata
from nimbus.core.volume import rpcapi as volume_rpcapi
from nimbus.core.volume import scheduler as volume_scheduler
from nimbus.core.volume import statuses as st
from nimbus.core.volume import types as volume_types

LOG = logging.getLogger(__name__)

_UPLOAD_FORMATS = ("raw", "qcow2")


class VolumeAPI(attach.AttachBookkeeping, snapshots.SnapshotActions):
    """Volume operations for API dialects (one instance per API process).

    :param conf: the configuration.
    :param db: the database API handed in by the daemon.
    """

    def __init__(self, conf, db):
        self.conf = conf
        self.db = db
        self.quotas = quota.Quotas(conf, db)
        self.scheduler = volume_scheduler.CapacityScheduler(conf, db)
        self.types = volume_types.VolumeTypeAPI(conf, db)
        self.metadata = volume_metadata.MetadataAPI(db)
        self._rpc = None
        self._images = None

    @property
    def rpc(self):
        if self._rpc is None:
            self._rpc = volume_rpcapi.VolumeAPI(
                timeout=self.conf.volume.rpc_timeout)
        return self._rpc

    @property
    def images(self):
        if self._images is None:
            self._images = loading.load_driver(
                loading.IMAGES, self.conf.images.backend, self.conf)
        return self._images

    # -- reads --------------------------------------------------------------

    def _scope(self, context):
        return None if context.is_admin else context.project_id

    def _volume_row(self, context, volume_id):
        if not uuidutils.is_uuid_like(volume_id):
            raise exception.VolumeNotFound(volume_id=volume_id)
        return self.db.volumes.get_volume(context, volume_id,
                                          self._scope(context))

    def get_volume(self, context, volume_id):
        """:raises VolumeNotFound: no such volume, or another project's."""
        with self.db.volumes.reading(context):
            row = self._volume_row(context, volume_id)
            attachments = self._attachments_of(context, [row["id"]])
        return views.volume(row, attachments)

    def list_volumes(self, context, filters=None, all_projects=False):
        """Volumes of the caller's project (of every project for an admin
        asking ``all_projects``), newest first.

        :param filters: ``name``, ``status``, ``availability_zone``,
            ``bootable``, ``metadata`` (a dict every volume must contain),
            ``project_id`` (admins with ``all_projects``).
        """
        filters = dict(filters or {})
        db_filters = {}
        if context.is_admin and all_projects:
            if filters.get("project_id"):
                db_filters["project_id"] = filters["project_id"]
        else:
            db_filters["project_id"] = context.project_id
        for key in ("name", "status"):
            if filters.get(key) is not None:
                db_filters[key] = filters[key]
        rows = self.db.volumes.get_volumes(context, db_filters)
        zone = filters.get("availability_zone")
        if zone is not None:
            rows = [r for r in rows if r["availability_zone"] == zone]
        if filters.get("bootable") is not None:
            want = str(filters["bootable"]).lower() in ("true", "1", "yes")
            rows = [r for r in rows if bool(r["bootable"]) == want]
        wanted_meta = filters.get("metadata") or {}
        if wanted_meta:
            rows = [r for r in rows if all(
                json.loads(r["metadata_json"] or "{}").get(k) == v
                for k, v in wanted_meta.items())]
        attachments = self._attachments_of(context, [r["id"] for r in rows])
        return [views.volume(r, attachments) for r in rows]

    def list_attachments(self, context, instance_uuid):
        """The volumes attached (or being attached) to an instance, as
        attachment dicts (``id`` is the volume's, as in Cinder's view)."""
        rows = self.db.volumes.get_attachments(context,
                                               instance_uuid=instance_uuid)
        return [views.attachment(a) for a in rows]

    def pending_attachments(self, context, volume_ids):
        """``{volume id: [attachment dict, ...]}`` of the attachments
        still being made (``attach_status`` attaching), which the volume
        view leaves out as Cinder's does (the EC2 dialect shows them)."""
        found = {}
        if volume_ids:
            for row in self.db.volumes.get_attachments(
                    context, volume_id=list(volume_ids),
                    attach_status=st.ATTACH_ATTACHING):
                found.setdefault(row["volume_id"], []).append(
                    views.attachment(row))
        return found

    def attached_volume_ids(self, context, instance_uuids):
        """``{instance uuid: [volume id, ...]}`` of the volumes attached
        to each instance (one query for a page of servers)."""
        found = {}
        if instance_uuids:
            for row in self.db.volumes.get_attachments(
                    context, instance_uuid=list(instance_uuids),
                    attach_status=st.ATTACH_ATTACHED):
                found.setdefault(row["instance_uuid"], []).append(
                    row["volume_id"])
        return found

    def get_attachment(self, context, volume_id, instance_uuid):
        """The attachment of ``volume_id`` to ``instance_uuid``.

        :raises VolumeAttachmentNotFound:
        """
        self._volume_row(context, volume_id)
        for row in self.db.volumes.get_attachments(
                context, volume_id=volume_id, instance_uuid=instance_uuid):
            return views.attachment(row)
        raise exception.VolumeAttachmentNotFound(attachment_id=volume_id)

    def _attachments_of(self, context, volume_ids):
        by_volume = {}
        if volume_ids:
            for row in self.db.volumes.get_attachments(
                    context, volume_id=volume_ids,
                    attach_status=st.ATTACH_ATTACHED):
                by_volume.setdefault(row["volume_id"], []).append(row)
        return by_volume

    # -- create -------------------------------------------------------------

    def create_volume(self, context, size, name=None, description=None,
                      snapshot_id=None, image_id=None, source_volid=None,
                      availability_zone=None, metadata=None,
                      volume_type=None, multiattach=False):
        """Place a volume, record it (``creating``) and cast its creation.

        Placement failures do not raise: as in Cinder the volume is
        returned and goes to ``error`` with a fault message.

        :param size: GiB; may be None with a snapshot or source volume
            (their size is taken).
        :param multiattach: the request asks for a multiattach volume
            (Cinder's deprecated body flag); a type whose ``multiattach``
            extra spec is ``<is> True`` makes it one as well.
        :raises InvalidInput: bad size, name or metadata, several sources.
        :raises VolumeNotFound, SnapshotNotFound, ImageNotFound: a source
            that is not there (or not the caller's).
        :raises VolumeInvalidState, SnapshotInvalidState: a source not
            ``available``.
        :raises OverQuota: volumes or gigabytes over quota.
        :raises VolumeTypeNotFound: ``volume_type`` (a name or id) names
            no type the caller may use.
        """
        sources = [s for s in (snapshot_id, image_id, source_volid) if s]
        if len(sources) > 1:
            raise exception.InvalidInput(
                reason="Only one of snapshot_id, imageRef and source_volid "
                       "may be given.")
        checks.check_text(name, description)
        metadata = checks.check_metadata(metadata)
        # Every read of the request in one transaction (one connection).
        with self.db.volumes.reading(context):
            plan = self._plan_create(context, size, snapshot_id, image_id,
                                     source_volid, availability_zone,
                                     volume_type)
        size, vtype, placement, image_meta, bootable, deltas, limited = plan
        volume_id = uuidutils.generate_uuid()
        row = self.db.volumes.create_volume(context, {
            "id": volume_id, "project_id": context.project_id,
            "user_id": context.user_id, "size": size,
            "display_name": name, "display_description": description,
            # A copy of a volume made from an image boots as it did
            # (Cinder copies the image metadata too).
            "bootable": bootable, "volume_type": vtype["name"],
            "volume_type_id": vtype["id"],
            "multiattach": bool(multiattach) or
            volume_types.is_multiattach(vtype),
            "snapshot_id": snapshot_id, "source_volid": source_volid,
            "image_id": image_id, "metadata_json": json.dumps(metadata),
            "image_metadata_json": json.dumps(image_meta),
            "task_request_id": context.request_id, **placement})
        try:
            if limited:  # nothing to recount when nothing is limited
                with self.db.volumes.reading(context):
                    self.quotas.check(context, context.project_id, deltas,
                                      already_added=True)
        except exception.OverQuota:
            self.db.volumes.destroy_volume(context, volume_id)
            raise
        if row["status"] == st.CREATING:
            self.rpc.create_volume(context, row["host"], volume_id,
                                   snapshot_id=snapshot_id,
                                   source_volid=source_volid,
                                   image_id=image_id)
        return views.volume(row, {})

    def _plan_create(self, context, size, snapshot_id, image_id,
                     source_volid, availability_zone, volume_type):
        """The reads and checks of a create: the source, size, type, quota
        and placement; returns ``(size, type, placement columns, image
        metadata, bootable, quota deltas, whether any quota limits)``."""
        host = None
        image_meta = {}
        bootable = bool(image_id)
        capability = None
        if snapshot_id:
            snapshot = self._snapshot_row(context, snapshot_id)
            if snapshot["status"] != st.AVAILABLE:
                raise exception.SnapshotInvalidState(
                    action="create a volume from", snapshot_id=snapshot_id,
                    status=snapshot["status"], expected=st.AVAILABLE)
            parent = self.db.volumes.get_volume(context,
                                                snapshot["volume_id"])
            size = snapshot["volume_size"] if size is None else size
            minimum, host = snapshot["volume_size"], parent["host"]
            availability_zone = availability_zone or \
                parent["availability_zone"]
            capability = "snapshots"
            image_meta = json.loads(parent["image_metadata_json"] or "{}")
            bootable = bool(parent["bootable"])
        elif source_volid:
            parent = self._volume_row(context, source_volid)
            if parent["status"] not in (st.AVAILABLE, st.IN_USE):
                raise exception.VolumeInvalidState(
                    action="clone", volume_id=source_volid,
                    status=parent["status"], expected="available or in-use")
            size = parent["size"] if size is None else size
            minimum, host = parent["size"], parent["host"]
            availability_zone = availability_zone or \
                parent["availability_zone"]
            capability = "clone"
            image_meta = json.loads(parent["image_metadata_json"] or "{}")
            bootable = bool(parent["bootable"])
        elif image_id:
            image = self.images.get(context, image_id)
            if image["status"] != "active":
                raise exception.InvalidInput(
                    reason=f"Image {image_id} is not active.")
            minimum = max(int(image.get("min_disk") or 0),
                          math.ceil((image.get("size") or 0) / volume_if.GiB))
            image_meta = views.image_metadata(image)
            capability = "image_copy"
        else:
            minimum = 1
        size = checks.check_size(size, minimum, self.conf.volume.max_size_gb)
        if volume_type is None and (snapshot_id or source_volid):
            # As Cinder: a copy keeps its source's type.
            volume_type = parent["volume_type_id"]
        vtype = self.types.find_for_volume(context, volume_type)
        deltas = {"volumes": 1, "gigabytes": size}
        limited = self.quotas.check(context, context.project_id, deltas)
        availability_zone = availability_zone or \
            self.conf.volume.default_availability_zone
        placement = self._place(
            context, host, size, availability_zone, capability,
            vtype["extra_specs"].get(volume_types.BACKEND_NAME))
        return (size, vtype, placement, image_meta, bootable, deltas,
                limited)

    def _place(self, context, host, size, availability_zone, capability,
               backend_name=None):
        """The new volume's placement columns: its host (the source's, or
        the capacity scheduler's choice) and status ``creating``; or, when
        no host can take it, status ``error`` with the reason (Cinder
        records such a volume rather than refusing the request)."""
        try:
            if host is not None:
                self.scheduler.check_host(context, host, capability)
                return {"host": host, "status": st.CREATING,
                        "availability_zone": availability_zone}
            choice = self.scheduler.select(context, size, availability_zone,
                                           capability, backend_name)
        except (exception.NoValidHost, exception.UnsupportedOperation) as e:
            LOG.warning("Volume of %(size)sGB not placed: %(err)s",
                        {"size": size, "err": e})
            return {"host": None, "status": st.ERROR,
                    "fault_message": str(e),
                    "availability_zone": availability_zone}
        return {"host": choice["host"], "status": st.CREATING,
                "availability_zone": availability_zone
                or choice["availability_zone"]}

    # -- update / delete ----------------------------------------------------

    def update_volume(self, context, volume_id, **changes):
        """Change ``name``, ``description``, ``metadata`` (replaced whole)
        or ``bootable``.

        :raises InvalidInput: unknown field or bad value.
        """
        row = self._volume_row(context, volume_id)
        values = checks.changes(changes, ("name", "description", "metadata",
                                         "bootable"))
        if values:
            row = self.db.volumes.update_volume(context, row["id"], values)
        return self.get_volume(context, row["id"])

    def delete_volume(self, context, volume_id, force=False):
        """Start deleting a volume (status ``deleting``).

        :param force: also from a transient status (an admin cleaning up a
            volume stuck mid-operation); never while attached.
        :raises VolumeInvalidState: attached, attaching, or (without
            ``force``) in a transient status.
        :raises VolumeIsBusy: it has snapshots.
        """
        expected = st.FORCE_DELETABLE if force else st.DELETABLE
        # The checks and the guarded update in one transaction; the cast
        # after it has committed.
        with self.db.volumes.writing(context):
            row = self._volume_row(context, volume_id)
            if self.db.volumes.get_attachments(context,
                                               volume_id=row["id"]):
                raise exception.VolumeInvalidState(
                    action="delete", volume_id=row["id"],
                    status=row["status"], expected="detached")
            row = self.db.volumes.update_volume(
                context, row["id"], {"status": st.DELETING,
                                     "task_request_id": context.request_id},
                expected_status=expected, action="delete",
                require_no_snapshots=True)
            if row["host"] is None:
                # Never placed: nothing exists on any backend.
                self.db.volumes.destroy_volume(context, row["id"])
                return
        self.rpc.delete_volume(context, row["host"], row["id"])

    def extend_volume(self, context, volume_id, new_size):
        """Grow a volume (``available`` or ``in-use``) to ``new_size`` GiB.

        :raises InvalidVolumeSize: not larger, or above the maximum.
        :raises InvalidInput: an in-use multiattach volume.
        :raises VolumeInvalidState: another status.
        :raises UnsupportedOperation: the backend cannot (attached).
        :raises OverQuota: gigabytes.
        """
        row = self._volume_row(context, volume_id)
        new_size = checks.check_size(new_size, 1, self.conf.volume.max_size_gb)
        if new_size <= row["size"]:
            raise exception.InvalidVolumeSize(
                reason=f"New size for extend must be greater than current "
                       f"size. (current: {row['size']}, extended: "
                       f"{new_size})")
        if row["status"] not in (st.AVAILABLE, st.IN_USE):
            raise exception.VolumeInvalidState(
                action="extend", volume_id=row["id"], status=row["status"],
                expected="available or in-use")
        if row["status"] == st.IN_USE and row["multiattach"]:
            # As Cinder: its guests could not all learn the new size.
            raise exception.InvalidInput(
                reason=f"Volume {row['id']} is a multiattach volume in "
                       "use; it can be extended only when it is "
                       "detached.")
        capability = "extend_attached" if row["status"] == st.IN_USE \
            else "extend"
        self.scheduler.check_host(context, row["host"], capability)
        self.quotas.check(context, row["project_id"],
                          {"gigabytes": new_size - row["size"]})
        previous = row["status"]
        row = self.db.volumes.update_volume(
            context, row["id"], {"status": st.EXTENDING,
                                 "task_request_id": context.request_id},
            expected_status=previous, action="extend")
        self.rpc.extend_volume(context, row["host"], row["id"], new_size,
                               previous)

    # -- re-image (a volume-backed server's rebuild, Compute API 2.93) --------

    def check_reimage(self, context, volume_id):
        """Refuse, before anything is recorded, a volume that cannot be
        re-imaged; return its row.

        :raises InvalidInput: (400) a multiattach volume, or its backend
            does not declare ``reimage``.
        """
        row = self.db.volumes.get_volume(context.elevated(), volume_id)
        if row["multiattach"]:
            raise exception.InvalidInput(
                reason=f"Volume {volume_id} is a multiattach volume; it "
                       "cannot be re-imaged.")
        try:
            self.scheduler.check_host(context, row["host"], "reimage")
        except exception.UnsupportedOperation:
            raise exception.InvalidInput(
                reason=f"The volume backend of volume {volume_id} cannot "
                       "re-image it.") from None
        return row

    def reimage(self, context, volume_id, image_id):
        """Write image ``image_id`` onto an ``in-use`` or ``available``
        volume (Cinder's ``os-reimage``): ``downloading`` until its host
        is done, then the status it had (``error`` if it failed).

        :raises InvalidInput: see :meth:`check_reimage`.
        :raises ImageNotFound: no such image.
        :raises VolumeInvalidState: another status.
        """
        row = self.check_reimage(context, volume_id)
        self.images.get(context, image_id)
        previous = row["status"]
        if previous not in (st.IN_USE, st.AVAILABLE):
            raise exception.VolumeInvalidState(
                action="reimage", volume_id=row["id"], status=previous,
                expected="in-use or available")
        row = self.db.volumes.update_volume(
            context.elevated(), row["id"],
            {"status": st.DOWNLOADING,
             "task_request_id": context.request_id},
            expected_status=previous, action="reimage")
        self.rpc.reimage_volume(context, row["host"], row["id"], image_id,
                                previous)

    # -- images ---------------------------------------------------------------

    def upload_to_image(self, context, volume_id, image_name, disk_format,
                        container_format, force=False):
        """Copy an ``available`` volume into a new image (status
        ``uploading`` until done).

        :returns: Cinder's ``os-volume_upload_image`` body.
        :raises InvalidInput: a disk format the backend cannot write.
        :raises VolumeInvalidState: not available.
        """
        row = self._volume_row(context, volume_id)
        if disk_format not in _UPLOAD_FORMATS:
            raise exception.InvalidInput(
                reason=f"disk_format must be one of "
                       f"{', '.join(_UPLOAD_FORMATS)}, not {disk_format}")
        if row["status"] != st.AVAILABLE:
            raise exception.VolumeInvalidState(
                action="upload", volume_id=row["id"], status=row["status"],
                expected=st.AVAILABLE)
        self.scheduler.check_host(context, row["host"], "image_copy")
        image = self.images.create(context, {
            "name": image_name, "disk_format": disk_format,
            "container_format": container_format or "bare",
            "visibility": "private", "min_disk": row["size"]})
        try:
            row = self.db.volumes.update_volume(
                context, row["id"], {"status": st.UPLOADING,
                                     "task_request_id": context.request_id},
                expected_status=st.AVAILABLE, action="upload")
        except exception.NimbusException:
            self.images.delete(context, image["id"])
            raise
        self.rpc.upload_to_image(context, row["host"], row["id"],
                                 image["id"], disk_format)
        return {"id": row["id"], "updated_at": views.iso(row["updated_at"]),
                "status": row["status"],
                "display_description": row["display_description"],
                "size": row["size"], "volume_type": row["volume_type"],
                "image_id": image["id"], "container_format":
                image["container_format"], "disk_format": disk_format,
                "image_name": image_name}
