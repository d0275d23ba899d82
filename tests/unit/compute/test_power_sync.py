"""PowerSync: the database follows the fake hypervisor, except where an
action is in progress or the guest is not nimbus's to judge."""

import datetime
import threading
import time
from unittest import mock

import pytest
from oslo_utils import timeutils

from nimbus.core.compute import guest_spec
from nimbus.core.compute import manager as compute_manager
from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.db import api as db
from nimbus.core.interfaces import hypervisor as hv
from nimbus.plugins.hypervisors.fake import driver as fake_driver
from tests.unit import workflow_fakes as wf

ps = wf.power_state


@pytest.fixture
def compute(db_api, nimbus_conf):
    """A compute manager of ``wf.HOST`` on the fake hypervisor; its
    ``sync`` is the PowerSync under test. Its event thread is stopped
    afterwards."""
    nimbus_conf.set_override("backend", "fake", group="images")
    driver = fake_driver.FakeDriver(nimbus_conf, wf.HOST)
    manager = compute_manager.ComputeManager(nimbus_conf, wf.HOST,
                                             driver=driver)
    yield manager
    manager.sync.stop()


def _instance(compute, vm_state=vs.ACTIVE, power=ps.RUNNING,
              task_state=None, guest=ps.RUNNING, host=wf.HOST):
    """An instance recorded in ``vm_state``/``power`` whose guest is in
    ``guest`` state (None: no guest)."""
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, vm_state=vm_state, power=power,
                                  task_state=task_state, host=host)
    if guest is not None:
        compute.driver.spawn(ctx, guest_spec.build(ctx, instance,
                                                   compute.images))
        if guest != ps.RUNNING:
            compute.driver.simulate_power_change(instance.uuid, guest)
    return instance.uuid


def _stranger(compute):
    """A guest on the hypervisor with no instance record; its uuid."""
    uuid = "0d7e0c8e-5a8b-4bd6-9a3e-5cfd0e0f0c1e"
    compute.driver.spawn(wf.user_context(), hv.GuestSpec(
        uuid=uuid, name="stranger", vcpus=1, memory_mb=64, root_gb=0))
    return uuid


def _states(uuid):
    row = wf.load(uuid)
    return row["vm_state"], row["task_state"], row["power_state"]


# -- periodic sync ----------------------------------------------------------

@pytest.mark.parametrize("guest, vm_after", [
    (ps.SHUTDOWN, vs.STOPPED),
    (ps.CRASHED, vs.STOPPED),
    (ps.PAUSED, vs.PAUSED),
    (ps.SUSPENDED, vs.SUSPENDED),
])
def test_guest_changed_outside_nimbus_is_recorded(compute, guest,
                                                  vm_after):
    uuid = _instance(compute, guest=guest)
    with mock.patch.object(compute.driver, "power_on") as power_on, \
            mock.patch.object(compute.driver, "reboot") as reboot:
        compute.sync.sync_all()
    assert _states(uuid) == (vm_after, None, guest)
    # The hypervisor is authoritative: nothing restarts the guest.
    power_on.assert_not_called()
    reboot.assert_not_called()
    assert compute.driver.get_info(uuid).power_state == guest
    assert wf.fault(uuid) is None


def test_guest_started_outside_nimbus_makes_it_active(compute):
    uuid = _instance(compute, vm_state=vs.STOPPED, power=ps.SHUTDOWN)
    compute.sync.sync_all()
    assert _states(uuid) == (vs.ACTIVE, None, ps.RUNNING)


def test_missing_guest_is_an_error_with_a_fault(compute):
    uuid = _instance(compute, guest=None)
    with wf.errors_explained() as explained:
        compute.sync.sync_all()
    assert explained == {uuid: True}
    assert _states(uuid) == (vs.ERROR, None, ps.NOSTATE)
    fault = wf.fault(uuid)
    assert (fault["code"], fault["message"], fault["host"]) == \
        (500, "The guest disappeared from the hypervisor.", wf.HOST)


