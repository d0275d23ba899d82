"""Conformance kit for the cold-move operations of hypervisor plugins
(contract 1.2, capability ``cold_migration``).

Mix it in beside :class:`~nimbus.core.testing.hypervisor.
HypervisorConformanceTests`::

    class TestMyDriver(HypervisorConformanceTests,
                       ColdMoveConformanceTests, unittest.TestCase):
        def make_driver(self): ...
        def make_peer_driver(self):   # optional: a second host
            return MyDriver(conf, "host-2")

Moves within one host always run; moves between two hosts run when
``make_peer_driver`` returns a plugin for another host (it returns None
by default: those tests then check nothing). A plugin that does not
declare ``cold_migration`` must refuse each operation with
UnsupportedOperation, leaving its guest running.
"""

import uuid as uuidlib

from nimbus.core import exception
from nimbus.core.interfaces import power_state


class ColdMoveConformanceTests:
    """Mixin of cold-move contract tests (needs the base kit's helpers:
    ``driver``, ``_spawn``, ``_state``, ``make_spec``)."""

    def make_peer_driver(self):
        return None

    def _bigger(self, uuid):
        spec = self.make_spec(uuid)
        spec.vcpus += 1
        spec.memory_mb += 64
        return spec

    def _declares_moves(self):
        if self.driver.capabilities.cold_migration:
            return True
        uuid = self._spawn()
        with self.assertRaises(exception.UnsupportedOperation):
            self.driver.migrate_disk_and_power_off(
                None, uuid, self.driver.host, self._bigger(uuid))
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        return False

    def test_resize_on_one_host_then_confirm(self):
        if not self._declares_moves():
            return
        uuid = self._spawn()
        spec = self._bigger(uuid)
        info = self.driver.migrate_disk_and_power_off(
            None, uuid, self.driver.host, spec)
        self.driver.finish_migration(None, spec, info, power_on=True)
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        self.assertEqual(spec.vcpus, self.driver.get_info(uuid).vcpus)
        self.driver.confirm_migration(None, uuid, same_host=True)
        self.driver.confirm_migration(None, uuid, same_host=True)
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_resize_on_one_host_then_revert(self):
        if not self._declares_moves():
            return
        uuid = self._spawn()
        old = self.make_spec(uuid)
        spec = self._bigger(uuid)
        info = self.driver.migrate_disk_and_power_off(
            None, uuid, self.driver.host, spec)
        self.driver.finish_migration(None, spec, info, power_on=True)
        self.driver.finish_revert_migration(None, old, power_on=True)
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        self.assertEqual(old.vcpus, self.driver.get_info(uuid).vcpus)
        # Idempotent: nothing set aside any more.
        self.driver.finish_revert_migration(None, old, power_on=True)
        self.assertEqual([uuid], [u for u in self.driver.list_instances()
                                  if u == uuid])

    def test_revert_before_finish_restores_the_guest(self):
        if not self._declares_moves():
            return
        uuid = self._spawn()
        self.driver.migrate_disk_and_power_off(
            None, uuid, self.driver.host, self._bigger(uuid))
        self.driver.finish_revert_migration(None, self.make_spec(uuid),
                                            power_on=True)
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_shrinking_the_root_disk_is_refused(self):
        if not self._declares_moves():
            return
        uuid = self._spawn()
        spec = self.make_spec(uuid)
        spec.root_gb = 0 if spec.root_gb else -1
        if spec.root_gb < 0:
            return
        with self.assertRaises(exception.ResizeError):
            self.driver.migrate_disk_and_power_off(
                None, uuid, self.driver.host, spec)
        self.assertEqual(power_state.RUNNING, self._state(uuid))

    def test_move_to_another_host_and_back(self):
        if not self._declares_moves():
            return
        peer = self.make_peer_driver()
        if peer is None:
            return
        peer.init_host()
        self.addCleanup(peer.cleanup_host)
        uuid = self._spawn()
        self.addCleanup(peer.destroy, None, uuid)
        spec = self._bigger(uuid)
        info = self.driver.migrate_disk_and_power_off(None, uuid,
                                                      peer.host, spec)
        peer.finish_migration(None, spec, info, power_on=False)
        self.assertEqual(power_state.SHUTDOWN,
                         peer.get_info(uuid).power_state)
        self.assertNotIn(uuid, self.driver.list_instances())
        # Revert: the destination's guest goes, the source's comes back.
        peer.destroy(None, uuid)
        self.driver.finish_revert_migration(None, self.make_spec(uuid),
                                            power_on=True)
        self.assertEqual(power_state.RUNNING, self._state(uuid))
        self.assertNotIn(uuid, peer.list_instances())

    def test_moves_of_an_unknown_guest_raise_not_found(self):
        if not self._declares_moves():
            return
        missing = str(uuidlib.uuid4())
        self.assertRaises(exception.HypervisorInstanceNotFound,
                          self.driver.migrate_disk_and_power_off, None,
                          missing, self.driver.host, self.make_spec(missing))
        self.assertRaises(exception.HypervisorInstanceNotFound,
                          self.driver.finish_revert_migration, None,
                          self.make_spec(missing))
