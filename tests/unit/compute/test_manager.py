"""ComputeManager over the fake hypervisor: builds, reschedules, aborts,
deletes and power actions, judged by the rows, faults, allocations and
guests they leave and by what they hand back to conductor (a mock)."""

from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.compute import guest_spec
from nimbus.core.compute import manager as compute_manager
from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.db import api as db
from nimbus.core.interfaces import hypervisor as hv
from nimbus.plugins.hypervisors.fake import driver as fake_driver
from tests.unit import workflow_fakes as wf

ps = wf.power_state
BUILD_EVENT = ("create", "compute_build_and_run_instance")


@pytest.fixture
def compute(db_api, nimbus_conf):
    """The manager of ``wf.HOST`` on the fake hypervisor and the fake
    image store; its conductor client is a mock."""
    nimbus_conf.set_override("backend", "fake", group="images")
    driver = fake_driver.FakeDriver(nimbus_conf, wf.HOST)
    manager = compute_manager.ComputeManager(nimbus_conf, wf.HOST,
                                             driver=driver)
    manager._conductor = mock.Mock()
    return manager


def _spawned(compute, ctx, vm_state=vs.ACTIVE, power=ps.RUNNING,
             task_state=None):
    """An instance of this host with its guest in ``power`` state."""
    instance = wf.create_instance(ctx, vm_state=vm_state,
                                  task_state=task_state, power=power)
    compute.driver.spawn(ctx, guest_spec.build(ctx, instance,
                                               compute.images))
    if power != ps.RUNNING:
        compute.driver.simulate_power_change(instance.uuid, power)
    return instance


def _guest_power(compute, uuid):
    return compute.driver.get_info(uuid).power_state


# -- build ------------------------------------------------------------------

#: how the build arrives: placed ``spawning`` by a conductor of compute RPC
#: 1.17, or ``scheduling`` from one pinned below it (the compute writes
#: ``spawning`` itself)
PLACED = pytest.mark.parametrize("placed", [ts.SPAWNING, ts.SCHEDULING])


def _saves(instance):
    """The guards of ``instance``'s saves, recorded as they happen."""
    guards = []
    save = instance.save

    def recording_save(expected_task_state):
        guards.append(expected_task_state)
        return save(expected_task_state=expected_task_state)

    instance.save = recording_save
    return guards


@PLACED
def test_build_spawns_the_guest_and_activates_the_instance(compute, placed):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, task_state=placed)
    saves = _saves(instance)
    during_spawn = []
    spawn = compute.driver.spawn

    def recording_spawn(context, spec):
        during_spawn.append(wf.load(spec.uuid)["task_state"])
        spawn(context, spec)

    with mock.patch.object(compute.driver, "spawn", recording_spawn):
        compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx), [])
    row = wf.load(instance.uuid)
    assert during_spawn == [ts.SPAWNING]
    # placed spawning: one write, the activation's
    assert saves == ([(ts.SCHEDULING,)] if placed == ts.SCHEDULING
                     else []) + [(ts.SPAWNING,)]
    assert (row["vm_state"], row["task_state"], row["power_state"]) == \
        (vs.ACTIVE, None, ps.RUNNING)
    assert row["launched_at"] is not None
    assert _guest_power(compute, instance.uuid) == ps.RUNNING
    assert wf.fault(instance.uuid) is None
    assert wf.events(instance.uuid) == []  # success costs no extra write
    compute.conductor.build_instances.assert_not_called()


def test_retryable_spawn_failure_goes_back_to_conductor(compute):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    spec = wf.make_spec(ctx)
    alternates = [wf.selection(wf.OTHER_HOST)]
    err = exception.RescheduledBuild(instance_uuid=instance.uuid,
                                     reason="no room for the disk")
    with mock.patch.object(compute.driver, "spawn", side_effect=err):
        compute.build_and_run_instance(ctx, instance, spec, alternates)
    compute.conductor.build_instances.assert_called_once_with(
        ctx, instance.uuid, spec, alternates, wf.HOST, str(err))
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["host"], row["node"]) \
        == (vs.BUILDING, ts.SCHEDULING, None, None)
    assert wf.fault(instance.uuid) is None
    assert not compute.driver.instance_exists(instance.uuid)
    assert wf.events(instance.uuid) == [BUILD_EVENT + ("Error",)]


