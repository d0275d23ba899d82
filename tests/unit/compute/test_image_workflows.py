"""The compute side of the image workflows on the fake hypervisor:
snapshot failures leave no image, rescue/unrescue states, shelve with
offload frees the claim, and a returning host removes only the guests
of servers evacuated from it."""

import json
from unittest import mock

import pytest

from nimbus.api.openstack import schemas_image_actions
from nimbus.core import exception
from nimbus.core.compute import guest_spec
from nimbus.core.compute import manager as compute_manager
from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.db import api as db
from nimbus.plugins.hypervisors.fake import driver as fake_driver
from tests.unit import workflow_fakes as wf

ps = wf.power_state


@pytest.fixture
def compute(db_api, nimbus_conf):
    nimbus_conf.set_override("backend", "fake", group="images")
    driver = fake_driver.FakeDriver(nimbus_conf, wf.HOST)
    manager = compute_manager.ComputeManager(nimbus_conf, wf.HOST,
                                             driver=driver)
    yield manager
    manager.sync.stop()


def _running(compute, task_state, host=wf.HOST, **values):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, vm_state=vs.ACTIVE,
                                  power=ps.RUNNING, task_state=task_state,
                                  host=host, **values)
    compute.driver.spawn(ctx, guest_spec.build(ctx, instance,
                                               compute.images))
    return ctx, instance


def _faults(uuid):
    return db.actions.faults_latest(wf.admin(), [uuid])


def test_snapshot_uploads_and_returns_to_idle(compute):
    ctx, instance = _running(compute, ts.IMAGE_SNAPSHOT_PENDING)
    image = compute.images.create(ctx, {"name": "snap"})
    compute.snapshot_instance(ctx, instance, image["id"])
    record = compute.images.get(ctx, image["id"])
    assert record["status"] == "active"
    data = b"".join(compute.images.download(ctx, image["id"]))
    assert json.loads(data)["fake_snapshot_of"] == instance.uuid
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"]) == (vs.ACTIVE, None)


@pytest.mark.parametrize("host_format, queued, written", [
    (None, "qcow2", "qcow2"), (None, "ami", "raw"),
    ("qcow2", "raw", "qcow2"), ("raw", "qcow2", "raw")])
def test_snapshot_format_is_the_hosts_when_it_has_one(
        compute, host_format, queued, written):
    """A host whose plugin names a snapshot format writes that one and
    the image says so (Nova's libvirt driver); else the queued image's
    format (raw for any other)."""
    ctx, instance = _running(compute, ts.IMAGE_SNAPSHOT_PENDING)
    image = compute.images.create(ctx, {
        "name": "snap", "disk_format": queued,
        "container_format": "ami" if queued == "ami" else "bare"})
    with mock.patch.object(type(compute.driver), "snapshot_format",
                           host_format), \
            mock.patch.object(compute.driver, "snapshot",
                              wraps=compute.driver.snapshot) as snap:
        compute.snapshot_instance(ctx, instance, image["id"])
    assert snap.call_args.args[3] == written
    record = compute.images.get(ctx, image["id"])
    assert record["status"] == "active"
    if host_format:
        assert (record["disk_format"], record["container_format"]) == (
            written, "bare")
    else:
        assert record["disk_format"] == queued


def test_failed_snapshot_deletes_the_image_and_records_a_fault(compute):
    ctx, instance = _running(compute, ts.IMAGE_SNAPSHOT_PENDING)
    image = compute.images.create(ctx, {"name": "snap"})
    with mock.patch.object(compute.driver, "snapshot",
                           side_effect=exception.HypervisorError(
                               reason="disk gone")):
        compute.snapshot_instance(ctx, instance, image["id"])
    with pytest.raises(exception.ImageNotFound):
        compute.images.get(ctx, image["id"])
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"]) == (vs.ACTIVE, None)
    assert "disk gone" in _faults(instance.uuid)[instance.uuid]["message"]


def test_snapshot_lost_to_a_delete_cleans_up(compute):
    ctx, instance = _running(compute, ts.DELETING)
    image = compute.images.create(ctx, {"name": "snap"})
    compute.snapshot_instance(ctx, instance, image["id"])
    with pytest.raises(exception.ImageNotFound):
        compute.images.get(ctx, image["id"])
    assert wf.load(instance.uuid)["task_state"] == ts.DELETING


def test_rescue_and_unrescue(compute):
    ctx, instance = _running(compute, ts.RESCUING,
                             image_ref=None)
    image = compute.images.create(ctx, {"name": "rescue"})
    compute.rescue_instance(ctx, instance, image["id"])
    assert wf.load(instance.uuid)["vm_state"] == vs.RESCUED
    assert compute.driver.is_rescued(instance.uuid)
    instance.refresh()
    instance.task_state = ts.UNRESCUING
    instance.save()
    compute.unrescue_instance(ctx, instance)
    assert wf.load(instance.uuid)["vm_state"] == vs.ACTIVE
    assert not compute.driver.is_rescued(instance.uuid)


def test_shelve_offloads_at_once_and_frees_the_claim(compute):
    ctx, instance = _running(compute, ts.SHELVING)
    with mock.patch("nimbus.core.objects.compute_node.ComputeNode."
                    "release_allocations") as release:
        compute.shelve_instance(ctx, instance, None)
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["host"]) == \
        (vs.SHELVED_OFFLOADED, None, None)
    assert instance.uuid not in compute.driver.list_instances()
    release.assert_called_once_with(mock.ANY, instance.uuid)
    assert json.loads(row["system_metadata"])["shelved_host"] == wf.HOST


