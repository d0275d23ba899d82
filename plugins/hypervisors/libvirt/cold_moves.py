"""Resize and cold migration for the libvirt plugin (hypervisor contract
1.2, capability ``cold_migration``).

Source (:meth:`migrate_disk_and_power_off`): the guest is shut down
cleanly (the ACPI power button, pressed again every 5 s, up to
``timeout`` seconds, then forced off), its
persistent definition saved as ``domain.xml`` in its directory, the
domain undefined, and the directory renamed ``<uuid>_resize``: the
set-aside copy a revert brings back, untouched by ``destroy``.

Transport: the destination PULLS the disks from the source's libvirtd
over libvirt's storage API, with no ssh and no shared storage. It opens
the source's ``[libvirt] live_migration_inbound_uri`` (sent in
``disk_info``: the source knows its own address, the destination's
libvirt URI is unknown to it), starts a transient ``dir`` storage pool
on the set-aside directory there, and downloads each disk file as a
volume through a sparse ``virStream`` (holes are not sent). The pool is
destroyed after (a transient dir pool leaves its files alone). A qcow2
overlay keeps its backing reference: the destination fetches the same
base image into its own cache and, if the path differs, rebases the
overlay onto it (``qemu-img rebase -u``). Swap is not carried; it is
made anew. On a move within one host the files are copied locally.

Destination (:meth:`finish_migration`): the root and ephemeral disks
are grown to the new flavor (``qemu-img resize``, arguments checked by
:mod:`.imagecache`; disks never shrink) and the domain defined with the
new vCPUs and RAM, then started when asked. Confirm removes the
set-aside directory; revert renames it back and defines the saved
domain again.
"""

import json
import os
import shutil
import time
import uuid as uuidlib

import libvirt
from oslo_concurrency import processutils
from oslo_log import log as logging
from oslo_utils import excutils

from nimbus.core import exception
from nimbus.core.interfaces import power_state
from nimbus.plugins.hypervisors.libvirt import builder, imagecache

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3
ASIDE_SUFFIX = "_resize"
#: seconds between presses of the power button while a guest shuts down.
_PRESS_AGAIN = 5.0
SAVED_XML = "domain.xml"
#: local disks carried by a move (swap is made anew on the destination).
_CARRIED = ("disk", "disk.eph0")


def _qemu_info(path):
    out, _err = processutils.execute(
        "qemu-img", "info", "--force-share", "--output=json", path)
    return json.loads(out)


def _pool_xml(name, path):
    return (f"<pool type='dir'><name>{name}</name>"
            f"<target><path>{path}</path></target></pool>")


def download_volume(uri, directory, name, dest):
    """Copy the file ``directory/name`` of the libvirt host ``uri`` to
    the local ``dest`` through a transient dir pool and a sparse stream.

    :raises HypervisorError: the host, pool, volume or stream failed.
    """
    pool_name = f"nimbus-move-{uuidlib.uuid4().hex[:12]}"
    partial = dest + ".part"
    try:
        conn = libvirt.open(uri)
    except libvirt.libvirtError as err:
        raise exception.HypervisorError(
            reason=f"cannot reach {uri}: {err.get_error_message()}") from err
    pool = None
    try:
        pool = conn.storagePoolCreateXML(_pool_xml(pool_name, directory), 0)
        vol = pool.storageVolLookupByName(name)
        stream = conn.newStream(0)
        with open(partial, "wb") as f:
            vol.download(stream, 0, 0,
                         libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)

            def data(_st, chunk, fh):
                return fh.write(chunk)

            def hole(_st, length, fh):
                fh.seek(length, os.SEEK_CUR)
                return 0

            stream.sparseRecvAll(data, hole, f)
            stream.finish()
            f.truncate()
        os.replace(partial, dest)
    except libvirt.libvirtError as err:
        raise exception.HypervisorError(
            reason=f"copying {name} from {uri}: "
                   f"{err.get_error_message()}") from err
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
        if pool is not None:
            try:
                pool.destroy()
            except libvirt.libvirtError:
                LOG.warning("Could not stop pool %s on %s", pool_name, uri)
        conn.close()


