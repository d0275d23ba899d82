"""The ``tgt`` target against a private tgtd: the conformance kit, and a
file volume exported with CHAP read back through QEMU's own iSCSI
initiator (qemu-block-extra's libiscsi), across a tgtd restart."""

import os
import subprocess
import tempfile
import unittest

import pytest

from nimbus.core import loading
from nimbus.core.db import api as db
from nimbus.core.interfaces import volume as volume_if
from nimbus.core.testing import volume as kit
from nimbus.core.volume import api as volume_api
from nimbus.core.volume import manager as volume_manager
from nimbus.core.volume import statuses as st
from nimbus.plugins.volumes.file import conf as file_conf
from nimbus.plugins.volumes.tgt import conf as tgt_conf
from nimbus.plugins.volumes.tgt import target as tgt_target
from tests.integration.volumes.conftest import (
    PrivateTgtd,
    apply,
    make_conf,
)
from tests.unit import workflow_fakes as wf

pytestmark = pytest.mark.real

CONNECTOR = {"host": "compute-1", "ip": "127.0.0.1",
             "initiator": "iqn.2010-10.org.nimbus:compute-1",
             "platform": "x86_64"}


def iscsi_url(info, user=None, secret=None):
    user = info["auth_username"] if user is None else user
    secret = info["auth_secret"] if secret is None else secret
    auth = f"{user}%{secret}@" if user else ""
    return f"iscsi://{auth}{info['portal']}/{info['iqn']}/{info['lun']}"


def qemu_read(url, offset, length):
    """Read through QEMU's iSCSI initiator: (returncode, bytes, stderr)."""
    out = subprocess.run(
        ["qemu-io", "-r", "-f", "raw", "-c", f"read -v {offset} {length}",
         url], capture_output=True, text=True, timeout=60)
    data = bytearray()
    for line in out.stdout.splitlines():
        address, sep, rest = line.partition(":  ")
        if sep and all(c in "0123456789abcdef" for c in address):
            data += bytes.fromhex(rest.split("  ", 1)[0])
    return out.returncode, bytes(data), out.stderr


class TestTgtConformance(kit.VolumeTargetConformanceTests,
                         unittest.TestCase):
    @pytest.fixture(autouse=True)
    def _tgtd(self, privsep, tgtd):
        self.tgtd = tgtd

    def make_target(self):
        conf, _ = make_conf()
        tgt_conf.register_opts(conf)
        apply(conf, {"volume_tgt": {"control_port": self.tgtd.control,
                                    "portal_port": self.tgtd.port}})
        return loading.load_driver(loading.VOLUME_TARGETS, "tgt", conf,
                                   "tgt-host")

    def make_device(self, volume):
        handle, path = tempfile.mkstemp(prefix="nimbus-tgt-lun-")
        os.truncate(handle, 16 << 20)
        os.close(handle)
        self.addCleanup(os.unlink, path)
        return volume_if.LocalDevice("file", path)

    def test_targets_get_distinct_ids_and_leave_nothing(self):
        first = self._export()
        second = self._export()
        assert first[2]["tid"] != second[2]["tid"]
        shown = tgt_target.parse_targets(self.tgtd.tgtadm(
            "--op", "show", "--mode", "target"))
        assert shown == {first[2]["iqn"]: first[2]["tid"],
                         second[2]["iqn"]: second[2]["tid"]}
        accounts = self.tgtd.tgtadm("--op", "show", "--mode",
                                    "account").split()
        assert {first[2]["auth_username"],
                second[2]["auth_username"]} <= set(accounts)
        for volume, _, export in (first, second):
            self.target.remove_export(volume, export)
        assert self.tgtd.tgtadm("--op", "show", "--mode", "target") == ""
        assert self.tgtd.tgtadm("--op", "show", "--mode", "account") == ""


@pytest.fixture
def stack(privsep, tgtd, workdir, db_api, nimbus_conf):
    """Volume API -> file driver + tgt target, casts run at once."""
    file_conf.register_opts(nimbus_conf)
    tgt_conf.register_opts(nimbus_conf)
    apply(nimbus_conf, {
        "volume": {"driver": "file", "target": "tgt"},
        "volume_file": {"directory": os.path.join(workdir, "volumes"),
                        "total_gb": 50},
        "volume_tgt": {"control_port": tgtd.control,
                       "portal_port": tgtd.port}})
    mgr = volume_manager.VolumeManager(nimbus_conf, "tgt-host", db_api)
    mgr.init_host()
    mgr.report_capacity()
    service = db.services.create(wf.admin(), {
        "host": "tgt-host", "binary": "nimbus-volume", "topic": "volume",
        "version": 1})
    db.services.heartbeat(wf.admin(), service["id"])
    api = volume_api.VolumeAPI(nimbus_conf, db_api)

    class Calls:
        def create_volume(self, ctx, host, volume_id, **kwargs):
            mgr.create_volume(ctx, volume_id, **kwargs)

        def create_snapshot(self, ctx, host, snapshot_id):
            mgr.create_snapshot(ctx, snapshot_id)

        def initialize_connection(self, ctx, host, volume_id, connector):
            return mgr.initialize_connection(ctx, volume_id, connector)

        def terminate_connection(self, ctx, host, volume_id, connector):
            return mgr.terminate_connection(ctx, volume_id, connector)
    api._rpc = Calls()
    yield api, mgr
    for row in db.volumes.get_volumes(wf.admin()):
        if row["export_json"]:
            mgr.terminate_connection(wf.admin(), row["id"], CONNECTOR)


