"""block_device_mapping_v2 on server create, boot from volume included:
the compute API's checks (before anything is recorded) and claims, and
the compute manager handing the boot volume to the hypervisor as the
root disk (fake hypervisor; the volume service a recording fake)."""

import uuid
from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.compute import api_boot_volumes, api_volumes
from nimbus.core.compute import manager as compute_manager
from nimbus.core.compute import manager_volumes as mv
from nimbus.plugins.hypervisors.fake import driver as fake_driver
from tests.unit import workflow_fakes as wf
from tests.unit.compute.test_volumes import FakeVolumeService

IMAGE = "a0d1c0de-0000-4000-8000-000000000001"
KERNEL = "a0d1c0de-0000-4000-8000-00000000000a"
GiB = 1024 ** 3
ROOT = {"uuid": IMAGE, "boot_index": 0, "source_type": "image",
        "destination_type": "local", "delete_on_termination": True}
FROM_IMAGE = {"uuid": IMAGE, "boot_index": 0, "source_type": "image",
              "destination_type": "volume", "volume_size": 1}


class FakeVolumes:
    """The VolumeAPI calls block_devices_for_boot and the claims make."""

    def __init__(self, volumes, snapshots=None):
        self.volumes = volumes
        self.snapshots = snapshots or {}
        self.calls = []

    def get_volume(self, context, volume_id):
        if volume_id not in self.volumes:
            raise exception.VolumeNotFound(volume_id=volume_id)
        return self.volumes[volume_id]

    def get_snapshot(self, context, snapshot_id):
        if snapshot_id not in self.snapshots:
            raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
        return self.snapshots[snapshot_id]

    def create_volume(self, context, size, **kwargs):
        self.calls.append(("create_volume", size, kwargs))
        if kwargs.get("name", "").startswith("quota-blank"):
            raise exception.OverQuota(resources="volumes", requested=1,
                                      used=10, allowed=10)
        return {"id": f"new-{len(self.calls)}", "status": "creating"}

    def reserve(self, context, volume_id, instance_uuid):
        self.calls.append(("reserve", volume_id))

    def unreserve(self, context, volume_id):
        self.calls.append(("unreserve", volume_id))

    def delete_volume(self, context, volume_id):
        self.calls.append(("delete_volume", volume_id))


class FakeImages:
    def __init__(self, images):
        self.images = images

    def get(self, context, image_id):
        if image_id not in self.images:
            raise exception.ImageNotFound(image_id=image_id)
        return self.images[image_id]


class Checker(api_volumes.VolumeAttachMixin,
              api_boot_volumes.BootVolumesMixin):
    def __init__(self, volumes, snapshots=None, images=None):
        self._volume_api = FakeVolumes(volumes, snapshots)
        self.images = FakeImages(images or {IMAGE: _image()})
        self.db = mock.Mock()


def _image(size=16 * 1024 ** 2, min_disk=0, status="active"):
    return {"id": IMAGE, "status": status, "size": size,
            "min_disk": min_disk, "properties": {"kernel_id": KERNEL}}


def _volume(status="available", project="p1", bootable="false", size=1):
    return {"status": status, "size": size, "bootable": bootable,
            "os-vol-tenant-attr:tenant_id": project,
            "volume_image_metadata": {"image_id": IMAGE,
                                      "kernel_id": KERNEL}
            if bootable == "true" else None}


def _snapshot(status="available", project="p1"):
    return {"status": status, "size": 2, "volume_id": "boot",
            "os-extended-snapshot-attributes:project_id": project}


def _checker():
    return Checker({"V": _volume(), "busy": _volume("in-use"),
                    "theirs": _volume(project="p2"),
                    "boot": _volume(bootable="true")},
                   {"S": _snapshot(), "theirs-snap": _snapshot(project="p2"),
                    "new-snap": _snapshot("creating")})


def test_plans_of_extra_volumes_on_an_image_server():
    ours = str(uuid.uuid4())
    blank = {"source_type": "blank", "destination_type": "volume",
             "volume_size": "3", "delete_on_termination": "true"}
    checker = Checker({ours: _volume()})
    plans = checker.block_devices_for_boot(
        wf.user_context(), [ROOT, {"uuid": ours, "source_type": "volume",
                                   "destination_type": "volume"}, blank],
        IMAGE, 1)
    assert [(p["source_type"], p["volume_id"], p["size"],
             p["delete_on_termination"], p["boot_index"]) for p in plans] \
        == [("volume", ours, 1, False, None), ("blank", None, 3, True, None)]
    assert checker.boot_image(plans) is None
    assert checker.block_devices_for_boot(wf.user_context(), [ROOT],
                                          IMAGE, 5) == []


