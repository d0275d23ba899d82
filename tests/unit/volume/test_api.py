"""VolumeAPI: what it records, which guards it applies, what it casts
(the RPC client is a mock) and what it refuses."""

import concurrent.futures
import dataclasses
import json
from unittest import mock

import pytest
from oslo_utils import timeutils

from nimbus.core import exception
from nimbus.core.db import api as db
from nimbus.core.interfaces import volume as volume_if
from nimbus.core.volume import api as volume_api
from nimbus.core.volume import statuses as st
from tests.unit import workflow_fakes as wf

ALL_CAPS = dataclasses.asdict(volume_if.Capabilities(
    snapshots=True, clone=True, extend=True, extend_attached=True,
    image_copy=True, data_path=True))


def report(host, total=100.0, free=100.0, caps=None, zone="nova"):
    db.volumes.report_host(wf.admin(), host, "fake", zone, total, free,
                           ALL_CAPS if caps is None else caps)
    try:
        db.services.get_by_host_and_binary(wf.admin(), host,
                                           "nimbus-volume")
    except exception.ServiceNotFound:
        row = db.services.create(wf.admin(), {
            "host": host, "binary": "nimbus-volume", "topic": "volume",
            "version": 1})
        db.services.heartbeat(wf.admin(), row["id"])


@pytest.fixture
def api(db_api, nimbus_conf):
    nimbus_conf.set_override("backend", "fake", group="images")
    service = volume_api.VolumeAPI(nimbus_conf, db_api)
    service._rpc = mock.Mock()
    report("vol-a")
    return service


def ctx(project=wf.PROJECT):
    return wf.user_context(project_id=project)


def make_available(volume_id):
    return db.volumes.update_volume(wf.admin(), volume_id,
                                    {"status": st.AVAILABLE})


# -- create -----------------------------------------------------------------

def test_create_records_places_and_casts(api):
    c = ctx()
    volume = api.create_volume(c, 1, name="v1", description="d",
                               metadata={"k": "v"})
    assert volume["status"] == st.CREATING
    assert volume["os-vol-host-attr:host"] == "vol-a"
    assert (volume["name"], volume["description"], volume["metadata"]) == \
        ("v1", "d", {"k": "v"})
    assert volume["os-vol-tenant-attr:tenant_id"] == wf.PROJECT
    assert volume["attachments"] == [] and volume["bootable"] == "false"
    api.rpc.create_volume.assert_called_once_with(
        c, "vol-a", volume["id"], snapshot_id=None, source_volid=None,
        image_id=None)


def test_create_picks_the_host_with_most_room(api):
    report("vol-b", total=100.0, free=100.0)
    db.volumes.create_volume(wf.admin(), {
        "id": "00000000-0000-4000-8000-000000000001", "project_id": "x",
        "user_id": "x", "host": "vol-a", "size": 10,
        "status": st.AVAILABLE})
    volume = api.create_volume(ctx(), 5)
    assert volume["os-vol-host-attr:host"] == "vol-b"


def test_create_without_room_is_an_error_volume_with_a_fault(api):
    volume = api.create_volume(ctx(), 500)
    assert volume["status"] == st.ERROR
    assert "No volume host can hold 500GB" in volume["fault"]
    api.rpc.create_volume.assert_not_called()


def test_create_skips_hosts_that_are_down_or_in_another_zone(api):
    report("vol-z", zone="other")
    volume = api.create_volume(ctx(), 1, availability_zone="other")
    assert volume["os-vol-host-attr:host"] == "vol-z"
    service = db.services.get_by_host_and_binary(wf.admin(), "vol-z",
                                                 "nimbus-volume")
    db.services.update(wf.admin(), service["id"], {"forced_down": True})
    volume = api.create_volume(ctx(), 1, availability_zone="other")
    assert volume["status"] == st.ERROR
    assert "1 down" in volume["fault"]


@pytest.mark.parametrize("size", [0, -1, "x", 1.5, True, 1001])
def test_bad_sizes_are_refused_before_recording(api, size):
    with pytest.raises(exception.InvalidVolumeSize):
        api.create_volume(ctx(), size)
    assert db.volumes.get_volumes(wf.admin()) == []


def test_bad_metadata_is_refused(api):
    with pytest.raises(exception.InvalidInput):
        api.create_volume(ctx(), 1, metadata={"k": 1})
    with pytest.raises(exception.InvalidInput):
        api.create_volume(ctx(), 1, metadata=["k"])


