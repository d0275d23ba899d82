"""nimbus-volume's manager: the RPC endpoint of one volume host.

It loads ``[volume] driver`` and ``[volume] target``, does what the volume
API casts (create, delete, extend, snapshots, image copies) and answers
compute's connection calls. Like conductor it uses the database (handed
in by the daemon); only compute is database-free.

Rules it keeps:

* **one operation per volume at a time** (a lock per volume id); calls
  for different volumes run concurrently on the RPC executor's threads;
* **guarded writes**: each handler first checks that the record is still
  in the status the API set (a message delivered late, after recovery
  failed the record, does nothing) and ends with a guarded update;
* **failures are recorded, not raised**: a failed operation sets the
  record's error status with ``fault_message``; a create that fails
  leaves nothing on the backend (the driver's all-or-nothing contract,
  and the manager removes a volume whose image copy failed);
* **exports exist while a volume is connected**: the first
  ``initialize_connection`` creates the export (stored as
  ``export_json``), ``terminate_connection`` removes it, and at start
  every stored export is restored (``ensure_export``);
* **recovery**: a record of this host left in a transient status by an
  operation that is not running here is finished or failed: all of them
  at start (the process that worked on them is gone), and those older
  than ``[volume] operation_timeout`` every ``recovery_interval`` seconds
  (see :mod:`nimbus.core.volume.recovery`).
"""

import contextlib
import dataclasses
import json
import os
import tempfile
import threading

import oslo_messaging as messaging
from oslo_log import log as logging

from nimbus.core import context as nimbus_context
from nimbus.core import exception, fault_injection, loading, manager
from nimbus.core.interfaces import volume as volume_if
from nimbus.core.volume import compute_events, recovery, views
from nimbus.core.volume import rpcapi as volume_rpcapi
from nimbus.core.volume import statuses as st

LOG = logging.getLogger(__name__)

_CHUNK = 1 << 20
#: image disk formats that are another format for the volume drivers.
_IMAGE_FORMATS = {"ami": "raw"}


def _fault(err):
    """The message recorded for a failure (no tracebacks, no secrets)."""
    if isinstance(err, exception.NimbusException):
        return str(err)[:1000]
    return f"Unexpected {type(err).__name__} (see the volume host's log)"


