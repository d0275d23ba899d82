import unittest

from oslo_config import cfg

from nimbus.core.testing.hypervisor import HypervisorConformanceTests
from nimbus.plugins.hypervisors.fake import conf as fake_conf
from nimbus.plugins.hypervisors.fake.driver import FakeDriver


class TestFakeConformance(HypervisorConformanceTests, unittest.TestCase):
    def make_driver(self):
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt("state_path", default="/nonexistent"))
        fake_conf.register_opts(conf)
        conf([], project="nimbus-test", default_config_files=[])
        conf.set_override("persist", False, group="fake")
        return FakeDriver(conf, "conformance-host")
