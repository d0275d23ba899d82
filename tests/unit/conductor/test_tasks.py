"""ComputeTaskManager: placing builds, rescheduling them and failing them,
with the scheduler and compute RPC clients as mocks and the placement,
faults and allocations read back from the database."""

from unittest import mock

import oslo_messaging as messaging
import pytest

from nimbus.core import exception
from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.conductor import tasks
from nimbus.core.db import api as db
from tests.unit import workflow_fakes as wf

THIRD_HOST = "fake-3"
FAIL_EVENT = ("create", "conductor_schedule_and_build_instances", "Error")


@pytest.fixture
def conductor(db_api, nimbus_conf):
    manager = tasks.ComputeTaskManager(nimbus_conf, db_api)
    manager._scheduler = mock.Mock()
    manager._compute = mock.Mock()
    return manager


def _unplaced(ctx, count=1):
    """Instances as the API recorded them: building, scheduling, no
    host."""
    return [wf.create_instance(ctx, host=None).uuid for _ in range(count)]


def _casts(conductor):
    """``[(uuid, host, request spec, alternate hosts)]`` cast to
    computes."""
    out = []
    for call in conductor.compute.build_and_run_instance.call_args_list:
        _ctx, instance, host, spec, alternates = call.args
        out.append((instance.uuid, host, spec,
                    [a["host"] for a in alternates]))
    return out


def _scheduled_spec(conductor, index=0):
    """The request spec the scheduler was asked to place (call
    ``index``)."""
    return conductor.scheduler.select_destinations.call_args_list[
        index].args[1]


# -- schedule_and_build_instances -------------------------------------------

@pytest.mark.parametrize("arrives_spawning, task_state", [
    (True, ts.SPAWNING),      # computes of RPC 1.17
    (False, ts.SCHEDULING),   # pinned below: the compute writes spawning
], ids=["spawning", "pinned-below-1.17"])
def test_build_is_cast_to_the_selected_host_with_alternates(
        conductor, arrives_spawning, task_state):
    conductor.compute.builds_arrive_spawning.return_value = \
        arrives_spawning
    ctx = wf.user_context()
    uuids = _unplaced(ctx, 2)
    conductor.scheduler.select_destinations.return_value = [
        [wf.selection(wf.HOST), wf.selection(wf.OTHER_HOST)],
        [wf.selection(wf.OTHER_HOST), wf.selection(THIRD_HOST),
         wf.selection(wf.HOST)],
    ]
    spec = wf.make_spec(ctx, num_instances=2, attempts=7)
    conductor.schedule_and_build_instances(ctx, uuids, spec)
    casts = _casts(conductor)
    assert [(u, h, alts) for u, h, _s, alts in casts] == [
        (uuids[0], wf.HOST, [wf.OTHER_HOST]),
        (uuids[1], wf.OTHER_HOST, [THIRD_HOST, wf.HOST]),
    ]
    assert wf.spec_value(_scheduled_spec(conductor), "attempts") == 1
    assert wf.spec_value(casts[0][2], "attempts") == 1
    for uuid, host in zip(uuids, (wf.HOST, wf.OTHER_HOST), strict=True):
        row = wf.load(uuid)
        assert (row["host"], row["node"], row["task_state"]) == \
            (host, host, task_state)
    assert [c.args[1].task_state for c in
            conductor.compute.build_and_run_instance.call_args_list] == \
        [task_state, task_state]


def test_no_valid_host_puts_every_instance_in_error(conductor):
    ctx = wf.user_context()
    uuids = _unplaced(ctx, 2)
    for uuid in uuids:   # claims a partial decision could have left
        wf.claim(uuid)
    err = exception.NoValidHost(
        reason="2 compute host(s) considered: RamFilter removed 2 (not "
               "enough RAM).")
    conductor.scheduler.select_destinations.side_effect = err
    with wf.errors_explained() as explained:
        conductor.schedule_and_build_instances(ctx, uuids,
                                               wf.make_spec(ctx))
    assert explained == dict.fromkeys(uuids, True)
    conductor.compute.build_and_run_instance.assert_not_called()
    for uuid in uuids:
        row = wf.load(uuid)
        assert (row["vm_state"], row["task_state"]) == (vs.ERROR, None)
        fault = wf.fault(uuid)
        assert fault["message"] == (
            "No valid host was found. 2 compute host(s) considered: "
            "RamFilter removed 2 (not enough RAM).")
        assert fault["code"] == 500
        assert wf.events(uuid) == [FAIL_EVENT]
        assert wf.allocation_hosts(uuid) == []


