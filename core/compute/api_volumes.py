"""Volumes of servers in the compute API: attach, detach, list, and
letting go of them when a server is deleted.

:class:`VolumeAttachMixin` is mixed into
:class:`nimbus.core.compute.api.ComputeAPI`; it relies on its ``get``,
``_check_lock``, ``_check_capable``, ``db`` and ``compute_rpc``.

Attach reserves the volume first (a guarded ``available -> attaching``
in the volume service API), so of two concurrent attaches of one volume
exactly one gets past it; the other gets
:class:`~nimbus.core.exception.VolumeInvalidState` (409). The compute of
the server's host then connects, hot-plugs and marks the volume
``in-use`` (see :mod:`nimbus.core.compute.manager_volumes`).
"""

import re
import string

from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.compute import vm_states
from nimbus.core.volume import statuses as st

LOG = logging.getLogger(__name__)

# Hot-plug needs a running guest; a stopped one can still let go of a
# disk (it leaves the guest's definition).
_ATTACH_STATES = (vm_states.ACTIVE,)
_DETACH_STATES = (vm_states.ACTIVE, vm_states.STOPPED)
_DEVICE = re.compile(r"^/dev/(x?v|s|h)d[a-z]+$")
#: the root disk is vda; volumes get the next free names.
_ROOT_DEVICE = "/dev/vda"