def test_boot_from_a_new_volume_made_from_an_image():
    """What ``openstack server create --image I --boot-from-volume 1``
    sends: imageRef "" and the image as a volume with boot index 0."""
    plans = _checker().block_devices_for_boot(
        wf.user_context(), [dict(FROM_IMAGE, delete_on_termination=False)],
        None, 1)
    assert plans == [{"source_type": "image", "volume_id": None,
                      "snapshot_id": None, "image_id": IMAGE, "size": 1,
                      "boot_index": 0, "delete_on_termination": False,
                      "volume_type": None, "tag": None,
                      "image": {"id": IMAGE,
                                "properties": {"kernel_id": KERNEL}}}]
    assert Checker.boot_image(plans)["id"] == IMAGE


def test_boot_from_an_existing_volume_and_a_snapshot_boot_volume_first():
    checker = _checker()
    plans = checker.block_devices_for_boot(
        wf.user_context(),
        [{"uuid": "V", "source_type": "volume", "boot_index": "1"},
         {"uuid": "boot", "source_type": "volume",
          "destination_type": "volume", "boot_index": "0"}], "", 1)
    assert [p["volume_id"] for p in plans] == ["boot", "V"]
    assert checker.boot_image(plans) == {"id": IMAGE, "properties": {
        "kernel_id": KERNEL}}
    plans = checker.block_devices_for_boot(
        wf.user_context(), [{"uuid": "S", "source_type": "snapshot",
                             "destination_type": "volume",
                             "boot_index": 0}], None, 1)
    assert (plans[0]["snapshot_id"], plans[0]["size"]) == ("S", 2)
    assert checker.boot_image(plans)["id"] == IMAGE


@pytest.mark.parametrize("mappings, image, count, message", [
    # the boot sequence (Nova's InvalidBDMBootSequence)
    ([], None, 1, "Boot sequence"),
    ([{"uuid": "V", "source_type": "volume", "destination_type": "volume"}],
     None, 1, "Boot sequence"),
    ([{"uuid": "boot", "source_type": "volume", "boot_index": 1}], None, 1,
     "Boot sequence"),
    ([FROM_IMAGE, {"uuid": "boot", "source_type": "volume",
                   "boot_index": 0}], None, 1, "Boot sequence"),
    ([ROOT, FROM_IMAGE], IMAGE, 1, "Boot sequence"),
    ([{"source_type": "blank", "destination_type": "volume",
       "volume_size": 1, "boot_index": 0}], None, 1, "blank volume cannot"),
    # volumes
    ([{"uuid": "V", "source_type": "volume", "boot_index": 0}], None, 1,
     "Block Device V is not bootable"),
    ([ROOT, {"uuid": "V", "source_type": "volume",
             "destination_type": "volume"}], IMAGE, 2,
     "one server at a time"),
    ([{"uuid": "theirs", "source_type": "volume", "boot_index": 0}], None,
     1, "volume theirs could not be found"),
    ([ROOT, {"uuid": "busy", "source_type": "volume"}], IMAGE, 1,
     "in-use, not available"),
    ([ROOT, {"uuid": "missing", "source_type": "volume"}], IMAGE, 1,
     "could not be found"),
    ([ROOT, {"source_type": "blank", "destination_type": "volume"}], IMAGE,
     1, "volume_size"),
    ([ROOT, {"source_type": "blank", "destination_type": "local"}], IMAGE,
     1, "not supported"),
    ([{"uuid": "other-image", "source_type": "image",
       "destination_type": "local", "boot_index": 0}], IMAGE, 1,
     "imageRef"),
    # images
    ([dict(FROM_IMAGE, volume_size=None)], None, 1,
     "need to have a non-zero size specified"),
    ([dict(FROM_IMAGE, uuid="nope")], None, 1, "failed to get image nope"),
    # snapshots
    ([{"uuid": "theirs-snap", "source_type": "snapshot", "boot_index": 0}],
     None, 1, "failed to get snapshot theirs-snap"),
    ([{"uuid": "gone", "source_type": "snapshot", "boot_index": 0}],
     None, 1, "failed to get snapshot gone"),
    ([{"uuid": "new-snap", "source_type": "snapshot", "boot_index": 0}],
     None, 1, "creating, not available"),
])
def test_refusals(mappings, image, count, message):
    with pytest.raises(exception.Invalid) as err:
        _checker().block_devices_for_boot(wf.user_context(), mappings,
                                          image, count)
    assert err.value.code == 400
    assert message in str(err.value)


@pytest.mark.parametrize("image, size, minimum", [
    (_image(size=GiB + 1), 1, GiB + 1),
    (_image(min_disk=3), 2, 3 * GiB),
])
def test_a_volume_smaller_than_its_image_is_refused(image, size, minimum):
    checker = Checker({}, images={IMAGE: image})
    with pytest.raises(exception.InvalidInput) as err:
        checker.block_devices_for_boot(
            wf.user_context(), [dict(FROM_IMAGE, volume_size=size)], None,
            1)
    assert (f"Volume is smaller than the minimum size specified in image "
            f"metadata. Volume size is {size * GiB} bytes, minimum size "
            f"is {minimum} bytes.") in str(err.value)


