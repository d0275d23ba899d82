"""Conformance kit for the live-migration contract (hypervisor
interface 1.3, :mod:`nimbus.core.interfaces.live_migration`).

A plugin declaring ``capabilities.live_migration`` proves it with two
of its hosts::

    class TestMyLive(LiveMigrationConformanceTests, unittest.TestCase):
        def make_hosts(self):
            return MyDriver(conf_a, "host-a"), MyDriver(conf_b, "host-b")

        def make_spec(self, uuid):          # optional: a bootable guest
            ...

The kit runs the steps in the order conductor and the computes do
(:mod:`nimbus.core.interfaces.live_migration`'s module doc) and checks
where the guest is after each ending; every guest it makes is destroyed
on both hosts, even on failure.
"""

import threading
import uuid as uuidlib

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state


class LiveMigrationConformanceTests:
    """Mixin of contract tests; see the module docstring."""

    def make_hosts(self):
        raise NotImplementedError("subclasses return two plugin instances")

    def make_spec(self, uuid):
        return hv.GuestSpec(uuid=uuid, name=f"live-{uuid[:8]}", vcpus=1,
                            memory_mb=128, root_gb=1)

    def setUp(self):
        super().setUp()
        self.source, self.dest = self.make_hosts()
        for driver in (self.source, self.dest):
            driver.init_host()
            self.addCleanup(driver.cleanup_host)

    def _spawn(self):
        uuid = str(uuidlib.uuid4())
        for driver in (self.dest, self.source):
            self.addCleanup(driver.destroy, None, uuid)
        spec = self.make_spec(uuid)
        self.source.spawn(None, spec)
        return spec

    def _prepare(self, spec, block_migration=None):
        data = self.dest.check_can_live_migrate_destination(
            None, spec, block_migration)
        try:
            data = self.source.check_can_live_migrate_source(
                None, spec.uuid, data)
        finally:
            self.dest.cleanup_live_migration_destination_check(None, data)
        return self.dest.pre_live_migration(None, spec, data)

    def test_capabilities_declared(self):
        for driver in (self.source, self.dest):
            self.assertTrue(driver.capabilities.live_migration)

    def test_migrates_and_keeps_running(self):
        spec = self._spawn()
        data = self._prepare(spec)
        samples = []
        self.source.live_migration(None, spec.uuid, data, samples.append)
        self.dest.post_live_migration_at_destination(None, spec, data)
        self.source.post_live_migration(None, spec.uuid, data)
        self.assertFalse(self.source.instance_exists(spec.uuid))
        self.assertTrue(self.dest.instance_exists(spec.uuid))
        self.assertEqual(power_state.RUNNING,
                         self.dest.get_info(spec.uuid).power_state)
        for sample in samples:
            self.assertIsInstance(sample, hv.LiveMigrationProgress)
        self.assertFalse(self.source.live_migration_in_progress(spec.uuid))

    def test_rollback_leaves_the_guest_on_the_source(self):
        spec = self._spawn()
        data = self._prepare(spec)
        self.dest.rollback_live_migration_at_destination(None, spec.uuid,
                                                         data)
        self.dest.rollback_live_migration_at_destination(None, spec.uuid,
                                                         data)
        self.assertFalse(self.dest.instance_exists(spec.uuid))
        self.assertEqual(power_state.RUNNING,
                         self.source.get_info(spec.uuid).power_state)

    def test_abort_keeps_the_guest_on_the_source(self):
        if not self.source.capabilities.live_migration_abort:
            self.skipTest("plugin declares no live_migration_abort")
        spec = self._spawn()
        data = self._prepare(spec)
        started = threading.Event()

        def progress(_sample):
            if not started.is_set():
                started.set()
                self.source.live_migration_abort(spec.uuid)
        with self.assertRaises(exception.LiveMigrationAborted):
            self.source.live_migration(None, spec.uuid, data, progress)
        self.dest.rollback_live_migration_at_destination(None, spec.uuid,
                                                         data)
        self.assertTrue(self.source.instance_exists(spec.uuid))
        self.assertFalse(self.dest.instance_exists(spec.uuid))

    def test_abort_without_a_migration_is_an_error(self):
        if not self.source.capabilities.live_migration_abort:
            self.skipTest("plugin declares no live_migration_abort")
        spec = self._spawn()
        with self.assertRaises(exception.LiveMigrationError):
            self.source.live_migration_abort(spec.uuid)

    def test_precheck_refuses_a_guest_already_there(self):
        spec = self._spawn()
        with self.assertRaises(exception.LiveMigrationPreCheckError):
            self.source.check_can_live_migrate_destination(None, spec, None)
