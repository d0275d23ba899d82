"""The compute manager's image workflows (compute RPC 1.7): rebuild (and
evacuate's rebuild on a new host), snapshot, shelve, shelve-offload,
unshelve, rescue and unrescue.

:class:`ImageWorkflowsMixin` is mixed into
:class:`nimbus.core.compute.manager.ComputeManager` and relies on its
``driver``, ``images``, ``network``, ``host``, ``lock``, VIF and volume
helpers. Each method holds the instance's lock, moves the task state with
a guard from the state the API (or conductor) set, records an event under
the action the API recorded, and on failure puts the instance back (or in
ERROR when its guest is gone) with a fault.
"""

import os
import shutil
import tempfile
import time

from oslo_log import log as logging
from oslo_utils import timeutils

from nimbus.core import exception
from nimbus.core.compute import guest_spec, task_states, vm_states
from nimbus.core.compute.manager_volumes import disk_spec
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state
from nimbus.core.objects import compute_node, instance_action
from nimbus.core.objects.volume_connection import VolumeConnection

LOG = logging.getLogger(__name__)

_CHUNK = 1 << 20


class ImageWorkflowsMixin:
    """RPC methods of the image workflows; see the module doc."""

    # -- helpers ------------------------------------------------------------

    def _event(self, context, instance, name):
        """An instance-action event context: start now, finish with
        Success or Error (never fails the workflow)."""
        return _Event(context, instance.uuid, name, self.host)

    def _workflow_failed(self, context, instance, err, expected,
                         guest_gone=False):
        """Record ``err`` as the fault; ERROR when the guest is gone,
        else back to idle in its vm_state."""
        LOG.warning("%(task)s of %(uuid)s failed: %(err)s",
                    {"task": expected, "uuid": instance.uuid, "err": err})
        if guest_gone:
            self.set_error(context, instance, err, expected)
            return
        self._revert_task_state(context, instance, expected[0], err)

    def _own_vifs(self, context, instance, moved=False, with_network=True):
        """The instance's VIFs, plugged here, as VifSpecs.

        :param moved: it just came to this host (evacuate, unshelve):
            its ports were moved here by conductor; read them from
            nimbus-network when ``with_network`` (it has ports).
        """
        vifs = None if moved else self._vifs.get(instance.uuid)
        if vifs is None and ((moved and with_network) or
                             (not moved and not self._vifs_known)):
            vifs = [v for v in self.network.get_host_vifs(context, self.host)
                    if v.get("instance_uuid") == instance.uuid]
        vifs = vifs or []
        if vifs:
            self._vifs[instance.uuid] = vifs
        return self._plug_vifs(instance.uuid, vifs)

    def _attached_volume_disks(self, context, instance):
        """DiskSpecs of the instance's attached volumes, connected to this
        host (evacuate and unshelve bring them along); a volume-backed
        server's root volume first, with boot index 0."""
        connector = self.volume_connector()
        root = _root_volume_id(context, instance)
        disks = []
        for entry in sorted(
                VolumeConnection.attachments(context, instance.uuid),
                key=lambda e: e["volume_id"] != root):
            info = VolumeConnection.initialize(context, entry["volume_id"],
                                               connector)
            disks.append(disk_spec(
                info, entry["volume_id"], entry.get("device"),
                0 if entry["volume_id"] == root else None))
        return disks

    def _reimage_root(self, context, instance, image_ref):
        """Have the volume service write ``image_ref`` onto the root
        volume (disconnected from this host meanwhile) and wait until it
        is done: ``[compute] reimage_timeout_per_gb`` seconds a GiB.

        :raises VolumeInvalidState: it failed (the volume is ``error``)
            or took too long.
        """
        volume_id = _root_volume_id(context, instance)
        VolumeConnection.terminate(context, volume_id,
                                   self.volume_connector())
        VolumeConnection.reimage(context, volume_id, image_ref)
        volume = VolumeConnection.get(context, volume_id)
        deadline = time.monotonic() + max(1, volume["size"]) * \
            self.conf.compute.reimage_timeout_per_gb
        while volume["status"] == "downloading" and \
                time.monotonic() < deadline:
            time.sleep(0.5)
            volume = VolumeConnection.get(context, volume_id)
        if volume["status"] != "in-use":
            raise exception.VolumeInvalidState(
                action="reimage", volume_id=volume_id,
                status=volume["status"], expected="in-use")

    def _spawn_again(self, context, instance, image_id=None, moved=False,
                     with_network=True):
        """Spawn the instance's guest here from ``image_id`` (default: its
        own image) with its VIFs and attached volumes (see
        :meth:`_own_vifs` for ``moved`` and ``with_network``); the
        image's signature is checked as at a build."""
        spec = guest_spec.build(context, instance, self.images, self.conf)
        if image_id and image_id != instance.image_ref:
            spec.image = guest_spec.image_spec(context, self.images,
                                               image_id)
        spec.vifs = self._own_vifs(context, instance, moved, with_network)
        spec.disks += self._attached_volume_disks(context, instance)
        if spec.root_volume is not None and spec.image is None:
            # As at a build: the root volume's image lends its properties
            # (kernel and ramdisk for direct kernel boot); after a
            # re-image, the new image's.
            volume_id = _root_volume_id(context, instance)
            spec.image = guest_spec.volume_image(
                context, self.images, VolumeConnection.get(context,
                                                           volume_id),
                instance.uuid)
        self.driver.spawn(context, spec)

    def _snapshot_to_image(self, context, instance, image_id):
        """Copy the guest's root disk into image ``image_id`` (queued by
        the API). On failure the image is deleted."""
        try:
            fmt = self._snapshot_format(context, image_id)
            workdir = tempfile.mkdtemp(prefix="snapshot-",
                                       dir=_work_root(self.conf))
            try:
                os.chmod(workdir, 0o755)
                path = os.path.join(workdir, "disk")
                self.driver.snapshot(context, instance.uuid, path, fmt)
                self.images.upload(context, image_id, _chunks(path))
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
        except Exception:
            self._delete_image(context, image_id)
            raise

    def _snapshot_format(self, context, image_id):
        """The format the snapshot is written in: the host's when its
        plugin has one (the image's ``disk_format`` and
        ``container_format`` then say so, as Nova's driver sets them with
        the upload), else the queued image's (raw for any other)."""
        record = self.images.get(context, image_id)
        fmt = self.driver.snapshot_format
        if fmt is None:
            fmt = record.get("disk_format")
            return fmt if fmt in hv.SNAPSHOT_FORMATS else "raw"
        if (record.get("disk_format"), record.get("container_format")) != \
                (fmt, "bare"):
            self.images.update(context, image_id, {
                "disk_format": fmt, "container_format": "bare"})
        return fmt

    def _delete_image(self, context, image_id):
        try:
            self.images.delete(context, image_id)
        except exception.ImageNotFound:
            pass
        except Exception:
            LOG.exception("Could not delete image %s", image_id)

    # -- rebuild and evacuate -------------------------------------------------

    def rebuild_instance(self, context, instance, image_ref,
                         evacuate=False, with_network=True,
                         target_state=None, reimage_boot_volume=False):
        """Rebuild the guest from ``image_ref`` on this host: the same
        host (rebuild) or, with ``evacuate``, a new one chosen by
        conductor while the old host is down. Addresses and volumes stay.
        A server that was STOPPED is stopped again afterwards (Nova's).

        :param with_network: (evacuate) whether the server has ports.
        :param target_state: (evacuate, RPC 1.13) the vm_state to end in
            (``stopped``) unless the server was in ERROR.
        :param reimage_boot_volume: (RPC 1.15) the volume-backed server's
            root volume gets ``image_ref`` first; a volume-backed server
            is otherwise rebuilt on its volume as it is.
        """
        end_state = instance.vm_state
        if evacuate and target_state and end_state != vm_states.ERROR:
            end_state = target_state
        with self.lock(instance.uuid):
            self._rebuild(context, instance, image_ref, evacuate,
                          with_network, end_state == vm_states.STOPPED,
                          reimage_boot_volume)

    def _rebuild(self, context, instance, image_ref, evacuate,
                 with_network, stopped, reimage=False):
        event = "compute_rebuild_instance"
        with self._event(context, instance, event) as ev:
            instance.task_state = task_states.REBUILD_SPAWNING
            if not self.save_quietly(instance, task_states.REBUILDING):
                ev.result = "Error"
                return
            try:
                if not evacuate:
                    self.driver.destroy(context, instance.uuid)
                elif self.driver.instance_exists(instance.uuid):
                    raise exception.InstanceExists(name=instance.uuid)
                if reimage:
                    self._reimage_root(context, instance, image_ref)
                if instance.image_ref:
                    # A volume-backed server's image stays "" (Nova's).
                    instance.image_ref = image_ref
                self._spawn_again(context, instance, moved=evacuate,
                                  with_network=with_network)
                if stopped:
                    self.driver.power_off(instance.uuid, timeout=60)
            except Exception as err:
                ev.fail(err)
                self._destroy_guest(context, instance)
                self._workflow_failed(context, instance, err,
                                      (task_states.REBUILD_SPAWNING,),
                                      guest_gone=True)
                return
            if stopped:
                instance.vm_state = vm_states.STOPPED
                instance.power_state = power_state.SHUTDOWN
            else:
                instance.vm_state = vm_states.ACTIVE
                instance.power_state = power_state.RUNNING
            instance.task_state = None
            instance.launched_at = timeutils.utcnow()
            self.save_quietly(instance, task_states.REBUILD_SPAWNING)

    # -- snapshot -------------------------------------------------------------

    def snapshot_instance(self, context, instance, image_id):
        """Copy the guest's root disk into image ``image_id`` (createImage).
        The server is in the same state afterwards, whatever happens."""
        with self.lock(instance.uuid), \
                self._event(context, instance,
                            "compute_snapshot_instance") as ev:
            instance.task_state = task_states.IMAGE_SNAPSHOT
            if not self.save_quietly(instance,
                                     task_states.IMAGE_SNAPSHOT_PENDING):
                ev.result = "Error"
                self._delete_image(context, image_id)
                return
            try:
                self._snapshot_to_image(context, instance, image_id)
            except Exception as err:
                ev.fail(err)
                self._workflow_failed(context, instance, err,
                                      (task_states.IMAGE_SNAPSHOT,))
                return
            instance.task_state = None
            self.save_quietly(instance, task_states.IMAGE_SNAPSHOT)

    # -- shelve ---------------------------------------------------------------

    def shelve_instance(self, context, instance, image_id):
        """Stop the guest, snapshot it into ``image_id`` (None for a
        volume-backed server) and mark the server SHELVED; offload at
        once when ``[compute] shelved_offload_time`` is 0."""
        offload = self.conf.compute.shelved_offload_time == 0
        with self.lock(instance.uuid):
            with self._event(context, instance,
                             "compute_shelve_instance") as ev:
                if not self._shelve(context, instance, image_id, offload):
                    ev.result = "Error"
                    return
            if offload:
                self._offload(context, instance)

    def _shelve(self, context, instance, image_id, offload):
        """Shelve; when ``offload``, the same write that marks the server
        SHELVED starts the offload, so no reader sees a finished SHELVED
        in between (as in Nova)."""
        instance.task_state = task_states.SHELVING_IMAGE_UPLOADING
        if not self.save_quietly(instance, task_states.SHELVING):
            if image_id:
                self._delete_image(context, image_id)
            return False
        try:
            self.driver.power_off(instance.uuid, timeout=60)
            if image_id:
                self._snapshot_to_image(context, instance, image_id)
        except Exception as err:
            self._workflow_failed(
                context, instance, err,
                (task_states.SHELVING_IMAGE_UPLOADING,))
            return False
        sysmeta = dict(instance.system_metadata)
        sysmeta.update(shelved_at=timeutils.utcnow().isoformat(),
                       shelved_image_id=image_id, shelved_host=self.host)
        instance.system_metadata = sysmeta
        instance.vm_state = vm_states.SHELVED
        instance.power_state = power_state.SHUTDOWN
        instance.task_state = \
            task_states.SHELVING_OFFLOADING if offload else None
        return self.save_quietly(instance,
                                 task_states.SHELVING_IMAGE_UPLOADING)

    def shelve_offload_instance(self, context, instance):
        """Remove a shelved server's guest from this host and free the
        host's resources; its ports and volume attachments stay (the
        addresses come back at unshelve)."""
        with self.lock(instance.uuid):
            self._offload(context, instance)

    def _offload(self, context, instance):
        with self._event(context, instance,
                         "compute_shelve_offload_instance") as ev:
            try:
                self.driver.destroy(context, instance.uuid)
            except Exception as err:
                ev.fail(err)
                self._workflow_failed(context, instance, err,
                                      (task_states.SHELVING_OFFLOADING,))
                return
            self._unplug_vifs(self._vifs.pop(instance.uuid, None) or [])
            self._disconnect_attached(context, instance)
            instance.vm_state = vm_states.SHELVED_OFFLOADED
            instance.power_state = power_state.NOSTATE
            instance.task_state = None
            instance.host = None
            instance.node = None
            if self.save_quietly(instance, task_states.SHELVING_OFFLOADING):
                compute_node.ComputeNode.release_allocations(context,
                                                             instance.uuid)

    def _disconnect_attached(self, context, instance):
        connector = self.volume_connector()
        for entry in VolumeConnection.attachments(context, instance.uuid):
            self._quietly(VolumeConnection.terminate, context,
                          entry["volume_id"], connector)

    def unshelve_instance(self, context, instance, with_network=True):
        """Start a shelved server again: power on its guest if it is
        still here (SHELVED), else spawn it from its shelved image on this
        host, which conductor chose and claimed (``with_network``: the
        server has ports); the image is deleted once the server runs."""
        with self.lock(instance.uuid), \
                self._event(context, instance,
                            "compute_unshelve_instance") as ev:
            sysmeta = dict(instance.system_metadata)
            image_id = sysmeta.get("shelved_image_id")
            instance.task_state = task_states.SPAWNING
            if not self.save_quietly(instance, task_states.UNSHELVING):
                ev.result = "Error"
                return
            offloaded = not self.driver.instance_exists(instance.uuid)
            try:
                if offloaded:
                    self._spawn_again(context, instance, image_id,
                                      moved=True, with_network=with_network)
                else:
                    self.driver.power_on(instance.uuid)
            except Exception as err:
                ev.fail(err)
                if offloaded:
                    self._destroy_guest(context, instance)
                self._workflow_failed(context, instance, err,
                                      (task_states.SPAWNING,),
                                      guest_gone=offloaded)
                return
            for key in ("shelved_at", "shelved_image_id", "shelved_host"):
                sysmeta.pop(key, None)
            instance.system_metadata = sysmeta
            instance.vm_state = vm_states.ACTIVE
            instance.power_state = power_state.RUNNING
            instance.task_state = None
            if self.save_quietly(instance, task_states.SPAWNING) and \
                    image_id and offloaded:
                self._delete_image(context, image_id)

    def offload_due_shelved(self):
        """Periodic: offload servers shelved here longer than
        ``[compute] shelved_offload_time`` seconds (when positive)."""
        wait = self.conf.compute.shelved_offload_time
        if wait <= 0:
            return
        from nimbus.core import context as nimbus_context
        from nimbus.core.objects import instance as instance_obj
        ctx = nimbus_context.get_admin_context()
        now = timeutils.utcnow()
        for instance in instance_obj.InstanceList.get_by_host(ctx,
                                                              self.host):
            at = instance.system_metadata.get("shelved_at")
            if instance.vm_state != vm_states.SHELVED or \
                    instance.task_state is not None or not at:
                continue
            if (now - timeutils.parse_isotime(at).replace(tzinfo=None)
                    ).total_seconds() < wait:
                continue
            instance.task_state = task_states.SHELVING_OFFLOADING
            if self.save_quietly(instance, None):
                with self.lock(instance.uuid):
                    self._offload(ctx, instance)

    # -- rescue ---------------------------------------------------------------

    def rescue_instance(self, context, instance, rescue_image_ref):
        """Restart the guest from ``rescue_image_ref`` with its own disk
        attached second (vm_state RESCUED); a volume-backed guest's
        volumes stay at their devices (RPC 1.15, stable device rescue)."""
        with self.lock(instance.uuid), \
                self._event(context, instance,
                            "compute_rescue_instance") as ev:
            try:
                spec = guest_spec.build(context, instance, self.images)
                if not instance.image_ref:
                    # Stable device rescue: the guest's volumes stay.
                    spec.disks = self._attached_volume_disks(context,
                                                             instance)
                rescue = guest_spec.image_spec(context, self.images,
                                               rescue_image_ref)
                self.driver.rescue(context, spec, rescue)
            except Exception as err:
                ev.fail(err)
                self._workflow_failed(context, instance, err,
                                      (task_states.RESCUING,))
                return
            instance.vm_state = vm_states.RESCUED
            instance.power_state = power_state.RUNNING
            instance.task_state = None
            self.save_quietly(instance, task_states.RESCUING)

    def unrescue_instance(self, context, instance):
        """Return a rescued server to its own disk (vm_state ACTIVE)."""
        with self.lock(instance.uuid), \
                self._event(context, instance,
                            "compute_unrescue_instance") as ev:
            try:
                self.driver.unrescue(instance.uuid)
            except Exception as err:
                ev.fail(err)
                self._workflow_failed(context, instance, err,
                                      (task_states.UNRESCUING,))
                return
            instance.vm_state = vm_states.ACTIVE
            instance.power_state = power_state.RUNNING
            instance.task_state = None
            self.save_quietly(instance, task_states.UNRESCUING)