@pytest.mark.parametrize("last_attempt, alternates", [
    (True, [wf.selection(wf.OTHER_HOST)]),   # max_build_attempts reached
    (False, []),                             # nowhere else to go
], ids=["attempts-used-up", "no-alternates"])
def test_retryable_failure_without_a_retry_left_is_an_error(
        compute, last_attempt, alternates):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)
    wf.claim(instance.uuid)
    attempts = compute.conf.conductor.max_build_attempts if last_attempt \
        else 1
    err = exception.HypervisorError(reason="qemu died")
    with mock.patch.object(compute.driver, "spawn", side_effect=err):
        compute.build_and_run_instance(
            ctx, instance, wf.make_spec(ctx, attempts=attempts), alternates)
    compute.conductor.build_instances.assert_not_called()
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"]) == (vs.ERROR, None)
    assert wf.fault(instance.uuid)["message"] == str(err)
    assert wf.allocation_hosts(instance.uuid) == []


def test_build_abort_is_an_error_with_a_fault_and_no_claim(compute):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, image_ref="gone-image")
    wf.claim(instance.uuid)
    with wf.errors_explained() as explained:
        compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx),
                                       [wf.selection(wf.OTHER_HOST)])
    assert explained == {instance.uuid: True}
    compute.conductor.build_instances.assert_not_called()
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"]) == (vs.ERROR, None)
    fault = wf.fault(instance.uuid)
    assert fault["code"] == 500
    assert fault["message"] == (
        f"Build of instance {instance.uuid} aborted: Image gone-image "
        f"could not be found.")
    assert fault["host"] == wf.HOST
    assert wf.allocation_hosts(instance.uuid) == []
    assert not compute.driver.instance_exists(instance.uuid)


@PLACED
def test_delete_while_spawning_leaves_nothing_and_no_error(compute, placed):
    """The API's delete wins the race (task_state deleting, terminate
    cast): the build writes nothing and the terminate cleans up."""
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, task_state=placed)
    wf.claim(instance.uuid)
    spawn = compute.driver.spawn

    def spawn_then_delete(context, spec):
        spawn(context, spec)
        db.instances.update_instance(wf.admin(), spec.uuid,
                                     {"task_state": ts.DELETING})

    with mock.patch.object(compute.driver, "spawn", spawn_then_delete):
        compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx), [])
    assert wf.load(instance.uuid)["vm_state"] == vs.BUILDING
    compute.terminate_instance(ctx, instance)
    row = wf.load(instance.uuid)
    assert row["deleted"] and row["vm_state"] == vs.DELETED
    assert not compute.driver.instance_exists(instance.uuid)
    assert wf.fault(instance.uuid) is None
    assert wf.allocation_hosts(instance.uuid) == []
    compute.conductor.build_instances.assert_not_called()


@PLACED
def test_instance_gone_while_spawning_takes_its_guest_along(compute,
                                                           placed):
    """Deleted in the database alone (its host looked down to the API):
    no terminate will come, so the build destroys the guest it made."""
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, task_state=placed)
    spawn = compute.driver.spawn

    def spawn_then_vanish(context, spec):
        spawn(context, spec)
        db.instances.destroy(wf.admin(), spec.uuid)

    with mock.patch.object(compute.driver, "spawn", spawn_then_vanish):
        compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx), [])
    assert not compute.driver.instance_exists(instance.uuid)
    assert wf.load(instance.uuid)["vm_state"] == vs.DELETED
    assert wf.fault(instance.uuid) is None


