"""The compute side of volumes: the manager's attach, detach and
release of a deleted instance's volumes over the fake hypervisor (the
volume service a recording fake in place of conductor), and the compute
API's device names (block_device_mapping_v2: test_boot_volumes)."""

from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.compute import api_volumes, guest_spec
from nimbus.core.compute import manager as compute_manager
from nimbus.core.compute import manager_volumes as mv
from nimbus.core.db import api as db
from nimbus.plugins.hypervisors.fake import driver as fake_driver
from tests.unit import workflow_fakes as wf

VOLUME = "3e22b858-abe2-425f-a9d7-75cd77f3516d"


class FakeVolumeService:
    """What VolumeConnection reaches: records calls, fails on demand."""

    def __init__(self):
        self.calls = []
        self.fail = {}
        self.mappings = []
        self.attachments = []

    def _call(self, name, *args):
        self.calls.append((name,) + args)
        if name in self.fail:
            raise self.fail.pop(name)

    def install(self, monkeypatch):
        cls = mv.VolumeConnection

        def method(name, result=None):
            def call(context, *args):
                self._call(name, *args)
                return result(*args) if result else None
            monkeypatch.setattr(cls, name, staticmethod(call))
        method("initialize", lambda vid, conn: {
            "protocol": "iscsi", "portal": "127.0.0.1:3260",
            "iqn": f"iqn.2010-10.org.nimbus:{vid}", "lun": 1,
            "auth_username": "u", "auth_secret": "s", "serial": vid,
            "disk_format": "raw", "unknown_key": 1})
        for name in ("terminate", "attach", "detach", "unreserve",
                     "roll_detaching", "begin_detaching", "delete_volume",
                     "reserve", "forget_block_devices"):
            method(name)
        method("attachments", lambda uuid: self.attachments)
        method("block_devices", lambda uuid: self.mappings)
        method("volumes_of", lambda uuid: {"attachments": self.attachments,
                                           "block_devices": self.mappings})
        method("get", lambda vid: {"status": "attaching"})

    def names(self):
        return [c[0] for c in self.calls]


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


def _running(compute):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    compute.driver.spawn(ctx, guest_spec.build(ctx, instance,
                                               compute.images))
    return ctx, instance


def test_disk_spec_takes_the_known_keys_and_a_20_byte_serial():
    spec = mv.disk_spec({"protocol": "iscsi", "portal": "h:1", "iqn": "q",
                         "lun": 2, "serial": VOLUME, "extra": "x"},
                        VOLUME, "/dev/vdb")
    assert spec.serial == VOLUME[:20] and len(spec.serial) == 20
    assert (spec.protocol, spec.portal, spec.iqn, spec.lun) == (
        "iscsi", "h:1", "q", 2)
    assert spec.device_name == "/dev/vdb"


def test_a_multiattach_connection_makes_a_shareable_disk():
    info = {"protocol": "file", "path": "/srv/v", "shareable": True}
    assert mv.disk_spec(info, VOLUME, "/dev/vdb").shareable is True
    info["shareable"] = False
    assert mv.disk_spec(info, VOLUME, "/dev/vdb").shareable is False


def test_initiator_name_is_an_iqn_of_the_host():
    assert mv.initiator_name("Lv_1.example") == \
        "iqn.2010-10.org.nimbus:compute-lv-1.example"


def test_attach_connects_plugs_then_records(compute):
    ctx, instance = _running(compute)
    compute.attach_volume(ctx, instance, VOLUME, "/dev/vdb")
    fake = compute.volumes_fake
    assert fake.names() == ["initialize", "attach"]
    connector = fake.calls[0][2]
    assert connector["host"] == wf.HOST
    assert connector["initiator"].startswith("iqn.")
    assert fake.calls[1][1:] == (VOLUME, instance.uuid, "/dev/vdb",
                                 wf.HOST)
    assert compute.driver.disk_serials(instance.uuid) == [VOLUME[:20]]


def test_the_connector_gives_my_ip_without_resolving_the_host(
        compute, nimbus_conf, monkeypatch):
    # A compute's host name need not resolve (the embedded default's
    # bench-1); a lookup per build waited out the resolver's timeout.
    nimbus_conf.set_override("my_ip", "192.0.2.7")
    monkeypatch.setattr("socket.gethostbyname", mock.Mock(
        side_effect=AssertionError("resolved the host name")))
    assert compute.volume_connector()["ip"] == "192.0.2.7"


def test_attach_failing_in_the_hypervisor_gives_the_volume_back(compute):
    ctx, instance = _running(compute)
    compute.driver.detach_disk = mock.Mock()
    with mock.patch.object(compute.driver, "attach_disk",
                           side_effect=exception.HypervisorError(
                               reason="no slot")):
        compute.attach_volume(ctx, instance, VOLUME, "/dev/vdb")
    assert compute.volumes_fake.names() == ["initialize", "terminate",
                                            "unreserve"]
    compute.driver.detach_disk.assert_not_called()
    faults = db.actions.faults_latest(ctx, [instance.uuid])
    assert "no slot" in faults[instance.uuid]["message"]


def test_attach_failing_to_record_unplugs_the_disk(compute):
    ctx, instance = _running(compute)
    compute.volumes_fake.fail["attach"] = exception.VolumeInvalidState(
        action="attach", volume_id=VOLUME, status="deleting",
        expected="attaching")
    compute.attach_volume(ctx, instance, VOLUME, "/dev/vdb")
    assert compute.volumes_fake.names() == [
        "initialize", "attach", "terminate", "unreserve"]
    assert compute.driver.disk_serials(instance.uuid) == []