def test_returning_host_removes_only_evacuated_guests(compute):
    ctx = wf.user_context()
    gone = wf.create_instance(
        ctx, vm_state=vs.ACTIVE, power=ps.RUNNING, task_state=None,
        host=wf.OTHER_HOST,
        system_metadata=json.dumps({"evacuated_from": wf.HOST}))
    other = wf.create_instance(ctx, vm_state=vs.ACTIVE, power=ps.RUNNING,
                               task_state=None, host=wf.OTHER_HOST)
    for instance in (gone, other):
        compute.driver.spawn(ctx, guest_spec.build(ctx, instance,
                                                   compute.images))
    compute.sync.reconcile()
    assert compute.driver.list_instances() == [other.uuid]


@pytest.mark.parametrize("name, args, minor, ok", [
    ("rebuild", {"imageRef": "x", "personality": []}, 56, True),
    ("rebuild", {"imageRef": "x", "personality": []}, 57, False),
    # below 2.77 Nova takes any unshelve body (and ignores it)
    ("unshelve", {"availability_zone": "z"}, 76, True),
    ("unshelve", "anything", 76, True),
    ("unshelve", {"availability_zone": "z"}, 77, True),
    ("unshelve", None, 77, True),
    ("unshelve", {}, 77, False),
    ("unshelve", {"availability_zone": None}, 77, False),
    ("unshelve", {"availability_zone": "z", "host": "h"}, 77, False),
    # 2.91: a host, a null zone (unpin), both, or neither
    ("unshelve", {"availability_zone": "z", "host": "h"}, 91, True),
    ("unshelve", {"availability_zone": None, "host": "h"}, 91, True),
    ("unshelve", {"availability_zone": None}, 91, True),
    ("unshelve", {"host": "h"}, 91, True),
    ("unshelve", {}, 91, True),
    ("unshelve", None, 91, True),
    ("unshelve", {"host": None}, 91, False),
    ("unshelve", {"host": "h", "zone": "z"}, 91, False),
    ("unshelve", "h", 91, False),
    ("evacuate", {}, 13, False),
    ("evacuate", {"onSharedStorage": False}, 13, True),
    ("evacuate", {"onSharedStorage": False}, 14, False),
    ("evacuate", {"force": True}, 29, True),
    ("evacuate", {"force": True}, 68, False),
])
def test_arguments_follow_the_microversion(name, args, minor, ok):
    if ok:
        schemas_image_actions.check(name, args, minor)
    else:
        with pytest.raises(exception.ValidationError):
            schemas_image_actions.check(name, args, minor)


ROOT = "2c9f8a9e-1b7e-4c55-9d1e-3f3b7a0c0d01"


def _volume_backed(compute, volume_status):
    """A running volume-backed server whose root volume's status, once a
    re-image is asked for, stays ``volume_status``; the volume service
    calls are recorded."""
    ctx, instance = _running(compute, ts.REBUILDING, image_ref="")
    calls = []
    conn = mock.patch.multiple(
        "nimbus.core.compute.manager_images.VolumeConnection",
        block_devices=mock.Mock(return_value=[
            {"volume_id": ROOT, "boot_index": 0}]),
        attachments=mock.Mock(return_value=[
            {"volume_id": ROOT, "device": "/dev/vda"}]),
        initialize=mock.Mock(side_effect=lambda c, v, conn: calls.append(
            "initialize") or {"protocol": "file", "path": "/dev/null"}),
        terminate=mock.Mock(side_effect=lambda *a: calls.append(
            "terminate")),
        reimage=mock.Mock(side_effect=lambda c, v, image: calls.append(
            f"reimage {image}")),
        get=mock.Mock(return_value={
            "status": volume_status, "size": 1,
            "volume_image_metadata": {"image_id": "new-image"}}))
    return ctx, instance, calls, conn


def test_rebuild_reimages_the_root_volume_then_spawns_on_it(compute):
    ctx, instance, calls, conn = _volume_backed(compute, "in-use")
    with conn:
        compute.rebuild_instance(ctx, instance, "new-image",
                                 reimage_boot_volume=True)
    assert calls == ["terminate", "reimage new-image", "initialize"]
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["image_ref"]) == (
        vs.ACTIVE, None, "")
    assert compute.driver.disk_serials(instance.uuid) == [ROOT[:20]]
    record = compute.driver.guest_record(instance.uuid)
    assert "booted from volume" in " ".join(record["console"])
    # The guest is described by the image now on its root volume.
    assert record["image"] == "new-image"


def test_a_reimage_that_does_not_finish_fails_the_rebuild(compute,
                                                          nimbus_conf):
    nimbus_conf.set_override("reimage_timeout_per_gb", 1, "compute")
    ctx, instance, calls, conn = _volume_backed(compute, "downloading")
    with conn:
        compute.rebuild_instance(ctx, instance, "new-image",
                                 reimage_boot_volume=True)
    assert calls == ["terminate", "reimage new-image"]
    assert wf.load(instance.uuid)["vm_state"] == vs.ERROR
    assert "downloading" in _faults(instance.uuid)[instance.uuid]["message"]
    assert not compute.driver.instance_exists(instance.uuid)