def test_scheduling_build_of_an_instance_deleted_meanwhile_is_dropped(
        compute):
    """From a conductor pinned below compute RPC 1.17: the compute's own
    guarded write finds the delete."""
    ctx = wf.user_context()
    instance = wf.create_instance(ctx)   # scheduling, as conductor sent it
    db.instances.update_instance(wf.admin(), instance.uuid,
                                 {"task_state": ts.DELETING})
    with mock.patch.object(compute.driver, "spawn") as spawn:
        compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx), [])
    spawn.assert_not_called()
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"]) == (vs.BUILDING,
                                                    ts.DELETING)


def test_build_the_terminate_overtook_is_dropped(compute):
    """The delete's cast reached the host before the build's (both race
    to its queue): the terminate ran, so the build spawns nothing and
    asks nimbus-network for nothing."""
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, task_state=ts.SPAWNING)
    wf.claim(instance.uuid)
    placed = instance.obj_clone()   # the build's copy, sent before
    db.instances.update_instance(wf.admin(), instance.uuid,
                                 {"task_state": ts.DELETING})
    compute.terminate_instance(ctx, instance)
    with mock.patch.object(compute.driver, "spawn") as spawn, \
            mock.patch.object(compute, "_allocate_network") as allocate:
        compute.build_and_run_instance(ctx, placed, wf.make_spec(ctx), [])
    spawn.assert_not_called()
    allocate.assert_not_called()
    assert wf.load(instance.uuid)["deleted"]
    assert wf.allocation_hosts(instance.uuid) == []


def test_a_build_settled_meanwhile_takes_its_guest_along(compute):
    """Placed spawning, the build waited in the host's queue while this
    compute restarted and put the instance in ERROR (or the sweep of
    stuck builds did): its guest goes, the ERROR stays."""
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, task_state=ts.SPAWNING)
    spawn = compute.driver.spawn

    def spawn_then_settle(context, spec):
        spawn(context, spec)
        db.instances.update_instance(wf.admin(), spec.uuid, {
            "vm_state": vs.ERROR, "task_state": None})

    with mock.patch.object(compute.driver, "spawn", spawn_then_settle), \
            mock.patch.object(compute, "release_network") as release:
        compute.build_and_run_instance(ctx, instance, wf.make_spec(ctx), [])
    assert not compute.driver.instance_exists(instance.uuid)
    release.assert_called_once_with(ctx, instance)
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"]) == (vs.ERROR, None)


# -- terminate --------------------------------------------------------------

def test_terminate_destroys_guest_row_and_claim(compute):
    ctx = wf.user_context()
    instance = _spawned(compute, ctx, task_state=ts.DELETING)
    wf.claim(instance.uuid)
    compute.terminate_instance(ctx, instance)
    row = wf.load(instance.uuid)
    assert row["deleted"]
    assert (row["vm_state"], row["task_state"], row["power_state"]) == \
        (vs.DELETED, None, ps.NOSTATE)
    assert not compute.driver.instance_exists(instance.uuid)
    assert wf.allocation_hosts(instance.uuid) == []


def test_terminate_is_idempotent(compute):
    ctx = wf.user_context()
    instance = _spawned(compute, ctx, task_state=ts.DELETING)
    compute.terminate_instance(ctx, instance)
    compute.terminate_instance(ctx, instance)
    assert wf.load(instance.uuid)["deleted"]


# -- power actions ----------------------------------------------------------

