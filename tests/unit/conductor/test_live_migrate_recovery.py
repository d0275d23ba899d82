"""A live migration whose conductor died before handing it to the source
compute (the destination prepared, the record ``preparing``): the next
conductor's start rolls it back, and the user's request ends."""

from unittest import mock

import pytest

from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.conductor import tasks
from nimbus.core.conductor.workflows import live_migrate
from nimbus.core.db import api as db
from nimbus.core.objects import migration as migration_obj
from tests.unit import workflow_fakes as wf


@pytest.fixture
def conductor(db_api, nimbus_conf):
    manager = tasks.ComputeTaskManager(nimbus_conf, db_api)
    manager._scheduler = mock.Mock()
    manager._compute = mock.Mock()

    def select(ctx, spec, uuids):
        node = wf.report_node(wf.OTHER_HOST)
        db.compute_nodes.claim(wf.admin(), node["id"], node["generation"],
                               uuids[0], spec.flavor["vcpus"],
                               spec.flavor["memory_mb"], spec.disk_gb())
        return [[wf.selection(wf.OTHER_HOST)]]
    manager.scheduler.select_destinations.side_effect = select
    manager.compute.check_can_live_migrate_source.return_value = {}
    manager.compute.pre_live_migration.return_value = {}
    return manager


def _migration(uuid):
    return migration_obj.MigrationList.get_by_filters(
        wf.admin(), {"instance_uuid": uuid})[0]


def test_restart_rolls_back_a_migration_left_preparing(conductor):
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, vm_state=vs.ACTIVE,
                                  task_state=ts.MIGRATING,
                                  action="live-migration", power=1)
    wf.claim(instance.uuid, wf.HOST)
    # The conductor stops while the destination prepares.
    conductor.compute.pre_live_migration.side_effect = SystemExit
    with pytest.raises(SystemExit):
        conductor.live_migrate_instance(ctx, instance, None, None)
    migration = _migration(instance.uuid)
    assert migration.status == "preparing"
    conductor.compute.reset_mock()

    assert live_migrate.recover(conductor, wf.admin()) == 1

    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["host"]) == \
        (vs.ACTIVE, None, wf.HOST)
    assert _migration(instance.uuid).status == "error"
    assert wf.allocation_hosts(instance.uuid) == [wf.HOST]
    assert wf.allocation_hosts(migration.uuid) == []
    assert conductor.compute.rollback_live_migration_at_destination.called
    assert "interrupted" in wf.fault(instance.uuid)["message"]
    assert wf.events(instance.uuid)[-1] == (
        "live-migration", "conductor_live_migrate_instance", "Error")
    action, = db.actions.actions_for(wf.admin(), instance.uuid)
    assert action["message"] == "Error"


def test_restart_ends_an_abort_asked_while_preparing_cancelled(conductor):
    """The API moved the record to ``cancelling`` (2.65) after the
    conductor running the migration died: the next one undoes the
    preparation and ends it ``cancelled``, with no fault."""
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, vm_state=vs.ACTIVE,
                                  task_state=ts.MIGRATING,
                                  action="live-migration", power=1)
    wf.claim(instance.uuid, wf.HOST)
    conductor.compute.pre_live_migration.side_effect = SystemExit
    with pytest.raises(SystemExit):
        conductor.live_migrate_instance(ctx, instance, None, None)
    migration = _migration(instance.uuid)
    migration.status = "cancelling"
    migration.save(expected_status=("preparing",))
    conductor.compute.reset_mock()

    assert live_migrate.recover(conductor, wf.admin()) == 1

    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["host"]) == \
        (vs.ACTIVE, None, wf.HOST)
    assert _migration(instance.uuid).status == "cancelled"
    assert wf.allocation_hosts(instance.uuid) == [wf.HOST]
    assert wf.allocation_hosts(migration.uuid) == []
    conductor.compute.rollback_live_migration_at_destination.\
        assert_called_once()
    assert wf.fault(instance.uuid) is None


def test_an_abort_while_preparing_ends_the_run_cancelled(conductor):
    """The abort lands while the destination prepares: the hand-over to
    the source fails its guard, and the run ends ``cancelled``."""
    ctx = wf.user_context()
    instance = wf.create_instance(ctx, vm_state=vs.ACTIVE,
                                  task_state=ts.MIGRATING,
                                  action="live-migration", power=1)
    wf.claim(instance.uuid, wf.HOST)

    def abort(*args, **kwargs):
        migration = _migration(instance.uuid)
        migration.status = "cancelling"
        migration.save(expected_status=("preparing",))
        return {}
    conductor.compute.pre_live_migration.side_effect = abort

    conductor.live_migrate_instance(ctx, instance, None, None)

    row = wf.load(instance.uuid)
    assert (row["vm_state"], row["task_state"], row["host"]) == \
        (vs.ACTIVE, None, wf.HOST)
    migration = _migration(instance.uuid)
    assert migration.status == "cancelled"
    assert wf.allocation_hosts(instance.uuid) == [wf.HOST]
    assert wf.allocation_hosts(migration.uuid) == []
    assert not conductor.compute.live_migration.called
    conductor.compute.rollback_live_migration_at_destination.\
        assert_called_once()
    assert wf.fault(instance.uuid) is None
