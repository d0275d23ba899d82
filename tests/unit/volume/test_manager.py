"""VolumeManager over the fake driver and target: outcomes recorded,
failures leave nothing half-made, exports, and recovery of records a
killed service left in a transient status."""

import dataclasses
import datetime
import json
import threading
from unittest import mock

import pytest
from oslo_utils import timeutils

from nimbus.core import exception
from nimbus.core.db import api as db
from nimbus.core.volume import api as volume_api
from nimbus.core.volume import manager as volume_manager
from nimbus.core.volume import statuses as st
from tests.unit import workflow_fakes as wf

HOST = "vol-a"


@pytest.fixture
def mgr(db_api, nimbus_conf):
    nimbus_conf.set_override("backend", "fake", group="images")
    manager = volume_manager.VolumeManager(nimbus_conf, HOST, db_api)
    manager.init_host()
    manager.report_capacity()
    row = db.services.create(wf.admin(), {
        "host": HOST, "binary": "nimbus-volume", "topic": "volume",
        "version": 1})
    db.services.heartbeat(wf.admin(), row["id"])
    return manager


@pytest.fixture
def api(mgr, db_api, nimbus_conf):
    """The volume API whose casts run the manager at once."""
    service = volume_api.VolumeAPI(nimbus_conf, db_api)
    rpc = mock.Mock()
    for name in ("create_volume", "delete_volume", "extend_volume",
                 "create_snapshot", "delete_snapshot", "upload_to_image",
                 "reimage_volume", "initialize_connection",
                 "terminate_connection"):
        def call(ctx, host, *args, _name=name, **kwargs):
            assert host == HOST
            method = getattr(mgr, _name)
            keys = {"create_volume": ("volume_id",),
                    "delete_volume": ("volume_id",),
                    "extend_volume": ("volume_id", "new_size",
                                      "previous_status"),
                    "create_snapshot": ("snapshot_id",),
                    "delete_snapshot": ("snapshot_id",),
                    "upload_to_image": ("volume_id", "image_id",
                                        "disk_format"),
                    "reimage_volume": ("volume_id", "image_id",
                                       "previous_status"),
                    "initialize_connection": ("volume_id", "connector"),
                    "terminate_connection": ("volume_id", "connector"),
                    }[_name]
            kwargs.update(zip(keys[:len(args)], args, strict=True))
            return method(ctx, **kwargs)
        setattr(rpc, name, mock.Mock(side_effect=call))
    service._rpc = rpc
    service._images = mgr.images
    return service


def ctx():
    return wf.user_context()


def status(volume_id):
    return db.volumes.get_volume(wf.admin(), volume_id)["status"]


def test_capacity_report(mgr):
    [host] = db.volumes.get_hosts(wf.admin())
    assert (host["host"], host["driver"], host["total_gb"]) == \
        (HOST, "fake", 1000.0)
    assert host["capabilities"]["snapshots"] is True


def test_create_and_delete(api, mgr):
    volume = api.create_volume(ctx(), 2)
    assert status(volume["id"]) == st.AVAILABLE
    assert mgr.driver.volumes == {volume["id"]: 2}
    row = db.volumes.get_volume(wf.admin(), volume["id"])
    assert row["provider_location"] == f"fake:{volume['id']}"
    api.delete_volume(ctx(), volume["id"])
    assert mgr.driver.volumes == {}
    with pytest.raises(exception.VolumeNotFound):
        api.get_volume(ctx(), volume["id"])


def test_failed_create_is_error_with_fault_and_nothing_made(api, mgr):
    mgr.driver.fail_next("create_volume")
    volume = api.create_volume(ctx(), 1)
    shown = api.get_volume(ctx(), volume["id"])
    assert shown["status"] == st.ERROR
    assert "injected failure of create_volume" in shown["fault"]
    assert mgr.driver.volumes == {}


def test_failed_image_copy_removes_the_volume(api, mgr):
    image = mgr.images.create(wf.admin(), {"name": "i"})
    mgr.images.upload(wf.admin(), image["id"], [b"data"])
    mgr.driver.fail_next("copy_image_to_volume")
    volume = api.create_volume(ctx(), 1, image_id=image["id"])
    assert status(volume["id"]) == st.ERROR
    assert mgr.driver.volumes == {}


