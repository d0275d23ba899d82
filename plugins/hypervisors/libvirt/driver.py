"""The libvirt hypervisor plugin: persistent libvirt domains named
``<prefix><instance uuid>`` whose libvirt UUID is the instance UUID, so a
restarted compute service finds its guests again by name prefix alone.

All of a guest's files live in ``<instances_path>/<uuid>/``; base images
are shared in ``<instances_path>/_base``.
"""

import dataclasses
import os
import shutil
import time

from oslo_log import log as logging
from oslo_utils import excutils

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state
from nimbus.plugins.hypervisors.libvirt import (
    builder,
    cold_moves,
    config,
    diagnostics,
    image_ops,
    imagecache,
    volume,
)
from nimbus.plugins.hypervisors.libvirt import conf as libvirt_conf
from nimbus.plugins.hypervisors.libvirt import host as host_mod
from nimbus.plugins.hypervisors.libvirt.migration import (
    LibvirtLiveMigrationMixin,
)
from nimbus.plugins.hypervisors.libvirt.volume import iscsi

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3
MiB = 1024 ** 2
_IMAGE_FORMATS = {"raw": "raw", "qcow2": "qcow2", "ami": "raw"}


def _wait_for(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def _remove_dir(path):
    """Remove ``path`` and its contents.

    :raises HypervisorError: the files could not be removed.
    """
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass
    except OSError as err:
        raise exception.HypervisorError(
            reason=f"removing {path} failed: {err}") from err


class LibvirtDriver(LibvirtLiveMigrationMixin,
                    cold_moves.LibvirtColdMoveMixin,
                    image_ops.ImageOpsMixin, hv.Hypervisor):
    """Guests as libvirt domains (kvm, qemu, xen); see the module doc."""

    capabilities = hv.Capabilities(
        soft_reboot=True, pause=True, suspend=True, console_log=True,
        disk_hotplug=True, direct_kernel_boot=True, lifecycle_events=True,
        vif_hotplug=True, live_migration=True, block_migration=True,
        live_migration_abort=True, live_migration_force_complete=True,
        snapshot=True, rescue=True, rescue_volume_backed=True,
        cold_migration=True, crash_dump=True,
        vnc_console=True, diagnostics=True, volume_extend=True,
        supports_multiattach=True, supports_tagged_attach_volume=True,
        supports_tagged_attach_interface=True, image_precache=True)
    hypervisor_type = "libvirt"

    def __init__(self, conf, host):
        super().__init__(conf, host)
        libvirt_conf.register_opts(conf)
        if not conf.libvirt.vnc_enabled:
            self.capabilities = dataclasses.replace(
                type(self).capabilities, vnc_console=False)
        self._opts = conf.libvirt
        self.hypervisor_type = self._opts.virt_type
        self._instances_path = os.path.abspath(self._opts.instances_path)
        self._cache = imagecache.ImageCache(self._instances_path)
        # QEMU can press the ACPI power button; libxl picks its own way.
        self._acpi = self._opts.virt_type in ("kvm", "qemu")
        self._host = host_mod.Host(
            libvirt_conf.connection_uri(conf), self._opts.domain_name_prefix,
            on_event=self.emit_event)

    # -- host ---------------------------------------------------------------

    def init_host(self):
        if self._opts.virt_type == "lxc":
            raise exception.HypervisorError(
                reason="virt_type lxc is not supported by this driver yet")
        if shutil.which("qemu-img") is None:
            raise exception.HypervisorError(reason="qemu-img is missing")
        os.makedirs(self._instances_path, mode=0o755, exist_ok=True)
        self._host.connect()
        types = builder.domain_types(self._host.capabilities())
        if self._opts.virt_type not in types:
            self._host.close()
            raise exception.HypervisorError(
                reason=f"{self._host.uri} cannot run virt_type "
                       f"{self._opts.virt_type} domains (it offers "
                       f"{', '.join(sorted(types)) or 'none'})")
        LOG.info("Connected to %(uri)s; %(n)d guests found",
                 {"uri": self._host.uri, "n": len(self.list_instances())})

    def cleanup_host(self):
        self._host.close()

    def get_available_resource(self):
        _arch, memory_mb, cpus = self._host.node_info()
        htype, version, hostname = self._host.hypervisor()
        stat = os.statvfs(self._instances_path)
        return hv.HostResources(
            hypervisor_hostname=hostname, hypervisor_type=htype,
            hypervisor_version=version, vcpus=cpus, memory_mb=memory_mb,
            local_gb=stat.f_frsize * stat.f_blocks // GiB,
            cpu_info=builder.cpu_info(self._host.capabilities()))

    # -- guests -------------------------------------------------------------

    def list_instances(self):
        return [g.uuid for g in self._host.list_guests()]

    def instance_exists(self, uuid):
        return self._host.find(uuid) is not None

    def get_info(self, uuid):
        state, vcpus, memory_mb, cpu_time = self._host.lookup(uuid).info()
        return hv.GuestInfo(uuid=uuid, power_state=state, vcpus=vcpus,
                            memory_mb=memory_mb, cpu_time_ns=cpu_time)

    def spawn(self, context, spec):
        if self._host.find(spec.uuid) is not None:
            raise exception.InstanceExists(name=spec.uuid)
        _arch, host_memory_mb, _cpus = self._host.node_info()
        if spec.memory_mb > host_memory_mb:
            raise exception.InsufficientResources(
                instance_uuid=spec.uuid,
                reason=f"{spec.memory_mb} MiB asked, host has "
                       f"{host_memory_mb} MiB")
        paths = builder.InstancePaths(self._instances_path, spec.uuid)
        if os.path.isdir(paths.dir):
            # No domain has this UUID: the files are a crashed spawn's.
            LOG.warning("Removing stale files of %(uuid)s",
                        {"uuid": spec.uuid})
            _remove_dir(paths.dir)
        try:
            self._create(spec, paths)
        except exception.InvalidInput as err:
            self._remove(spec.uuid, paths)
            raise exception.BuildAbort(instance_uuid=spec.uuid,
                                       reason=str(err))
        except OSError as err:  # disks and files: translate, rescheduled
            self._remove(spec.uuid, paths)
            raise exception.HypervisorError(
                reason=f"spawn of {spec.uuid} failed: {err}") from err
        except Exception:
            with excutils.save_and_reraise_exception():
                LOG.warning("Spawn of %(uuid)s failed; cleaning up",
                            {"uuid": spec.uuid})
                self._remove(spec.uuid, paths)

    def _create(self, spec, paths, moved=False, start=True):
        """Make the guest's disks and define (and start) its domain.

        :param moved: the guest's local disks are already in
            ``paths.dir`` (a cold move brought them): they are grown to
            the flavor's sizes, not made from the image.
        """
        os.makedirs(paths.dir, mode=0o755, exist_ok=moved)
        os.chmod(paths.dir, 0o755)
        # A volume-backed guest's root is its boot volume (vda); the
        # local disks (ephemeral, swap) and the other volumes follow.
        root = spec.root_volume
        disks = self._volume_disks(spec, [root] if root else [], 0)
        disks += self._local_disks(spec, paths, len(disks), moved)
        disks += self._volume_disks(
            spec, [d for d in spec.disks if d is not root], len(disks))
        kernel = initrd = None
        image = spec.image
        if image is not None and image.kernel is not None:
            kernel = self._cache.fetch(image.kernel.id, image.kernel.path)
            if image.ramdisk is not None:
                initrd = self._cache.fetch(image.ramdisk.id,
                                           image.ramdisk.path)
        xml = builder.guest_config(self.conf, spec, paths, disks,
                                   kernel, initrd,
                                   has_root=bool(root) or None).to_string()
        guest = self._host.define(xml)
        if start:
            guest.start()
        LOG.info("%(what)s %(name)s", {
            "what": "Moved in" if moved else "Spawned", "name": guest.name})

    def _local_disks(self, spec, paths, first_index=0, moved=False):
        """The guest's local disks: the root (from the image, or blank
        with the flavor's size; none for a volume-backed guest),
        ephemeral and swap, named from disk ``first_index`` on. With
        ``moved``, a root or ephemeral disk already there is kept and
        grown to the flavor's size instead."""
        opts, image, disks = self._opts, spec.image, []
        virt, fmt = opts.virt_type, opts.images_type
        cache = opts.disk_cachemode
        root_size = spec.root_gb * GiB or None
        if spec.root_volume is not None:
            image = root_size = None
        if moved and os.path.exists(paths.disk):
            imagecache.grow(paths.disk, fmt, root_size)
        elif image is not None:
            # AMI machine images are raw disks.
            image_fmt = _IMAGE_FORMATS.get(image.disk_format)
            if image_fmt is None:
                raise exception.InvalidInput(
                    reason=f"image disk_format {image.disk_format!r} "
                           "is not supported")
            if not image.path:
                raise exception.InvalidInput(
                    reason=f"image {image.id} has no local data; the "
                           "libvirt plugin needs a local image path")
            base = self._cache.fetch(image.id, image.path)
            self._cache.create_disk(base, image_fmt, paths.disk,
                                    fmt, root_size)
        elif root_size:
            self._cache.create_blank(paths.disk, fmt, root_size)
        if os.path.exists(paths.disk):
            disks.append(builder.local_disk(
                virt, first_index, paths.disk, fmt, builder.ROOT_SERIAL,
                cache))
        for path, size, serial in (
                (paths.ephemeral, spec.ephemeral_gb * GiB,
                 builder.EPHEMERAL_SERIAL),
                (paths.swap, spec.swap_mb * MiB, builder.SWAP_SERIAL)):
            if size and moved and os.path.exists(path):
                imagecache.grow(path, fmt, size)
            elif size:
                self._cache.create_blank(path, fmt, size)
                disks.append(builder.local_disk(
                    virt, first_index + len(disks), path, fmt, serial,
                    cache))
        return disks

    def _volume_disks(self, spec, volumes, first_index):
        bus, prefix = config.disk_bus(self._opts.virt_type)
        return [
            volume.for_protocol(disk.protocol, self._host).connect(
                spec.uuid, disk, config.device_name(prefix, first_index + i),
                bus)
            for i, disk in enumerate(volumes)]

    def destroy(self, context, uuid):
        self._remove(uuid, builder.InstancePaths(self._instances_path, uuid))

    def _remove(self, uuid, paths):
        guest = self._host.find(uuid)
        if guest is not None:
            guest.destroy()
            guest.undefine()
            LOG.info("Destroyed %(name)s", {"name": guest.name})
        for usage in self._host.secret_usages(iscsi.secret_usage(uuid, "")):
            self._host.delete_secret("iscsi", usage)
        if os.path.isdir(paths.dir):
            _remove_dir(paths.dir)

    # -- power --------------------------------------------------------------

    def reboot(self, uuid, reboot_type):
        guest = self._host.lookup(uuid)
        if reboot_type == hv.REBOOT_SOFT and \
                guest.state() == power_state.RUNNING:
            guest.shutdown(acpi=self._acpi)
            if _wait_for(lambda: not guest.is_active(),
                         self._opts.soft_reboot_timeout):
                guest.start()
                return
            LOG.warning("%(name)s did not shut down within %(t)d s; "
                        "resetting it", {"name": guest.name,
                                         "t": self._opts.soft_reboot_timeout})
        guest.destroy()
        if guest.has_managed_save():
            guest.remove_managed_save()
        guest.start()

    def power_off(self, uuid, timeout=0):
        guest = self._host.lookup(uuid)
        if guest.has_managed_save():
            guest.remove_managed_save()
        if not guest.is_active():
            return
        if timeout and guest.state() == power_state.RUNNING:
            guest.shutdown(acpi=self._acpi)
            if _wait_for(lambda: not guest.is_active(), timeout):
                return
            LOG.warning("%(name)s did not shut down within %(t)s s; "
                        "forcing it off", {"name": guest.name, "t": timeout})
        guest.destroy()

    def power_on(self, uuid):
        guest = self._host.lookup(uuid)
        if not guest.is_active():
            guest.start()

    def pause(self, uuid):
        self._host.lookup(uuid).pause()

    def trigger_crash_dump(self, uuid):
        self._host.lookup(uuid).inject_nmi()

    def unpause(self, uuid):
        self._host.lookup(uuid).resume()

    def suspend(self, uuid):
        guest = self._host.lookup(uuid)
        if guest.is_active():
            guest.managed_save()

    def resume(self, uuid):
        guest = self._host.lookup(uuid)
        if not guest.is_active():
            guest.start()

    # -- console and disks --------------------------------------------------

    def get_console_output(self, uuid, max_bytes=None):
        self._host.lookup(uuid)
        limit = self._opts.console_log_max_bytes
        if max_bytes is not None:
            limit = max(0, min(limit, max_bytes))
        path = builder.InstancePaths(self._instances_path, uuid).console
        try:
            with open(path, "rb") as f:
                size = f.seek(0, os.SEEK_END)
                f.seek(max(0, size - limit))
                data = f.read(limit)
        except FileNotFoundError:
            return ""
        # "ignore" never makes the text longer than the bytes read.
        return data.decode("utf-8", "ignore")

    def cache_image(self, context, image):
        """Copy the image (and its kernel and ramdisk) into ``_base`` as a
        boot would."""
        new = not os.path.exists(self._cache.base_path(image.id))
        self._cache.fetch(image.id, image.path)
        for part in (image.kernel, image.ramdisk):
            if part is not None:
                self._cache.fetch(part.id, part.path)
        return new

    def get_diagnostics(self, uuid):
        return diagnostics.of_guest(self._host.lookup(uuid),
                                    self._opts.virt_type)

    def extend_volume(self, uuid, serial, new_size):
        """``blockResize`` the running guest's disk of volume ``serial``
        (Nova's libvirt driver does the same after Cinder grew it)."""
        guest = self._host.lookup(uuid)
        if not guest.is_active():
            raise exception.HypervisorError(
                reason=f"guest {uuid} is not running")
        dev = config.disk_target(guest.xml(), serial)
        if dev is None:
            raise exception.HypervisorError(
                reason=f"guest {uuid} has no disk {serial}")
        if new_size < guest.block_capacity(dev):
            raise exception.HypervisorError(
                reason=f"disk {serial} cannot shrink to {new_size}")
        guest.block_resize(dev, new_size)

    def get_vnc_console(self, uuid):
        if not self.capabilities.vnc_console:
            self._unsupported("get_vnc_console")
        port = config.vnc_port(self._host.lookup(uuid).xml())
        if port is None:
            raise exception.ConsoleUnavailable(
                console_type="vnc", instance_uuid=uuid,
                reason="the guest is not running or has no VNC graphics")
        host = self._opts.vnc_proxyclient_address or self._opts.vnc_listen
        return hv.ConsoleAddress(host=host, port=port)

    def attach_disk(self, uuid, disk):
        guest = self._host.lookup(uuid)
        live, persistent = guest.xml(), guest.xml(inactive=True)
        if disk.serial in config.disk_serials(live) + \
                config.disk_serials(persistent):
            raise exception.HypervisorError(
                reason=f"disk {disk.serial} is already attached to {uuid}")
        bus, prefix = config.disk_bus(self._opts.virt_type)
        dev = config.next_device_name(live, prefix)
        try:
            driver = volume.for_protocol(disk.protocol, self._host)
            disk_xml = config.ET.tostring(
                driver.connect(uuid, disk, dev, bus).to_xml(),
                encoding="unicode")
        except exception.InvalidInput as err:
            raise exception.HypervisorError(reason=str(err))
        try:
            guest.attach_device(disk_xml)
        except Exception:
            with excutils.save_and_reraise_exception():
                driver.disconnect(uuid, disk.serial)

    def detach_disk(self, uuid, serial):
        guest = self._host.lookup(uuid)
        live = config.find_disk(guest.xml(), serial) \
            if guest.is_active() else None
        persistent = config.find_disk(guest.xml(inactive=True), serial)
        if live:
            guest.detach_device(live, live=True, config=False)
            if not _wait_for(
                    lambda: serial not in config.disk_serials(guest.xml()),
                    self._opts.detach_timeout, interval=0.2):
                raise exception.HypervisorError(
                    reason=f"guest {uuid} did not release disk {serial}")
        if persistent:
            guest.detach_device(persistent, live=False, config=True)
        if live or persistent:
            self._host.delete_secret("iscsi",
                                     iscsi.secret_usage(uuid, serial))

    # -- network interfaces -------------------------------------------------

    def attach_interface(self, uuid, vif):
        guest = self._host.lookup(uuid)
        macs = config.interface_macs(guest.xml()) + \
            config.interface_macs(guest.xml(inactive=True))
        if vif.mac.lower() in macs:
            raise exception.HypervisorError(
                reason=f"an interface with MAC {vif.mac} is already "
                       f"attached to {uuid}")
        try:
            iface = builder.interface_config(
                vif, self._opts.virt_type, self._opts.ovs_checksum_offload)
        except exception.InvalidInput as err:
            raise exception.HypervisorError(reason=str(err))
        guest.attach_device(config.ET.tostring(iface.to_xml(),
                                               encoding="unicode"))
        LOG.info("Attached interface %(vif)s to %(uuid)s",
                 {"vif": vif.id, "uuid": uuid})

    def detach_interface(self, uuid, vif_id):
        guest = self._host.lookup(uuid)
        dev = hv.vif_device_name(vif_id)
        live = _interface_by_dev(guest.xml(), dev) \
            if guest.is_active() else None
        persistent = _interface_by_dev(guest.xml(inactive=True), dev)
        if live:
            self._detach_live_interface(guest, live, dev, uuid, vif_id)
        if persistent:
            guest.detach_device(persistent, live=False, config=True)
        if live or persistent:
            LOG.info("Detached interface %(vif)s from %(uuid)s",
                     {"vif": vif_id, "uuid": uuid})


    def _detach_live_interface(self, guest, live, dev, uuid, vif_id):
        """Ask the guest to release the NIC, again every few seconds: a
        guest still booting ignores the first ACPI unplug request (Nova
        retries for the same reason)."""
        deadline = time.monotonic() + self._opts.detach_timeout
        while True:
            guest.detach_device(live, live=True, config=False)
            wait = min(5.0, max(0.0, deadline - time.monotonic()))
            if _wait_for(lambda: _interface_by_dev(guest.xml(), dev) is None,
                         wait, interval=0.2):
                return
            if time.monotonic() >= deadline:
                raise exception.HypervisorError(
                    reason=f"guest {uuid} did not release interface "
                           f"{vif_id}")
            LOG.debug("%(uuid)s has not released %(vif)s yet; asking "
                      "again", {"uuid": uuid, "vif": vif_id})


def _interface_by_dev(domain_xml, dev):
    """The ``<interface>`` whose tap is ``dev`` (as XML), or None. The
    persistent config keeps the ``<target dev>`` nimbus set, the live one
    the tap libvirt made with that name."""
    for iface in config.ET.fromstring(domain_xml).findall(
            "./devices/interface"):
        target = iface.find("target")
        if target is not None and target.get("dev") == dev:
            return config.ET.tostring(iface, encoding="unicode")
    return None