def test_error_instance_follows_its_guest_power_only(compute):
    uuid = _instance(compute, vm_state=vs.ERROR, power=ps.RUNNING,
                     guest=ps.SHUTDOWN)
    compute.sync.sync_all()
    assert _states(uuid) == (vs.ERROR, None, ps.SHUTDOWN)


def test_instance_in_agreement_is_not_written(compute):
    uuid = _instance(compute)
    before = wf.load(uuid)["updated_at"]
    compute.sync.sync_all()
    assert wf.load(uuid)["updated_at"] == before


@pytest.mark.parametrize("vm_state, task_state, guest", [
    (vs.ACTIVE, ts.POWERING_OFF, ps.SHUTDOWN),
    (vs.ACTIVE, ts.REBOOTING_HARD, None),
    (vs.BUILDING, ts.SPAWNING, None),
])
def test_instance_with_a_task_in_progress_is_left_alone(
        compute, vm_state, task_state, guest):
    uuid = _instance(compute, vm_state=vm_state, task_state=task_state,
                     guest=guest)
    compute.sync.sync_all()
    assert _states(uuid) == (vm_state, task_state, ps.RUNNING)
    assert wf.fault(uuid) is None


@pytest.mark.parametrize("guest", [ps.SHUTDOWN, None])
def test_action_starting_during_the_sync_wins(compute, guest):
    """A delete's guarded write (task None -> deleting) lands between the
    sync's read and its write: the sync writes no state."""
    uuid = _instance(compute, guest=guest)
    [stale] = compute.sync._instances()
    db.instances.update_instance(wf.admin(), uuid,
                                 {"task_state": ts.DELETING})
    compute.sync.sync_one(stale)
    assert _states(uuid) == (vs.ACTIVE, ts.DELETING, ps.RUNNING)
    # Nor a fault: the server being deleted did not fail.
    assert wf.fault(uuid) is None


def test_a_server_deleted_during_the_sync_gets_no_fault(compute):
    """The guest and the record went (a delete finished) between the
    sync's read and its turn: no ERROR, no fault for it."""
    uuid = _instance(compute, guest=None)
    [stale] = compute.sync._instances()
    db.instances.destroy(wf.admin(), uuid)
    compute.sync.sync_one(stale)
    assert wf.fault(uuid) is None


def test_guest_nimbus_does_not_know_is_not_touched(compute):
    stranger = _stranger(compute)
    compute.driver.simulate_power_change(stranger, ps.PAUSED)
    mine = _instance(compute)
    with mock.patch.object(compute.driver, "destroy") as destroy:
        compute.sync.sync_all()
    destroy.assert_not_called()
    assert compute.driver.get_info(stranger).power_state == ps.PAUSED
    assert db.instances.get_all(wf.admin()) == [wf.load(mine)]


def test_instance_of_another_host_is_not_synced(compute):
    uuid = _instance(compute, host=wf.OTHER_HOST, guest=ps.SHUTDOWN)
    compute.sync.sync_all()
    assert _states(uuid) == (vs.ACTIVE, None, ps.RUNNING)


# -- lifecycle events -------------------------------------------------------