_ACTIONS = [
    # method, args, vm_state and power before, task while it runs,
    # vm_state and power after
    ("stop_instance", (), vs.ACTIVE, ps.RUNNING, ts.POWERING_OFF,
     vs.STOPPED, ps.SHUTDOWN),
    ("start_instance", (), vs.STOPPED, ps.SHUTDOWN, ts.POWERING_ON,
     vs.ACTIVE, ps.RUNNING),
    ("pause_instance", (), vs.ACTIVE, ps.RUNNING, ts.PAUSING,
     vs.PAUSED, ps.PAUSED),
    ("unpause_instance", (), vs.PAUSED, ps.PAUSED, ts.UNPAUSING,
     vs.ACTIVE, ps.RUNNING),
    ("suspend_instance", (), vs.ACTIVE, ps.RUNNING, ts.SUSPENDING,
     vs.SUSPENDED, ps.SUSPENDED),
    ("resume_instance", (), vs.SUSPENDED, ps.SUSPENDED, ts.RESUMING,
     vs.ACTIVE, ps.RUNNING),
    ("reboot_instance", (hv.REBOOT_SOFT,), vs.ACTIVE, ps.RUNNING,
     ts.REBOOTING, vs.ACTIVE, ps.RUNNING),
    ("reboot_instance", (hv.REBOOT_HARD,), vs.STOPPED, ps.SHUTDOWN,
     ts.REBOOTING_HARD, vs.ACTIVE, ps.RUNNING),
]
_IDS = [f"{a[0]}{a[1]}" for a in _ACTIONS]
# The driver method each manager method calls.
_DRIVER_CALL = {"stop_instance": "power_off", "start_instance": "power_on",
                "pause_instance": "pause", "unpause_instance": "unpause",
                "suspend_instance": "suspend", "resume_instance": "resume",
                "reboot_instance": "reboot"}


@pytest.mark.parametrize(
    "method, args, vm_before, power_before, task, vm_after, power_after",
    _ACTIONS, ids=_IDS)
def test_power_action_settles_the_instance(
        compute, method, args, vm_before, power_before, task, vm_after,
        power_after):
    ctx = wf.user_context()
    instance = _spawned(compute, ctx, vm_before, power_before, task)
    getattr(compute, method)(ctx, instance, *args)
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["power_state"]) == \
        (vm_after, None, power_after)
    assert _guest_power(compute, instance.uuid) == power_after
    assert wf.fault(instance.uuid) is None


@pytest.mark.parametrize(
    "method, args, vm_before, power_before, task, vm_after, power_after",
    _ACTIONS, ids=_IDS)
def test_failed_power_action_clears_the_task_and_records_a_fault(
        compute, method, args, vm_before, power_before, task, vm_after,
        power_after):
    ctx = wf.user_context()
    instance = _spawned(compute, ctx, vm_before, power_before, task)
    err = exception.HypervisorError(reason="the guest agent hung")
    with mock.patch.object(compute.driver, _DRIVER_CALL[method],
                           side_effect=err):
        getattr(compute, method)(ctx, instance, *args)
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["power_state"]) == \
        (vm_before, None, power_before)
    fault = wf.fault(instance.uuid)
    assert (fault["code"], fault["message"], fault["host"]) == \
        (500, str(err), wf.HOST)


@pytest.mark.parametrize("fail", [False, True], ids=["done", "failed"])
def test_action_whose_task_changed_underneath_is_dropped(compute, fail):
    """A delete took the instance over while the stop was on its way:
    the stop writes neither states nor a fault, and raises nothing."""
    ctx = wf.user_context()
    instance = _spawned(compute, ctx, task_state=ts.POWERING_OFF)
    db.instances.update_instance(wf.admin(), instance.uuid,
                                 {"task_state": ts.DELETING})
    side_effect = exception.HypervisorError(reason="x") if fail else None
    with mock.patch.object(compute.driver, "power_off",
                           side_effect=side_effect):
        compute.stop_instance(ctx, instance)
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["power_state"]) == \
        (vs.ACTIVE, ts.DELETING, ps.RUNNING)
    assert wf.fault(instance.uuid) is None


def test_console_output_comes_from_the_guest(compute):
    ctx = wf.user_context()
    instance = _spawned(compute, ctx)
    text = compute.get_console_output(ctx, instance, None)
    assert f"instance-id: {instance.uuid}" in text
    assert len(text.splitlines()) > 10  # a boot log, not one line
