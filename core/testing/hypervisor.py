"""Conformance kit for hypervisor plugins.

A plugin's own repository proves its plugin keeps the contract of
:mod:`nimbus.core.interfaces.hypervisor` by subclassing
:class:`HypervisorConformanceTests` together with ``unittest.TestCase``::

    class TestMyDriver(HypervisorConformanceTests, unittest.TestCase):
        def make_driver(self):
            return MyDriver(conf, "host-1")

        def make_spec(self, uuid):          # optional: a bootable guest
            return GuestSpec(uuid=uuid, name=..., vcpus=1, memory_mb=128,
                             image=...)

        def make_vif(self):                 # optional: a pluggable VIF
            return VifSpec(id=..., mac=..., bridge="br-test", kind="ovs")

        def guest_vif_ids(self, uuid):      # optional: what the guest has
            return {...}

Every test creates its own guests and destroys them, even on failure.
Optional operations are exercised when the plugin declares the matching
capability (a capability declared but not working fails the suite) and
must refuse with UnsupportedOperation, changing nothing, when it does
not.
"""

import dataclasses
import os
import random
import socket
import tempfile
import time
import uuid as uuidlib

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state
from nimbus.core.testing import hypervisor_images


class HypervisorConformanceTests(hypervisor_images.HypervisorImageTests):
    """Mixin of contract tests; see the module docstring."""

    #: seconds a plugin may take to reflect a state change in get_info.
    state_timeout = 30.0

    def make_driver(self):
        raise NotImplementedError("subclasses return a plugin instance")

    def make_spec(self, uuid):
        return hv.GuestSpec(uuid=uuid, name=f"conformance-{uuid[:8]}",
                            vcpus=1, memory_mb=128, root_gb=1)

    def make_vif(self):
        """A VIF to hot-plug; plugins that need a real bridge override
        this (and remove what it made with ``addCleanup``)."""
        mac = "fa:16:3e:%02x:%02x:%02x" % tuple(
            random.randrange(256) for _ in range(3))
        return hv.VifSpec(id=str(uuidlib.uuid4()), mac=mac)

    def guest_vif_ids(self, uuid):
        """The ids of the VIFs the guest has, as the plugin sees them, or
        ``None`` when the plugin offers no way to tell (then the kit checks
        only what the contract's return values and errors show)."""
        return None

    def make_volume_disk(self, size):
        """A ``size``-byte raw file as a :class:`DiskSpec` to hot-plug
        (removed with ``addCleanup``); plugins that reach disks another
        way override this."""
        handle, path = tempfile.mkstemp(prefix="conformance-vol-")
        os.close(handle)
        self.addCleanup(os.unlink, path)
        os.truncate(path, size)
        # virtio-blk shows a guest 20 bytes of serial.
        return hv.DiskSpec(serial=str(uuidlib.uuid4())[:20], path=path)

    def guest_disk_size(self, uuid, serial):
        """The size in bytes the guest sees of its disk ``serial``, or
        ``None`` when the plugin offers no way to tell."""
        return None

    def guest_disk_shared(self, uuid, serial):
        """Whether the guest holds its disk ``serial`` as shareable, or
        ``None`` when the plugin offers no way to tell."""
        return None

    # -- helpers ------------------------------------------------------------

    def setUp(self):
        super().setUp()
        self.driver = self.make_driver()
        self.driver.init_host()
        self.addCleanup(self.driver.cleanup_host)

    def _spawn(self):
        uuid = str(uuidlib.uuid4())
        self.addCleanup(self.driver.destroy, None, uuid)
        self.driver.spawn(None, self.make_spec(uuid))
        return uuid

    def _state(self, uuid):
        return self.driver.get_info(uuid).power_state

    def _declared(self, capability, *operations):
        """Return True when the plugin declares ``capability``; otherwise
        check that each of ``operations`` refuses with
        UnsupportedOperation and leaves a running guest running, and
        return False (an undeclared capability is a contract too)."""
        if getattr(self.driver.capabilities, capability):
            return True
        uuid = self._spawn()
        for operation in operations:
            with self.assertRaises(exception.UnsupportedOperation,
                                   msg=operation):
                getattr(self.driver, operation)(uuid)
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        return False

    # -- contract -----------------------------------------------------------

    def test_is_a_hypervisor(self):
        self.assertIsInstance(self.driver, hv.Hypervisor)
        self.assertIsInstance(self.driver.capabilities, hv.Capabilities)

    def test_available_resource(self):
        res = self.driver.get_available_resource()
        self.assertIsInstance(res, hv.HostResources)
        self.assertGreater(res.vcpus, 0)
        self.assertGreater(res.memory_mb, 0)
        self.assertTrue(res.hypervisor_type)

    def test_spawn_runs_and_lists(self):
        uuid = self._spawn()
        self.assertIn(uuid, self.driver.list_instances())
        self.assertTrue(self.driver.instance_exists(uuid))
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_spawn_twice_raises_instance_exists(self):
        uuid = self._spawn()
        self.assertRaises(exception.InstanceExists, self.driver.spawn,
                          None, self.make_spec(uuid))
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_destroy_removes_and_is_idempotent(self):
        uuid = self._spawn()
        self.driver.destroy(None, uuid)
        self.assertNotIn(uuid, self.driver.list_instances())
        self.assertFalse(self.driver.instance_exists(uuid))
        self.driver.destroy(None, uuid)  # idempotent

    def test_unknown_guest_raises_not_found(self):
        missing = str(uuidlib.uuid4())
        self.assertRaises(exception.HypervisorInstanceNotFound,
                          self.driver.get_info, missing)
        self.assertRaises(exception.HypervisorInstanceNotFound,
                          self.driver.power_on, missing)

    def test_power_off_and_on(self):
        uuid = self._spawn()
        self.driver.power_off(uuid, timeout=0)
        self.assertEqual(power_state.SHUTDOWN, self._state(uuid))
        self.driver.power_off(uuid, timeout=0)  # idempotent
        self.driver.power_on(uuid)
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        self.driver.power_on(uuid)  # idempotent
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_hard_reboot_keeps_running(self):
        uuid = self._spawn()
        self.driver.reboot(uuid, hv.REBOOT_HARD)
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_reboot_starts_a_stopped_guest(self):
        uuid = self._spawn()
        self.driver.power_off(uuid, timeout=0)
        self.driver.reboot(uuid, hv.REBOOT_HARD)
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_pause_unpause(self):
        if not self._declared("pause", "pause", "unpause"):
            return
        uuid = self._spawn()
        self.driver.pause(uuid)
        self.assertEqual(power_state.PAUSED, self._state(uuid))
        self.driver.unpause(uuid)
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_suspend_resume(self):
        if not self._declared("suspend", "suspend", "resume"):
            return
        uuid = self._spawn()
        self.driver.suspend(uuid)
        self.assertIn(self._state(uuid),
                      (power_state.SUSPENDED, power_state.SHUTDOWN))
        self.driver.resume(uuid)
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_console_output_is_bounded(self):
        if not self._declared("console_log", "get_console_output"):
            return
        uuid = self._spawn()
        text = self.driver.get_console_output(uuid)
        self.assertIsInstance(text, str)
        tail = self.driver.get_console_output(uuid, max_bytes=10)
        self.assertLessEqual(len(tail.encode()), 10)

    def test_diagnostics_describe_the_guest(self):
        if not self._declared("diagnostics", "get_diagnostics"):
            return
        uuid = self._spawn()
        spec = self.make_spec(uuid)
        diags = self.driver.get_diagnostics(uuid)
        self.assertIsInstance(diags, hv.GuestDiagnostics)
        self.assertEqual(power_state.RUNNING, diags.power_state)
        self.assertIsInstance(diags.driver, str)
        self.assertEqual(spec.vcpus, len(diags.cpus))
        self.assertEqual(list(range(spec.vcpus)),
                         sorted(cpu.id for cpu in diags.cpus))
        self.assertEqual(spec.memory_mb, diags.memory_max_mb)
        self.assertGreaterEqual(len(diags.disks), 1)
        for value in diags.free_form.values():
            self.assertIsInstance(value, (int, float, str))
        # It crosses RPC as a dict and comes back the same.
        self.assertEqual(diags, hv.GuestDiagnostics.from_dict(
            diags.to_dict()))
        # Reading changed nothing; a missing guest is the usual error.
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        with self.assertRaises(exception.HypervisorInstanceNotFound):
            self.driver.get_diagnostics(str(uuidlib.uuid4()))

    def test_a_shareable_disk_attaches_to_two_guests(self):
        caps = self.driver.capabilities
        if not caps.disk_hotplug:
            return
        disk = dataclasses.replace(self.make_volume_disk(1024 * 1024),
                                   shareable=True)
        first, second = self._spawn(), self._spawn()
        if not caps.supports_multiattach:
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.attach_disk, first, disk)
            return
        self.driver.attach_disk(first, disk)
        self.driver.attach_disk(second, disk)
        for uuid in (first, second):
            self.assertEqual(power_state.RUNNING, self._state(uuid))
            self.assertIn(self.guest_disk_shared(uuid, disk.serial),
                          (True, None))
            seen = self.guest_disk_size(uuid, disk.serial)
            if seen is not None:
                self.assertEqual(1024 * 1024, seen)

    def test_extend_volume_grows_the_guest_disk(self):
        if not self.driver.capabilities.volume_extend:
            uuid = self._spawn()
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.extend_volume, uuid, "x", 1)
            return
        mib = 1024 * 1024
        disk = self.make_volume_disk(8 * mib)
        if self.driver.capabilities.disk_hotplug:
            uuid = self._spawn()
            self.driver.attach_disk(uuid, disk)
        else:
            # Without hot-plug the volume is there from the start.
            uuid = str(uuidlib.uuid4())
            self.addCleanup(self.driver.destroy, None, uuid)
            spec = self.make_spec(uuid)
            spec.disks = [*spec.disks, disk]
            self.driver.spawn(None, spec)
        # The backend grows the volume first, then the guest is told.
        if disk.path:
            os.truncate(disk.path, 16 * mib)
        self.driver.extend_volume(uuid, disk.serial, 16 * mib)
        seen = self.guest_disk_size(uuid, disk.serial)
        if seen is not None:
            self.assertEqual(16 * mib, seen)
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        # Never a shrink, never a disk the guest lacks or a missing guest.
        with self.assertRaises(exception.HypervisorError):
            self.driver.extend_volume(uuid, disk.serial, 8 * mib)
        with self.assertRaises(exception.HypervisorError):
            self.driver.extend_volume(uuid, str(uuidlib.uuid4())[:20],
                                      16 * mib)
        with self.assertRaises(exception.HypervisorInstanceNotFound):
            self.driver.extend_volume(str(uuidlib.uuid4()), disk.serial,
                                      16 * mib)

    def test_vnc_console_answers_rfb(self):
        if not self._declared("vnc_console", "get_vnc_console"):
            return
        uuid = self._spawn()
        address = self.driver.get_vnc_console(uuid)
        self.assertIsInstance(address, hv.ConsoleAddress)
        self.assertIsInstance(address.port, int)
        # What the console proxy does: connect and read the server's
        # protocol banner ("RFB 003.008\n").
        with socket.create_connection((address.host, address.port),
                                      timeout=self.state_timeout) as conn:
            banner = b""
            while len(banner) < 12:
                chunk = conn.recv(12 - len(banner))
                if not chunk:
                    break
                banner += chunk
        self.assertRegex(banner, rb"^RFB \d{3}\.\d{3}\n$")
        with self.assertRaises(exception.HypervisorInstanceNotFound):
            self.driver.get_vnc_console(str(uuidlib.uuid4()))

    def test_lifecycle_events_reach_listeners(self):
        if not self._declared("lifecycle_events"):
            return  # listeners may register; nothing is promised
        seen = []
        self.driver.register_event_listener(seen.append)
        uuid = self._spawn()
        self.driver.power_off(uuid, timeout=0)
        self.assertTrue(self._wait(
            lambda: any(e.uuid == uuid and
                        e.power_state == power_state.SHUTDOWN
                        for e in seen)), seen)

    def _wait(self, predicate):
        deadline = time.monotonic() + self.state_timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.1)
        return predicate()

    def _vif_ids(self, uuid):
        return self.guest_vif_ids(uuid)

    def test_attach_detach_interface(self):
        if not self._declared("vif_hotplug"):
            uuid = self._spawn()
            vif = self.make_vif()
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.attach_interface, uuid, vif)
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.detach_interface, uuid, vif.id)
            self.assertEqual(power_state.RUNNING, self._state(uuid))
            return
        uuid = self._spawn()
        vif = self.make_vif()
        self.driver.attach_interface(uuid, vif)
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        seen = self._vif_ids(uuid)
        if seen is not None:
            self.assertIn(vif.id, seen)
        # The same VIF id twice is an error; the guest keeps running.
        self.assertRaises(exception.HypervisorError,
                          self.driver.attach_interface, uuid, vif)
        self.driver.detach_interface(uuid, vif.id)
        seen = self._vif_ids(uuid)
        if seen is not None:
            self.assertNotIn(vif.id, seen)
        self.driver.detach_interface(uuid, vif.id)  # idempotent
        # Detached, the same VIF can come back.
        self.driver.attach_interface(uuid, vif)
        self.driver.detach_interface(uuid, vif.id)
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_interface_of_a_spawned_guest_detaches(self):
        if not self.driver.capabilities.vif_hotplug:
            return  # covered by test_attach_detach_interface
        uuid = str(uuidlib.uuid4())
        vif = self.make_vif()
        spec = self.make_spec(uuid)
        spec.vifs = list(spec.vifs) + [vif]
        self.addCleanup(self.driver.destroy, None, uuid)
        self.driver.spawn(None, spec)
        seen = self._vif_ids(uuid)
        if seen is not None:
            self.assertIn(vif.id, seen)
        self.driver.detach_interface(uuid, vif.id)
        seen = self._vif_ids(uuid)
        if seen is not None:
            self.assertNotIn(vif.id, seen)
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_interface_hotplug_on_unknown_guest(self):
        if not self.driver.capabilities.vif_hotplug:
            return
        missing = str(uuidlib.uuid4())
        self.assertRaises(exception.HypervisorInstanceNotFound,
                          self.driver.attach_interface, missing,
                          self.make_vif())

    def test_unsupported_operations_say_so(self):
        caps = self.driver.capabilities
        uuid = self._spawn()
        if not caps.pause:
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.pause, uuid)
        if not caps.disk_hotplug:
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.detach_disk, uuid, "x")
