"""Live migration between libvirt hosts (hypervisor interface 1.3).

Peer to peer: the source's libvirtd connects to the destination's
(``[libvirt] live_migration_inbound_uri`` of the destination, e.g.
``qemu+tcp://host-b/system``) and QEMU streams the guest to the
destination's ``live_migration_inbound_addr``; the domain becomes
persistent there and is undefined here. Without shared storage the
destination pre-creates each local disk (a qcow2 overlay on the same
base image, fetched into its own cache, or an empty disk of the same
size) and libvirt copies the disks over NBD
(``VIR_MIGRATE_NON_SHARED_INC``). Shared storage is detected with a
marker file the destination writes into its instances path.
"""

import json
import os
import shutil
import threading
import uuid as uuidlib
import xml.etree.ElementTree as ET

import libvirt
from oslo_concurrency import processutils
from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state
from nimbus.plugins.hypervisors.libvirt import builder, imagecache

LOG = logging.getLogger(__name__)

_POLL = 0.5
_BASE_FLAGS = (libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER
               | libvirt.VIR_MIGRATE_PERSIST_DEST
               | libvirt.VIR_MIGRATE_UNDEFINE_SOURCE)


def _precheck(reason):
    return exception.LiveMigrationPreCheckError(reason=reason)


class LibvirtLiveMigrationMixin:
    """The live-migration methods of :class:`LibvirtDriver`."""

    def _lm_jobs(self):
        if not hasattr(self, "_live_jobs"):
            self._live_jobs = {}
        return self._live_jobs

    # -- checks -------------------------------------------------------------

    def check_can_live_migrate_destination(self, context, spec,
                                           block_migration):
        opts = self._opts
        if not opts.live_migration_inbound_uri:
            raise _precheck(f"host {self.host} takes no live migrations "
                            "([libvirt] live_migration_inbound_uri unset)")
        if self._host.find(spec.uuid) is not None:
            raise _precheck(f"{spec.uuid} already has a domain on "
                            f"{self.host}")
        _arch, memory_mb, _cpus = self._host.node_info()
        if spec.memory_mb > memory_mb:
            raise _precheck(f"{self.host} has {memory_mb} MiB, the guest "
                            f"needs {spec.memory_mb}")
        marker = f".nimbus-lm-{uuidlib.uuid4().hex}"
        with open(os.path.join(self._instances_path, marker), "w"):
            pass
        return hv.LiveMigrateData(
            block_migration=block_migration,
            dest_address=opts.live_migration_inbound_addr,
            dest_uri=opts.live_migration_inbound_uri,
            plugin={"marker": marker})

    def cleanup_live_migration_destination_check(self, context, data):
        marker = hv.LiveMigrateData.from_dict(data).plugin.get("marker")
        if marker and "/" not in marker:
            try:
                os.unlink(os.path.join(self._instances_path, marker))
            except FileNotFoundError:
                pass

    def check_can_live_migrate_source(self, context, uuid, data):
        data = hv.LiveMigrateData.from_dict(data)
        guest = self._host.lookup(uuid)
        if not guest.is_active():
            raise _precheck(f"{uuid} is not running")
        marker = data.plugin.get("marker", "")
        shared = bool(marker) and "/" not in marker and os.path.exists(
            os.path.join(self._instances_path, marker))
        data.is_shared_instance_path = shared
        if data.block_migration is None:
            data.block_migration = not shared
        if data.block_migration and shared:
            raise _precheck(f"{self.host} and the destination share the "
                            "instances path: block migration is not "
                            "possible")
        if not data.block_migration and not shared:
            raise _precheck(f"{self.host} and the destination share no "
                            "storage: the migration must copy the disks "
                            "(block_migration)")
        disks = self._local_disk_info(guest)
        data.disk_sizes = {d["path"]: d["virtual_size"] for d in disks}
        data.plugin["disks"] = disks
        return data

    def _local_disk_info(self, guest):
        """``[{path, dev, format, virtual_size, backing, backing_format}]``
        of the guest's file disks under the instances path."""
        disks = []
        root = ET.fromstring(guest.xml())
        for disk in root.findall("./devices/disk[@type='file']"):
            source = disk.find("source")
            target = disk.find("target")
            path = source.get("file") if source is not None else None
            if not path or not path.startswith(self._instances_path + "/"):
                continue
            out, _err = processutils.execute(
                "qemu-img", "info", "--force-share", "--output=json", path)
            info = json.loads(out)
            disks.append({
                "path": path, "dev": target.get("dev"),
                "format": info.get("format", "raw"),
                "virtual_size": int(info["virtual-size"]),
                "backing": info.get("backing-filename"),
                "backing_format": info.get("backing-filename-format")})
        return disks

    # -- destination --------------------------------------------------------

    def pre_live_migration(self, context, spec, data):
        data = hv.LiveMigrateData.from_dict(data)
        if data.is_shared_instance_path:
            return data
        paths = builder.InstancePaths(self._instances_path, spec.uuid)
        os.makedirs(paths.dir, mode=0o755, exist_ok=True)
        image = spec.image
        if image is not None and image.path:
            self._cache.fetch(image.id, image.path)
        for part in (getattr(image, "kernel", None),
                     getattr(image, "ramdisk", None)):
            if part is not None:
                self._cache.fetch(part.id, part.path)
        for disk in data.plugin.get("disks", []):
            path = disk["path"]
            if os.path.dirname(path) != paths.dir or os.path.exists(path):
                continue
            backing = disk.get("backing")
            if backing and not os.path.exists(backing):
                backing = None  # no base here: copy the whole disk
            args = imagecache.create_args(
                path, disk["format"], disk["virtual_size"], backing,
                disk.get("backing_format") or "raw")
            processutils.execute(*args)
            disk["copy_all"] = backing is None
        return data

    def post_live_migration_at_destination(self, context, spec, data):
        guest = self._host.lookup(spec.uuid)
        if not guest.is_persistent():
            self._host.define(guest.xml())
        if guest.state() == power_state.PAUSED:
            guest.resume()  # a forced completion paused it

    def rollback_live_migration_at_destination(self, context, uuid, data):
        data = hv.LiveMigrateData.from_dict(data)
        guest = self._host.find(uuid)
        if guest is not None:
            guest.destroy()
            guest.undefine()
        if not data.is_shared_instance_path:
            paths = builder.InstancePaths(self._instances_path, uuid)
            shutil.rmtree(paths.dir, ignore_errors=True)

    # -- source -------------------------------------------------------------

    def live_migration(self, context, uuid, data, progress):
        data = hv.LiveMigrateData.from_dict(data)
        guest = self._host.lookup(uuid)
        dom = guest._domain
        params = {libvirt.VIR_MIGRATE_PARAM_URI: f"tcp://{data.dest_address}",
                  libvirt.VIR_MIGRATE_PARAM_LISTEN_ADDRESS:
                      data.dest_address}
        flags = _BASE_FLAGS
        disks = data.plugin.get("disks", [])
        if data.block_migration and disks:
            full = any(d.get("copy_all") for d in disks)
            flags |= (libvirt.VIR_MIGRATE_NON_SHARED_DISK if full
                      else libvirt.VIR_MIGRATE_NON_SHARED_INC)
            params[libvirt.VIR_MIGRATE_PARAM_MIGRATE_DISKS] = [
                d["dev"] for d in disks]
        job = {"error": None, "abort": False, "done": threading.Event()}

        def run():
            try:
                dom.migrateToURI3(data.dest_uri, params, flags)
            except libvirt.libvirtError as err:
                job["error"] = err
            finally:
                job["done"].set()
        self._lm_jobs()[uuid] = (dom, job)
        try:
            threading.Thread(target=run, daemon=True,
                             name=f"live-migrate-{uuid[:8]}").start()
            while not job["done"].wait(_POLL):
                self._report(dom, progress)
        finally:
            self._lm_jobs().pop(uuid, None)
        if job["error"] is not None:
            if job["abort"]:
                raise exception.LiveMigrationAborted(instance_uuid=uuid)
            raise exception.LiveMigrationError(
                instance_uuid=uuid,
                reason=job["error"].get_error_message())
        LOG.info("Live-migrated %(uuid)s to %(uri)s",
                 {"uuid": uuid, "uri": data.dest_uri})

    @staticmethod
    def _report(dom, progress):
        try:
            stats = dom.jobStats()
        except libvirt.libvirtError:
            return
        if not stats or stats.get("type") == libvirt.VIR_DOMAIN_JOB_NONE:
            return
        progress(hv.LiveMigrationProgress(**{
            key: int(stats.get(key, 0)) for key in (
                "memory_total", "memory_processed", "memory_remaining",
                "disk_total", "disk_processed", "disk_remaining")}))

    def _running_job(self, uuid):
        entry = self._lm_jobs().get(uuid)
        if entry is None:
            raise exception.LiveMigrationError(
                instance_uuid=uuid, reason="no migration is running")
        return entry

    def live_migration_abort(self, uuid):
        dom, job = self._running_job(uuid)
        job["abort"] = True
        try:
            dom.abortJob()
        except libvirt.libvirtError as err:
            raise exception.LiveMigrationError(
                instance_uuid=uuid, reason=err.get_error_message())

    def live_migration_force_complete(self, uuid):
        dom, _job = self._running_job(uuid)
        try:
            dom.suspend()  # a paused guest dirties no memory: it converges
        except libvirt.libvirtError as err:
            raise exception.LiveMigrationError(
                instance_uuid=uuid, reason=err.get_error_message())

    def live_migration_in_progress(self, uuid):
        guest = self._host.find(uuid)
        if guest is None:
            return False
        try:
            return guest._domain.jobInfo()[0] != libvirt.VIR_DOMAIN_JOB_NONE
        except libvirt.libvirtError:
            return False

    def post_live_migration(self, context, uuid, data):
        data = hv.LiveMigrateData.from_dict(data)
        if self._host.find(uuid) is not None:
            raise exception.LiveMigrationError(
                instance_uuid=uuid, reason=f"the domain is still on "
                                           f"{self.host}")
        if not data.is_shared_instance_path:
            shutil.rmtree(builder.InstancePaths(
                self._instances_path, uuid).dir, ignore_errors=True)

