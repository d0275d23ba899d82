import unittest

from oslo_config import cfg

from nimbus.core.testing.hypervisor import HypervisorConformanceTests
from nimbus.core.testing.hypervisor_moves import ColdMoveConformanceTests
from nimbus.core.testing.live_migration import LiveMigrationConformanceTests
from nimbus.plugins.hypervisors.fake import conf as fake_conf
from nimbus.plugins.hypervisors.fake.driver import FakeDriver


class TestFakeConformance(HypervisorConformanceTests,
                          ColdMoveConformanceTests, unittest.TestCase):
    def make_driver(self, host="conformance-host"):
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt("state_path", default="/nonexistent"))
        fake_conf.register_opts(conf)
        conf([], project="nimbus-test", default_config_files=[])
        conf.set_override("persist", False, group="fake")
        return FakeDriver(conf, host)

    def make_peer_driver(self):
        return self.make_driver("conformance-peer")

    def guest_vif_ids(self, uuid):
        return set(self.driver.vifs(uuid))

    def guest_disk_size(self, uuid, serial):
        return self.driver.disk_size(uuid, serial)

    def guest_disk_shared(self, uuid, serial):
        return serial in self.driver.shareable_serials(uuid)


class TestFakeLiveMigrationConformance(LiveMigrationConformanceTests,
                                       unittest.TestCase):
    def make_hosts(self):
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt("state_path", default="/nonexistent"))
        fake_conf.register_opts(conf)
        conf([], project="nimbus-test", default_config_files=[])
        conf.set_override("persist", False, group="fake")
        conf.set_override("latency", {"live_migration": "0.2"},
                          group="fake")
        return FakeDriver(conf, "live-a"), FakeDriver(conf, "live-b")