def test_create_from_image_copies_it(api, mgr):
    image = mgr.images.create(wf.admin(), {"name": "i"})
    mgr.images.upload(wf.admin(), image["id"], [b"data"])
    volume = api.create_volume(ctx(), 1, image_id=image["id"])
    assert status(volume["id"]) == st.AVAILABLE
    assert volume["id"] in mgr.driver.images


def test_an_ami_image_is_copied_as_raw(api, mgr):
    image = mgr.images.create(wf.admin(), {"name": "m", "disk_format": "ami",
                                           "container_format": "ami"})
    mgr.images.upload(wf.admin(), image["id"], [b"disk"])
    formats = []
    real = mgr.driver.copy_image_to_volume
    mgr.driver.copy_image_to_volume = lambda v, p, fmt: (
        formats.append(fmt), real(v, p, fmt))
    volume = api.create_volume(ctx(), 1, image_id=image["id"])
    assert status(volume["id"]) == st.AVAILABLE and formats == ["raw"]


def test_copies_of_a_volume_from_an_image_stay_bootable(api, mgr):
    image = mgr.images.create(wf.admin(), {
        "name": "m", "properties": {"kernel_id": "k"}})
    mgr.images.upload(wf.admin(), image["id"], [b"disk"])
    volume = api.create_volume(ctx(), 1, image_id=image["id"])
    snap = api.create_snapshot(ctx(), volume["id"])
    for child in (api.create_volume(ctx(), None, snapshot_id=snap["id"]),
                  api.create_volume(ctx(), None,
                                    source_volid=volume["id"])):
        assert child["bootable"] == "true"
        assert child["volume_image_metadata"]["kernel_id"] == "k"
        assert child["volume_image_metadata"]["image_id"] == image["id"]
    plain = api.create_volume(ctx(), 1)
    snap = api.create_snapshot(ctx(), plain["id"])
    child = api.create_volume(ctx(), None, snapshot_id=snap["id"])
    assert (child["bootable"], child["volume_image_metadata"]) == (
        "false", None)


def _image(mgr, **properties):
    image = mgr.images.create(wf.admin(), {"name": "i",
                                           "properties": properties})
    mgr.images.upload(wf.admin(), image["id"], [b"data"])
    return image["id"]


def test_reimage_writes_the_image_and_keeps_the_status(api, mgr):
    """Cinder's os-reimage (Compute API 2.93): downloading, then the
    status it had, with the new image's metadata."""
    first, second = _image(mgr), _image(mgr, os_distro="new")
    volume = api.create_volume(ctx(), 1, image_id=first)
    api.reserve(ctx(), volume["id"], "i")
    api.attach(ctx(), volume["id"], "i", "/dev/vda")
    copied = mgr.driver.images.pop(volume["id"])
    api.reimage(ctx(), volume["id"], second)
    assert mgr.driver.images[volume["id"]] != copied
    shown = api.get_volume(ctx(), volume["id"])
    assert shown["status"] == st.IN_USE
    assert shown["volume_image_metadata"]["image_id"] == second
    assert shown["volume_image_metadata"]["os_distro"] == "new"
    # A failed copy leaves it in error (Cinder's), its image unchanged.
    mgr.driver.fail_next("copy_image_to_volume")
    api.reimage(ctx(), volume["id"], first)
    shown = api.get_volume(ctx(), volume["id"])
    assert shown["status"] == st.ERROR and shown["fault"]
    assert shown["volume_image_metadata"]["image_id"] == second
    with pytest.raises(exception.VolumeInvalidState):
        api.reimage(ctx(), volume["id"], first)


def test_reimage_refusals(api, mgr, monkeypatch):
    image = _image(mgr)
    volume = api.create_volume(ctx(), 1)
    with pytest.raises(exception.ImageNotFound):
        api.reimage(ctx(), volume["id"], "no-such-image")
    db.volumes.update_volume(wf.admin(), volume["id"], {"multiattach": True})
    with pytest.raises(exception.InvalidInput, match="multiattach"):
        api.reimage(ctx(), volume["id"], image)
    db.volumes.update_volume(wf.admin(), volume["id"],
                             {"multiattach": False})
    monkeypatch.setattr(mgr.driver, "capabilities", dataclasses.replace(
        mgr.driver.capabilities, reimage=False))
    mgr.report_capacity()
    with pytest.raises(exception.InvalidInput, match="cannot re-image"):
        api.reimage(ctx(), volume["id"], image)
    assert status(volume["id"]) == st.AVAILABLE
    api._rpc.reimage_volume.assert_not_called()