def test_quota_volumes_and_gigabytes(api):
    db.quotas.set_project(wf.admin(), wf.PROJECT,
                          {"volumes": 2, "gigabytes": 5})
    api.create_volume(ctx(), 2)
    with pytest.raises(exception.OverQuota) as err:
        api.create_volume(ctx(), 4)
    assert "gigabytes" in str(err.value)
    api.create_volume(ctx(), 3)
    with pytest.raises(exception.OverQuota) as err:
        api.create_volume(ctx(), 1)
    assert "volumes" in str(err.value)
    assert len(db.volumes.get_volumes(wf.admin())) == 2
    assert api.quotas.usage(wf.admin(), wf.PROJECT)["gigabytes"] == 5


def test_create_from_snapshot_goes_to_its_volume_host(api):
    report("vol-b", total=1000.0, free=1000.0)
    parent = api.create_volume(ctx(), 2)
    assert parent["os-vol-host-attr:host"] == "vol-b"
    make_available(parent["id"])
    snap = api.create_snapshot(ctx(), parent["id"], name="s")
    db.volumes.update_snapshot(wf.admin(), snap["id"],
                               {"status": st.AVAILABLE})
    api.rpc.reset_mock()
    child = api.create_volume(ctx(), None, snapshot_id=snap["id"])
    assert (child["size"], child["snapshot_id"]) == (2, snap["id"])
    assert child["os-vol-host-attr:host"] == "vol-b"
    with pytest.raises(exception.InvalidVolumeSize):
        api.create_volume(ctx(), 1, snapshot_id=snap["id"])


def test_create_from_image_checks_the_image_and_capability(api):
    image = api.images.create(wf.admin(), {"name": "img",
                                           "visibility": "public"})
    with pytest.raises(exception.InvalidInput):
        api.create_volume(ctx(), 1, image_id=image["id"])  # queued
    api.images.upload(wf.admin(), image["id"], [b"x" * 100])
    volume = api.create_volume(ctx(), 1, image_id=image["id"])
    assert volume["bootable"] == "true"
    assert volume["volume_image_metadata"]["image_id"] == image["id"]
    with pytest.raises(exception.ImageNotFound):
        api.create_volume(ctx(), 1, image_id="nope")
    with pytest.raises(exception.InvalidInput):
        api.create_volume(ctx(), 1, image_id=image["id"],
                          snapshot_id="x")


def test_capability_missing_everywhere_is_an_error_volume(api, db_api):
    db.volumes.report_host(wf.admin(), "vol-a", "plain", "nova", 100, 100,
                           {"snapshots": False})
    image = api.images.create(wf.admin(), {"name": "img"})
    api.images.upload(wf.admin(), image["id"], [b"x"])
    volume = api.create_volume(ctx(), 1, image_id=image["id"])
    assert volume["status"] == st.ERROR
    assert "without image_copy" in volume["fault"]


# -- visibility -------------------------------------------------------------

def test_other_projects_see_nothing(api):
    volume = api.create_volume(ctx(), 1)
    other = ctx("p2")
    with pytest.raises(exception.VolumeNotFound):
        api.get_volume(other, volume["id"])
    assert api.list_volumes(other) == []
    with pytest.raises(exception.VolumeNotFound):
        api.reserve(other, volume["id"], "i-1")
    with pytest.raises(exception.VolumeNotFound):
        api.delete_volume(other, volume["id"])
    assert [v["id"] for v in api.list_volumes(ctx())] == [volume["id"]]
    assert api.list_volumes(wf.user_context(is_admin=True,
                                            project_id="adm")) == []
    assert len(api.list_volumes(wf.user_context(is_admin=True),
                                all_projects=True)) == 1
    with pytest.raises(exception.VolumeNotFound):
        api.get_volume(ctx(), "not-a-uuid")


def test_list_filters(api):
    a = api.create_volume(ctx(), 1, name="a", metadata={"t": "1"})
    api.create_volume(ctx(), 1, name="b")
    assert [v["id"] for v in api.list_volumes(ctx(), {"name": "a"})] == \
        [a["id"]]
    assert [v["id"] for v in api.list_volumes(
        ctx(), {"metadata": {"t": "1"}})] == [a["id"]]
    assert api.list_volumes(ctx(), {"status": "available"}) == []


def test_update_volume(api):
    volume = api.create_volume(ctx(), 1, name="a")
    updated = api.update_volume(ctx(), volume["id"], name="b",
                                metadata={"x": "y"})
    assert (updated["name"], updated["metadata"]) == ("b", {"x": "y"})
    with pytest.raises(exception.InvalidInput):
        api.update_volume(ctx(), volume["id"], size=5)