def test_file_volume_over_tgt_with_chap_serves_its_data(stack, tgtd):
    api, mgr = stack
    ctx = wf.user_context()
    volume = api.create_volume(ctx, 1)
    path = mgr.driver.local_path(mgr._spec(
        db.volumes.get_volume(wf.admin(), volume["id"]))).path
    with open(path, "r+b") as handle:
        handle.seek(4096)
        handle.write(b"NIMBUS-MARK:over-iscsi")
    api.reserve(ctx, volume["id"], "server-1")
    info = api.initialize_connection(ctx, volume["id"], CONNECTOR)
    assert info["protocol"] == "iscsi" and info["serial"] == volume["id"]
    assert info["portal"] == f"127.0.0.1:{tgtd.port}"
    assert info["auth_username"] and len(info["auth_secret"]) >= 12

    out = subprocess.run(["qemu-img", "info", "--output=json",
                          iscsi_url(info)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert f'"virtual-size": {volume_if.GiB}' in out.stdout
    rc, data, err = qemu_read(iscsi_url(info), 4096, 22)
    assert rc == 0, err
    assert data == b"NIMBUS-MARK:over-iscsi"

    # without the right secret the target refuses the login
    rc, _, err = qemu_read(iscsi_url(info, secret="wrongwrongwrong1"), 0, 8)
    assert rc != 0 and "Authentication failure" in err
    rc, _, err = qemu_read(iscsi_url(info, user=""), 0, 8)
    assert rc != 0

    # tgtd restarts empty; nimbus-volume's start restores the export
    tgtd.stop()
    tgtd.start()
    assert tgtd.tgtadm("--op", "show", "--mode", "target") == ""
    mgr.restore_exports()
    rc, data, err = qemu_read(iscsi_url(info), 4096, 22)
    assert rc == 0, err
    assert data == b"NIMBUS-MARK:over-iscsi"

    # detach: the export and its account are gone
    api.terminate_connection(ctx, volume["id"], CONNECTOR)
    assert tgtd.tgtadm("--op", "show", "--mode", "target") == ""
    rc, _, _ = qemu_read(iscsi_url(info), 0, 8)
    assert rc != 0
    api.unreserve(ctx, volume["id"])
    assert api.get_volume(ctx, volume["id"])["status"] == st.AVAILABLE


def test_snapshot_data_reaches_a_new_volume_over_iscsi(stack):
    api, mgr = stack
    ctx = wf.user_context()
    volume = api.create_volume(ctx, 1)
    row = db.volumes.get_volume(wf.admin(), volume["id"])
    device = mgr.driver.local_path(mgr._spec(row))
    kit.write_bytes(device, 0, b"SNAPSHOT-MOMENT")
    snap = api.create_snapshot(ctx, volume["id"])
    kit.write_bytes(device, 0, b"LATER-CHANGES!!")
    child = api.create_volume(ctx, 2, snapshot_id=snap["id"])
    assert api.get_volume(ctx, child["id"])["status"] == st.AVAILABLE
    api.reserve(ctx, child["id"], "server-2")
    info = api.initialize_connection(ctx, child["id"], CONNECTOR)
    rc, data, err = qemu_read(iscsi_url(info), 0, 15)
    assert rc == 0, err
    assert data == b"SNAPSHOT-MOMENT"
    out = subprocess.run(["qemu-img", "info", "--output=json",
                          iscsi_url(info)], capture_output=True, text=True,
                         timeout=60)
    assert f'"virtual-size": {2 * volume_if.GiB}' in out.stdout


def test_a_tgtd_that_is_not_there_stops_the_target(privsep):
    daemon = PrivateTgtd()  # never started
    conf, _ = make_conf()
    tgt_conf.register_opts(conf)
    apply(conf, {"volume_tgt": {"control_port": daemon.control}})
    target = loading.load_driver(loading.VOLUME_TARGETS, "tgt", conf, "h")
    from nimbus.core import exception
    with pytest.raises(exception.ConfigError):
        target.init_host()