def test_snapshot_lifecycle_and_volume_from_it(api, mgr):
    volume = api.create_volume(ctx(), 1)
    snap = api.create_snapshot(ctx(), volume["id"])
    shown = api.get_snapshot(ctx(), snap["id"])
    assert (shown["status"], shown["progress"]) == (st.AVAILABLE, "100%")
    child = api.create_volume(ctx(), 3, snapshot_id=snap["id"])
    assert status(child["id"]) == st.AVAILABLE
    assert mgr.driver.volumes[child["id"]] == 3
    with pytest.raises(exception.VolumeIsBusy):
        api.delete_volume(ctx(), volume["id"])
    api.delete_snapshot(ctx(), snap["id"])
    assert mgr.driver.snapshots == {}
    with pytest.raises(exception.SnapshotNotFound):
        api.get_snapshot(ctx(), snap["id"])
    api.delete_volume(ctx(), volume["id"])


def test_failed_snapshot_is_error(api, mgr):
    volume = api.create_volume(ctx(), 1)
    mgr.driver.fail_next("create_snapshot")
    snap = api.create_snapshot(ctx(), volume["id"])
    shown = api.get_snapshot(ctx(), snap["id"])
    assert shown["status"] == st.ERROR and "injected" in shown["fault"]


def test_extend_keeps_the_previous_status(api, mgr):
    volume = api.create_volume(ctx(), 1)
    api.extend_volume(ctx(), volume["id"], 4)
    shown = api.get_volume(ctx(), volume["id"])
    assert (shown["status"], shown["size"]) == (st.AVAILABLE, 4)
    assert mgr.driver.volumes[volume["id"]] == 4
    api.reserve(ctx(), volume["id"], "i")
    api.attach(ctx(), volume["id"], "i", "/dev/vdb")
    api.extend_volume(ctx(), volume["id"], 5)
    shown = api.get_volume(ctx(), volume["id"])
    assert (shown["status"], shown["size"]) == (st.IN_USE, 5)
    mgr.driver.fail_next("extend_volume")
    api.begin_detaching(ctx(), volume["id"])
    api.detach(ctx(), volume["id"])
    api.extend_volume(ctx(), volume["id"], 6)
    shown = api.get_volume(ctx(), volume["id"])
    assert (shown["status"], shown["size"]) == (st.ERROR_EXTENDING, 5)


def test_extending_an_in_use_volume_tells_its_server(api, mgr):
    """Cinder's volume-extended to Nova, through the compute API in
    process: once the backend grew it, for each server it is attached
    to; not for an available volume, not when the extend failed."""
    compute = mgr.compute_events._compute = mock.Mock()
    compute.external_instance_event.side_effect = lambda _ctx, events: [
        dict(e, code=200) for e in events]
    volume = api.create_volume(ctx(), 1)
    api.extend_volume(ctx(), volume["id"], 2)
    compute.external_instance_event.assert_not_called()
    server = "5e0f3f5a-0000-4000-8000-0000000000aa"
    api.reserve(ctx(), volume["id"], server)
    api.attach(ctx(), volume["id"], server, "/dev/vdb")
    api.extend_volume(ctx(), volume["id"], 3)
    (sent_ctx, events), _kw = compute.external_instance_event.call_args
    assert sent_ctx.is_admin
    assert events == [{"name": "volume-extended", "tag": volume["id"],
                       "server_uuid": server, "status": "completed"}]
    compute.external_instance_event.reset_mock()
    mgr.driver.fail_next("extend_volume")
    api.extend_volume(ctx(), volume["id"], 4)
    assert status(volume["id"]) == st.ERROR_EXTENDING
    compute.external_instance_event.assert_not_called()


def test_a_compute_api_failure_does_not_fail_the_extend(api, mgr):
    compute = mgr.compute_events._compute = mock.Mock()
    compute.external_instance_event.side_effect = RuntimeError("no rpc")
    volume = api.create_volume(ctx(), 1)
    api.reserve(ctx(), volume["id"], "5e0f3f5a-0000-4000-8000-0000000000bb")
    api.attach(ctx(), volume["id"], "5e0f3f5a-0000-4000-8000-0000000000bb",
               "/dev/vdb")
    api.extend_volume(ctx(), volume["id"], 2)
    shown = api.get_volume(ctx(), volume["id"])
    assert (shown["status"], shown["size"]) == (st.IN_USE, 2)
    compute.external_instance_event.assert_called_once()