# -- attach bookkeeping -----------------------------------------------------

def test_attach_detach_cycle(api):
    volume = api.create_volume(ctx(), 1)
    make_available(volume["id"])
    attachment = api.reserve(ctx(), volume["id"], "inst-1")
    assert attachment["server_id"] == "inst-1"
    assert api.get_volume(ctx(), volume["id"])["status"] == st.ATTACHING
    connector = {"host": "c1", "initiator": "iqn.x"}
    api.rpc.initialize_connection.return_value = {"protocol": "file"}
    assert api.initialize_connection(ctx(), volume["id"], connector) == \
        {"protocol": "file"}
    api.rpc.initialize_connection.assert_called_once_with(
        mock.ANY, "vol-a", volume["id"], connector)
    attached = api.attach(ctx(), volume["id"], "inst-1", "/dev/vdb", "c1")
    assert attached["status"] == st.IN_USE
    [shown] = attached["attachments"]
    assert (shown["server_id"], shown["device"], shown["host_name"],
            shown["attachment_id"], shown["id"]) == \
        ("inst-1", "/dev/vdb", "c1", attachment["attachment_id"],
         volume["id"])
    assert [a["id"] for a in api.list_attachments(ctx(), "inst-1")] == \
        [volume["id"]]
    with pytest.raises(exception.VolumeInvalidState):
        api.delete_volume(ctx(), volume["id"])
    with pytest.raises(exception.VolumeInvalidState):
        api.delete_volume(ctx(), volume["id"], force=True)
    api.begin_detaching(ctx(), volume["id"])
    with pytest.raises(exception.VolumeInvalidState):
        api.begin_detaching(ctx(), volume["id"])
    api.roll_detaching(ctx(), volume["id"])
    api.begin_detaching(ctx(), volume["id"])
    api.terminate_connection(ctx(), volume["id"], connector)
    detached = api.detach(ctx(), volume["id"], attachment["attachment_id"])
    assert (detached["status"], detached["attachments"]) == \
        (st.AVAILABLE, [])
    assert api.list_attachments(ctx(), "inst-1") == []


def _multiattach_volume(api):
    vtype = api.types.create_type(wf.admin(), "shared",
                                  extra_specs={"multiattach": "<is> True"})
    volume = api.create_volume(ctx(), 1, volume_type=vtype["id"])
    make_available(volume["id"])
    return volume


def test_a_multiattach_type_or_flag_makes_multiattach_volumes(api):
    assert _multiattach_volume(api)["multiattach"] is True
    assert api.create_volume(ctx(), 1, multiattach=True)["multiattach"]
    assert api.create_volume(ctx(), 1)["multiattach"] is False


def test_a_multiattach_volume_attaches_to_several_servers(api):
    volume = _multiattach_volume(api)
    for server in ("inst-1", "inst-2"):
        api.reserve(ctx(), volume["id"], server)
        api.attach(ctx(), volume["id"], server, "/dev/vdb", "c1")
    shown = api.get_volume(ctx(), volume["id"])
    assert shown["status"] == st.IN_USE
    assert sorted(a["server_id"] for a in shown["attachments"]) == \
        ["inst-1", "inst-2"]
    with pytest.raises(exception.InvalidVolume):
        api.reserve(ctx(), volume["id"], "inst-1")
    api.reserve(ctx(), volume["id"], "inst-3")
    api.unreserve(ctx(), volume["id"])
    assert api.get_volume(ctx(), volume["id"])["status"] == st.IN_USE
    first = api.get_attachment(ctx(), volume["id"], "inst-1")
    api.begin_detaching(ctx(), volume["id"])
    left = api.detach(ctx(), volume["id"], first["attachment_id"])
    assert left["status"] == st.IN_USE
    assert [a["server_id"] for a in left["attachments"]] == ["inst-2"]
    with pytest.raises(exception.InvalidInput):
        api.extend_volume(ctx(), volume["id"], 2)
    second = api.get_attachment(ctx(), volume["id"], "inst-2")
    assert api.detach(ctx(), volume["id"], second["attachment_id"])[
        "status"] == st.AVAILABLE


def test_a_plain_volume_refuses_a_second_attach(api):
    volume = api.create_volume(ctx(), 1)
    make_available(volume["id"])
    api.reserve(ctx(), volume["id"], "inst-1")
    api.attach(ctx(), volume["id"], "inst-1", "/dev/vdb", "c1")
    with pytest.raises(exception.VolumeInvalidState):
        api.reserve(ctx(), volume["id"], "inst-2")


