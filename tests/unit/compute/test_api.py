"""ComputeAPI: what it records and what it casts (RPC clients are mocks)
for boots, state-checked actions, deletes and refusals."""

import dataclasses
from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.compute import api as compute_api
from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.db import api as db
from nimbus.core.interfaces import hypervisor as hv
from tests.unit import workflow_fakes as wf
from tests.unit.compute import test_boot_volumes as boot_volumes_test

ps = wf.power_state
VOLUME = "5e0a8d1c-7b3f-4c2a-9d6e-1f2a3b4c5d6e"


@pytest.fixture
def api(db_api, nimbus_conf):
    """The compute API with the fake image store, a flavor ``1``
    (m1.tiny), an active image (``api.image_id``) and mock RPC
    clients."""
    nimbus_conf.set_override("backend", "fake", group="images")
    service = compute_api.ComputeAPI(nimbus_conf, db_api)
    service._compute = mock.Mock()
    service._conductor = mock.Mock()
    db.flavors.create(wf.admin(), {"flavorid": "1", "name": "m1.tiny",
                                   "vcpus": 1, "memory_mb": 512,
                                   "root_gb": 1})
    image = service.images.create(wf.admin(), {"name": "cirros"})
    service.images.upload(wf.admin(), image["id"], [b"disk"])
    service.image_id = image["id"]
    return service


def _live_instances():
    return db.instances.get_all(wf.admin())


def _action_names(uuid):
    return [a["action"] for a in db.actions.actions_for(wf.admin(), uuid)]


def _nothing_cast(api):
    assert api.compute_rpc.method_calls == []
    assert api.conductor_rpc.method_calls == []


# -- create -----------------------------------------------------------------

def test_create_the_broker_did_not_take_leaves_nothing(api):
    # The cast never reached conductor: nothing would ever build these.
    api.conductor_rpc.schedule_and_build_instances.side_effect = \
        exception.ServiceUnavailable(backend="message broker")
    with pytest.raises(exception.ServiceUnavailable):
        api.create(wf.user_context(), "web", "1", api.image_id,
                   min_count=2, max_count=2)
    assert _live_instances() == []


def test_create_records_instances_and_action_and_casts_once(api):
    ctx = wf.user_context()
    created = api.create(ctx, "web", "1", api.image_id, min_count=2,
                         max_count=2)
    uuids = [i.uuid for i in created]
    rows = [wf.load(u) for u in uuids]
    assert [r["display_name"] for r in rows] == ["web-1", "web-2"]
    for row in rows:
        assert (row["vm_state"], row["task_state"], row["host"]) == \
            (vs.BUILDING, ts.SCHEDULING, None)
        assert (row["project_id"], row["vcpus"], row["image_ref"]) == \
            (wf.PROJECT, 1, api.image_id)
    for uuid in uuids:
        [action] = db.actions.actions_for(wf.admin(), uuid)
        assert (action["action"], action["request_id"]) == \
            ("create", ctx.request_id)
    api.conductor_rpc.schedule_and_build_instances.assert_called_once()
    cast_ctx, cast_uuids, spec = \
        api.conductor_rpc.schedule_and_build_instances.call_args.args
    assert (cast_ctx, cast_uuids) == (ctx, uuids)
    assert wf.spec_value(spec, "num_instances") == 2
    assert wf.spec_value(spec, "project_id") == wf.PROJECT
    # no block devices: the computes need not look for any
    assert wf.spec_value(spec, "has_volumes") is False
    api.compute_rpc.assert_not_called()


@pytest.mark.parametrize("flavor, image, counts, message", [
    ("9", None, (1, 1), "Flavor 9 could not be found."),
    ("1", "no-such-image", (1, 1), "Image no-such-image could not be "
                                   "found."),
    ("1", None, (2, 1), "min_count must be >= 1 and <= max_count"),
])
def test_bad_boot_request_is_a_400_with_nothing_recorded(
        api, flavor, image, counts, message):
    with pytest.raises(exception.Invalid) as err:
        api.create(wf.user_context(), "web", flavor, image or api.image_id,
                   min_count=counts[0], max_count=counts[1])
    assert err.value.code == 400
    assert message in str(err.value)
    assert _live_instances() == []
    _nothing_cast(api)


def test_create_over_quota_is_refused_with_nothing_recorded(api):
    db.quotas.set_project(wf.admin(), wf.PROJECT, {"instances": 1})
    with pytest.raises(exception.OverQuota) as err:
        api.create(wf.user_context(), "web", "1", api.image_id,
                   min_count=2, max_count=2)
    assert err.value.code == 403
    assert "Quota exceeded for instances: requested 2" in str(err.value)
    assert _live_instances() == []
    _nothing_cast(api)