def test_backend_busy_delete_returns_to_available(api, mgr):
    volume = api.create_volume(ctx(), 1)
    mgr.driver.fail_next("delete_volume", exception.VolumeIsBusy(
        volume_id=volume["id"], reason="busy"))
    api.delete_volume(ctx(), volume["id"])
    assert status(volume["id"]) == st.AVAILABLE
    mgr.driver.fail_next("delete_volume")
    api.delete_volume(ctx(), volume["id"])
    assert status(volume["id"]) == st.ERROR_DELETING
    api.delete_volume(ctx(), volume["id"])
    assert mgr.driver.volumes == {}


def test_upload_to_image(api, mgr):
    volume = api.create_volume(ctx(), 1)
    body = api.upload_to_image(ctx(), volume["id"], "snap-img", "raw",
                               "bare")
    assert status(volume["id"]) == st.AVAILABLE
    assert mgr.images.get(ctx(), body["image_id"])["status"] == "active"
    mgr.driver.fail_next("copy_volume_to_image")
    body = api.upload_to_image(ctx(), volume["id"], "x", "raw", "bare")
    assert status(volume["id"]) == st.AVAILABLE
    with pytest.raises(exception.ImageNotFound):
        mgr.images.get(ctx(), body["image_id"])


def test_connection_exports_while_connected(api, mgr):
    volume = api.create_volume(ctx(), 1)
    api.reserve(ctx(), volume["id"], "i")
    connector = {"host": "c1", "initiator": "iqn.c1"}
    info = api.initialize_connection(ctx(), volume["id"], connector)
    assert (info["protocol"], info["serial"]) == ("file", volume["id"])
    assert volume["id"] in mgr.target_plugin.exports
    row = db.volumes.get_volume(wf.admin(), volume["id"])
    assert json.loads(row["export_json"])["path"] == info["path"]
    # a restarted service restores it
    mgr.target_plugin.exports.clear()
    mgr.restore_exports()
    assert volume["id"] in mgr.target_plugin.exports
    api.terminate_connection(ctx(), volume["id"], connector)
    assert volume["id"] not in mgr.target_plugin.exports
    assert db.volumes.get_volume(wf.admin(),
                                 volume["id"])["export_json"] is None


def test_a_multiattach_export_stays_while_a_server_uses_it(api, mgr):
    volume = api.create_volume(ctx(), 1, multiattach=True)
    c1 = {"host": "c1", "initiator": "iqn.c1"}
    c2 = {"host": "c2", "initiator": "iqn.c2"}
    # Servers a and b on host c1, server c on host c2.
    for server, connector in (("a", c1), ("b", c1), ("c", c2)):
        api.reserve(ctx(), volume["id"], server)
        api.initialize_connection(ctx(), volume["id"], connector)
        api.attach(ctx(), volume["id"], server, "/dev/vdb",
                   connector["host"])
    calls = []
    mgr.target_plugin.terminate_connection = \
        lambda spec, export, connector: calls.append(connector["host"])

    def detach(server, connector):
        api.begin_detaching(ctx(), volume["id"])
        api.terminate_connection(ctx(), volume["id"], connector)
        attachment = api.get_attachment(ctx(), volume["id"], server)
        return api.detach(ctx(), volume["id"], attachment["attachment_id"])

    detach("a", c1)  # b still uses the connection of c1
    assert calls == [] and volume["id"] in mgr.target_plugin.exports
    detach("b", c1)  # c still uses the export
    assert calls == ["c1"] and volume["id"] in mgr.target_plugin.exports
    assert detach("c", c2)["status"] == st.AVAILABLE
    assert calls == ["c1", "c2"]
    assert volume["id"] not in mgr.target_plugin.exports


# -- recovery ---------------------------------------------------------------

def _age(volume_id, seconds):
    """Pretend the volume's status changed ``seconds`` ago."""
    from sqlalchemy import update

    from nimbus.core.db import engine, models
    when = timeutils.utcnow() - datetime.timedelta(seconds=seconds)
    with engine.writer(wf.admin()) as session:
        session.execute(update(models.Volume).where(
            models.Volume.id == volume_id).values(status_changed_at=when))