def test_detach_unplugs_disconnects_and_records(compute):
    ctx, instance = _running(compute)
    compute.attach_volume(ctx, instance, VOLUME, "/dev/vdb")
    compute.volumes_fake.calls.clear()
    compute.detach_volume(ctx, instance, VOLUME, "att-1")
    assert compute.volumes_fake.names() == ["terminate", "detach"]
    assert compute.volumes_fake.calls[1][1:] == (VOLUME, "att-1")
    assert compute.driver.disk_serials(instance.uuid) == []


def test_detach_the_guest_refuses_keeps_the_volume_in_use(compute):
    ctx, instance = _running(compute)
    with mock.patch.object(compute.driver, "detach_disk",
                           side_effect=exception.HypervisorError(
                               reason="guest holds it")):
        compute.detach_volume(ctx, instance, VOLUME, "att-1")
    assert compute.volumes_fake.names() == ["roll_detaching"]


@pytest.mark.parametrize("delete", [True, False])
def test_terminate_releases_volumes(compute, delete):
    ctx, instance = _running(compute)
    fake = compute.volumes_fake
    fake.attachments = [{"volume_id": VOLUME, "attachment_id": "a1"}]
    fake.mappings = [{"volume_id": VOLUME, "delete_on_termination": delete,
                      "device_name": "/dev/vdb", "source_type": "volume",
                      "boot_index": None}]
    compute.terminate_instance(ctx, instance)
    expected = ["volumes_of", "terminate", "detach"]
    if delete:
        expected.append("delete_volume")
    assert fake.names() == expected + ["forget_block_devices"]
    assert instance.uuid not in compute.driver.list_instances()


def test_terminate_deletes_a_never_attached_volume_made_for_it(compute):
    """A build that failed before attaching its blank volume: the volume
    made for the server goes with it; one given without
    delete_on_termination stays."""
    ctx, instance = _running(compute)
    fake = compute.volumes_fake
    fake.mappings = [
        {"volume_id": VOLUME, "delete_on_termination": True,
         "device_name": "/dev/vdb", "source_type": "blank",
         "boot_index": None},
        {"volume_id": "kept", "delete_on_termination": False,
         "device_name": "/dev/vdc", "source_type": "volume",
         "boot_index": None}]
    compute.terminate_instance(ctx, instance)
    assert fake.calls == [("volumes_of", instance.uuid),
                          ("delete_volume", VOLUME),
                          ("forget_block_devices", instance.uuid)]


@pytest.mark.parametrize("has_volumes, reads", [
    (None, ["volumes_of"]),   # not said (an API below compute RPC 1.18)
    (True, ["volumes_of"]),
    (False, []),              # the API found none after the delete's guard
])
def test_terminate_without_volumes_forgets_nothing(compute, has_volumes,
                                                   reads):
    ctx, instance = _running(compute)
    compute.terminate_instance(ctx, instance, has_volumes=has_volumes)
    assert compute.volumes_fake.names() == reads
    assert instance.uuid not in compute.driver.list_instances()


def test_build_connects_block_devices_before_spawn(compute):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, vm_state="building",
                                  task_state="scheduling", host=wf.HOST)
    fake = compute.volumes_fake
    fake.mappings = [{"volume_id": VOLUME, "delete_on_termination": False,
                      "device_name": "/dev/vdb", "source_type": "volume",
                      "boot_index": None}]
    spawned = []
    real_spawn = compute.driver.spawn

    def spawn(context, spec):
        spawned.append([d.serial for d in spec.disks])
        return real_spawn(context, spec)
    with mock.patch.object(compute.driver, "spawn", side_effect=spawn):
        compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx),
                                       [])
    assert spawned == [[VOLUME[:20]]]
    assert fake.names() == ["block_devices", "get", "initialize",
                            "block_devices", "attach"]


def test_device_names_skip_the_used_ones():
    name = api_volumes.VolumeAttachMixin._device_name
    assert name([{"device": "/dev/vdb"}], None) == "/dev/vdc"
    with pytest.raises(exception.InvalidInput):
        name([], "sdb")


def test_connect_without_answer_is_asked_again(compute):
    """A volume service killed while connecting loses the reply; the one
    restarted in its place answers the second (idempotent) call."""
    ctx, instance = _running(compute)
    fake = compute.volumes_fake
    fake.fail["initialize"] = mv.messaging.MessagingTimeout("no reply")
    compute.attach_volume(ctx, instance, VOLUME, "/dev/vdb")
    assert fake.names() == ["initialize", "initialize", "attach"]
    assert compute.driver.disk_serials(instance.uuid) == [VOLUME[:20]]


def test_connect_failing_twice_gives_the_volume_back(compute):
    ctx, instance = _running(compute)
    fake = compute.volumes_fake
    real_call = fake._call

    def never_answers(name, *args):
        real_call(name, *args)
        if name == "initialize":
            raise mv.messaging.MessagingTimeout("no reply")
    fake._call = never_answers
    compute.attach_volume(ctx, instance, VOLUME, "/dev/vdb")
    assert fake.names() == ["initialize", "initialize", "terminate",
                            "unreserve"]
    assert compute.driver.disk_serials(instance.uuid) == []