def test_create_losing_the_quota_recheck_removes_its_instances(api):
    """A concurrent boot pushed the project over after the first check:
    the recheck undoes this request's rows and casts nothing."""
    over = exception.OverQuota(resources="instances", requested=1,
                               used=1, allowed=1)
    with mock.patch.object(api.quotas, "check",
                           side_effect=[None, over]), \
            pytest.raises(exception.OverQuota):
        api.create(wf.user_context(), "web", "1", api.image_id)
    assert _live_instances() == []
    _nothing_cast(api)


# -- state-checked actions --------------------------------------------------

def test_action_moves_the_task_records_and_casts(api):
    ctx = wf.user_context()
    uuid = wf.create_instance(ctx, vm_state=vs.ACTIVE, task_state=None,
                              action=None).uuid
    api.stop(ctx, uuid)
    assert wf.load(uuid)["task_state"] == ts.POWERING_OFF
    [action] = db.actions.actions_for(wf.admin(), uuid)
    assert (action["action"], action["request_id"]) == ("stop",
                                                        ctx.request_id)
    [call] = api.compute_rpc.stop_instance.call_args_list
    assert call.args[1].uuid == uuid
    assert call.args[1].task_state == ts.POWERING_OFF


@pytest.mark.parametrize("action, args, vm_state, task_state", [
    ("start", (), vs.ACTIVE, None),
    ("stop", (), vs.STOPPED, None),
    ("pause", (), vs.STOPPED, None),
    ("pause", (), vs.ACTIVE, ts.POWERING_OFF),
    ("resume", (), vs.ACTIVE, None),
    ("reboot", (hv.REBOOT_SOFT,), vs.STOPPED, None),
    ("reboot", (hv.REBOOT_HARD,), vs.BUILDING, ts.SPAWNING),
    ("stop", (), vs.ACTIVE, ts.DELETING),
])
def test_action_from_the_wrong_state_is_a_409(api, action, args, vm_state,
                                              task_state):
    ctx = wf.user_context()
    uuid = wf.create_instance(ctx, vm_state=vm_state, task_state=task_state,
                              action=None).uuid
    with pytest.raises(exception.InstanceInvalidState) as err:
        getattr(api, action)(ctx, uuid, *args)
    assert err.value.code == 409
    row = wf.load(uuid)
    assert (row["vm_state"], row["task_state"]) == (vm_state, task_state)
    assert _action_names(uuid) == []
    _nothing_cast(api)


def test_locked_instance_refuses_its_owner_but_not_an_admin(api):
    owner = wf.user_context()
    uuid = wf.create_instance(owner, vm_state=vs.ACTIVE, task_state=None,
                              action=None).uuid
    api.lock(owner, uuid)
    with pytest.raises(exception.Conflict, match="is locked") as err:
        api.pause(owner, uuid)
    assert err.value.code == 409
    assert wf.load(uuid)["task_state"] is None
    api.compute_rpc.pause_instance.assert_not_called()
    api.pause(wf.user_context(is_admin=True), uuid)
    api.compute_rpc.pause_instance.assert_called_once()


def test_another_projects_instance_is_not_found(api):
    uuid = wf.create_instance(wf.user_context(), vm_state=vs.ACTIVE,
                              task_state=None).uuid
    with pytest.raises(exception.InstanceNotFound) as err:
        api.stop(wf.user_context(project_id="p2"), uuid)
    assert err.value.code == 404
    assert wf.load(uuid)["task_state"] is None
    _nothing_cast(api)


@pytest.mark.parametrize("action, args, capability", [
    ("pause", (), "pause"),
    ("suspend", (), "suspend"),
    ("reboot", (hv.REBOOT_SOFT,), "soft_reboot"),
])
def test_action_the_hypervisor_cannot_do_is_refused(api, action, args,
                                                    capability):
    ctx = wf.user_context()
    caps = dataclasses.asdict(hv.Capabilities(**{capability: False}))
    wf.report_node(capabilities=caps)
    uuid = wf.create_instance(ctx, vm_state=vs.ACTIVE, task_state=None,
                              action=None).uuid
    with pytest.raises(exception.ActionNotSupportedByHost) as err:
        getattr(api, action)(ctx, uuid, *args)
    assert err.value.code == 409
    assert f"does not support {capability}" in str(err.value)
    assert wf.load(uuid)["task_state"] is None
    assert _action_names(uuid) == []
    _nothing_cast(api)


# -- delete -----------------------------------------------------------------

def test_delete_of_an_unplaced_build_is_local(api):
    ctx = wf.user_context()
    uuid = wf.create_instance(ctx, host=None).uuid
    wf.claim(uuid)
    api.delete(ctx, uuid)
    row = wf.load(uuid)
    assert row["deleted"] and row["vm_state"] == vs.DELETED
    assert wf.allocation_hosts(uuid) == []
    assert "delete" in _action_names(uuid)
    _nothing_cast(api)


