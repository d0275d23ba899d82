"""Conformance tests of the 1.4 image operations of hypervisor plugins:
``snapshot`` and ``rescue``/``unrescue``; of 1.5's
``trigger_crash_dump``; of 1.11's ``cache_image``; of 1.12's
``rescue_volume_backed``; and of 1.13's ``set_admin_password``.

Mixed into :class:`nimbus.core.testing.hypervisor.
HypervisorConformanceTests`, so every plugin's conformance suite runs
them. A plugin whose rescue needs a bootable image overrides
:meth:`make_rescue_image`.
"""

import os
import tempfile
import uuid as uuidlib

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state


class HypervisorImageTests:
    """Contract tests of snapshot and rescue (see the module doc)."""

    def make_rescue_image(self):
        """The :class:`ImageSpec` to rescue guests from."""
        return hv.ImageSpec(id="conformance-rescue")

    def _snapshot_dir(self):
        path = tempfile.mkdtemp(prefix="nimbus-snap-")
        os.chmod(path, 0o755)
        self.addCleanup(_remove_tree, path)
        return path

    def test_snapshot_writes_a_standalone_file(self):
        if not self._declared("snapshot"):
            return
        uuid = self._spawn()
        dest = os.path.join(self._snapshot_dir(), "snap")
        size = self.driver.snapshot(None, uuid, dest, "raw")
        self.assertTrue(os.path.isfile(dest))
        self.assertEqual(os.path.getsize(dest), size)
        self.assertGreater(size, 0)
        # The guest is as it was.
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_snapshot_format_is_one_it_writes(self):
        """``snapshot_format``, when the plugin names one, is one of
        :data:`~nimbus.core.interfaces.hypervisor.SNAPSHOT_FORMATS`."""
        fmt = self.driver.snapshot_format
        if fmt is not None:
            self.assertIn(fmt, hv.SNAPSHOT_FORMATS)

    def test_snapshot_of_unknown_guest_leaves_no_file(self):
        if not self.driver.capabilities.snapshot:
            return
        dest = os.path.join(self._snapshot_dir(), "snap")
        self.assertRaises(exception.HypervisorInstanceNotFound,
                          self.driver.snapshot, None, str(uuidlib.uuid4()),
                          dest, "raw")
        self.assertFalse(os.path.exists(dest))

    def test_rescue_and_unrescue(self):
        if not self._declared("rescue"):
            return
        uuid = self._spawn()
        spec = self.make_spec(uuid)
        self.assertFalse(self.driver.is_rescued(uuid))
        self.driver.rescue(None, spec, self.make_rescue_image())
        self.assertTrue(self.driver.is_rescued(uuid))
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        self.assertRaises(exception.HypervisorError, self.driver.rescue,
                          None, spec, self.make_rescue_image())
        self.driver.unrescue(uuid)
        self.assertFalse(self.driver.is_rescued(uuid))
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        # Idempotent.
        self.driver.unrescue(uuid)
        self.assertIn(uuid, self.driver.list_instances())

    def _spawn_volume_backed(self):
        """A guest whose root is a volume (boot index 0): its spec."""
        uuid = str(uuidlib.uuid4())
        spec = self.make_spec(uuid)
        root = self.make_volume_disk(1 << 20)
        root.boot_index = 0
        spec.disks = [root, self.make_volume_disk(1 << 20)]
        self.addCleanup(self.driver.destroy, None, uuid)
        self.driver.spawn(None, spec)
        return spec

    def test_rescue_volume_backed(self):
        """1.12: with ``rescue_volume_backed`` a volume-backed guest is
        rescued and unrescued, running throughout; without it the rescue
        refuses and leaves the guest as it was."""
        caps = self.driver.capabilities
        if not caps.rescue:
            return
        spec = self._spawn_volume_backed()
        if not caps.rescue_volume_backed:
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.rescue, None, spec,
                              self.make_rescue_image())
            self.assertFalse(self.driver.is_rescued(spec.uuid))
            self.assertEqual(power_state.RUNNING, self._state(spec.uuid))
            return
        image = self.make_rescue_image()
        image.properties = dict(image.properties or {},
                                hw_rescue_device="disk",
                                hw_rescue_bus="virtio")
        self.driver.rescue(None, spec, image)
        self.assertTrue(self.driver.is_rescued(spec.uuid))
        self.assertEqual(power_state.RUNNING, self._state(spec.uuid))
        self.assertRaises(exception.HypervisorError, self.driver.rescue,
                          None, spec, image)
        self.driver.unrescue(spec.uuid)
        self.assertFalse(self.driver.is_rescued(spec.uuid))
        self.assertEqual(power_state.RUNNING, self._state(spec.uuid))

    def test_trigger_crash_dump(self):
        """1.5: an NMI leaves the guest as it was (what the guest does
        with it is the guest's business); unknown guests are NotFound;
        undeclared, it is UnsupportedOperation."""
        uuid = self._spawn()
        if not self.driver.capabilities.crash_dump:
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.trigger_crash_dump, uuid)
            return
        self.driver.trigger_crash_dump(uuid)
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        self.assertRaises(exception.HypervisorInstanceNotFound,
                          self.driver.trigger_crash_dump,
                          str(uuidlib.uuid4()))

    def test_set_admin_password(self):
        """1.13: the running guest takes the password and keeps running;
        unknown guests are NotFound; undeclared, it is
        UnsupportedOperation."""
        uuid = self._spawn()
        if not self.driver.capabilities.set_admin_password:
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.set_admin_password, uuid, "pw")
            return
        self.driver.set_admin_password(uuid, "s3cret")
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        self.assertRaises(exception.HypervisorInstanceNotFound,
                          self.driver.set_admin_password,
                          str(uuidlib.uuid4()), "s3cret")

    def test_undeclared_image_operations_refuse(self):
        caps = self.driver.capabilities
        if caps.snapshot and caps.rescue:
            return
        uuid = self._spawn()
        if not caps.snapshot:
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.snapshot, None, uuid,
                              "/nonexistent/snap", "raw")
        if not caps.rescue:
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.unrescue, uuid)


    def _precache_image(self):
        """A small raw image with data on disk, under a fresh id."""
        directory = self._snapshot_dir()
        path = os.path.join(directory, "image.raw")
        with open(path, "wb") as f:
            f.truncate(1024 * 1024)
        os.chmod(path, 0o644)
        return hv.ImageSpec(id=f"conformance-cache-{uuidlib.uuid4()}",
                            disk_format="raw", path=path)

    def test_cache_image_copies_once(self):
        if not self.driver.capabilities.image_precache:
            self.assertRaises(exception.UnsupportedOperation,
                              self.driver.cache_image, None,
                              self._precache_image())
            return
        image = self._precache_image()
        self.assertIs(self.driver.cache_image(None, image), True)
        self.assertIs(self.driver.cache_image(None, image), False)

    def test_cache_image_without_data_fails_and_caches_nothing(self):
        if not self.driver.capabilities.image_precache:
            return
        image = hv.ImageSpec(id=f"conformance-cache-{uuidlib.uuid4()}",
                             path="/nonexistent/image.raw")
        self.assertRaises(exception.NimbusException,
                          self.driver.cache_image, None, image)
        image.path = self._precache_image().path
        self.assertIs(self.driver.cache_image(None, image), True)


def _remove_tree(path):
    for name in os.listdir(path):
        os.unlink(os.path.join(path, name))
    os.rmdir(path)
