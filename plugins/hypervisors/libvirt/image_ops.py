"""Snapshot and rescue for the libvirt plugin (hypervisor contract 1.4).

Snapshot: the guest's root disk (a qcow2 overlay on a cached base, or a
raw copy) is flattened into one standalone file with ``qemu-img convert``.
A running guest is paused for the copy (its vCPUs stop, so nothing is
half-written by the guest while QEMU's image is read with ``-U``) and
resumed after; what the guest flushed (``sync``) is in the copy.

Rescue: the domain is redefined with a rescue disk made from the rescue
image as its first disk and the guest's own root disk as its second; its
original definition is kept in ``<instance dir>/unrescue.xml``, which is
also how a restarted compute knows the guest is rescued. Unrescue defines
the original again and removes the rescue disk.

A volume-backed guest is rescued with stable devices (contract 1.12,
Compute API 2.87): its disks stay as they are (the root volume at
``vda``) and the rescue disk is added after them as the rescue image's
``hw_rescue_device`` on its ``hw_rescue_bus`` (default: a disk on the
guest's disk bus), first in the boot order.
"""

import os

from oslo_log import log as logging
from oslo_utils import excutils

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state
from nimbus.plugins.hypervisors.libvirt import builder, config, imagecache

LOG = logging.getLogger(__name__)

RESCUE_SERIAL = "nimbus-rescue"
UNRESCUE_XML = "unrescue.xml"
RESCUE_DISK = "disk.rescue"
#: the device-name prefix of a rescue disk on each ``hw_rescue_bus``.
_BUS_PREFIXES = {"virtio": "vd", "scsi": "sd", "usb": "sd", "sata": "sd",
                 "ide": "hd", "xen": "xvd"}


