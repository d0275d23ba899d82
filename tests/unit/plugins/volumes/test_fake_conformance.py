"""The ``fake`` volume driver and the ``fake`` and ``local`` targets pass
the volume conformance kit."""

import os
import tempfile
import unittest

from oslo_config import cfg

from nimbus.core import exception, loading
from nimbus.core.interfaces import volume as volume_if
from nimbus.core.testing.volume import (
    VolumeDriverConformanceTests,
    VolumeTargetConformanceTests,
    new_volume,
)


def _conf():
    conf = cfg.ConfigOpts()
    conf([], project="nimbus-test", default_config_files=[])
    return conf


class TestFakeDriver(VolumeDriverConformanceTests, unittest.TestCase):
    def make_driver(self):
        return loading.load_driver(loading.VOLUMES, "fake", _conf(), "h1")

    def test_injected_failure_makes_nothing(self):
        volume = new_volume()
        self.driver.fail_next("create_volume")
        with self.assertRaises(exception.VolumeBackendError):
            self.driver.create_volume(volume)
        self.assertFalse(self.driver.volume_exists(volume))


class _FileDevices:
    def make_device(self, volume):
        handle, path = tempfile.mkstemp(prefix="nimbus-target-")
        os.close(handle)
        self.addCleanup(os.unlink, path)
        return volume_if.LocalDevice("file", path)


class TestFakeTarget(_FileDevices, VolumeTargetConformanceTests,
                     unittest.TestCase):
    def make_target(self):
        return loading.load_driver(loading.VOLUME_TARGETS, "fake", _conf(),
                                   "h1")


class TestLocalTarget(_FileDevices, VolumeTargetConformanceTests,
                      unittest.TestCase):
    connector = dict(VolumeTargetConformanceTests.connector, host="h1")

    def make_target(self):
        return loading.load_driver(loading.VOLUME_TARGETS, "local", _conf(),
                                   "h1")

    def test_other_hosts_are_refused(self):
        volume = new_volume()
        device = self.make_device(volume)
        export = self.target.create_export(volume, device)
        with self.assertRaises(exception.VolumeExportError):
            self.target.initialize_connection(
                volume, device, export, dict(self.connector, host="h2"))