def _stuck(api, mgr, size=1, **kwargs):
    """A volume recorded ``creating`` whose cast was lost."""
    api._rpc.create_volume.side_effect = None
    volume = api.create_volume(ctx(), size, **kwargs)
    assert status(volume["id"]) == st.CREATING
    return volume


def test_recovery_fails_a_create_the_backend_never_got(api, mgr,
                                                       nimbus_conf):
    volume = _stuck(api, mgr)
    mgr.recover()
    assert status(volume["id"]) == st.CREATING  # not yet past the timeout
    _age(volume["id"], nimbus_conf.volume.operation_timeout + 1)
    mgr.recover()
    shown = api.get_volume(ctx(), volume["id"])
    assert shown["status"] == st.ERROR
    assert "stopped while creating" in shown["fault"]
    # the lost message arriving late does nothing
    mgr.create_volume(ctx(), volume["id"])
    assert status(volume["id"]) == st.ERROR and mgr.driver.volumes == {}


def test_recovery_fails_a_reimage_left_downloading(api, mgr, nimbus_conf):
    volume = api.create_volume(ctx(), 1)
    api._rpc.reimage_volume.side_effect = None
    api.reimage(ctx(), volume["id"], _image(mgr))
    assert status(volume["id"]) == st.DOWNLOADING
    _age(volume["id"], nimbus_conf.volume.operation_timeout + 1)
    mgr.recover()
    shown = api.get_volume(ctx(), volume["id"])
    assert shown["status"] == st.ERROR
    assert "re-imaging" in shown["fault"]


def test_recovery_finishes_a_create_the_backend_completed(api, mgr,
                                                          nimbus_conf):
    volume = _stuck(api, mgr)
    mgr.driver.volumes[volume["id"]] = 1  # made, not recorded
    _age(volume["id"], nimbus_conf.volume.operation_timeout + 1)
    mgr.recover()
    assert status(volume["id"]) == st.AVAILABLE


def test_recovery_reruns_deletes_and_skips_running_operations(
        api, mgr, nimbus_conf):
    volume = api.create_volume(ctx(), 1)
    api._rpc.delete_volume.side_effect = None
    api.delete_volume(ctx(), volume["id"])
    _age(volume["id"], nimbus_conf.volume.operation_timeout + 1)
    entered, release = threading.Event(), threading.Event()
    real_delete = mgr.driver.delete_volume

    def slow_delete(spec):
        entered.set()
        release.wait(10)
        real_delete(spec)
    mgr.driver.delete_volume = slow_delete
    worker = threading.Thread(target=mgr.delete_volume,
                              args=(ctx(), volume["id"]))
    worker.start()
    assert entered.wait(10)
    mgr.recover()  # the running delete is not touched
    assert status(volume["id"]) == st.DELETING
    release.set()
    worker.join(10)
    with pytest.raises(exception.VolumeNotFound):
        api.get_volume(ctx(), volume["id"])

    other = api.create_volume(ctx(), 1)
    api.delete_volume(ctx(), other["id"])
    _age(other["id"], nimbus_conf.volume.operation_timeout + 1)
    mgr.driver.delete_volume = real_delete
    mgr.recover()
    with pytest.raises(exception.VolumeNotFound):
        api.get_volume(ctx(), other["id"])
    assert mgr.driver.volumes == {}


def test_recovery_detaches_volumes_of_servers_that_are_gone(api, mgr):
    """A server deleted while the volume service was away keeps its
    volume attached in the records; recovery detaches it (export gone,
    volume available) and leaves the volumes of live servers alone."""
    live = wf.create_instance(wf.admin()).uuid
    connector = {"host": "c1", "initiator": "iqn.c1"}
    volumes = {}
    for name, server in (("orphan", "5e0f3f5a-0000-4000-8000-00000000dead"),
                         ("kept", live)):
        volume = api.create_volume(ctx(), 1)
        api.reserve(ctx(), volume["id"], server)
        api.initialize_connection(ctx(), volume["id"], connector)
        api.attach(ctx(), volume["id"], server, "/dev/vdb", host="c1")
        volumes[name] = volume["id"]
    mgr.recover()
    orphan = api.get_volume(ctx(), volumes["orphan"])
    assert (orphan["status"], orphan["attachments"]) == (st.AVAILABLE, [])
    assert volumes["orphan"] not in mgr.target_plugin.exports
    kept = api.get_volume(ctx(), volumes["kept"])
    assert kept["status"] == st.IN_USE
    assert [a["server_id"] for a in kept["attachments"]] == [live]
    assert volumes["kept"] in mgr.target_plugin.exports