class ImageOpsMixin:
    """snapshot, rescue, unrescue, is_rescued of :class:`LibvirtDriver`."""

    # -- snapshot -----------------------------------------------------------

    @property
    def snapshot_format(self):
        """The root disks' own format (``[libvirt] images_type``): a
        qcow2 overlay is flattened into a qcow2 file as big as the data
        the guest holds, not one the flavor's disk size long."""
        return self._opts.images_type

    def snapshot(self, context, uuid, dest_path, disk_format="raw"):
        if disk_format not in hv.SNAPSHOT_FORMATS:
            raise exception.HypervisorError(
                reason=f"unsupported snapshot format {disk_format!r}")
        guest = self._host.lookup(uuid)
        paths = builder.InstancePaths(self._instances_path, uuid)
        if not os.path.exists(paths.disk):
            raise exception.HypervisorError(
                reason=f"guest {uuid} has no local root disk to snapshot")
        paused = guest.is_active() and \
            guest.state() == power_state.RUNNING
        partial = dest_path + ".part"
        if paused:
            guest.pause()
        try:
            imagecache._run(imagecache.convert_args(
                paths.disk, self._opts.images_type, partial, disk_format,
                force_share=guest.is_active()))
            os.replace(partial, dest_path)
        except Exception:
            with excutils.save_and_reraise_exception():
                if os.path.exists(partial):
                    os.unlink(partial)
        finally:
            if paused:
                guest.resume()
        size = os.path.getsize(dest_path)
        LOG.info("Snapshot of %(uuid)s: %(size)d bytes",
                 {"uuid": uuid, "size": size})
        return size

    # -- rescue -------------------------------------------------------------

    def is_rescued(self, uuid):
        paths = builder.InstancePaths(self._instances_path, uuid)
        return os.path.exists(os.path.join(paths.dir, UNRESCUE_XML))

    def rescue(self, context, spec, rescue_image):
        guest = self._host.lookup(spec.uuid)
        paths = builder.InstancePaths(self._instances_path, spec.uuid)
        saved = os.path.join(paths.dir, UNRESCUE_XML)
        if os.path.exists(saved):
            raise exception.HypervisorError(
                reason=f"guest {spec.uuid} is already rescued")
        if not rescue_image.path:
            raise exception.HypervisorError(
                reason=f"rescue image {rescue_image.id} has no local data")
        original = guest.xml(inactive=True)
        rescue_disk = os.path.join(paths.dir, RESCUE_DISK)
        fmt = self._opts.images_type
        base = self._cache.fetch(rescue_image.id, rescue_image.path)
        self._cache.create_disk(
            base, imagecache._format(
                {"ami": "raw"}.get(rescue_image.disk_format,
                                   rescue_image.disk_format)),
            rescue_disk, fmt)
        with open(saved + ".tmp", "w") as f:
            f.write(original)
        os.replace(saved + ".tmp", saved)
        try:
            if spec.root_volume is not None:
                xml = self._stable_rescue_xml(original, rescue_disk,
                                              rescue_image)
            else:
                xml = self._rescue_xml(original, paths, rescue_disk,
                                       rescue_image)
            guest.destroy()
            self._host.define(xml).start()
        except Exception:
            with excutils.save_and_reraise_exception():
                LOG.warning("Rescue of %s failed; restoring it", spec.uuid)
                self._restore(spec.uuid, paths)
        LOG.info("Rescued %(uuid)s from image %(image)s",
                 {"uuid": spec.uuid, "image": rescue_image.id})

    def _rescue_xml(self, original, paths, rescue_disk, rescue_image):
        """The original definition with the rescue disk first, the root
        disk second, volumes left out, and the rescue image's kernel
        when it names one."""
        root = config.ET.fromstring(original)
        devices = root.find("devices")
        for disk in devices.findall("disk"):
            devices.remove(disk)
        virt, fmt = self._opts.virt_type, self._opts.images_type
        cache = self._opts.disk_cachemode
        new = [builder.local_disk(virt, 0, rescue_disk, fmt, RESCUE_SERIAL,
                                  cache)]
        if os.path.exists(paths.disk):
            new.append(builder.local_disk(virt, 1, paths.disk, fmt,
                                          builder.ROOT_SERIAL, cache))
        for index, disk in enumerate(new):
            devices.insert(index, disk.to_xml())
        os_el = root.find("os")
        if rescue_image.kernel is not None and os_el is not None:
            _set_text(os_el, "kernel", self._cache.fetch(
                rescue_image.kernel.id, rescue_image.kernel.path))
            if rescue_image.ramdisk is not None:
                _set_text(os_el, "initrd", self._cache.fetch(
                    rescue_image.ramdisk.id, rescue_image.ramdisk.path))
        # The rescue disk is no root= for the kernel: drop the argument.
        cmdline = os_el.find("cmdline") if os_el is not None else None
        if cmdline is not None and cmdline.text:
            cmdline.text = " ".join(
                p for p in cmdline.text.split() if not p.startswith("root="))
        return config.ET.tostring(root, encoding="unicode")

    def _stable_rescue_xml(self, original, rescue_disk, rescue_image):
        """The original definition, every disk kept at its device, with
        the rescue disk added and booted first (it boots from its own
        disk, or the rescue image's kernel when it names one)."""
        props = rescue_image.properties or {}
        default_bus, _ = config.disk_bus(self._opts.virt_type)
        device = props.get("hw_rescue_device") or "disk"
        bus = props.get("hw_rescue_bus") or default_bus
        if device not in hv.RESCUE_DEVICES or (
                bus not in hv.RESCUE_BUSES and bus != default_bus):
            raise exception.HypervisorError(
                reason=f"cannot rescue from a {device} on bus {bus}")
        root = config.ET.fromstring(original)
        disk = config.DiskConfig(
            source_type="file", device=device, target_bus=bus,
            target_dev=config.next_device_name(
                original, _BUS_PREFIXES.get(bus, "vd")),
            driver_format=self._opts.images_type,
            driver_cache=self._opts.disk_cachemode,
            serial=RESCUE_SERIAL if device == "disk" else None,
            read_only=device == "cdrom", source_path=rescue_disk,
            boot_order=1)
        root.find("devices").append(disk.to_xml())
        os_el = root.find("os")
        for tag in ("boot", "kernel", "initrd", "cmdline"):
            for element in os_el.findall(tag):
                os_el.remove(element)
        if rescue_image.kernel is not None:
            _set_text(os_el, "kernel", self._cache.fetch(
                rescue_image.kernel.id, rescue_image.kernel.path))
            if rescue_image.ramdisk is not None:
                _set_text(os_el, "initrd", self._cache.fetch(
                    rescue_image.ramdisk.id, rescue_image.ramdisk.path))
            # The rescue image's command line, with no root= (the
            # root volume is no root for the rescue kernel).
            _set_text(os_el, "cmdline", builder.kernel_cmdline(
                self.conf, rescue_image, has_root_disk=False))
        return config.ET.tostring(root, encoding="unicode")

    def unrescue(self, uuid):
        guest = self._host.lookup(uuid)
        paths = builder.InstancePaths(self._instances_path, uuid)
        if not os.path.exists(os.path.join(paths.dir, UNRESCUE_XML)):
            if not guest.is_active():
                guest.start()
            return
        self._restore(uuid, paths)
        LOG.info("Unrescued %(uuid)s", {"uuid": uuid})

    def _restore(self, uuid, paths):
        """Define and start the saved original definition; remove the
        rescue disk and the saved copy."""
        saved = os.path.join(paths.dir, UNRESCUE_XML)
        guest = self._host.find(uuid)
        if guest is not None and guest.is_active():
            guest.destroy()
        with open(saved) as f:
            self._host.define(f.read()).start()
        for name in (RESCUE_DISK, UNRESCUE_XML):
            path = os.path.join(paths.dir, name)
            if os.path.exists(path):
                os.unlink(path)


def _set_text(parent, tag, text):
    element = parent.find(tag)
    if element is None:
        element = config.ET.SubElement(parent, tag)
    element.text = text
