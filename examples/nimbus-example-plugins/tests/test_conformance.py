"""The example plugins against nimbus's conformance kits.

Run as a vendor would, with nimbus and this package installed (the kits
load plugins through their entry points)::

    pip install ./nimbus-example-plugins
    python -m pytest nimbus-example-plugins/tests
"""

import os
import tempfile
import unittest

from nimbus.core import exception
from nimbus.core.interfaces import power_state
from nimbus.core.testing.hypervisor import HypervisorConformanceTests
from nimbus.core.testing.scheduler import (
    HostFilterConformanceTests,
    make_conf,
    make_host_state,
    make_spec,
)
from oslo_config import cfg

from nimbus_example import conf as example_conf
from nimbus_example.filters import ExampleRejectFilter
from nimbus_example.hypervisor import ExampleHypervisor

REJECTED = "host-2"


class TestExampleHypervisor(HypervisorConformanceTests, unittest.TestCase):
    """Every contract test of the kit, plus the restart the kit cannot
    see."""

    def make_driver(self):
        state = tempfile.TemporaryDirectory()
        self.addCleanup(state.cleanup)
        conf = cfg.ConfigOpts()
        example_conf.register_opts(conf)
        conf.set_override("state_dir", state.name, "example")
        return ExampleHypervisor(conf, "host-1")

    def _restarted(self):
        driver = ExampleHypervisor(self.driver.conf, self.driver.host)
        driver.init_host()
        return driver

    def test_guests_are_found_after_a_restart(self):
        running = self._spawn()
        stopped = self._spawn()
        self.driver.power_off(stopped)
        again = self._restarted()
        self.assertCountEqual([running, stopped], again.list_instances())
        self.assertEqual(power_state.RUNNING,
                         again.get_info(running).power_state)
        self.assertEqual(power_state.SHUTDOWN,
                         again.get_info(stopped).power_state)

    def test_destroyed_guests_stay_gone_after_a_restart(self):
        uuid = self._spawn()
        self.driver.destroy(None, uuid)
        self.assertEqual([], self._restarted().list_instances())

    def test_unreadable_state_stops_the_host(self):
        conf = self.driver.conf
        path = os.path.join(conf.example.state_dir, "host-1.json")
        with open(path, "w") as f:
            f.write("not json")
        driver = ExampleHypervisor(conf, "host-1")
        self.assertRaises(exception.HypervisorError, driver.init_host)


class TestExampleFilter(HostFilterConformanceTests, unittest.TestCase):
    """Every contract test of the kit, on a rejected and passing hosts."""

    plugin_name = "example_reject"

    def make_conf(self):
        conf = make_conf()
        example_conf.register_opts(conf)
        conf.set_override("reject_hosts", [REJECTED], "example")
        return conf

    def sample_cases(self):
        return [(make_host_state(host=host), make_spec())
                for host in ("host-1", REJECTED, "host-3")]


class TestExampleRejectFilter(unittest.TestCase):
    """What the filter decides."""

    def setUp(self):
        super().setUp()
        self.conf = make_conf()
        self.filter = ExampleRejectFilter(self.conf)
        self.spec = make_spec()

    def _passes(self, host):
        return self.filter.host_passes(make_host_state(host=host), self.spec)

    def test_listed_hosts_are_rejected_others_pass(self):
        self.conf.set_override("reject_hosts", ["ex-1", "ex-3"], "example")
        self.assertTrue(self.filter.applies(self.spec))
        self.assertFalse(self._passes("ex-1"))
        self.assertFalse(self._passes("ex-3"))
        self.assertTrue(self._passes("ex-2"))

    def test_an_empty_list_steps_aside(self):
        self.assertEqual([], self.conf.example.reject_hosts)
        self.assertFalse(self.filter.applies(self.spec))
        self.assertTrue(self._passes("ex-1"))

    def test_rejection_names_the_option(self):
        self.assertIn("[example] reject_hosts", self.filter.rejection)
        self.assertTrue(ExampleRejectFilter.__doc__.startswith("Rejects "))