def test_a_snapshot_volume_smaller_than_the_snapshot_is_refused():
    with pytest.raises(exception.InvalidVolumeSize):
        _checker().block_devices_for_boot(
            wf.user_context(), [{"uuid": "S", "source_type": "snapshot",
                                 "volume_size": 1, "boot_index": 0}],
            None, 1)


def test_claims_make_the_boot_volume_vda_and_undo_on_failure():
    checker = _checker()
    ctx = wf.user_context()
    plans = checker.block_devices_for_boot(
        ctx, [{"uuid": "V", "source_type": "volume"},
              dict(FROM_IMAGE, delete_on_termination=True)], None, 1)
    instance = mock.Mock(uuid="i-1", display_name="vm")
    checker.claim_block_devices(ctx, instance, plans)
    rows = checker.db.block_devices.create_many.call_args[0][1]
    assert [(r["volume_id"], r["boot_index"], r["device_name"],
             r["delete_on_termination"]) for r in rows] == [
        ("new-1", 0, "/dev/vda", True), ("V", None, "/dev/vdb", False)]
    assert checker.volumes.calls[:2] == [
        ("create_volume", 1, {"name": "vm-root-0", "snapshot_id": None,
                              "image_id": IMAGE,
                              "availability_zone": None,
                              "volume_type": None}),
        ("reserve", "V")]
    # Over the volume quota at the second volume: the first one made is
    # deleted again, nothing stays reserved.
    failing = _checker()
    instance.display_name = "quota"
    plans = failing.block_devices_for_boot(
        ctx, [dict(FROM_IMAGE), {"source_type": "blank", "volume_size": 1,
                                 "destination_type": "volume"}], None, 1)
    with pytest.raises(exception.OverQuota):
        failing.claim_block_devices(ctx, instance, plans)
    failing.db.block_devices.create_many.assert_not_called()
    assert failing.volumes.calls[-1] == ("delete_volume", "new-1")


# -- the compute manager ---------------------------------------------------


@pytest.fixture
def compute(db_api, nimbus_conf, monkeypatch):
    nimbus_conf.set_override("backend", "fake", group="images")
    driver = fake_driver.FakeDriver(nimbus_conf, wf.HOST)
    manager = compute_manager.ComputeManager(nimbus_conf, wf.HOST,
                                             driver=driver)
    manager._conductor = mock.Mock()
    manager.volumes_fake = FakeVolumeService()
    manager.volumes_fake.install(monkeypatch)
    return manager


def test_build_of_a_volume_backed_server_spawns_from_the_volume(
        compute, monkeypatch):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, vm_state="building",
                                  task_state="scheduling", host=wf.HOST,
                                  image_ref="")
    root, extra = str(uuid.uuid4()), str(uuid.uuid4())
    kernel = compute.images.create(ctx, {"name": "k", "disk_format": "aki",
                                         "container_format": "aki"})
    compute.images.upload(ctx, kernel["id"], iter([b"kernel"]))
    compute.volumes_fake.mappings = [
        {"volume_id": extra, "delete_on_termination": False,
         "device_name": "/dev/vdb", "source_type": "volume",
         "boot_index": None},
        {"volume_id": root, "delete_on_termination": True,
         "device_name": "/dev/vda", "source_type": "image",
         "boot_index": 0}]
    monkeypatch.setattr(mv.VolumeConnection, "get", staticmethod(
        lambda context, vid: {"status": "attaching",
                              "volume_image_metadata": {
                                  "image_id": IMAGE,
                                  "kernel_id": kernel["id"]}}))
    spawned = []
    real_spawn = compute.driver.spawn

    def spawn(context, spec):
        spawned.append(spec)
        return real_spawn(context, spec)
    with mock.patch.object(compute.driver, "spawn", side_effect=spawn):
        compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx),
                                       [])
    spec = spawned[0]
    assert [(d.serial, d.boot_index) for d in spec.disks] == [
        (root[:20], 0), (extra[:20], None)]
    assert spec.root_volume.serial == root[:20]
    assert spec.image.id == IMAGE and spec.image.path is None
    assert spec.image.kernel.id == kernel["id"]
    assert wf.load(instance.uuid)["vm_state"] == "active"
    assert f"booted from volume {root[:20]}" in \
        compute.driver.get_console_output(instance.uuid)
    assert compute.driver.disk_serials(instance.uuid) == sorted(
        [root[:20], extra[:20]])


@pytest.mark.parametrize("has_volumes, read", [
    (False, False), (True, True),
    (None, True)])  # a request spec older than 1.3 cannot say: read
def test_a_build_reads_its_mappings_only_when_the_spec_may_have_some(
        compute, has_volumes, read):
    """A create without volumes says so in its request spec, and the
    compute spends no read (in a deployment: no round trip to conductor)
    on mappings it cannot have."""
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, vm_state="building",
                                  task_state="scheduling", host=wf.HOST)
    compute.build_and_run_instance(
        ctx, instance, wf.make_spec(ctx, has_volumes=has_volumes), [])
    assert ("block_devices" in compute.volumes_fake.names()) is read
    assert wf.load(instance.uuid)["vm_state"] == "active"
