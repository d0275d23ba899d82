"""Conductor's resize/migrate workflow with the scheduler and compute RPC
clients as mocks: the records, claims and faults it leaves after
success, each kind of failure, an abandoned run and the confirm window."""

import datetime
import json
from unittest import mock

import oslo_messaging as messaging
import pytest
from oslo_utils import timeutils
from sqlalchemy import update

from nimbus.core import exception
from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.compute import zones
from nimbus.core.conductor import tasks
from nimbus.core.db import api as db
from nimbus.core.db import engine, models
from nimbus.core.objects import instance as instance_obj
from nimbus.core.objects import migration as migration_obj
from tests.unit import workflow_fakes as wf

SMALL = {"id": 2, "flavorid": "2", "name": "m1.small", "vcpus": 2,
         "memory_mb": 1024, "root_gb": 2, "ephemeral_gb": 0, "swap": 0,
         "extra_specs": {}}


@pytest.fixture
def conductor(db_api, nimbus_conf):
    manager = tasks.ComputeTaskManager(nimbus_conf, db_api)
    manager._scheduler = mock.Mock()
    manager._compute = mock.Mock()

    def select(ctx, spec, uuids):
        # The real scheduler claims the spec's flavor on the target.
        node = wf.report_node(wf.OTHER_HOST)
        db.compute_nodes.claim(wf.admin(), node["id"], node["generation"],
                               uuids[0], spec.flavor["vcpus"],
                               spec.flavor["memory_mb"], spec.disk_gb())
        return [[wf.selection(wf.OTHER_HOST)]]
    manager.scheduler.select_destinations.side_effect = select
    manager.compute.resize_instance.return_value = {"disk_info": {},
                                                    "vifs": []}
    return manager


def _resizing(ctx):
    instance = wf.create_instance(ctx, vm_state=vs.ACTIVE,
                                  task_state=ts.RESIZE_PREP,
                                  action="resize", flavor_id="1",
                                  power=1)
    wf.claim(instance.uuid, wf.HOST)
    return instance


def _usage(host):
    node, = db.compute_nodes.get_all(wf.admin(), host=host)
    return node["vcpus_used"], node["memory_mb_used"]


def _migration(uuid):
    return migration_obj.MigrationList.get_by_filters(
        wf.admin(), {"instance_uuid": uuid})[0]


def test_resize_lands_on_the_target_holding_both_claims(conductor):
    ctx = wf.user_context()
    instance = _resizing(ctx)
    conductor.migrate_server(ctx, instance, SMALL)
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["host"],
            row["vcpus"], row["flavor_id"]) == (vs.RESIZED, None,
                                                wf.OTHER_HOST, 2, "2")
    migration = _migration(instance.uuid)
    assert (migration.status, migration.migration_type,
            migration.dest_compute) == ("finished", "resize", wf.OTHER_HOST)
    assert wf.allocation_hosts(migration.uuid) == [wf.HOST]
    assert wf.allocation_hosts(instance.uuid) == [wf.OTHER_HOST]
    spec = conductor.scheduler.select_destinations.call_args.args[1]
    assert spec.tried_hosts == [wf.HOST]        # never the source
    assert wf.events(instance.uuid) == [
        ("resize", "conductor_migrate_server", "Success")]


@pytest.mark.parametrize("failing", ["resize_instance", "finish_resize"])
def test_failed_step_puts_the_guest_back_and_claims_with_it(conductor,
                                                           failing):
    ctx = wf.user_context()
    instance = _resizing(ctx)
    getattr(conductor.compute, failing).side_effect = \
        exception.HypervisorError(reason="injected")
    conductor.migrate_server(ctx, instance, SMALL)
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["host"],
            row["vcpus"]) == (vs.ACTIVE, None, wf.HOST, 1)
    assert "injected" in wf.fault(instance.uuid)["message"]
    assert _migration(instance.uuid).status == "error"
    assert wf.allocation_hosts(instance.uuid) == [wf.HOST]
    assert _usage(wf.OTHER_HOST) == (0, 0)
    assert conductor.compute.finish_revert_resize.called
    assert conductor.compute.revert_resize.called == \
        (failing == "finish_resize")


@pytest.mark.parametrize("failure", [
    exception.HypervisorError(reason="source gone"),
    # A compute killed mid-step: its call times out.
    messaging.MessagingTimeout("no reply from compute.fake-1")])
def test_source_that_cannot_be_restored_ends_in_error(conductor, failure):
    ctx = wf.user_context()
    instance = _resizing(ctx)
    conductor.compute.finish_resize.side_effect = \
        messaging.MessagingTimeout("no reply from compute.fake-2")
    conductor.compute.finish_revert_resize.side_effect = failure
    conductor.migrate_server(ctx, instance, SMALL)
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["host"]) == (vs.ERROR, wf.HOST)
    assert "no reply from compute.fake-2" in \
        wf.fault(instance.uuid)["message"]
    assert _migration(instance.uuid).status == "error"
    assert wf.allocation_hosts(instance.uuid) == [wf.HOST]
    assert _usage(wf.OTHER_HOST) == (0, 0)