def test_unreserve_returns_the_volume(api):
    volume = api.create_volume(ctx(), 1)
    make_available(volume["id"])
    api.reserve(ctx(), volume["id"], "inst-1")
    api.unreserve(ctx(), volume["id"])
    assert api.get_volume(ctx(), volume["id"])["status"] == st.AVAILABLE
    assert db.volumes.get_attachments(wf.admin(), volume_id=volume["id"]) \
        == []


def test_initialize_connection_needs_a_reserved_volume(api):
    volume = api.create_volume(ctx(), 1)
    make_available(volume["id"])
    with pytest.raises(exception.VolumeInvalidState):
        api.initialize_connection(ctx(), volume["id"], {"host": "c1"})
    api.reserve(ctx(), volume["id"], "i")
    with pytest.raises(exception.InvalidInput):
        api.initialize_connection(ctx(), volume["id"], {})


def test_two_concurrent_reserves_exactly_one_wins(api):
    volume = api.create_volume(ctx(), 1)
    make_available(volume["id"])
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(api.reserve, ctx(), volume["id"], f"i-{n}")
                   for n in range(8)]
    outcomes = []
    for future in futures:
        try:
            outcomes.append(future.result()["server_id"])
        except exception.VolumeInvalidState as err:
            assert err.code == 409
            outcomes.append(None)
    assert len([o for o in outcomes if o]) == 1
    assert len(db.volumes.get_attachments(wf.admin(),
                                          volume_id=volume["id"])) == 1


# -- delete / extend / snapshots / upload -----------------------------------

def test_delete_casts_to_the_host(api):
    volume = api.create_volume(ctx(), 1)
    with pytest.raises(exception.VolumeInvalidState):
        api.delete_volume(ctx(), volume["id"])  # creating
    make_available(volume["id"])
    api.delete_volume(ctx(), volume["id"])
    assert api.get_volume(ctx(), volume["id"])["status"] == st.DELETING
    api.rpc.delete_volume.assert_called_once_with(mock.ANY, "vol-a",
                                                  volume["id"])


def test_force_delete_of_a_stuck_volume(api):
    volume = api.create_volume(ctx(), 1)
    api.delete_volume(ctx(), volume["id"], force=True)
    api.rpc.delete_volume.assert_called_once()