class VolumeManager(recovery.RecoveryMixin, manager.Manager):
    """Volume operations on this host's backend.

    :param conf: the configuration.
    :param host: this volume host's name (``volume.<host>``).
    :param db: the database API.
    """

    target = messaging.Target(version="1.1")

    def __init__(self, conf, host, db):
        super().__init__(conf, host)
        self.db = db
        self.driver = loading.load_driver(loading.VOLUMES,
                                          conf.volume.driver, conf, host)
        self.target_plugin = loading.load_driver(
            loading.VOLUME_TARGETS, conf.volume.target, conf, host)
        self._images = None
        self.compute_events = compute_events.ComputeEvents(conf, db)
        self._locks = {}
        self._locks_lock = threading.Lock()
        #: ids of volumes and snapshots an operation is working on now.
        self._working = set()

    @property
    def images(self):
        if self._images is None:
            self._images = loading.load_driver(
                loading.IMAGES, self.conf.images.backend, self.conf)
        return self._images

    # -- service lifecycle ----------------------------------------------------

    def init_host(self):
        self.driver.init_host()
        self.target_plugin.init_host()
        self.restore_exports()
        self.recover(at_start=True)

    def after_start(self):
        self.report_capacity()
        self.recreate_interrupted(volume_rpcapi.VolumeAPI())

    def periodic_tasks(self):
        return [(self.report_capacity,
                 self.conf.volume.capacity_report_interval),
                (self.recover, self.conf.volume.recovery_interval)]

    def report_capacity(self):
        """Record the backend's capacity and capabilities (the volume
        scheduler places volumes by them)."""
        capacity = self.driver.get_capacity()
        capabilities = dataclasses.asdict(self.driver.capabilities)
        # What volume types' volume_backend_name extra spec matches.
        capabilities["volume_backend_name"] = \
            self.conf.volume.volume_backend_name or self.conf.volume.driver
        self.db.volumes.report_host(
            self._admin(), self.host, self.conf.volume.driver,
            self.conf.volume.storage_availability_zone,
            capacity.total_gb, capacity.free_gb, capabilities)

    def restore_exports(self):
        """Recreate the export of every connected volume of this host."""
        ctx = self._admin()
        for row in self.db.volumes.get_volumes(ctx, {"host": self.host}):
            if not row["export_json"]:
                continue
            spec = self._spec(row)
            try:
                device = self.driver.local_path(spec)
                export = self.target_plugin.ensure_export(
                    spec, device, json.loads(row["export_json"]))
                self.db.volumes.update_volume(
                    ctx, row["id"], {"export_json": json.dumps(export)})
            except Exception as err:  # one bad export must not stop the rest
                LOG.error("Could not restore the export of volume %(id)s: "
                          "%(err)s", {"id": row["id"], "err": err})

    # -- helpers ------------------------------------------------------------

    @staticmethod
    def _admin():
        return nimbus_context.get_admin_context()

    @contextlib.contextmanager
    def _working_on(self, record_id):
        """Serialise operations on one record and mark it as worked on."""
        with self._locks_lock:
            entry = self._locks.setdefault(record_id,
                                           [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                self._working.add(record_id)
                try:
                    yield
                finally:
                    self._working.discard(record_id)
        finally:
            with self._locks_lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._locks[record_id]

    @staticmethod
    def _spec(row):
        return volume_if.VolumeSpec(
            id=row["id"], size=row["size"], name=row["display_name"],
            provider_location=row["provider_location"])

    @staticmethod
    def _snapshot_spec(row):
        return volume_if.SnapshotSpec(
            id=row["id"], volume_id=row["volume_id"],
            volume_size=row["volume_size"], name=row["display_name"],
            provider_location=row["provider_location"])

    def _row_in(self, volume_id, status):
        """The volume row if it is still in ``status``, else None."""
        try:
            row = self.db.volumes.get_volume(self._admin(), volume_id)
        except exception.VolumeNotFound:
            LOG.info("Volume %s is gone; nothing to do", volume_id)
            return None
        if row["status"] not in ((status,) if isinstance(status, str)
                                 else status):
            LOG.info("Volume %(id)s is %(status)s, not %(want)s; nothing "
                     "to do", {"id": volume_id, "status": row["status"],
                               "want": status})
            return None
        return row

    def _set(self, volume_id, expected, **values):
        try:
            return self.db.volumes.update_volume(
                self._admin(), volume_id, values, expected_status=expected)
        except (exception.VolumeNotFound,
                exception.VolumeInvalidState) as err:
            LOG.warning("Volume %(id)s changed under the operation: %(err)s",
                        {"id": volume_id, "err": err})
            return None

    # -- create ---------------------------------------------------------------

    def create_volume(self, context, volume_id, snapshot_id=None,
                      source_volid=None, image_id=None):
        """Make the ``creating`` volume; ``available`` or ``error``."""
        with self._working_on(volume_id):
            row = self._row_in(volume_id, st.CREATING)
            if row is None:
                return
            spec = self._spec(row)
            LOG.info("Creating volume %(id)s (%(size)sGB)",
                     {"id": volume_id, "size": spec.size})
            try:
                location = self._make(context, spec, snapshot_id,
                                      source_volid, image_id)
            except Exception as err:
                LOG.error("Creating volume %(id)s failed: %(err)s",
                          {"id": volume_id, "err": err},
                          exc_info=not isinstance(
                              err, exception.NimbusException))
                self._set(volume_id, st.CREATING, status=st.ERROR,
                          fault_message=_fault(err))
                return
            self._set(volume_id, st.CREATING, status=st.AVAILABLE,
                      provider_location=location, fault_message=None)
            LOG.info("Created volume %(id)s (%(size)sGB)",
                     {"id": volume_id, "size": spec.size})

    def _make(self, context, spec, snapshot_id, source_volid, image_id):
        ctx = self._admin()
        if snapshot_id:
            snapshot = self.db.volumes.get_snapshot(ctx, snapshot_id)
            return self.driver.create_volume_from_snapshot(
                spec, self._snapshot_spec(snapshot))
        if source_volid:
            source = self.db.volumes.get_volume(ctx, source_volid)
            return self.driver.create_cloned_volume(spec, self._spec(source))
        location = self.driver.create_volume(spec)
        fault_injection.pause_point(self.conf, "volume.create", spec.id)
        if image_id:
            spec.provider_location = location
            try:
                self._copy_image(context, spec, image_id)
            except Exception:
                with contextlib.suppress(Exception):
                    self.driver.delete_volume(spec)
                raise
        return location

    def _copy_image(self, context, spec, image_id):
        image = self.images.get(context, image_id)
        path = self.images.local_path(context, image_id)
        # An AMI machine image is a raw disk (as the hypervisors read it).
        disk_format = _IMAGE_FORMATS.get(image["disk_format"],
                                         image["disk_format"])
        if path is not None:
            self.driver.copy_image_to_volume(spec, path, disk_format)
            return
        with self._scratch_file("image-") as scratch:
            with open(scratch, "wb") as handle:
                for chunk in self.images.download(context, image_id):
                    handle.write(chunk)
            self.driver.copy_image_to_volume(spec, scratch, disk_format)

    @contextlib.contextmanager
    def _scratch_file(self, prefix):
        directory = os.path.join(self.conf.state_path, "volume-scratch")
        os.makedirs(directory, exist_ok=True)
        handle, path = tempfile.mkstemp(prefix=prefix, dir=directory)
        os.close(handle)
        try:
            yield path
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    # -- delete / extend --------------------------------------------------------

    def delete_volume(self, context, volume_id):
        """Remove the ``deleting`` volume: export, backend, record."""
        with self._working_on(volume_id):
            row = self._row_in(volume_id, st.DELETING)
            if row is not None:
                self._delete(row)

    def _delete(self, row):
        spec = self._spec(row)
        try:
            if row["export_json"]:
                self.target_plugin.remove_export(
                    spec, json.loads(row["export_json"]))
            self.driver.delete_volume(spec)
        except exception.VolumeIsBusy as err:
            self._set(row["id"], st.DELETING, status=st.AVAILABLE,
                      fault_message=_fault(err))
            return
        except Exception as err:
            LOG.error("Deleting volume %(id)s failed: %(err)s",
                      {"id": row["id"], "err": err})
            self._set(row["id"], st.DELETING, status=st.ERROR_DELETING,
                      fault_message=_fault(err))
            return
        with contextlib.suppress(exception.VolumeNotFound,
                                 exception.VolumeInvalidState):
            self.db.volumes.destroy_volume(self._admin(), row["id"],
                                           expected_status=st.DELETING)
        LOG.info("Deleted volume %s", row["id"])

    def extend_volume(self, context, volume_id, new_size, previous_status):
        """Grow the ``extending`` volume, then restore its status."""
        with self._working_on(volume_id):
            row = self._row_in(volume_id, st.EXTENDING)
            if row is None:
                return
            try:
                self.driver.extend_volume(self._spec(row), new_size)
            except Exception as err:
                LOG.error("Extending volume %(id)s failed: %(err)s",
                          {"id": volume_id, "err": err})
                self._set(volume_id, st.EXTENDING,
                          status=st.ERROR_EXTENDING,
                          fault_message=_fault(err))
                return
            grown = self._set(volume_id, st.EXTENDING,
                              status=previous_status, size=new_size,
                              fault_message=None)
        # An attached volume's servers learn the new size (Cinder's
        # volume-extended event to Nova).
        if grown is not None and previous_status == st.IN_USE:
            self.compute_events.volume_extended(context, volume_id)

    def reimage_volume(self, context, volume_id, image_id, previous_status):
        """Write ``image_id`` onto the ``downloading`` volume (RPC 1.1),
        record the image as the volume's image metadata and set
        ``previous_status``; ``error`` on failure (Cinder's)."""
        with self._working_on(volume_id):
            row = self._row_in(volume_id, st.DOWNLOADING)
            if row is None:
                return
            try:
                self._copy_image(context, self._spec(row), image_id)
                meta = views.image_metadata(
                    self.images.get(context, image_id))
            except Exception as err:
                LOG.error("Re-imaging volume %(id)s failed: %(err)s",
                          {"id": volume_id, "err": err})
                self._set(volume_id, st.DOWNLOADING, status=st.ERROR,
                          fault_message=_fault(err))
                return
            self._set(volume_id, st.DOWNLOADING, status=previous_status,
                      image_metadata_json=json.dumps(meta),
                      fault_message=None)
            LOG.info("Re-imaged volume %(id)s with image %(image)s",
                     {"id": volume_id, "image": image_id})

    # -- snapshots --------------------------------------------------------------

    def create_snapshot(self, context, snapshot_id):
        ctx = self._admin()
        try:
            snapshot = self.db.volumes.get_snapshot(ctx, snapshot_id)
        except exception.SnapshotNotFound:
            return
        with self._working_on(snapshot["volume_id"]), \
                self._working_on(snapshot_id):
            snapshot = self.db.volumes.get_snapshot(ctx, snapshot_id)
            if snapshot["status"] != st.CREATING:
                return
            volume = self.db.volumes.get_volume(ctx, snapshot["volume_id"])
            try:
                location = self.driver.create_snapshot(
                    self._snapshot_spec(snapshot), self._spec(volume))
            except Exception as err:
                LOG.error("Snapshot %(id)s failed: %(err)s",
                          {"id": snapshot_id, "err": err})
                self._set_snapshot(snapshot_id, st.CREATING,
                                   status=st.ERROR,
                                   fault_message=_fault(err))
                return
            self._set_snapshot(snapshot_id, st.CREATING,
                               status=st.AVAILABLE, progress="100%",
                               provider_location=location)

    def delete_snapshot(self, context, snapshot_id):
        ctx = self._admin()
        try:
            snapshot = self.db.volumes.get_snapshot(ctx, snapshot_id)
        except exception.SnapshotNotFound:
            return
        with self._working_on(snapshot["volume_id"]), \
                self._working_on(snapshot_id):
            snapshot = self.db.volumes.get_snapshot(ctx, snapshot_id)
            if snapshot["status"] == st.DELETING:
                self._delete_snapshot(snapshot)

    def _delete_snapshot(self, snapshot):
        ctx = self._admin()
        volume = self.db.volumes.get_volume(ctx, snapshot["volume_id"])
        try:
            self.driver.delete_snapshot(self._snapshot_spec(snapshot),
                                        self._spec(volume))
        except Exception as err:
            LOG.error("Deleting snapshot %(id)s failed: %(err)s",
                      {"id": snapshot["id"], "err": err})
            self._set_snapshot(snapshot["id"], st.DELETING,
                               status=st.ERROR_DELETING,
                               fault_message=_fault(err))
            return
        with contextlib.suppress(exception.SnapshotNotFound,
                                 exception.SnapshotInvalidState):
            self.db.volumes.destroy_snapshot(ctx, snapshot["id"],
                                             expected_status=st.DELETING)

    def _set_snapshot(self, snapshot_id, expected, **values):
        try:
            return self.db.volumes.update_snapshot(
                self._admin(), snapshot_id, values, expected_status=expected)
        except (exception.SnapshotNotFound,
                exception.SnapshotInvalidState) as err:
            LOG.warning("Snapshot %(id)s changed under the operation: "
                        "%(err)s", {"id": snapshot_id, "err": err})
            return None

    # -- images -----------------------------------------------------------------

    def upload_to_image(self, context, volume_id, image_id, disk_format):
        """Copy the ``uploading`` volume into the queued image."""
        with self._working_on(volume_id):
            row = self._row_in(volume_id, st.UPLOADING)
            if row is None:
                return
            try:
                with self._scratch_file("upload-") as scratch:
                    os.unlink(scratch)
                    self.driver.copy_volume_to_image(self._spec(row),
                                                     scratch, disk_format)
                    self.images.upload(context, image_id,
                                       _read_chunks(scratch))
            except Exception as err:
                LOG.error("Uploading volume %(id)s to image %(image)s "
                          "failed: %(err)s", {"id": volume_id,
                                              "image": image_id, "err": err})
                with contextlib.suppress(Exception):
                    self.images.delete(context, image_id)
                self._set(volume_id, st.UPLOADING, status=st.AVAILABLE,
                          fault_message=_fault(err))
                return
            self._set(volume_id, st.UPLOADING, status=st.AVAILABLE,
                      fault_message=None)

    # -- connections --------------------------------------------------------------

    def initialize_connection(self, context, volume_id, connector):
        """Export the volume if it is not yet and return the connection
        info for ``connector`` (``shareable`` for a multiattach volume:
        the compute attaches it as a disk other guests share)."""
        with self._working_on(volume_id):
            row = self.db.volumes.get_volume(self._admin(), volume_id)
            spec = self._spec(row)
            device = self.driver.local_path(spec)
            if row["export_json"]:
                export = json.loads(row["export_json"])
            else:
                export = self.target_plugin.create_export(spec, device)
                try:
                    self.db.volumes.update_volume(
                        self._admin(), volume_id,
                        {"export_json": json.dumps(export)})
                except Exception:
                    self.target_plugin.remove_export(spec, export)
                    raise
            fault_injection.pause_point(self.conf, "volume.connect", volume_id)
            info = self.target_plugin.initialize_connection(
                spec, device, export, connector)
            return dict(info, shareable=bool(row["multiattach"]))

    def terminate_connection(self, context, volume_id, connector):
        """Undo the connection and remove the export.

        A multiattach volume attached to several servers keeps its export
        while another server uses it, and its connection to
        ``connector``'s host while another server there uses it. The
        attachment being detached is still recorded when this runs; an
        attach that failed (the volume ``attaching``) has none recorded.
        """
        with self._working_on(volume_id):
            row = self.db.volumes.get_volume(self._admin(), volume_id)
            if not row["export_json"]:
                return
            spec = self._spec(row)
            export = json.loads(row["export_json"])
            hosts = [a["attached_host"] for a in
                     self.db.volumes.get_attachments(
                         self._admin(), volume_id=volume_id,
                         attach_status=st.ATTACH_ATTACHED)]
            going = 0 if row["status"] == st.ATTACHING else 1
            if hosts.count(connector.get("host")) > going:
                return
            self.target_plugin.terminate_connection(spec, export, connector)
            if len(hosts) > going:
                return
            self.target_plugin.remove_export(spec, export)
            self.db.volumes.update_volume(self._admin(), volume_id,
                                          {"export_json": None})


def _read_chunks(path):
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk:
                return
            yield chunk
