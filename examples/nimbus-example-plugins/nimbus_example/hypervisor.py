"""ExampleHypervisor: guests are records in a dict, saved to one file.

A template for hypervisor plugins. It implements every abstract method of
:class:`nimbus.core.interfaces.hypervisor.Hypervisor` and no optional one
(its :attr:`capabilities` say so, and the base class answers the others
with ``UnsupportedOperation``). A real plugin calls its hypervisor where
this one changes the dict.

The contract says guests outlive the compute service, so a restarted
service must find them again: every change is written to
``[example] state_dir/<host>.json``, which :meth:`init_host` reads back.
"""

import json
import os
import threading

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state

from nimbus_example import conf as example_conf


class ExampleHypervisor(hv.Hypervisor):
    """Guests in memory on a fixed-size host; no optional operations."""

    capabilities = hv.Capabilities(soft_reboot=True)
    hypervisor_type = "example"

    #: the inventory every example host reports (totals, not free).
    VCPUS = 8
    MEMORY_MB = 16384
    LOCAL_GB = 200

    def __init__(self, conf, host):
        super().__init__(conf, host)
        example_conf.register_opts(conf)
        self._path = os.path.join(conf.example.state_dir, f"{host}.json")
        # The manager calls from several threads (one guest at a time).
        self._lock = threading.Lock()
        self._guests = {}  # uuid -> {"power_state", "vcpus", "memory_mb"}

    # -- host ---------------------------------------------------------------

    def init_host(self):
        """Load the guests a previous run of this host left.

        :raises HypervisorError: the state file cannot be read.
        """
        try:
            with open(self._path) as f:
                self._guests = json.load(f)
        except FileNotFoundError:
            self._guests = {}
        except (OSError, ValueError) as err:
            raise exception.HypervisorError(
                reason=f"cannot read {self._path}: {err}") from err

    def get_available_resource(self):
        return hv.HostResources(
            hypervisor_hostname=self.host,
            hypervisor_type=self.hypervisor_type, hypervisor_version=1000,
            vcpus=self.VCPUS, memory_mb=self.MEMORY_MB,
            local_gb=self.LOCAL_GB, cpu_info={"arch": "x86_64"})

    # -- guests -------------------------------------------------------------

    def list_instances(self):
        with self._lock:
            return list(self._guests)

    def get_info(self, uuid):
        with self._lock:
            guest = self._find(uuid)
            return hv.GuestInfo(uuid=uuid, **guest)

    def spawn(self, context, spec):
        with self._lock:
            if spec.uuid in self._guests:
                raise exception.InstanceExists(name=spec.uuid)
            self._guests[spec.uuid] = {
                "power_state": power_state.RUNNING,
                "vcpus": spec.vcpus, "memory_mb": spec.memory_mb}
            try:
                self._save()
            except exception.HypervisorError:
                del self._guests[spec.uuid]  # a failed spawn leaves nothing
                raise

    def destroy(self, context, uuid):
        with self._lock:
            if self._guests.pop(uuid, None) is not None:
                self._save()

    def reboot(self, uuid, reboot_type):
        # Soft or hard, a record restarts at once; a stopped one starts.
        self._set_power_state(uuid, power_state.RUNNING)

    def power_off(self, uuid, timeout=0):
        self._set_power_state(uuid, power_state.SHUTDOWN)

    def power_on(self, uuid):
        self._set_power_state(uuid, power_state.RUNNING)

    # -- internals ----------------------------------------------------------

    def _set_power_state(self, uuid, state):
        with self._lock:
            self._find(uuid)["power_state"] = state
            self._save()

    def _find(self, uuid):
        """Return the guest's record; call with the lock held."""
        try:
            return self._guests[uuid]
        except KeyError:
            raise exception.HypervisorInstanceNotFound(
                instance_id=uuid) from None

    def _save(self):
        """Write every guest to the state file, atomically; call with the
        lock held."""
        try:
            os.makedirs(os.path.dirname(self._path), exist_ok=True)
            tmp = self._path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(self._guests, f)
            os.replace(tmp, self._path)
        except OSError as err:
            raise exception.HypervisorError(
                reason=f"cannot write {self._path}: {err}") from err