def test_unplaced_error_volume_is_deleted_at_once(api):
    volume = api.create_volume(ctx(), 5000 // 10)
    assert volume["status"] == st.ERROR
    api.delete_volume(ctx(), volume["id"])
    with pytest.raises(exception.VolumeNotFound):
        api.get_volume(ctx(), volume["id"])
    api.rpc.delete_volume.assert_not_called()


def test_volume_with_snapshots_is_not_deleted(api):
    volume = api.create_volume(ctx(), 1)
    make_available(volume["id"])
    api.create_snapshot(ctx(), volume["id"])
    with pytest.raises(exception.VolumeIsBusy):
        api.delete_volume(ctx(), volume["id"])
    assert api.get_volume(ctx(), volume["id"])["status"] == st.AVAILABLE


def test_snapshot_rules_and_quota(api):
    volume = api.create_volume(ctx(), 2)
    with pytest.raises(exception.VolumeInvalidState):
        api.create_snapshot(ctx(), volume["id"])
    make_available(volume["id"])
    db.quotas.set_project(wf.admin(), wf.PROJECT, {"snapshots": 1})
    snap = api.create_snapshot(ctx(), volume["id"], name="s",
                               metadata={"a": "b"})
    assert (snap["status"], snap["size"], snap["name"], snap["metadata"]) \
        == (st.CREATING, 2, "s", {"a": "b"})
    api.rpc.create_snapshot.assert_called_once_with(mock.ANY, "vol-a",
                                                    snap["id"])
    with pytest.raises(exception.OverQuota):
        api.create_snapshot(ctx(), volume["id"])
    assert api.quotas.usage(wf.admin(), wf.PROJECT)["gigabytes"] == 4
    with pytest.raises(exception.SnapshotInvalidState):
        api.delete_snapshot(ctx(), snap["id"])  # creating
    db.volumes.update_snapshot(wf.admin(), snap["id"],
                               {"status": st.AVAILABLE})
    api.delete_snapshot(ctx(), snap["id"])
    assert api.get_snapshot(ctx(), snap["id"])["status"] == st.DELETING
    assert api.list_snapshots(ctx("p2")) == []
    with pytest.raises(exception.SnapshotNotFound):
        api.get_snapshot(ctx("p2"), snap["id"])


def test_snapshot_of_in_use_needs_force(api):
    volume = api.create_volume(ctx(), 1)
    make_available(volume["id"])
    api.reserve(ctx(), volume["id"], "i")
    api.attach(ctx(), volume["id"], "i", "/dev/vdb")
    with pytest.raises(exception.VolumeInvalidState):
        api.create_snapshot(ctx(), volume["id"])
    assert api.create_snapshot(ctx(), volume["id"], force=True)["status"] \
        == st.CREATING


def test_extend(api):
    volume = api.create_volume(ctx(), 1)
    with pytest.raises(exception.VolumeInvalidState):
        api.extend_volume(ctx(), volume["id"], 2)
    make_available(volume["id"])
    with pytest.raises(exception.InvalidVolumeSize):
        api.extend_volume(ctx(), volume["id"], 1)
    api.extend_volume(ctx(), volume["id"], 3)
    assert api.get_volume(ctx(), volume["id"])["status"] == st.EXTENDING
    api.rpc.extend_volume.assert_called_once_with(
        mock.ANY, "vol-a", volume["id"], 3, st.AVAILABLE)


def test_extend_in_use_needs_the_capability(api):
    caps = dict(ALL_CAPS, extend_attached=False)
    db.volumes.report_host(wf.admin(), "vol-a", "plain", "nova", 100, 100,
                           caps)
    volume = api.create_volume(ctx(), 1)
    make_available(volume["id"])
    api.reserve(ctx(), volume["id"], "i")
    api.attach(ctx(), volume["id"], "i", "/dev/vdb")
    with pytest.raises(exception.UnsupportedOperation):
        api.extend_volume(ctx(), volume["id"], 2)
    assert api.get_volume(ctx(), volume["id"])["status"] == st.IN_USE


def test_upload_to_image(api):
    volume = api.create_volume(ctx(), 1)
    make_available(volume["id"])
    with pytest.raises(exception.InvalidInput):
        api.upload_to_image(ctx(), volume["id"], "img", "vmdk", "bare")
    body = api.upload_to_image(ctx(), volume["id"], "img", "qcow2", "bare")
    assert (body["status"], body["image_name"], body["disk_format"]) == \
        (st.UPLOADING, "img", "qcow2")
    assert api.images.get(ctx(), body["image_id"])["status"] == "queued"
    api.rpc.upload_to_image.assert_called_once_with(
        mock.ANY, "vol-a", volume["id"], body["image_id"], "qcow2")


def test_status_changes_are_timestamped(api):
    before = timeutils.utcnow()
    volume = api.create_volume(ctx(), 1)
    row = make_available(volume["id"])
    assert row["status_changed_at"] >= before
    assert json.loads(row["metadata_json"]) == {}


def test_attach_records_the_status_and_the_attachment_together(api,
                                                               db_api):
    """One transaction: a reader never sees the volume in-use without
    its attachment (EC2's DescribeVolumes did, between two writes)."""
    volume = api.create_volume(ctx(), 1)
    make_available(volume["id"])
    api.reserve(ctx(), volume["id"], "inst-1")
    seen = []
    real = db_api.volumes.update_volume

    def look_between(context, volume_id, values, **kwargs):
        row = real(context, volume_id, values, **kwargs)
        with concurrent.futures.ThreadPoolExecutor(1) as other:
            seen.append(other.submit(api.get_volume, ctx(),
                                     volume_id).result())
        return row
    with mock.patch.object(db_api.volumes, "update_volume", look_between):
        api.attach(ctx(), volume["id"], "inst-1", "/dev/vdb", "c1")
    # What another session saw mid-attach: still attaching, nothing half.
    assert [(v["status"], v["attachments"]) for v in seen] == \
        [(st.ATTACHING, [])]
    shown = api.get_volume(ctx(), volume["id"])
    assert shown["status"] == st.IN_USE and len(shown["attachments"]) == 1


def test_attach_of_a_volume_not_attaching_changes_nothing(api):
    volume = api.create_volume(ctx(), 1)
    make_available(volume["id"])
    with pytest.raises(exception.VolumeInvalidState):
        api.attach(ctx(), volume["id"], "inst-1", "/dev/vdb", "c1")
    shown = api.get_volume(ctx(), volume["id"])
    assert shown["status"] == st.AVAILABLE and shown["attachments"] == []
    assert api.db.volumes.get_attachments(ctx(), volume_id=volume["id"]) \
        == []