def _casts_to(mgr):
    """A volume rpcapi whose create casts run the manager at once."""
    rpc = mock.Mock()
    rpc.create_volume.side_effect = \
        lambda ctx, host, volume_id, **kw: mgr.create_volume(ctx, volume_id,
                                                             **kw)
    return rpc


def test_start_makes_again_a_create_its_killed_process_left(api, mgr):
    """At start nothing of this process works on any record: a create
    still within its deadline is made again once the service takes RPC
    (the build waiting for it goes on), whatever its age so far."""
    volume = _stuck(api, mgr)
    mgr.driver.volumes[volume["id"]] = 1        # half made, say
    with mock.patch.object(mgr.driver, "volume_exists", return_value=False):
        mgr.recover(at_start=True)
    assert status(volume["id"]) == st.CREATING
    assert mgr.driver.volumes == {}              # the half-made one removed
    rpc = _casts_to(mgr)
    mgr.recreate_interrupted(rpc)
    rpc.create_volume.assert_called_once_with(
        mock.ANY, HOST, volume["id"], snapshot_id=None, source_volid=None,
        image_id=None)
    assert status(volume["id"]) == st.AVAILABLE
    mgr.create_volume(ctx(), volume["id"])       # the queued original: no-op
    assert status(volume["id"]) == st.AVAILABLE
    mgr.recreate_interrupted(rpc)                # once only
    assert rpc.create_volume.call_count == 1


def test_start_fails_a_create_past_its_deadline(api, mgr, nimbus_conf):
    volume = _stuck(api, mgr)
    _age(volume["id"], nimbus_conf.volume.operation_timeout + 1)
    mgr.recover(at_start=True)
    assert status(volume["id"]) == st.ERROR
    mgr.recreate_interrupted(_casts_to(mgr))
    assert status(volume["id"]) == st.ERROR


def test_start_settles_young_deletes_at_once(api, mgr):
    volume = api.create_volume(ctx(), 1)
    api._rpc.delete_volume.side_effect = None
    api.delete_volume(ctx(), volume["id"])
    mgr.recover()                                 # running: within deadline
    assert status(volume["id"]) == st.DELETING
    mgr.recover(at_start=True)
    with pytest.raises(exception.VolumeNotFound):
        api.get_volume(ctx(), volume["id"])


def test_abandoned_attach_and_detach_are_settled(api, mgr, nimbus_conf):
    """attaching/detaching belong to the compute doing them; past the
    deadline with no server working on the volume (no task state) an
    attach is given back and a detach rolled back. A build in flight
    keeps its volume."""
    connector = {"host": "c1", "initiator": "iqn.c1"}
    idle = wf.create_instance(wf.admin(), vm_state="active",
                              task_state=None).uuid
    building = wf.create_instance(wf.admin(), vm_state="building",
                                  task_state="spawning").uuid
    attaching, busy, detaching = (api.create_volume(ctx(), 1)["id"]
                                  for _ in range(3))
    api.reserve(ctx(), attaching, idle)
    api.initialize_connection(ctx(), attaching, connector)
    api.reserve(ctx(), busy, building)
    api.reserve(ctx(), detaching, idle)
    api.attach(ctx(), detaching, idle, "/dev/vdc", host="c1")
    api.begin_detaching(ctx(), detaching)
    mgr.recover()
    assert [status(v) for v in (attaching, busy, detaching)] == [
        st.ATTACHING, st.ATTACHING, st.DETACHING]  # within the deadline
    for volume_id in (attaching, busy, detaching):
        _age(volume_id, nimbus_conf.volume.operation_timeout + 1)
    mgr.recover()
    given_back = api.get_volume(ctx(), attaching)
    assert (given_back["status"], given_back["attachments"]) == (
        st.AVAILABLE, [])
    assert "attaching was abandoned" in given_back["fault"]
    assert attaching not in mgr.target_plugin.exports
    assert status(busy) == st.ATTACHING
    rolled_back = api.get_volume(ctx(), detaching)
    assert rolled_back["status"] == st.IN_USE
    assert [a["server_id"] for a in rolled_back["attachments"]] == [idle]