class _Event:
    """Start an instance-action event on enter, finish it on exit with
    ``result`` (Success unless set, Error on an exception)."""

    def __init__(self, context, uuid, name, host):
        self.context, self.uuid, self.name, self.host = \
            context, uuid, name, host
        self.result = "Success"
        #: why it failed (2.84's ``details``), when it did.
        self.details = None

    def fail(self, err):
        """Finish as an Error, ``err`` saying why."""
        self.result = "Error"
        self.details = exception.message_of(err)

    def __enter__(self):
        try:
            instance_action.InstanceActionEvent.event_start(
                self.context, self.uuid, self.name, host=self.host)
        except Exception:
            LOG.exception("Could not record event %s", self.name)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type:
            self.fail(exc)
        try:
            instance_action.InstanceActionEvent.event_finish(
                self.context, self.uuid, self.name, result=self.result,
                details=self.details)
        except Exception:
            LOG.exception("Could not finish event %s", self.name)
        return False


def _root_volume_id(context, instance):
    """The volume-backed instance's root volume (boot index 0), or
    None."""
    if instance.image_ref:
        return None
    for mapping in VolumeConnection.block_devices(context, instance.uuid):
        if mapping.get("boot_index") == 0:
            return mapping["volume_id"]
    return None


def _work_root(conf):
    path = os.path.join(conf.state_path, "snapshots")
    os.makedirs(path, exist_ok=True)
    return path


def _chunks(path):
    with open(path, "rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                return
            yield chunk
