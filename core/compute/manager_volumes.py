"""The compute manager's volume work: hot-plug, unplug, and letting go
of a deleted instance's volumes.

:class:`VolumeManagerMixin` is mixed into
:class:`nimbus.core.compute.manager.ComputeManager`; it relies on its
``driver``, ``host``, ``conf`` and ``lock``. The compute has no
database: it reaches the volume service through
:class:`~nimbus.core.objects.volume_connection.VolumeConnection` (run on
conductor).

Attach: connection info for this host's connector, a
:class:`~nimbus.core.interfaces.hypervisor.DiskSpec` hot-plugged by the
hypervisor plugin, then the volume is marked in-use. Any failure undoes
what was done and gives the reservation back (the volume is available
again) with the reason on the instance's fault list; the instance itself
stays as it was.
"""

import dataclasses
import platform
import time

import oslo_messaging as messaging
from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.compute import guest_spec
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.objects import instance_action
from nimbus.core.objects.volume_connection import VolumeConnection

LOG = logging.getLogger(__name__)

_DISK_KEYS = {f.name for f in dataclasses.fields(hv.DiskSpec)}
#: seconds a build waits for a new volume it was given (blank, from an
#: image or a snapshot) to be created.
BLOCK_DEVICE_WAIT = 300


def initiator_name(host):
    """The iSCSI initiator name a compute derives from its host name."""
    safe = "".join(c if c.isalnum() or c in "-." else "-"
                   for c in host.lower())
    return f"iqn.2010-10.org.nimbus:compute-{safe}"


#: virtio-blk shows a guest 20 bytes of serial (hypervisor plugins
#: refuse longer ones).
SERIAL_LENGTH = 20


def disk_serial(volume_id):
    """The serial a volume's disk carries: the start of its id, what a
    guest sees in ``/sys/block/vdX/serial`` (as with Nova)."""
    return volume_id[:SERIAL_LENGTH]


def disk_spec(info, volume_id, mountpoint, boot_index=None):
    """Turn a volume's connection info into the hypervisor's DiskSpec
    (unknown keys are ignored; the serial is :func:`disk_serial`)."""
    values = {k: v for k, v in info.items() if k in _DISK_KEYS}
    values["serial"] = disk_serial(volume_id)
    values["device_name"] = mountpoint
    values["boot_index"] = boot_index
    if values.get("lun") is None:
        values.pop("lun", None)
    return hv.DiskSpec(**values)