class VolumeAttachMixin:
    """os-volume_attachments and volumes on server delete."""

    _volume_api = None

    @property
    def volumes(self):
        """The volume service API (made on first use)."""
        if self._volume_api is None:
            from nimbus.core.volume import api as volume_api
            self._volume_api = volume_api.VolumeAPI(self.conf, self.db)
        return self._volume_api

    def _visible_volume(self, context, volume_id):
        """The volume, if ``context`` may see it.

        :raises VolumeNotFound: no such volume, or another project's.
        """
        volume = self.volumes.get_volume(context, volume_id)
        owner = volume.get("os-vol-tenant-attr:tenant_id")
        if not context.is_admin and owner != context.project_id:
            raise exception.VolumeNotFound(volume_id=volume_id)
        return volume

    def volume_attachments(self, context, uuid):
        """The volumes attached to the server (service API attachment
        dicts: ``volume_id``, ``attachment_id``, ``server_id``,
        ``device``, ...), each with its block device mapping's ``tag``,
        ``delete_on_termination`` and ``bdm_uuid`` (None, False, None
        without one).

        :raises InstanceNotFound: no such server for ``context``.
        """
        instance = self.get(context, uuid)
        attached = [a for a in self.volumes.list_attachments(
            context, instance.uuid)
            if a.get("attach_status") == st.ATTACH_ATTACHED]
        if not attached:
            return []
        mappings = {m["volume_id"]: m for m in
                    self.db.block_devices.get_by_instance(context,
                                                          instance.uuid)}
        for entry in attached:
            mapping = mappings.get(entry["volume_id"]) or {}
            entry.update(
                tag=mapping.get("tag"),
                delete_on_termination=bool(
                    mapping.get("delete_on_termination")),
                bdm_uuid=mapping.get("uuid"))
        return attached

    def volumes_attached(self, context, instances):
        """``{instance uuid: [{"id", "delete_on_termination"}, ...]}``
        for server bodies (``os-extended-volumes:volumes_attached``): two
        queries for a page of servers."""
        uuids = [i.uuid for i in instances]
        attached = self.volumes.attached_volume_ids(context, uuids)
        if not attached:
            return {}
        on_delete = {(b["instance_uuid"], b["volume_id"]):
                     bool(b["delete_on_termination"])
                     for b in self.db.block_devices.get_by_instances(
                         context, list(attached))}
        return {uuid: [{"id": vid, "delete_on_termination":
                        on_delete.get((uuid, vid), False)}
                       for vid in volume_ids]
                for uuid, volume_ids in attached.items()}

    def volume_attachment(self, context, uuid, volume_id):
        """One attachment of the server.

        :raises VolumeAttachmentNotFound: the volume is not attached to
            it (404).
        """
        for entry in self.volume_attachments(context, uuid):
            if entry["volume_id"] == volume_id:
                return entry
        raise exception.VolumeAttachmentNotFound(
            attachment_id=f"{uuid}/{volume_id}")

    def volume_mapping(self, context, uuid, volume_id):
        """The block device mapping of ``volume_id`` on the server (its
        ``device_name``, ``tag``, ``delete_on_termination``).

        :raises InstanceNotFound: no such server for ``context``.
        :raises VolumeBDMNotFound: the volume is not the server's (404).
        """
        instance = self.get(context, uuid)
        mapping = self.db.block_devices.get_by_volume_and_instance(
            context, volume_id, instance.uuid)
        if mapping is None:
            raise exception.VolumeBDMNotFound(volume_id=volume_id)
        return mapping

    def set_delete_on_termination(self, context, uuid, volume_id, value):
        """Whether the server's volume ``volume_id`` goes with it (2.85).

        :raises VolumeBDMNotFound: the volume is not the server's (404).
        """
        self.volume_mapping(context, uuid, volume_id)
        self.db.block_devices.update(context, volume_id, uuid,
                                     {"delete_on_termination": bool(value)})

    def swap_volume(self, context, uuid, old_volume_id, new_volume_id):
        """Nova's swap of an attached volume for another, which it only
        does for the volume service migrating ``old_volume_id``; nimbus's
        volume service never migrates a volume, so every swap is Nova's
        answer for a volume that is not migrating.

        :raises VolumeNotFound: no such (visible) volume (404).
        :raises Conflict: the volume is not migrating (409).
        """
        self.get(context, uuid)
        self._visible_volume(context, old_volume_id)
        raise exception.Conflict(
            message=f"volume {old_volume_id} is not migrating; this API "
                    "should only be called by Cinder")

    @staticmethod
    def _device_name(attachments, requested):
        """The device to name the volume: the next free ``/dev/vdX``.

        A requested name is only a hint, as in Nova with libvirt (guests
        name disks in their own order; nimbus matches them by serial).

        :raises InvalidInput: a malformed requested name.
        """
        if requested is not None and not _DEVICE.match(requested):
            raise exception.InvalidInput(
                reason=f"The supplied device path ({requested}) is "
                       "invalid.")
        used = {_ROOT_DEVICE} | {a.get("device") for a in attachments}
        for letter in string.ascii_lowercase[1:]:
            name = f"/dev/vd{letter}"
            if name not in used:
                return name
        raise exception.InvalidInput(reason="No free device name left")

    def attach_volume(self, context, uuid, volume_id, device=None,
                      offloaded=False, tag=None, multiattach=False,
                      delete_on_termination=False):
        """Attach ``volume_id`` to the running server ``uuid`` (or, with
        ``offloaded``, to a SHELVED_OFFLOADED one: 2.20).

        :param tag: the device tag the request gives it (2.49), kept on
            its block device mapping (shown from 2.70).
        :param multiattach: the request may attach a multiattach volume
            (2.60), which may be attached to other servers already.
        :param delete_on_termination: delete the volume when the server
            is deleted (2.79), kept on its block device mapping.

        A shelved-offloaded server has no host: the attachment is only
        recorded (the volume ``in-use`` with no host) and the volume is
        connected when the server is unshelved on its new host.

        :returns: the attachment as Nova shows it before 2.89: ``id``
            and ``volumeId`` (the volume), ``serverId``, ``device``,
            ``tag`` and ``delete_on_termination``.
        :raises InstanceInvalidState: the server is not ACTIVE (or
            offloaded, see above) or is busy (409).
        :raises VolumeNotFound: no such volume for ``context`` (404).
        :raises VolumeInvalidState: the volume is not available (409;
            also the loser of two concurrent attaches).
        :raises UnexpectedTaskStateError: the server began a task (a
            delete) after its state was checked (409); nothing recorded.
        :raises VolumeTaggedAttachToShelvedNotSupported: a ``tag`` on a
            shelved-offloaded server (400, as Nova: no host can say
            whether it supports tags).
        :raises VolumeTaggedAttachNotSupported: a ``tag`` and the
            hypervisor of the server's host does not declare
            ``supports_tagged_attach_volume`` (400, as Nova).
        :raises MultiattachNotSupportedOldMicroversion,
            MultiattachToShelvedNotSupported,
            MultiattachNotSupportedByVirtDriver: see
            :meth:`_check_multiattach`.
        """
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        states = _ATTACH_STATES + ((vm_states.SHELVED_OFFLOADED,)
                                   if offloaded else ())
        self._check_volume_state(instance, "attach_volume", states)
        on_host = instance.vm_state != vm_states.SHELVED_OFFLOADED
        if tag and not on_host:
            raise exception.VolumeTaggedAttachToShelvedNotSupported()
        if on_host:
            self._check_capable(context, instance, "attach_volume")
            if tag:
                self._check_tagged_attach(context, instance, "volume")
        volume = self._visible_volume(context, volume_id)
        if volume.get("multiattach"):
            self._check_multiattach(context, instance, volume_id,
                                    multiattach, on_host)
        mountpoint = self._device_name(
            self.volumes.list_attachments(context, instance.uuid), device)
        self.volumes.reserve(context, volume_id, instance.uuid)
        mapped = False
        try:
            with self.db.writing(context):
                # Guarded, so that a delete that began meanwhile either
                # sees this mapping or makes the attach fail (409): its
                # compute is told whether there are volumes to let go.
                self.db.instances.update_instance(
                    context, instance.uuid, {},
                    expected_task_state=(None,))
                self.db.block_devices.create_many(context, [{
                    "instance_uuid": instance.uuid, "volume_id": volume_id,
                    "source_type": "volume", "boot_index": None,
                    "delete_on_termination": bool(delete_on_termination),
                    "device_name": mountpoint, "tag": tag}])
            mapped = True
            self.db.actions.action_start(context, uuid, "attach_volume")
            if on_host:
                self.compute_rpc.attach_volume(context, instance,
                                               volume_id, mountpoint)
            else:
                self.volumes.attach(context, volume_id, instance.uuid,
                                    mountpoint, host=None)
        except Exception:
            if mapped:
                self._quietly(self.db.block_devices.destroy_by_volume,
                              context, volume_id, instance.uuid)
            self.volumes.unreserve(context, volume_id)
            raise
        return {"id": volume_id, "serverId": instance.uuid,
                "volumeId": volume_id, "device": mountpoint, "tag": tag,
                "delete_on_termination": bool(delete_on_termination)}

    def _check_multiattach(self, context, instance, volume_id, allowed,
                           on_host):
        """Whether the multiattach volume ``volume_id`` may be attached to
        ``instance`` (Nova's checks, in its order).

        :raises MultiattachNotSupportedOldMicroversion: not ``allowed``
            (the request is below 2.60; 400).
        :raises MultiattachToShelvedNotSupported: the server is
            shelved-offloaded (400).
        :raises MultiattachNotSupportedByVirtDriver: the hypervisor of the
            server's host does not declare ``supports_multiattach`` (409).
        """
        if not allowed:
            raise exception.MultiattachNotSupportedOldMicroversion()
        if not on_host:
            raise exception.MultiattachToShelvedNotSupported()
        try:
            self._check_capable(context, instance, "attach_volume",
                                operation="attach_multiattach_volume")
        except exception.ActionNotSupportedByHost:
            raise exception.MultiattachNotSupportedByVirtDriver(
                volume_id=volume_id)

    @staticmethod
    def _check_volume_state(instance, action, states):
        if instance.vm_state not in states or \
                instance.task_state is not None:
            raise exception.InstanceInvalidState(
                action=action, instance_uuid=instance.uuid,
                attr="vm_state" if instance.vm_state not in states
                else "task_state",
                state=instance.vm_state if instance.vm_state not in
                states else instance.task_state)

    def detach_volume(self, context, uuid, volume_id, offloaded=False):
        """Detach ``volume_id`` from the server ``uuid`` (with
        ``offloaded``, also from a SHELVED_OFFLOADED one, where only the
        record goes: its volumes are connected nowhere).

        :raises VolumeAttachmentNotFound: not attached to it (404).
        :raises InstanceInvalidState: the server is neither ACTIVE nor
            SHUTOFF (nor offloaded, see above), or is busy (409).
        :raises VolumeInvalidState: the volume is not in-use (409, e.g.
            a detach already under way).
        """
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        attachment = self.volume_attachment(context, uuid, volume_id)
        states = _DETACH_STATES + ((vm_states.SHELVED_OFFLOADED,)
                                   if offloaded else ())
        self._check_volume_state(instance, "detach_volume", states)
        on_host = instance.vm_state != vm_states.SHELVED_OFFLOADED
        if on_host:
            self._check_capable(context, instance, "detach_volume")
        self.volumes.begin_detaching(context, volume_id)
        try:
            self.db.actions.action_start(context, uuid, "detach_volume")
            if on_host:
                self.compute_rpc.detach_volume(
                    context, instance, volume_id,
                    attachment["attachment_id"])
            else:
                self.volumes.detach(context, volume_id,
                                    attachment["attachment_id"])
        except Exception:
            self.volumes.roll_detaching(context, volume_id)
            raise
        if not on_host:
            # Detached at once: its mapping goes now (a compute forgets
            # it once its guest let go).
            self.db.block_devices.destroy_by_volume(context, volume_id,
                                                    instance.uuid)

    def release_volumes(self, context, instance):
        """Mark every volume of a server deleted without its compute
        (never placed, or its host is down) ``available`` again (deleted
        if it was given with ``delete_on_termination``); nothing on a
        host can be disconnected then. Never raises."""
        try:
            attachments = self.volumes.list_attachments(context,
                                                        instance.uuid)
        except Exception:
            LOG.exception("Could not list the volumes of %s",
                          instance.uuid)
            return
        mappings = {m["volume_id"]: m for m in
                    self.db.block_devices.get_by_instance(context,
                                                          instance.uuid)}
        for entry in attachments:
            try:
                self.volumes.detach(context, entry["volume_id"],
                                    entry["attachment_id"])
            except Exception:
                LOG.exception("Could not release volume %(v)s of %(i)s",
                              {"v": entry["volume_id"],
                               "i": instance.uuid})
        for volume_id, mapping in mappings.items():
            if mapping["delete_on_termination"]:
                self._quietly(self.volumes.delete_volume, context,
                              volume_id)
        if mappings:
            self.db.block_devices.destroy_by_instance(context,
                                                      instance.uuid)

    @staticmethod
    def _quietly(call, *args):
        try:
            call(*args)
        except Exception:
            LOG.exception("Volume clean-up step failed")
