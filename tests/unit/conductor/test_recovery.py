"""TaskStateSweep: task states that outlived their owner are settled from
the database alone (states, faults and allocations read back)."""

import datetime

import pytest
from oslo_utils import timeutils

from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.conductor import recovery
from nimbus.core.db import api as db
from tests.unit import workflow_fakes as wf

TIMEOUT = 600


@pytest.fixture
def sweep(db_api, nimbus_conf):
    nimbus_conf.set_override("task_state_timeout", TIMEOUT,
                             group="conductor")
    yield recovery.TaskStateSweep(nimbus_conf, db_api)
    timeutils.clear_time_override()


def _later(seconds):
    """Move the clock on by ``seconds`` (the fixture puts it back)."""
    timeutils.set_time_override(
        timeutils.utcnow() + datetime.timedelta(seconds=seconds))


def _claimed(task_state, host=wf.HOST, vm_state=vs.BUILDING):
    instance = wf.create_instance(task_state=task_state, host=host,
                                  vm_state=vm_state)
    wf.claim(instance.uuid, host=host or wf.OTHER_HOST)
    return instance.uuid


def _state(uuid):
    row = wf.load(uuid)
    return row["vm_state"], row["task_state"]


def test_scheduling_past_its_deadline_fails_and_releases(sweep):
    """Conductor or scheduler died mid-build: no host ever got it."""
    stuck = _claimed(ts.SCHEDULING, host=None)
    _later(TIMEOUT + 1)
    fresh = _claimed(ts.SCHEDULING, host=None)
    assert sweep.run() == 1
    assert _state(stuck) == (vs.ERROR, None)
    assert "still scheduling after 600s" in wf.fault(stuck)["message"]
    assert wf.allocation_hosts(stuck) == []
    assert _state(fresh) == (vs.BUILDING, ts.SCHEDULING)
    assert wf.allocation_hosts(fresh) == [wf.OTHER_HOST]


def test_build_on_a_down_host_fails_and_releases(sweep):
    wf.service_up(wf.HOST, up=False)
    uuid = _claimed(ts.SPAWNING)
    _later(TIMEOUT + 1)
    assert sweep.run() == 1
    assert _state(uuid) == (vs.ERROR, None)
    message = wf.fault(uuid)["message"]
    assert "spawning on host fake-1" in message
    assert "compute service there is down" in message
    assert wf.allocation_hosts(uuid) == []


def test_host_without_a_service_record_counts_as_down(sweep):
    uuid = _claimed(ts.NETWORKING)
    _later(TIMEOUT + 1)
    assert sweep.run() == 1
    assert _state(uuid) == (vs.ERROR, None)


def test_work_of_a_live_compute_is_left_to_it(sweep):
    uuid = _claimed(ts.SPAWNING)
    _later(TIMEOUT + 1)
    wf.service_up(wf.HOST)        # heartbeating now
    assert sweep.run() == 0
    assert _state(uuid) == (vs.BUILDING, ts.SPAWNING)
    assert wf.fault(uuid) is None


def test_delete_on_a_down_host_is_finished(sweep):
    wf.service_up(wf.HOST, up=False)
    uuid = _claimed(ts.DELETING, vm_state=vs.ACTIVE)
    _later(TIMEOUT + 1)
    assert sweep.run() == 1
    assert wf.load(uuid)["deleted"]
    assert wf.allocation_hosts(uuid) == []


def test_power_action_on_a_down_host_is_an_error_keeping_its_claim(sweep):
    """The guest may still run there: its capacity stays taken."""
    wf.service_up(wf.HOST, up=False)
    uuid = _claimed(ts.REBOOTING_HARD, vm_state=vs.ACTIVE)
    _later(TIMEOUT + 1)
    assert sweep.run() == 1
    assert _state(uuid) == (vs.ERROR, None)
    assert "rebooting_hard" in wf.fault(uuid)["message"]
    assert wf.allocation_hosts(uuid) == [wf.HOST]


@pytest.mark.parametrize("state", [ts.RESIZE_MIGRATING, ts.MIGRATING])
def test_moves_are_left_to_their_own_recovery(sweep, state):
    wf.service_up(wf.HOST, up=False)
    uuid = _claimed(state, vm_state=vs.ACTIVE)
    _later(TIMEOUT + 1)
    assert sweep.run() == 0
    assert _state(uuid) == (vs.ACTIVE, state)


def test_work_that_moved_on_after_the_query_wins(sweep, monkeypatch):
    """The write is guarded by the task state the sweep saw."""
    wf.service_up(wf.HOST, up=False)
    uuid = _claimed(ts.SPAWNING)
    _later(TIMEOUT + 1)
    rows = db.instances.get_in_flight_before(wf.admin(), timeutils.utcnow())
    db.instances.update_instance(wf.admin(), uuid,
                                 {"vm_state": vs.ACTIVE, "task_state": None})
    monkeypatch.setattr(db.instances, "get_in_flight_before",
                        lambda *a, **k: rows)
    assert sweep.run() == 0
    assert _state(uuid) == (vs.ACTIVE, None)
    assert wf.allocation_hosts(uuid) == [wf.HOST]


def test_the_query_returns_each_instance_with_its_heartbeat(sweep):
    wf.service_up(wf.HOST, up=False)
    down = _claimed(ts.SPAWNING)
    orphan = _claimed(ts.SCHEDULING, host=None)
    idle = wf.create_instance(task_state=None, vm_state=vs.ACTIVE).uuid
    _later(TIMEOUT + 1)
    rows = {r["uuid"]: r for r in db.instances.get_in_flight_before(
        wf.admin(), timeutils.utcnow())}
    assert set(rows) == {down, orphan}
    assert idle not in rows
    assert rows[down]["service"]["last_seen_up"] is not None
    assert rows[orphan]["service"] is None