class VolumeManagerMixin:
    """RPC methods attach_volume/detach_volume (compute 1.2)."""

    def volume_connector(self):
        """What this host tells the volume service about itself."""
        return {"host": self.host, "ip": self.conf.my_ip,
                "initiator": initiator_name(self.host),
                "platform": platform.machine() or "x86_64"}

    def _volume_fault(self, context, instance, err, what):
        LOG.warning("%(what)s on %(uuid)s failed: %(err)s",
                    {"what": what, "uuid": instance.uuid, "err": err})
        try:
            instance_action.InstanceFault.record(
                context, instance.uuid, getattr(err, "code", 500),
                f"{what} failed: {err}", host=self.host)
        except Exception:
            LOG.exception("Could not record the fault of %s", instance.uuid)

    @staticmethod
    def _connect(context, volume_id, connector):
        """The volume's connection info for this host, asked a second time
        when the volume service did not answer the first: connecting is
        idempotent (an export made is reused), and a volume service
        restarted meanwhile answers the second call."""
        try:
            return VolumeConnection.initialize(context, volume_id,
                                               connector)
        except messaging.MessagingTimeout as err:
            LOG.warning("Connecting volume %(id)s got no answer (%(err)s); "
                        "asking again", {"id": volume_id, "err": err})
        return VolumeConnection.initialize(context, volume_id, connector)

    @staticmethod
    def _quietly(call, *args):
        try:
            call(*args)
            return True
        except Exception:
            LOG.exception("Volume clean-up step %s failed",
                          getattr(call, "__name__", call))
            return False

    def attach_volume(self, context, instance, volume_id, mountpoint):
        """Hot-plug a volume reserved for ``instance`` and mark it in-use;
        on failure leave it available, the guest unchanged and forget the
        mapping the API recorded."""
        connector = self.volume_connector()
        with self.lock(instance.uuid):
            plugged = False
            try:
                info = self._connect(context, volume_id, connector)
                self.driver.attach_disk(
                    instance.uuid, disk_spec(info, volume_id, mountpoint))
                plugged = True
                VolumeConnection.attach(context, volume_id, instance.uuid,
                                        mountpoint, self.host)
            except Exception as err:
                if plugged:
                    self._quietly(self.driver.detach_disk, instance.uuid,
                                  disk_serial(volume_id))
                self._quietly(VolumeConnection.terminate, context,
                              volume_id, connector)
                self._quietly(VolumeConnection.unreserve, context,
                              volume_id)
                self._quietly(VolumeConnection.forget_block_device,
                              context, instance.uuid, volume_id)
                self._volume_fault(context, instance, err,
                                   f"Attaching volume {volume_id}")

    def detach_volume(self, context, instance, volume_id, attachment_id):
        """Unplug a volume marked detaching and mark it available; if the
        guest does not let go, it stays in-use."""
        connector = self.volume_connector()
        with self.lock(instance.uuid):
            try:
                self.driver.detach_disk(instance.uuid,
                                        disk_serial(volume_id))
            except Exception as err:
                self._quietly(VolumeConnection.roll_detaching, context,
                              volume_id)
                self._volume_fault(context, instance, err,
                                   f"Detaching volume {volume_id}")
                return
            self._quietly(VolumeConnection.terminate, context, volume_id,
                          connector)
            if self._quietly(VolumeConnection.detach, context, volume_id,
                             attachment_id):
                # Its tag and delete_on_termination go with it (a later
                # server delete must not delete a volume detached).
                self._quietly(VolumeConnection.forget_block_device,
                              context, instance.uuid, volume_id)

    # -- volumes a server is created with (block_device_mapping_v2) --------

    def connect_block_devices(self, context, instance, spec=None):
        """Before spawn: the DiskSpecs of the volumes the instance was
        created with, each reserved for it and connected to this host
        (new volumes are waited for until created), the boot volume
        (boot index 0) first.

        :param spec: the guest's GuestSpec; for a volume-backed guest
            without an image its ``image`` is set from the boot volume's
            image metadata (kernel and ramdisk for direct kernel boot).
        :returns: the DiskSpecs (empty for an instance without volumes).
        :raises BuildAbort: a volume did not become usable (no other host
            would do better); what was connected here is released.
        """
        mappings = sorted(
            VolumeConnection.block_devices(context, instance.uuid),
            key=lambda m: m.get("boot_index") != 0)
        connector = self.volume_connector()
        disks, done = [], []
        try:
            for mapping in mappings:
                volume_id = mapping["volume_id"]
                volume = self._reserve_for_boot(context, volume_id,
                                                instance.uuid)
                done.append(volume_id)
                boot_index = 0 if mapping.get("boot_index") == 0 else None
                if boot_index == 0 and spec is not None and \
                        spec.image is None:
                    spec.image = guest_spec.volume_image(
                        context, self.images, volume, instance.uuid)
                info = self._connect(context, volume_id, connector)
                disks.append(disk_spec(info, volume_id,
                                       mapping["device_name"], boot_index))
        except Exception as err:
            self.disconnect_block_devices(context, instance, done)
            raise exception.BuildAbort(
                instance_uuid=instance.uuid,
                reason=f"volume {volume_id} cannot be attached: {err}")
        return disks

    def _reserve_for_boot(self, context, volume_id, instance_uuid):
        """Wait until the volume is reserved for the instance (the API
        reserved existing volumes; new ones are reserved once created);
        return the volume dict."""
        deadline = time.monotonic() + BLOCK_DEVICE_WAIT
        while True:
            volume = VolumeConnection.get(context, volume_id)
            status = volume["status"]
            if status == "attaching":
                return volume
            if status == "available":
                VolumeConnection.reserve(context, volume_id, instance_uuid)
                return volume
            if status != "creating" or time.monotonic() > deadline:
                raise exception.VolumeInvalidState(
                    action="attach at boot", volume_id=volume_id,
                    status=status, expected="available")
            time.sleep(0.5)

    def disconnect_block_devices(self, context, instance, volume_ids=None):
        """After a failed spawn: give the volumes back (available), so a
        reschedule or a delete finds them free."""
        if volume_ids is None:
            volume_ids = [m["volume_id"] for m in
                          VolumeConnection.block_devices(context,
                                                         instance.uuid)]
        connector = self.volume_connector()
        for volume_id in volume_ids:
            self._quietly(VolumeConnection.terminate, context, volume_id,
                          connector)
            self._quietly(VolumeConnection.unreserve, context, volume_id)

    def finish_block_devices(self, context, instance, disks):
        """After spawn: mark the volumes spawned with in-use."""
        if not disks:
            return
        by_serial = {disk_serial(m["volume_id"]): m["volume_id"] for m in
                     VolumeConnection.block_devices(context, instance.uuid)}
        for disk in disks:
            if disk.serial in by_serial:
                self._quietly(VolumeConnection.attach, context,
                              by_serial[disk.serial], instance.uuid,
                              disk.device_name, self.host)

    def release_volumes(self, context, instance):
        """After the guest is gone: disconnect every volume the instance
        had, mark it available, and delete those attached with
        ``delete_on_termination``. Never raises (a volume left behind is
        logged; the instance is deleted regardless)."""
        try:
            # one round trip to conductor and one read (VolumeConnection
            # 1.3), not two: every delete asks, most servers have none
            volumes = VolumeConnection.volumes_of(context, instance.uuid)
        except Exception:
            LOG.exception("Could not list the volumes of %s",
                          instance.uuid)
            return
        attachments = volumes["attachments"]
        mappings = {m["volume_id"]: m for m in volumes["block_devices"]}
        connector = self.volume_connector()
        released = set()
        for entry in attachments:
            volume_id = entry["volume_id"]
            self._quietly(VolumeConnection.terminate, context, volume_id,
                          connector)
            if self._quietly(VolumeConnection.detach, context, volume_id,
                             entry["attachment_id"]):
                released.add(volume_id)
        for volume_id, mapping in mappings.items():
            # Also those never attached (a build that failed): a volume
            # made for the server goes with it.
            if mapping["delete_on_termination"] and (
                    volume_id in released or volume_id not in {
                        e["volume_id"] for e in attachments}):
                self._quietly(VolumeConnection.delete_volume, context,
                              volume_id)
        if mappings:
            self._quietly(VolumeConnection.forget_block_devices, context,
                          instance.uuid)
