"""The fake hypervisor plugin: guests are records in memory.

Any number of virtual hosts can live in one process (one plugin instance
per host). Capacity, latency, failures and missing capabilities are set
per host in ``[fake]``, so scheduling, rescheduling, scale and capability
checks can be exercised without guests.
"""

import dataclasses
import json
import os
import threading
import time

from oslo_log import log as logging

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state
from nimbus.plugins.hypervisors.fake import conf as fake_conf
from nimbus.plugins.hypervisors.fake import console, diagnostics, vnc
from nimbus.plugins.hypervisors.fake.live_migration import (
    FakeLiveMigrationMixin,
)

LOG = logging.getLogger(__name__)


class FakeDriver(FakeLiveMigrationMixin, hv.Hypervisor):
    """In-memory guests; passes the conformance kit; optional persistence."""

    capabilities = hv.Capabilities(
        soft_reboot=True, pause=True, suspend=True, console_log=True,
        disk_hotplug=True, vif_hotplug=True, direct_kernel_boot=True,
        lifecycle_events=True, cold_migration=True, live_migration=True,
        block_migration=True, live_migration_abort=True,
        live_migration_force_complete=True, snapshot=True, rescue=True,
        rescue_volume_backed=True, crash_dump=True, vnc_console=True, diagnostics=True,
        volume_extend=True,
        supports_multiattach=True, supports_tagged_attach_volume=True,
        supports_tagged_attach_interface=True, image_precache=True,
        set_admin_password=True)
    hypervisor_type = "fake"

    def __init__(self, conf, host):
        super().__init__(conf, host)
        fake_conf.register_opts(conf)
        self.capabilities = _declared(type(self).capabilities,
                                      conf.fake.disabled_capabilities, host)
        self._lock = threading.Lock()
        self._guests = {}
        #: ids of the images this host holds (booted from or pre-cached).
        self.cached_images = set()
        #: guests set aside by migrate_disk_and_power_off, for a revert.
        self._kept = {}
        self._vnc = vnc.FakeVncServer()
        self._path = None
        if conf.fake.persist:
            self._path = os.path.join(conf.state_path, "fake", f"{host}.json")

    # -- host ---------------------------------------------------------------

    def init_host(self):
        if self._path and os.path.exists(self._path):
            with open(self._path) as f:
                self._guests = json.load(f)
        kept = self._kept_path()
        if kept and os.path.exists(kept):
            with open(kept) as f:
                self._kept = json.load(f)
        LOG.info("Fake host %(host)s has %(n)d guests",
                 {"host": self.host, "n": len(self._guests)})

    def cleanup_host(self):
        self._vnc.stop()

    def get_available_resource(self):
        vcpus, memory_mb, local_gb = self._capacity()
        return hv.HostResources(
            hypervisor_hostname=self.host, hypervisor_type="fake",
            hypervisor_version=1000, vcpus=vcpus, memory_mb=memory_mb,
            local_gb=local_gb,
            cpu_info={"arch": "x86_64", "model": "fake", "vendor": "nimbus",
                      "topology": {"sockets": 1, "cores": vcpus,
                                   "threads": 1}})

    def _capacity(self):
        spec = self.conf.fake.host_capacity.get(self.host)
        if spec:
            vcpus, memory_mb, local_gb = (int(x) for x in spec.split("/"))
            return vcpus, memory_mb, local_gb
        f = self.conf.fake
        return f.vcpus, f.memory_mb, f.local_gb

    # -- guests -------------------------------------------------------------

    def list_instances(self):
        with self._lock:
            return list(self._guests)

    def instance_exists(self, uuid):
        with self._lock:
            return uuid in self._guests

    def get_info(self, uuid):
        guest = self._get(uuid)
        return hv.GuestInfo(uuid=uuid, power_state=guest["power_state"],
                            vcpus=guest["vcpus"],
                            memory_mb=guest["memory_mb"])

    def cache_image(self, context, image):
        self._need("image_precache", "cache_image")
        self._act("cache_image")
        if not image.path or not os.path.isfile(image.path):
            raise exception.InvalidInput(
                reason=f"image {image.id} has no local data "
                       f"({image.path!r})")
        with self._lock:
            new = image.id not in self.cached_images
            self.cached_images.add(image.id)
        return new

    def spawn(self, context, spec):
        self._act("spawn")
        if spec.image:
            with self._lock:
                self.cached_images.add(spec.image.id)
        if any(d.shareable for d in spec.disks):
            self._need("supports_multiattach", "spawn with a shareable disk")
        with self._lock:
            if spec.uuid in self._guests:
                raise exception.InstanceExists(name=spec.uuid)
            self._guests[spec.uuid] = {
                "name": spec.name, "vcpus": spec.vcpus,
                "memory_mb": spec.memory_mb, "root_gb": spec.root_gb,
                "disks": {d.serial: d.protocol for d in spec.disks},
                "shareable": sorted(d.serial for d in spec.disks
                                    if d.shareable),
                "vifs": {v.id: dataclasses.asdict(v) for v in spec.vifs},
                "power_state": power_state.RUNNING,
                "console": console.boot_log(spec),
                "image": spec.image.id if spec.image else None,
                "rescue_image": None,
            }
            self._save()

    def destroy(self, context, uuid):
        self._act("destroy")
        with self._lock:
            self._guests.pop(uuid, None)
            self._save()

    def reboot(self, uuid, reboot_type):
        if reboot_type == hv.REBOOT_SOFT:
            self._need("soft_reboot", "reboot")
        self._act("reboot")
        self._set_state(uuid, power_state.RUNNING,
                        note=f"rebooted ({reboot_type})")

    def power_off(self, uuid, timeout=0):
        self._act("power_off")
        self._set_state(uuid, power_state.SHUTDOWN)

    def power_on(self, uuid):
        self._act("power_on")
        self._set_state(uuid, power_state.RUNNING)

    def pause(self, uuid):
        self._need("pause", "pause")
        self._act("pause")
        self._set_state(uuid, power_state.PAUSED)

    def unpause(self, uuid):
        self._need("pause", "unpause")
        self._act("unpause")
        self._set_state(uuid, power_state.RUNNING)

    def suspend(self, uuid):
        self._need("suspend", "suspend")
        self._act("suspend")
        self._set_state(uuid, power_state.SUSPENDED)

    def resume(self, uuid):
        self._need("suspend", "resume")
        self._act("resume")
        self._set_state(uuid, power_state.RUNNING)

    def trigger_crash_dump(self, uuid):
        """Note the NMI on the guest's console, as a Linux guest prints
        it."""
        self._need("crash_dump", "trigger_crash_dump")
        self._act("trigger_crash_dump")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            guest["console"].append("NMI received for unknown reason")
            self._save()

    def set_admin_password(self, uuid, password):
        """Keep the password on the running guest (see
        :meth:`admin_password`)."""
        self._need("set_admin_password", "set_admin_password")
        self._act("set_admin_password")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            if guest["power_state"] != power_state.RUNNING:
                raise exception.HypervisorError(
                    reason=f"guest {uuid} is not running")
            guest["admin_password"] = password
            self._save()

    def admin_password(self, uuid):
        """The password last set on the guest, or None (tests)."""
        return self._get(uuid).get("admin_password")

    def get_console_output(self, uuid, max_bytes=None):
        self._need("console_log", "get_console_output")
        text = "\n".join(self._get(uuid)["console"]) + "\n"
        return text[-max_bytes:] if max_bytes else text

    def get_diagnostics(self, uuid):
        self._need("diagnostics", "get_diagnostics")
        return diagnostics.of_guest(self._get(uuid))

    def get_vnc_console(self, uuid):
        """Every running guest of the host shares the host's
        :class:`~.vnc.FakeVncServer` (started on first use)."""
        self._need("vnc_console", "get_vnc_console")
        if self._get(uuid)["power_state"] != power_state.RUNNING:
            raise exception.ConsoleUnavailable(
                console_type="vnc", instance_uuid=uuid,
                reason="the guest is not running")
        return hv.ConsoleAddress(host="127.0.0.1", port=self._vnc.start())

    def attach_disk(self, uuid, disk):
        self._need("disk_hotplug", "attach_disk")
        if disk.shareable:
            self._need("supports_multiattach", "attach_disk (shareable)")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            if disk.serial in guest["disks"]:
                raise exception.HypervisorError(
                    reason=f"disk {disk.serial} already attached")
            guest["disks"][disk.serial] = disk.protocol
            shared = set(guest.get("shareable", ()))
            shared.discard(disk.serial)
            if disk.shareable:
                shared.add(disk.serial)
            guest["shareable"] = sorted(shared)
            self._save()

    def detach_disk(self, uuid, serial):
        self._need("disk_hotplug", "detach_disk")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            guest["disks"].pop(serial, None)
            guest.get("disk_sizes", {}).pop(serial, None)
            if serial in guest.get("shareable", ()):
                guest["shareable"].remove(serial)
            self._save()

    def extend_volume(self, uuid, serial, new_size):
        """Record the size the guest now sees (:meth:`disk_size`)."""
        self._need("volume_extend", "extend_volume")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            if serial not in guest["disks"]:
                raise exception.HypervisorError(
                    reason=f"guest {uuid} has no disk {serial}")
            if guest["power_state"] != power_state.RUNNING:
                raise exception.HypervisorError(
                    reason=f"guest {uuid} is not running")
            sizes = guest.setdefault("disk_sizes", {})
            if new_size < sizes.get(serial, 0):
                raise exception.HypervisorError(
                    reason=f"disk {serial} cannot shrink to {new_size}")
            sizes[serial] = new_size
            self._save()

    def attach_interface(self, uuid, vif):
        self._need("vif_hotplug", "attach_interface")
        self._act("attach_interface")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            vifs = guest.setdefault("vifs", {})
            if vif.id in vifs:
                raise exception.HypervisorError(
                    reason=f"interface {vif.id} already attached")
            vifs[vif.id] = dataclasses.asdict(vif)
            self._save()

    def detach_interface(self, uuid, vif_id):
        self._need("vif_hotplug", "detach_interface")
        self._act("detach_interface")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            guest.setdefault("vifs", {}).pop(vif_id, None)
            self._save()

    # -- cold moves ----------------------------------------------------------

    def migrate_disk_and_power_off(self, context, uuid, dest_host, spec,
                                   timeout=0):
        self._need("cold_migration", "migrate_disk_and_power_off")
        self._act("migrate_disk_and_power_off")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            if spec.root_gb < guest.get("root_gb", 0):
                raise exception.ResizeError(
                    reason=f"the root disk cannot shrink from "
                           f"{guest['root_gb']} GB to {spec.root_gb} GB")
            guest = dict(guest, power_state=power_state.SHUTDOWN)
            self._kept[uuid] = guest
            del self._guests[uuid]
            self._save()
        # The "disk" travels in disk_info: any fake host of any process
        # can finish the move.
        return {"guest": guest, "source": self.host}

    def finish_migration(self, context, spec, disk_info, power_on=True):
        self._need("cold_migration", "finish_migration")
        self._act("finish_migration")
        guest = dict(disk_info["guest"], name=spec.name, vcpus=spec.vcpus,
                     memory_mb=spec.memory_mb, root_gb=spec.root_gb)
        guest["power_state"] = power_state.RUNNING if power_on \
            else power_state.SHUTDOWN
        guest["console"] = list(guest.get("console", [])) + [
            f"moved from {disk_info.get('source')} to {self.host}"]
        with self._lock:
            if spec.uuid in self._guests:
                raise exception.InstanceExists(name=spec.uuid)
            self._guests[spec.uuid] = guest
            self._save()

    def confirm_migration(self, context, uuid, same_host):
        self._need("cold_migration", "confirm_migration")
        self._act("confirm_migration")
        with self._lock:
            self._kept.pop(uuid, None)
            self._save()

    def finish_revert_migration(self, context, spec, power_on=True):
        self._need("cold_migration", "finish_revert_migration")
        self._act("finish_revert_migration")
        with self._lock:
            kept = self._kept.pop(spec.uuid, None)
            if kept is not None:
                self._guests[spec.uuid] = kept
            guest = self._guests.get(spec.uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(
                    instance_id=spec.uuid)
            if power_on:
                guest["power_state"] = power_state.RUNNING
            self._save()

    # -- images of guests --------------------------------------------------

    def snapshot(self, context, uuid, dest_path, disk_format="raw"):
        self._need("snapshot", "snapshot")
        if disk_format not in hv.SNAPSHOT_FORMATS:
            raise exception.HypervisorError(
                reason=f"unsupported snapshot format {disk_format!r}")
        self._act("snapshot")
        guest = self._get(uuid)
        data = json.dumps({"fake_snapshot_of": uuid,
                           "image": guest.get("image")}).encode()
        with open(dest_path, "wb") as f:
            f.write(data)
        return len(data)

    def rescue(self, context, spec, rescue_image):
        """Note the rescue; a volume-backed guest keeps its disks (stable
        device rescue) and the rescue disk goes after them."""
        self._need("rescue", "rescue")
        root = spec.root_volume
        if root is not None:
            self._need("rescue_volume_backed", "rescue of a volume-backed "
                                               "guest")
        self._act("rescue")
        with self._lock:
            guest = self._guests.get(spec.uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(
                    instance_id=spec.uuid)
            if guest.get("rescue_image"):
                raise exception.HypervisorError(
                    reason=f"guest {spec.uuid} is already rescued")
            guest["rescue_image"] = rescue_image.id
            if root is not None:
                guest["rescue_device"] = _rescue_device(spec, rescue_image)
            self._save()
        note = f"rescued from image {rescue_image.id}"
        if root is not None:
            note += (f" (stable devices: root volume {root.serial} kept, "
                     f"rescue {guest['rescue_device']})")
        self._set_state(spec.uuid, power_state.RUNNING, note=note)

    def unrescue(self, uuid):
        self._need("rescue", "unrescue")
        self._act("unrescue")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            guest["rescue_image"] = None
            guest.pop("rescue_device", None)
            self._save()
        self._set_state(uuid, power_state.RUNNING, note="unrescued")

    def is_rescued(self, uuid):
        return bool(self._get(uuid).get("rescue_image"))

    # -- test helpers (not part of the contract) ----------------------------

    def kept_instances(self):
        """UUIDs of the guests set aside for a revert."""
        with self._lock:
            return sorted(self._kept)

    def guest_record(self, uuid):
        """A copy of a guest's record (its flavor, power state, ...)."""
        return self._get(uuid)

    def vifs(self, uuid):
        """``{vif id: VifSpec fields}`` of a guest's interfaces."""
        return dict(self._get(uuid).get("vifs", {}))

    def simulate_power_change(self, uuid, state):
        """Change a guest's state as if it happened outside nimbus."""
        self._set_state(uuid, state, note="changed outside nimbus")

    def disk_serials(self, uuid):
        return sorted(self._get(uuid)["disks"])

    def shareable_serials(self, uuid):
        """The serials of the guest's disks attached as shareable
        (multiattach volumes; tests)."""
        return sorted(self._get(uuid).get("shareable", ()))

    def disk_size(self, uuid, serial):
        """The size in bytes :meth:`extend_volume` last gave the disk
        ``serial``, or None if it never did (tests)."""
        return self._get(uuid).get("disk_sizes", {}).get(serial)

    # -- internals ----------------------------------------------------------

    def _get(self, uuid):
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            return dict(guest)

    def _set_state(self, uuid, state, note=None):
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            guest["power_state"] = state
            if note:
                guest["console"].append(note)
            self._save()
        if self.capabilities.lifecycle_events:
            self.emit_event(hv.LifecycleEvent(uuid=uuid, power_state=state))

    def _need(self, capability, operation):
        """Raise UnsupportedOperation when ``capability`` is disabled."""
        if not getattr(self.capabilities, capability):
            self._unsupported(operation)

    def _act(self, operation):
        delay = float(self.conf.fake.latency.get(operation, 0) or 0)
        if delay:
            # Tests that kill a compute mid-operation wait for this line.
            LOG.info("Fake %(op)s on %(host)s: waiting %(delay)ss",
                     {"op": operation, "host": self.host, "delay": delay})
            time.sleep(delay)
        f = self.conf.fake
        if self.host in f.fail_hosts and operation in f.fail_ops:
            raise exception.HypervisorError(
                reason=f"injected {operation} failure on {self.host}")

    def _kept_path(self):
        return self._path[:-len(".json")] + ".kept.json" if self._path \
            else None

    def _save(self):
        if not self._path:
            return
        os.makedirs(os.path.dirname(self._path), exist_ok=True)
        for path, data in ((self._path, self._guests),
                           (self._kept_path(), self._kept)):
            tmp = path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(data, f)
            os.replace(tmp, path)


def _rescue_device(spec, image):
    """``"<device> on <bus>"``: how a stable device rescue shows the
    rescue disk (the image's ``hw_rescue_device``/``hw_rescue_bus``)."""
    props = image.properties or {}
    device = props.get("hw_rescue_device") or "disk"
    bus = props.get("hw_rescue_bus") or "virtio"
    if device not in hv.RESCUE_DEVICES or bus not in hv.RESCUE_BUSES:
        raise exception.HypervisorError(
            reason=f"rescue {device} on bus {bus} is not supported")
    return f"{device} on {bus} after {len(spec.disks)} disks"


def _declared(full, disabled, host):
    """Return ``full`` without the capabilities ``disabled`` names for
    ``host`` (``[fake] disabled_capabilities``).

    :raises ConfigError: an item names no capability.
    """
    known = {f.name for f in dataclasses.fields(full)}
    off = set()
    for item in disabled:
        target, _, name = item.rpartition(":")
        if name not in known:
            raise exception.ConfigError(
                reason=f"[fake] disabled_capabilities: unknown capability "
                       f"{name!r} in {item!r}; known: "
                       f"{', '.join(sorted(known))}")
        if target in ("", host):
            off.add(name)
    return dataclasses.replace(full, **dict.fromkeys(off, False))