def test_scheduler_unreachable_puts_every_instance_in_error(conductor):
    """Not only NoValidHost: a scheduler that never answers must not
    leave the instances building forever."""
    ctx = wf.user_context()
    uuids = _unplaced(ctx, 2)
    wf.claim(uuids[0])
    conductor.scheduler.select_destinations.side_effect = \
        messaging.MessagingTimeout("no reply on topic scheduler")
    conductor.schedule_and_build_instances(ctx, uuids, wf.make_spec(ctx))
    conductor.compute.build_and_run_instance.assert_not_called()
    for uuid in uuids:
        row = wf.load(uuid)
        assert (row["vm_state"], row["task_state"]) == (vs.ERROR, None)
        assert "the scheduler did not answer within" in \
            wf.fault(uuid)["message"]
        assert wf.allocation_hosts(uuid) == []


def test_instance_deleted_before_placement_is_skipped(conductor):
    ctx = wf.user_context()
    gone, kept = _unplaced(ctx, 2)
    wf.claim(gone)
    wf.claim(kept)
    db.instances.update_instance(wf.admin(), gone,
                                 {"task_state": ts.DELETING})
    conductor.scheduler.select_destinations.return_value = [
        [wf.selection(wf.HOST)], [wf.selection(wf.HOST)]]
    conductor.schedule_and_build_instances(ctx, [gone, kept],
                                           wf.make_spec(ctx))
    assert [c[0] for c in _casts(conductor)] == [kept]
    assert wf.allocation_hosts(gone) == []
    assert wf.allocation_hosts(kept) == [wf.HOST]
    row = wf.load(gone)
    assert (row["host"], row["task_state"]) == (None, ts.DELETING)
    assert wf.fault(gone) is None


def test_instance_destroyed_before_placement_is_skipped(conductor):
    ctx = wf.user_context()
    (uuid,) = _unplaced(ctx)
    wf.claim(uuid)
    db.instances.destroy(wf.admin(), uuid)
    wf.claim(uuid)   # the scheduler claimed after the delete
    conductor.scheduler.select_destinations.return_value = [
        [wf.selection(wf.HOST)]]
    conductor.schedule_and_build_instances(ctx, [uuid], wf.make_spec(ctx))
    conductor.compute.build_and_run_instance.assert_not_called()
    assert wf.allocation_hosts(uuid) == []


# -- build_instances (reschedule) -------------------------------------------

def _rescheduled(ctx, failed_host=wf.HOST):
    """An instance its compute handed back: scheduling, no host, still
    holding the claim on the host that failed."""
    (uuid,) = _unplaced(ctx)
    wf.claim(uuid, failed_host)
    return uuid


def test_reschedule_claims_the_next_alternate(conductor):
    ctx = wf.user_context()
    uuid = _rescheduled(ctx)
    conductor.scheduler.select_destinations.return_value = [
        [wf.selection(wf.OTHER_HOST)]]
    alternates = [wf.selection(wf.OTHER_HOST), wf.selection(THIRD_HOST)]
    conductor.build_instances(ctx, uuid, wf.make_spec(ctx), alternates,
                              wf.HOST, "qemu died")
    asked = _scheduled_spec(conductor)
    assert wf.spec_value(asked, "requested_hosts") == [wf.OTHER_HOST]
    assert wf.spec_value(asked, "tried_hosts") == [wf.HOST]
    assert wf.spec_value(asked, "attempts") == 2
    assert wf.allocation_hosts(uuid) == []   # the failed host's claim
    [(cast_uuid, host, spec, alts)] = _casts(conductor)
    assert (cast_uuid, host, alts) == (uuid, wf.OTHER_HOST, [THIRD_HOST])
    assert wf.spec_value(spec, "tried_hosts") == [wf.HOST]
    assert wf.spec_value(spec, "attempts") == 2
    assert not wf.spec_value(spec, "requested_hosts")
    assert wf.load(uuid)["host"] == wf.OTHER_HOST


def test_reschedule_skips_an_alternate_that_no_longer_fits(conductor):
    ctx = wf.user_context()
    uuid = _rescheduled(ctx)
    conductor.scheduler.select_destinations.side_effect = [
        exception.NoValidHost(reason="full"), [[wf.selection(THIRD_HOST)]]]
    conductor.build_instances(
        ctx, uuid, wf.make_spec(ctx),
        [wf.selection(wf.OTHER_HOST), wf.selection(THIRD_HOST)],
        wf.HOST, "qemu died")
    assert wf.spec_value(_scheduled_spec(conductor, 1),
                         "requested_hosts") == [THIRD_HOST]
    assert [(u, h) for u, h, _s, _a in _casts(conductor)] == \
        [(uuid, THIRD_HOST)]


def test_retries_exhausted_is_an_error_with_the_last_failure(conductor):
    ctx = wf.user_context()
    uuid = _rescheduled(ctx)
    spec = wf.make_spec(
        ctx, attempts=conductor.conf.conductor.max_build_attempts,
        tried_hosts=["fake-0"])
    conductor.build_instances(ctx, uuid, spec,
                              [wf.selection(wf.OTHER_HOST)], wf.HOST,
                              "qemu died")
    conductor.scheduler.select_destinations.assert_not_called()
    conductor.compute.build_and_run_instance.assert_not_called()
    row = wf.load(uuid)
    assert (row["vm_state"], row["task_state"]) == (vs.ERROR, None)
    assert wf.fault(uuid)["message"] == (
        "Exceeded maximum number of retries. Last failure on fake-1: "
        "qemu died")
    assert wf.events(uuid) == [FAIL_EVENT]
    assert wf.allocation_hosts(uuid) == []