def test_delete_of_a_spawning_build_goes_to_its_compute(api):
    ctx = wf.user_context()
    wf.service_up(wf.HOST)
    uuid = wf.create_instance(ctx, task_state=ts.SPAWNING).uuid
    api.delete(ctx, uuid)
    assert wf.load(uuid)["task_state"] == ts.DELETING
    [call] = api.compute_rpc.terminate_instance.call_args_list
    assert call.args[1].uuid == uuid
    api.delete(ctx, uuid)   # a second delete casts nothing more
    api.compute_rpc.terminate_instance.assert_called_once()


@pytest.mark.parametrize("volume", [None, "mapped", "attached"])
def test_delete_tells_the_compute_whether_there_are_volumes(api, volume):
    """Read after the delete's guard: a mapping, or an attachment made
    without one (the volume API's), means the compute reads them."""
    ctx = wf.user_context()
    wf.service_up(wf.HOST)
    uuid = wf.create_instance(ctx, vm_state=vs.ACTIVE, task_state=None,
                              power=ps.RUNNING).uuid
    if volume == "mapped":
        db.block_devices.create_many(ctx, [{
            "instance_uuid": uuid, "volume_id": VOLUME,
            "source_type": "volume", "boot_index": None}])
    elif volume == "attached":
        db.volumes.create_volume(wf.admin(), {
            "id": VOLUME, "status": "in-use", "size": 1,
            "project_id": ctx.project_id, "user_id": ctx.user_id})
        db.volumes.create_attachment(wf.admin(), {
            "id": "attachment-1", "volume_id": VOLUME,
            "instance_uuid": uuid, "attach_status": "attached"})
    api.delete(ctx, uuid)
    [call] = api.compute_rpc.terminate_instance.call_args_list
    assert call.kwargs == {"has_volumes": volume is not None}


def test_attach_racing_a_delete_fails_and_leaves_nothing(api):
    """The delete's guarded write lands between the attach's checks and
    its mapping: the attach fails (409), gives the volume back and
    records nothing, so the delete's "no volumes" holds."""
    ctx = wf.user_context()
    wf.service_up(wf.HOST)
    wf.report_node()
    uuid = wf.create_instance(ctx, vm_state=vs.ACTIVE, task_state=None,
                              power=ps.RUNNING).uuid
    volumes = boot_volumes_test.FakeVolumes(
        {VOLUME: boot_volumes_test._volume(project=ctx.project_id)})
    volumes.list_attachments = lambda context, instance_uuid: []
    reserve = volumes.reserve

    def reserve_then_delete(context, volume_id, instance_uuid):
        reserve(context, volume_id, instance_uuid)
        api.delete(ctx, uuid)

    volumes.reserve = reserve_then_delete
    api._volume_api = volumes
    with pytest.raises(exception.UnexpectedTaskStateError) as err:
        api.attach_volume(ctx, uuid, VOLUME)
    assert err.value.code == 409
    assert db.block_devices.get_by_instance(wf.admin(), uuid) == []
    assert volumes.calls == [("reserve", VOLUME), ("unreserve", VOLUME)]
    api.compute_rpc.attach_volume.assert_not_called()
    [call] = api.compute_rpc.terminate_instance.call_args_list
    assert call.kwargs == {"has_volumes": False}


def test_delete_on_a_down_host_is_local(api):
    ctx = wf.user_context()
    wf.service_up(wf.HOST, up=False)
    uuid = wf.create_instance(ctx, vm_state=vs.ACTIVE, task_state=None,
                              power=ps.RUNNING).uuid
    api.delete(ctx, uuid)
    assert wf.load(uuid)["deleted"]
    _nothing_cast(api)


def test_delete_racing_a_build_step_retries_on_the_new_state(api):
    """The build moved scheduling -> spawning between the delete's read
    and its guarded write: the delete re-reads and wins on spawning."""
    ctx = wf.user_context()
    wf.service_up(wf.HOST)
    instance = wf.create_instance(ctx)   # read while scheduling
    db.instances.update_instance(wf.admin(), instance.uuid,
                                 {"task_state": ts.SPAWNING})
    with mock.patch.object(api, "get", return_value=instance):
        api.delete(ctx, instance.uuid)
    assert wf.load(instance.uuid)["task_state"] == ts.DELETING
    api.compute_rpc.terminate_instance.assert_called_once()


def test_delete_of_a_locked_instance_is_refused(api):
    ctx = wf.user_context()
    uuid = wf.create_instance(ctx, vm_state=vs.ACTIVE, task_state=None,
                              locked=True, locked_by="owner").uuid
    with pytest.raises(exception.Conflict, match="is locked"):
        api.delete(ctx, uuid)
    assert not wf.load(uuid)["deleted"]
    _nothing_cast(api)