class LibvirtColdMoveMixin:
    """The cold-move methods of :class:`LibvirtDriver`."""

    def _aside_dir(self, uuid):
        return os.path.join(self._instances_path, uuid + ASIDE_SUFFIX)

    # -- source -------------------------------------------------------------

    def migrate_disk_and_power_off(self, context, uuid, dest_host, spec,
                                   timeout=0):
        paths = builder.InstancePaths(self._instances_path, uuid)
        aside = self._aside_dir(uuid)
        guest = self._host.find(uuid)
        if guest is None:
            if os.path.isfile(os.path.join(aside, SAVED_XML)):
                # A repeated call: already set aside.
                return self._disk_info(uuid, aside, dest_host)
            raise exception.HypervisorInstanceNotFound(instance_id=uuid)
        self._check_fits(paths, spec)
        was_running = guest.is_active()
        xml = guest.xml(inactive=True)
        started = time.monotonic()
        self._shut_down(guest, timeout)
        stopped = time.monotonic() - started
        saved = os.path.join(paths.dir, SAVED_XML)
        try:
            os.makedirs(paths.dir, exist_ok=True)
            with open(saved, "w") as f:
                f.write(xml)
            if os.path.isdir(aside):
                shutil.rmtree(aside)
            os.rename(paths.dir, aside)
            guest.undefine()
        except Exception:
            with excutils.save_and_reraise_exception():
                LOG.warning("Setting %s aside failed; restoring it", uuid)
                if os.path.isdir(aside) and not os.path.exists(paths.dir):
                    os.rename(aside, paths.dir)
                if os.path.exists(saved):
                    os.unlink(saved)
                if self._host.find(uuid) is None:
                    self._host.define(xml)
                if was_running:
                    self._host.lookup(uuid).start()
        LOG.info("Set %(uuid)s aside for a move to %(dest)s (stopped in "
                 "%(s).2f s)", {"uuid": uuid, "dest": dest_host,
                                "s": stopped})
        return self._disk_info(uuid, aside, dest_host)

    def _shut_down(self, guest, timeout):
        """Stop the guest: the power button, pressed again every few
        seconds (a guest still booting ignores the first press, as it
        does an early hot-unplug), for up to ``timeout`` seconds; then
        forced off."""
        if guest.has_managed_save():
            guest.remove_managed_save()
        deadline = time.monotonic() + timeout
        while guest.is_active() and time.monotonic() < deadline:
            if guest.state() != power_state.RUNNING:
                break
            guest.shutdown(acpi=self._acpi)
            wait = min(_PRESS_AGAIN, max(0.0, deadline - time.monotonic()))
            stop = time.monotonic() + wait
            while guest.is_active() and time.monotonic() < stop:
                time.sleep(0.2)
        if guest.is_active():
            if timeout:
                LOG.warning("%(name)s did not shut down within %(t)s s; "
                            "forcing it off", {"name": guest.name,
                                               "t": timeout})
            guest.destroy()

    def _check_fits(self, paths, spec):
        """Refuse (ResizeError) a flavor whose root or ephemeral disk is
        smaller than the guest's disk (beyond the image's own size)."""
        for path, gb, what in ((paths.disk, spec.root_gb, "root"),
                               (paths.ephemeral, spec.ephemeral_gb,
                                "ephemeral")):
            if not os.path.exists(path):
                continue
            info = _qemu_info(path)
            current = int(info["virtual-size"])
            floor = 0
            backing = info.get("full-backing-filename") or \
                info.get("backing-filename")
            if backing and os.path.exists(backing):
                floor = imagecache.virtual_size(
                    backing, info.get("backing-filename-format") or "raw")
            if max(gb * GiB, floor) < current:
                raise exception.ResizeError(
                    reason=f"the {what} disk cannot shrink from "
                           f"{current // GiB} GB to {gb} GB")

    def _disk_info(self, uuid, aside, dest_host):
        disks = []
        for name in _CARRIED:
            path = os.path.join(aside, name)
            if not os.path.exists(path):
                continue
            info = _qemu_info(path)
            disks.append({
                "name": name, "format": info.get("format", "raw"),
                "backing": info.get("full-backing-filename")
                or info.get("backing-filename"),
                "backing_format": info.get("backing-filename-format")})
        return {"source_host": self.host, "dest_host": dest_host,
                "source_uri": self._opts.live_migration_inbound_uri or None,
                "aside": aside, "disks": disks}

    def confirm_migration(self, context, uuid, same_host):
        aside = self._aside_dir(uuid)
        if os.path.isdir(aside):
            shutil.rmtree(aside)
            LOG.info("Removed the set-aside copy of %s", uuid)

    def finish_revert_migration(self, context, spec, power_on=True):
        uuid = spec.uuid
        aside = self._aside_dir(uuid)
        saved = os.path.join(aside, SAVED_XML)
        if os.path.isfile(saved):
            paths = builder.InstancePaths(self._instances_path, uuid)
            moved = self._host.find(uuid)
            if moved is not None:  # the same host's moved guest
                moved.destroy()
                moved.undefine()
            if os.path.isdir(paths.dir):
                shutil.rmtree(paths.dir)
            os.rename(aside, paths.dir)
            restored = os.path.join(paths.dir, SAVED_XML)
            with open(restored) as f:
                self._host.define(f.read())
            os.unlink(restored)
            LOG.info("Brought %s back from its set-aside copy", uuid)
        guest = self._host.lookup(uuid)
        if power_on and not guest.is_active():
            guest.start()

    # -- destination --------------------------------------------------------

    def finish_migration(self, context, spec, disk_info, power_on=True):
        uuid = spec.uuid
        if self._host.find(uuid) is not None:
            raise exception.InstanceExists(name=uuid)
        paths = builder.InstancePaths(self._instances_path, uuid)
        if os.path.isdir(paths.dir):
            LOG.warning("Removing stale files of %s", uuid)
            shutil.rmtree(paths.dir)
        os.makedirs(paths.dir, mode=0o755)
        try:
            started = time.monotonic()
            self._receive_disks(spec, paths, disk_info)
            LOG.info("Received the disks of %(uuid)s from %(src)s in "
                     "%(s).2f s", {"uuid": uuid, "s": time.monotonic() -
                                   started,
                                   "src": disk_info.get("source_host")})
            self._create(spec, paths, moved=True, start=power_on)
        except Exception as err:
            with excutils.save_and_reraise_exception() as ctx:
                LOG.warning("Finishing the move of %s failed; cleaning up",
                            uuid)
                if disk_info.get("source_host") == self.host:
                    self._remove_moved(uuid, paths)
                else:
                    self._remove(uuid, paths)
                if isinstance(err, (OSError, processutils.
                                    ProcessExecutionError)):
                    ctx.reraise = False
                    raise exception.HypervisorError(
                        reason=f"finishing the move of {uuid}: {err}"
                    ) from err

    def _remove_moved(self, uuid, paths):
        """On the source host itself: remove only the moved guest, never
        the iSCSI secrets the set-aside guest still uses."""
        guest = self._host.find(uuid)
        if guest is not None:
            guest.destroy()
            guest.undefine()
        shutil.rmtree(paths.dir, ignore_errors=True)

    def _receive_disks(self, spec, paths, disk_info):
        aside = disk_info["aside"]
        local = disk_info.get("source_host") == self.host
        uri = disk_info.get("source_uri")
        if not local and not uri:
            raise exception.HypervisorError(
                reason=f"host {disk_info.get('source_host')} has no "
                       "[libvirt] live_migration_inbound_uri: its disks "
                       "cannot be fetched")
        for disk in disk_info.get("disks", []):
            name = disk["name"]
            if name not in _CARRIED:
                raise exception.HypervisorError(
                    reason=f"unexpected disk {name!r} in a move")
            dest = os.path.join(paths.dir, name)
            if local:
                shutil.copyfile(os.path.join(aside, name), dest)
            else:
                download_volume(uri, aside, name, dest)
            if disk.get("backing"):
                self._rebase_on_local_base(spec, dest, disk)

    def _rebase_on_local_base(self, spec, path, disk):
        """Point a moved overlay at this host's cached base image."""
        image = spec.image
        if image is None or not image.path:
            raise exception.HypervisorError(
                reason=f"the disk of {spec.uuid} is an overlay but its "
                       "image has no local data here")
        base = self._cache.fetch(image.id, image.path)
        if os.path.normpath(base) != os.path.normpath(disk["backing"]):
            imagecache._run(imagecache.rebase_args(
                path, base, disk.get("backing_format") or "raw"))