def test_no_alternate_fits_is_max_retries_exceeded(conductor):
    ctx = wf.user_context()
    uuid = _rescheduled(ctx)
    conductor.scheduler.select_destinations.side_effect = \
        exception.NoValidHost(reason="full")
    conductor.build_instances(ctx, uuid, wf.make_spec(ctx),
                              [wf.selection(wf.OTHER_HOST)], wf.HOST,
                              "qemu died")
    conductor.compute.build_and_run_instance.assert_not_called()
    assert wf.load(uuid)["vm_state"] == vs.ERROR
    assert wf.fault(uuid)["message"].startswith(
        "Exceeded maximum number of retries.")


def test_scheduler_unreachable_during_reschedule_is_an_error(conductor):
    ctx = wf.user_context()
    uuid = _rescheduled(ctx)
    conductor.scheduler.select_destinations.side_effect = \
        messaging.MessagingTimeout("no reply on topic scheduler")
    conductor.build_instances(ctx, uuid, wf.make_spec(ctx),
                              [wf.selection(wf.OTHER_HOST)], wf.HOST,
                              "qemu died")
    conductor.compute.build_and_run_instance.assert_not_called()
    row = wf.load(uuid)
    assert (row["vm_state"], row["task_state"]) == (vs.ERROR, None)
    assert "the scheduler did not answer within" in \
        wf.fault(uuid)["message"]


def test_reschedule_of_an_instance_deleted_meanwhile_is_dropped(conductor):
    ctx = wf.user_context()
    uuid = _rescheduled(ctx)
    db.instances.update_instance(wf.admin(), uuid,
                                 {"task_state": ts.DELETING})
    conductor.scheduler.select_destinations.return_value = [
        [wf.selection(wf.OTHER_HOST)]]
    conductor.build_instances(ctx, uuid, wf.make_spec(ctx),
                              [wf.selection(wf.OTHER_HOST)], wf.HOST,
                              "qemu died")
    conductor.compute.build_and_run_instance.assert_not_called()
    assert wf.allocation_hosts(uuid) == []
    row = wf.load(uuid)
    assert (row["vm_state"], row["task_state"]) == (vs.BUILDING,
                                                    ts.DELETING)
    assert wf.fault(uuid) is None


def test_no_mixin_shadows_another_ones_method():
    """ComputeTaskManager is assembled from mixins: a helper of the same
    name in two of them silently replaces one (unshelve once called the
    build path's scheduler helper with its own arguments)."""
    from nimbus.core.conductor.tasks import ComputeTaskManager
    owners = {}
    for cls in ComputeTaskManager.__mro__[:-1]:
        for name, value in vars(cls).items():
            if callable(value) and not name.startswith("__"):
                owners.setdefault(name, []).append(cls.__name__)
    shadowed = {n: c for n, c in owners.items() if len(c) > 1}
    assert shadowed == {}


@pytest.mark.parametrize("said, zone", [
    ("zone-s", "zone-s"),   # the scheduler's, from its decision
    (None, "nova"),         # in no zone-setting aggregate: the default
])
def test_a_build_lands_in_the_zone_the_scheduler_saw(conductor, said,
                                                     zone):
    ctx = wf.user_context()
    (uuid,) = _unplaced(ctx)
    conductor.scheduler.select_destinations.return_value = [
        [dict(wf.selection(wf.HOST), availability_zone=said)]]
    with mock.patch.object(db.aggregates, "host_zone") as read:
        conductor.schedule_and_build_instances(ctx, [uuid],
                                               wf.make_spec(ctx))
    read.assert_not_called()
    assert wf.load(uuid)["availability_zone"] == zone


def test_a_build_lands_in_its_hosts_zone(conductor):
    """A scheduler of the previous release does not say the zone:
    conductor reads it."""
    wf.service_up(wf.OTHER_HOST)
    aggregate = db.aggregates.create(wf.admin(), "b",
                                     availability_zone="zone-b")
    db.aggregates.add_host(wf.admin(), aggregate["id"], wf.OTHER_HOST)
    ctx = wf.user_context()
    uuids = _unplaced(ctx, 2)
    conductor.scheduler.select_destinations.return_value = [
        [wf.selection(wf.OTHER_HOST)], [wf.selection(wf.HOST)]]
    conductor.schedule_and_build_instances(ctx, uuids,
                                           wf.make_spec(ctx, num_instances=2))
    assert [wf.load(u)["availability_zone"] for u in uuids] == [
        "zone-b", "nova"]