def _wait_for(predicate, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_lifecycle_event_syncs_the_instance(compute):
    uuid = _instance(compute)
    compute.driver.register_event_listener(compute.sync.handle_event)
    compute.sync.reconcile()   # starts the event thread
    compute.driver.simulate_power_change(uuid, ps.SHUTDOWN)
    assert _wait_for(lambda: _states(uuid)[0] == vs.STOPPED)
    assert _states(uuid) == (vs.STOPPED, None, ps.SHUTDOWN)


def test_event_for_an_unknown_guest_is_ignored(compute):
    uuid = _instance(compute)
    compute.sync.reconcile()
    compute.sync.handle_event(hv.LifecycleEvent(
        uuid="9f1f4bd6-3c1e-4f55-8d5e-0b6d7bb1b0e3",
        power_state=ps.SHUTDOWN))
    compute.driver.simulate_power_change(uuid, ps.PAUSED)
    compute.sync.handle_event(hv.LifecycleEvent(uuid=uuid,
                                                power_state=ps.PAUSED))
    # The unknown guest's event neither failed nor blocked the next one.
    assert _wait_for(lambda: _states(uuid)[0] == vs.PAUSED)


# -- reconcile at start-up --------------------------------------------------

def test_reconcile_fails_builds_the_restart_interrupted(compute):
    uuid = _instance(compute, vm_state=vs.BUILDING, power=ps.NOSTATE,
                     task_state=ts.SPAWNING)
    wf.claim(uuid)
    compute.sync.reconcile()
    assert _states(uuid) == (vs.ERROR, None, ps.NOSTATE)
    assert "build interrupted by a restart" in wf.fault(uuid)["message"]
    assert not compute.driver.instance_exists(uuid)
    assert wf.allocation_hosts(uuid) == []


def test_reconcile_finishes_deletes_and_clears_dead_tasks(compute):
    deleting = _instance(compute, task_state=ts.DELETING)
    stopping = _instance(compute, task_state=ts.POWERING_OFF,
                         guest=ps.SHUTDOWN)
    compute.sync.reconcile()
    assert wf.load(deleting)["deleted"]
    assert not compute.driver.instance_exists(deleting)
    assert _states(stopping) == (vs.STOPPED, None, ps.SHUTDOWN)


def test_reconcile_destroys_the_guest_of_a_deleted_instance(compute):
    """A guest left by an instance deleted while this compute was down."""
    gone = _instance(compute)
    db.instances.destroy(wf.admin(), gone)
    kept = _instance(compute)
    compute.sync.reconcile()
    assert compute.driver.list_instances() == [kept]


def test_reconcile_leaves_guests_it_has_no_record_of(compute):
    """No record (another database, a renamed host) or another host's
    instance: nimbus cannot tell the guest is garbage, so it stays."""
    stranger = _stranger(compute)
    elsewhere = _instance(compute, host=wf.OTHER_HOST)
    compute.sync.reconcile()
    assert sorted(compute.driver.list_instances()) == \
        sorted([stranger, elsewhere])
    assert _states(elsewhere) == (vs.ACTIVE, None, ps.RUNNING)


@pytest.mark.parametrize("task, guest, vm_after", [
    (ts.REBOOTING, ps.RUNNING, vs.ACTIVE),
    (ts.REBOOT_STARTED_HARD, ps.SHUTDOWN, vs.STOPPED),
    (ts.POWERING_ON, ps.RUNNING, vs.ACTIVE),
    (ts.POWERING_OFF, ps.RUNNING, vs.ACTIVE),
    (ts.PAUSING, ps.PAUSED, vs.PAUSED),
    (ts.SUSPENDING, ps.SUSPENDED, vs.SUSPENDED),
])
def test_reconcile_takes_interrupted_actions_from_the_guest(
        compute, task, guest, vm_after):
    """The action's RPC died with the old process: the task state goes
    and the guest's actual power state decides the vm_state."""
    uuid = _instance(compute, task_state=task, guest=guest)
    compute.sync.reconcile()
    assert _states(uuid) == (vm_after, None, guest)


@pytest.mark.parametrize("task", [ts.SPAWNING, ts.NETWORKING,
                                  ts.BLOCK_DEVICE_MAPPING, ts.SCHEDULING])
def test_reconcile_fails_every_build_state_and_releases(compute, task):
    uuid = _instance(compute, vm_state=vs.BUILDING, power=ps.NOSTATE,
                     task_state=task)
    wf.claim(uuid)
    compute.sync.reconcile()
    assert _states(uuid)[:2] == (vs.ERROR, None)
    assert "build interrupted by a restart" in wf.fault(uuid)["message"]
    assert not compute.driver.instance_exists(uuid)
    assert wf.allocation_hosts(uuid) == []


def test_reconcile_finishes_a_delete_with_its_claim_ports_and_volumes(
        compute):
    uuid = _instance(compute, task_state=ts.DELETING)
    wf.claim(uuid)
    with mock.patch.object(compute, "release_volumes") as volumes, \
            mock.patch.object(compute, "release_network") as network:
        compute.sync.reconcile()
    assert wf.load(uuid)["deleted"]
    assert not compute.driver.instance_exists(uuid)
    assert wf.allocation_hosts(uuid) == []
    assert [c.args[1].uuid for c in volumes.call_args_list] == [uuid]
    assert [c.args[1].uuid for c in network.call_args_list] == [uuid]


def test_reconcile_leaves_moves_to_conductor(compute):
    uuid = _instance(compute, task_state=ts.RESIZE_MIGRATING)
    wf.claim(uuid)
    compute.sync.reconcile()
    assert _states(uuid) == (vs.ACTIVE, ts.RESIZE_MIGRATING, ps.RUNNING)
    assert wf.allocation_hosts(uuid) == [wf.HOST]


# -- work lost while the compute runs ---------------------------------------

@pytest.fixture
def later(nimbus_conf):
    """Call it to move the clock past ``[conductor] task_state_timeout``
    (after recording what should look old)."""
    timeout = nimbus_conf.conductor.task_state_timeout

    def advance():
        timeutils.set_time_override(
            timeutils.utcnow() + datetime.timedelta(seconds=timeout + 1))

    yield advance
    timeutils.clear_time_override()


def test_orphaned_build_is_failed_and_released(compute, later):
    """The build's thread ended without settling it (the conductor's
    reply to its save was lost): ERROR with a fault, claim back."""
    uuid = _instance(compute, vm_state=vs.BUILDING, power=ps.NOSTATE,
                     task_state=ts.SPAWNING)
    wf.claim(uuid)
    later()
    assert compute.sync.settle_orphans() == 1
    assert _states(uuid) == (vs.ERROR, None, ps.NOSTATE)
    assert "build lost (task spawning unanswered" in \
        wf.fault(uuid)["message"]
    assert not compute.driver.instance_exists(uuid)
    assert wf.allocation_hosts(uuid) == []


def test_lost_actions_are_settled_from_the_guest(compute, later):
    """A stop whose cast never came, and a delete whose terminate never
    came: the task state goes, the delete is finished."""
    stopping = _instance(compute, task_state=ts.POWERING_OFF)
    deleting = _instance(compute, task_state=ts.DELETING)
    later()
    assert compute.sync.settle_orphans() == 2
    assert _states(stopping) == (vs.ACTIVE, None, ps.RUNNING)
    assert wf.load(deleting)["deleted"]
    assert not compute.driver.instance_exists(deleting)


def test_recent_task_states_are_not_orphans(compute):
    uuid = _instance(compute, vm_state=vs.BUILDING, power=ps.NOSTATE,
                     task_state=ts.SPAWNING)
    assert compute.sync.settle_orphans() == 0
    assert _states(uuid) == (vs.BUILDING, ts.SPAWNING, ps.NOSTATE)


def test_work_in_flight_here_is_not_an_orphan(compute, later):
    """A build as long as the deadline is still owned by its thread."""
    uuid = _instance(compute, vm_state=vs.BUILDING, power=ps.NOSTATE,
                     task_state=ts.SPAWNING)
    holding, release = threading.Event(), threading.Event()

    def build():
        with compute.lock(uuid):
            holding.set()
            release.wait(10)

    later()
    worker = threading.Thread(target=build)
    worker.start()
    try:
        assert holding.wait(5)
        assert compute.sync.settle_orphans() == 0
    finally:
        release.set()
        worker.join()
    assert _states(uuid) == (vs.BUILDING, ts.SPAWNING, ps.NOSTATE)
    assert uuid not in compute.in_flight


@pytest.mark.parametrize("task", [ts.SCHEDULING, ts.RESIZE_MIGRATING,
                                  ts.MIGRATING])
def test_conductors_task_states_are_left_to_it(compute, later, task):
    uuid = _instance(compute, task_state=task)
    later()
    assert compute.sync.settle_orphans() == 0
    assert _states(uuid) == (vs.ACTIVE, task, ps.RUNNING)
