"""The fake plugin's server diagnostics follow its guest records: vCPUs,
memory, VIFs and disks (hot-plugged ones too), zero counters."""

import pytest
from oslo_config import cfg

from nimbus.core import exception
from nimbus.core.interfaces import hypervisor as hv
from nimbus.core.interfaces import power_state
from nimbus.plugins.hypervisors.fake import driver as fake_driver


@pytest.fixture
def driver(tmp_path):
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt("state_path", default=str(tmp_path)))
    conf([], project="nimbus-test", default_config_files=[])
    drv = fake_driver.FakeDriver(conf, "fake-1")
    conf.set_override("persist", False, "fake")
    drv.init_host()
    return drv


def test_diagnostics_follow_the_guest(driver):
    vif = hv.VifSpec(id="0123456789abcdef", mac="fa:16:3e:00:00:09")
    driver.spawn(None, hv.GuestSpec(uuid="u1", name="vm", vcpus=3,
                                    memory_mb=256, root_gb=1, vifs=[vif]))
    driver.attach_disk("u1", hv.DiskSpec(serial="vol-1", path="/x"))
    diags = driver.get_diagnostics("u1")
    assert (diags.driver, diags.power_state) == ("fake", power_state.RUNNING)
    assert [c.id for c in diags.cpus] == [0, 1, 2]
    assert (diags.memory_max_mb, diags.memory_used_mb) == (256, 256)
    assert [d.device for d in diags.disks] == ["vda", "vdb"]
    (nic,) = diags.nics
    assert (nic.mac_address, nic.device, nic.rx_octets) == \
        ("fa:16:3e:00:00:09", "tap0123456789a", 0)
    free = diags.free_form
    assert free["memory"] == 256 * 1024 and free["cpu2_time"] == 0
    assert free["vdb_write_req"] == 0 and free["tap0123456789a_rx"] == 0
    assert "cpu3_time" not in free and "vdc_read" not in free
    with pytest.raises(exception.HypervisorInstanceNotFound):
        driver.get_diagnostics("nope")


def test_a_host_without_the_capability_refuses(driver):
    driver.conf.set_override("disabled_capabilities", ["diagnostics"],
                             "fake")
    limited = fake_driver.FakeDriver(driver.conf, "fake-2")
    limited.spawn(None, hv.GuestSpec(uuid="u2", name="vm", vcpus=1,
                                     memory_mb=64))
    assert limited.capabilities.diagnostics is False
    with pytest.raises(exception.UnsupportedOperation):
        limited.get_diagnostics("u2")
