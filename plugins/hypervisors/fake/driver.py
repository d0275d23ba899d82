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

LOG = logging.getLogger(__name__)


class FakeDriver(hv.Hypervisor):
    """In-memory guests; passes the conformance kit; optional persistence."""

    capabilities = hv.Capabilities(
        soft_reboot=True, pause=True, suspend=True, console_log=True,
        disk_hotplug=True, direct_kernel_boot=True, lifecycle_events=True)
    hypervisor_type = "fake"

    def __init__(self, conf, host):
        super().__init__(conf, host)
        fake_conf.register_opts(conf)
        self.capabilities = _declared(type(self).capabilities,
                                      conf.fake.disabled_capabilities, host)
        self._lock = threading.Lock()
        self._guests = {}
        self._path = None
        if conf.fake.persist:
            self._path = os.path.join(conf.state_path, "fake", f"{host}.json")

    # -- host ---------------------------------------------------------------

    def init_host(self):
        if self._path and os.path.exists(self._path):
            with open(self._path) as f:
                self._guests = json.load(f)
        LOG.info("Fake host %(host)s has %(n)d guests",
                 {"host": self.host, "n": len(self._guests)})

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

    def spawn(self, context, spec):
        self._act("spawn")
        with self._lock:
            if spec.uuid in self._guests:
                raise exception.InstanceExists(name=spec.uuid)
            self._guests[spec.uuid] = {
                "name": spec.name, "vcpus": spec.vcpus,
                "memory_mb": spec.memory_mb, "disks": {},
                "power_state": power_state.RUNNING,
                "console": [f"fake guest {spec.uuid} booted"],
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

    def get_console_output(self, uuid, max_bytes=None):
        self._need("console_log", "get_console_output")
        text = "\n".join(self._get(uuid)["console"]) + "\n"
        return text[-max_bytes:] if max_bytes else text

    def attach_disk(self, uuid, disk):
        self._need("disk_hotplug", "attach_disk")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            if disk.serial in guest["disks"]:
                raise exception.HypervisorError(
                    reason=f"disk {disk.serial} already attached")
            guest["disks"][disk.serial] = disk.protocol
            self._save()

    def detach_disk(self, uuid, serial):
        self._need("disk_hotplug", "detach_disk")
        with self._lock:
            guest = self._guests.get(uuid)
            if guest is None:
                raise exception.HypervisorInstanceNotFound(instance_id=uuid)
            guest["disks"].pop(serial, None)
            self._save()

    # -- test helpers (not part of the contract) ----------------------------

    def simulate_power_change(self, uuid, state):
        """Change a guest's state as if it happened outside nimbus."""
        self._set_state(uuid, state, note="changed outside nimbus")

    def disk_serials(self, uuid):
        return sorted(self._get(uuid)["disks"])

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
            time.sleep(delay)
        f = self.conf.fake
        if self.host in f.fail_hosts and operation in f.fail_ops:
            raise exception.HypervisorError(
                reason=f"injected {operation} failure on {self.host}")

    def _save(self):
        if not self._path:
            return
        os.makedirs(os.path.dirname(self._path), exist_ok=True)
        tmp = self._path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self._guests, f)
        os.replace(tmp, self._path)


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