def test_no_valid_host_changes_nothing_but_the_records(conductor):
    ctx = wf.user_context()
    instance = _resizing(ctx)
    conductor.scheduler.select_destinations.side_effect = \
        exception.NoValidHost(reason="none fits")
    conductor.migrate_server(ctx, instance, SMALL)
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"]) == (vs.ACTIVE, None)
    assert "none fits" in wf.fault(instance.uuid)["message"]
    assert wf.allocation_hosts(instance.uuid) == [wf.HOST]
    assert not conductor.compute.resize_instance.called


def _age(migration, seconds):
    old = timeutils.utcnow() - datetime.timedelta(seconds=seconds)
    with engine.writer(wf.admin()) as session:
        session.execute(update(models.Migration).where(
            models.Migration.uuid == migration.uuid).values(updated_at=old))


def test_abandoned_move_is_rolled_back_by_the_next_check(conductor,
                                                        nimbus_conf):
    ctx = wf.user_context()
    instance = _resizing(ctx)
    # A conductor that stopped right after the source sent the disks.
    conductor.compute.finish_resize.side_effect = SystemExit
    with pytest.raises(SystemExit):
        conductor.migrate_server(ctx, instance, SMALL)
    conductor.compute.finish_resize.side_effect = None
    migration = _migration(instance.uuid)
    assert migration.status == "post-migrating"
    conductor.check_moves()                 # too recent: left alone
    assert _migration(instance.uuid).status == "post-migrating"
    _age(migration, 2 * nimbus_conf.conductor.move_step_timeout + 1)
    conductor.check_moves()
    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["host"]) == \
        (vs.ACTIVE, None, wf.HOST)
    assert _migration(instance.uuid).status == "error"
    assert wf.allocation_hosts(instance.uuid) == [wf.HOST]
    assert _usage(wf.OTHER_HOST) == (0, 0)
    assert "interrupted" in wf.fault(instance.uuid)["message"]
    # The user's request ends (in error) instead of staying open.
    assert wf.events(instance.uuid) == [
        ("resize", "conductor_migrate_server", "Error")]
    action, = db.actions.actions_for(wf.admin(), instance.uuid)
    assert (action["message"], action["finish_time"] is None) == \
        ("Error", False)


def test_finished_move_is_confirmed_after_the_window(conductor,
                                                     nimbus_conf):
    nimbus_conf.set_override("resize_confirm_window", 60, "compute")
    ctx = wf.user_context()
    instance = _resizing(ctx)
    conductor.migrate_server(ctx, instance, SMALL)
    migration = _migration(instance.uuid)
    conductor.check_moves()
    assert _migration(instance.uuid).status == "finished"
    _age(migration, 61)
    conductor.check_moves()
    assert _migration(instance.uuid).status == "confirmed"
    assert wf.load(instance.uuid)["vm_state"] == vs.ACTIVE
    assert wf.allocation_hosts(migration.uuid) == []
    assert _usage(wf.HOST) == (0, 0)
    assert conductor.compute.confirm_resize.called


def _zone_b(host=wf.OTHER_HOST):
    wf.service_up(host)
    aggregate = db.aggregates.create(wf.admin(), "b",
                                     availability_zone="zone-b")
    db.aggregates.add_host(wf.admin(), aggregate["id"], host)


@pytest.mark.parametrize("sysmeta, pin", [
    ({zones.PIN: None}, None),
    # recorded before the pin was kept apart: its zone was the pin
    ({}, "nova"),
])
def test_a_move_lands_in_its_hosts_zone_and_keeps_the_pin(conductor,
                                                          sysmeta, pin):
    _zone_b()
    ctx = wf.user_context()
    instance = wf.create_instance(
        ctx, vm_state=vs.ACTIVE, task_state=ts.RESIZE_PREP,
        action="resize", flavor_id="1", power=1, availability_zone="nova",
        system_metadata=json.dumps(sysmeta))
    wf.claim(instance.uuid, wf.HOST)
    conductor.migrate_server(ctx, instance, SMALL)
    spec = conductor.scheduler.select_destinations.call_args.args[1]
    assert spec.availability_zone == pin
    moved = instance_obj.Instance.get_by_uuid(ctx, instance.uuid)
    assert (moved.host, moved.availability_zone, zones.pinned(moved),
            moved.system_metadata[zones.PIN]) == (wf.OTHER_HOST,
                                                  "zone-b", pin, pin)

    # reverted: back in the source's zone, the pin kept
    migration = _migration(instance.uuid)
    migration.status = "reverting"
    migration.save()
    moved.task_state = ts.RESIZE_REVERTING
    moved.save()
    conductor.revert_resize(ctx, moved, migration)
    back = instance_obj.Instance.get_by_uuid(ctx, instance.uuid)
    assert (back.host, back.availability_zone, zones.pinned(back)) == (
        wf.HOST, "nova", pin)
