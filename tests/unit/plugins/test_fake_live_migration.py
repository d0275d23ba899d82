"""The fake plugin's live migration copies for its configured latency,
and an abort or a force-complete ends the copy at once, not at the end
of the step it is waiting out."""

import threading
import time

import pytest
from oslo_config import cfg

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.plugins.hypervisors.fake import driver as fake_driver

#: a copy far longer than any test waits.
LATENCY = 600


@pytest.fixture
def driver(tmp_path):
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt("state_path", default=str(tmp_path)))
    conf([], project="nimbus-test", default_config_files=[])
    drv = fake_driver.FakeDriver(conf, "fake-1")
    conf.set_override("persist", False, "fake")
    conf.set_override("latency", {"live_migration": str(LATENCY)}, "fake")
    drv.init_host()
    drv.spawn(None, hv.GuestSpec(uuid="u1", name="vm", vcpus=1,
                                 memory_mb=64))
    return drv


def _migrate(driver):
    """Run the copy in a thread; its outcome, and the progress seen."""
    outcome, steps = {}, []

    def run():
        try:
            driver.live_migration(None, "u1", {}, steps.append)
            outcome["done"] = True
        except exception.NimbusException as err:
            outcome["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not steps and time.monotonic() < deadline:
        time.sleep(0.01)
    assert steps, "the copy never reported progress"
    return thread, outcome, steps


@pytest.mark.parametrize("control", ["abort", "force_complete"])
def test_a_control_ends_the_copy_at_once(driver, control):
    thread, outcome, steps = _migrate(driver)
    started = time.monotonic()
    getattr(driver, f"live_migration_{control}")("u1")
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert time.monotonic() - started < 5 < LATENCY / 10
    if control == "abort":
        assert isinstance(outcome["error"], exception.LiveMigrationAborted)
        assert driver.live_migration_in_progress("u1") is False
    else:
        assert outcome == {"done": True}
        assert steps[-1].memory_remaining == 0
