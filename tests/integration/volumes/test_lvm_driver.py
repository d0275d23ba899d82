"""The ``lvm`` driver against real lvm2 on a loop-device volume group in
metadata-only mode (this kernel has no device-mapper): the conformance
kit, and nimbus-volume's manager over it leaving ``lvs`` exactly as
expected, failures included."""

import unittest

import pytest

from nimbus.core import exception, loading
from nimbus.core.db import api as db
from nimbus.core.interfaces import volume as volume_if
from nimbus.core.testing import volume as kit
from nimbus.core.volume import api as volume_api
from nimbus.core.volume import manager as volume_manager
from nimbus.core.volume import statuses as st
from nimbus.plugins.volumes.lvm import conf as lvm_conf
from tests.integration.volumes.conftest import apply, lvs, make_conf
from tests.unit import workflow_fakes as wf

pytestmark = pytest.mark.real

GiB = volume_if.GiB


def lvm_driver(vg):
    conf, _ = make_conf()
    lvm_conf.register_opts(conf)
    apply(conf, {"volume_lvm": {"volume_group": vg, "metadata_only": True}})
    return loading.load_driver(loading.VOLUMES, "lvm", conf, "lvm-host")


class TestLVMMetadataMode(kit.VolumeDriverConformanceTests,
                          unittest.TestCase):
    @pytest.fixture(autouse=True)
    def _vg(self, privsep, loop_vg):
        self.vg = loop_vg

    def make_driver(self):
        return lvm_driver(self.vg)

    def test_metadata_mode_declares_no_data_path(self):
        caps = self.driver.capabilities
        assert (caps.data_path, caps.snapshots, caps.clone,
                caps.image_copy) == (False, False, False, False)
        assert caps.extend


def test_missing_volume_group_stops_the_driver(privsep):
    driver = lvm_driver("nimbus-vg-missing-0")
    with pytest.raises(exception.ConfigError) as err:
        driver.init_host()
    assert "nimbus-vg-missing-0" in str(err.value)


# -- through nimbus-volume's manager ------------------------------------------

@pytest.fixture
def stack(privsep, loop_vg, db_api, nimbus_conf):
    """The volume API whose casts run an lvm manager at once."""
    lvm_conf.register_opts(nimbus_conf)
    nimbus_conf.set_override("driver", "lvm", group="volume")
    nimbus_conf.set_override("target", "local", group="volume")
    nimbus_conf.set_override("volume_group", loop_vg, group="volume_lvm")
    nimbus_conf.set_override("metadata_only", True, group="volume_lvm")
    mgr = volume_manager.VolumeManager(nimbus_conf, "lvm-host", db_api)
    mgr.init_host()
    mgr.report_capacity()
    service = db.services.create(wf.admin(), {
        "host": "lvm-host", "binary": "nimbus-volume", "topic": "volume",
        "version": 1})
    db.services.heartbeat(wf.admin(), service["id"])
    api = volume_api.VolumeAPI(nimbus_conf, db_api)

    class Casts:
        def create_volume(self, ctx, host, volume_id, **kwargs):
            mgr.create_volume(ctx, volume_id, **kwargs)

        def delete_volume(self, ctx, host, volume_id):
            mgr.delete_volume(ctx, volume_id)

        def extend_volume(self, ctx, host, volume_id, new_size, previous):
            mgr.extend_volume(ctx, volume_id, new_size, previous)
    api._rpc = Casts()
    return api, mgr, loop_vg


def test_create_extend_delete_leave_lvs_exactly(stack):
    api, mgr, vg = stack
    ctx = wf.user_context()
    assert lvs(vg) == {}
    one = api.create_volume(ctx, 1)
    two = api.create_volume(ctx, 2)
    assert lvs(vg) == {f"volume-{one['id']}": GiB,
                       f"volume-{two['id']}": 2 * GiB}
    assert api.get_volume(ctx, one["id"])["status"] == st.AVAILABLE
    row = db.volumes.get_volume(wf.admin(), one["id"])
    assert row["provider_location"] == f"{vg}/volume-{one['id']}"
    api.extend_volume(ctx, one["id"], 3)
    assert api.get_volume(ctx, one["id"])["size"] == 3
    assert lvs(vg) == {f"volume-{one['id']}": 3 * GiB,
                       f"volume-{two['id']}": 2 * GiB}
    api.delete_volume(ctx, two["id"])
    assert lvs(vg) == {f"volume-{one['id']}": 3 * GiB}
    with pytest.raises(exception.VolumeNotFound):
        api.get_volume(ctx, two["id"])
    mgr.report_capacity()
    [host] = db.volumes.get_hosts(wf.admin())
    assert host["total_gb"] - host["free_gb"] == pytest.approx(3, abs=0.01)
    api.delete_volume(ctx, one["id"])
    assert lvs(vg) == {}


def test_failed_lvcreate_is_an_error_volume_and_nothing_made(stack):
    api, mgr, vg = stack
    ctx = wf.user_context()
    keep = api.create_volume(ctx, 1)
    # The scheduler's view says there is room (as a stale report would);
    # lvcreate then fails for lack of extents.
    db.volumes.report_host(wf.admin(), "lvm-host", "lvm", "nova", 1000.0,
                           1000.0, {"extend": True})
    volume = api.create_volume(ctx, 100)
    shown = api.get_volume(ctx, volume["id"])
    assert shown["status"] == st.ERROR
    assert "insufficient free space" in shown["fault"].lower()
    assert lvs(vg) == {f"volume-{keep['id']}": GiB}


def test_failed_lvextend_keeps_the_size(stack):
    api, mgr, vg = stack
    ctx = wf.user_context()
    volume = api.create_volume(ctx, 1)
    api.extend_volume(ctx, volume["id"], 100)
    shown = api.get_volume(ctx, volume["id"])
    assert (shown["status"], shown["size"]) == (st.ERROR_EXTENDING, 1)
    assert "insufficient free space" in shown["fault"].lower()
    assert lvs(vg) == {f"volume-{volume['id']}": GiB}


def test_requests_the_metadata_mode_cannot_serve_are_refused(stack):
    api, mgr, vg = stack
    ctx = wf.user_context()
    volume = api.create_volume(ctx, 1)
    with pytest.raises(exception.UnsupportedOperation):
        api.create_snapshot(ctx, volume["id"])
    clone = api.create_volume(ctx, 1, source_volid=volume["id"])
    assert clone["status"] == st.ERROR
    assert lvs(vg) == {f"volume-{volume['id']}": GiB}
