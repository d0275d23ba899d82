"""The move-workflow foundation: migration records, their guarded status
changes, the claim hand-overs that go with them, and the task base's
rollback, against a SQLite database."""

from unittest import mock

import pytest

from nimbus.core import exception
from nimbus.core.compute import task_states as ts
from nimbus.core.compute import vm_states as vs
from nimbus.core.conductor.workflows import base
from nimbus.core.db import api as db
from nimbus.core.objects import migration as migration_obj
from tests.unit import workflow_fakes as wf

FLAVOR = {"id": 1, "flavorid": "1", "name": "m1.tiny", "vcpus": 1,
          "memory_mb": 512, "root_gb": 1, "ephemeral_gb": 0, "swap": 0,
          "extra_specs": {"k": "v"}}
BIG = dict(FLAVOR, id=2, flavorid="2", name="m1.small", vcpus=2,
           memory_mb=1024)


def _usage(host):
    node, = db.compute_nodes.get_all(wf.admin(), host=host)
    return node["vcpus_used"], node["memory_mb_used"], node["running_vms"]


def _task(db_api, nimbus_conf, instance, ctx, cls=base.MoveTask):
    manager = mock.Mock(conf=nimbus_conf, db=db_api)
    task = cls(manager, ctx, instance)
    task.migration_type = "resize"
    return task


def _active(ctx):
    instance = wf.create_instance(ctx, vm_state=vs.ACTIVE, task_state=None,
                                  action="resize")
    wf.claim(instance.uuid, wf.HOST)
    return instance


def test_migration_record_round_trips_flavors_and_lists(db_api,
                                                        nimbus_conf):
    ctx = wf.user_context()
    instance = _active(ctx)
    task = _task(db_api, nimbus_conf, instance, ctx)
    migration = task.create_migration(FLAVOR, BIG, "pre-migrating")
    got = migration_obj.Migration.get_by_uuid(ctx, migration.uuid)
    assert got.flavor("old") == FLAVOR and got.flavor("new") == BIG
    assert (got.source_compute, got.old_instance_type_id,
            got.new_instance_type_id) == (wf.HOST, 1, 2)
    assert migration_obj.Migration.get_by_id(ctx, got.id).uuid == got.uuid
    listed = migration_obj.MigrationList.get_by_filters(
        ctx, {"host": wf.HOST, "status": ["pre-migrating"]})
    assert [m.uuid for m in listed] == [migration.uuid]
    assert not migration_obj.MigrationList.get_by_filters(
        ctx, {"host": wf.OTHER_HOST})
    assert [m.uuid for m in migration_obj.MigrationList.
            get_in_progress_by_instance(ctx, instance.uuid)] == \
        [migration.uuid]


def test_status_change_is_guarded_and_hand_over_happens_once(db_api,
                                                             nimbus_conf):
    ctx = wf.user_context()
    instance = _active(ctx)
    task = _task(db_api, nimbus_conf, instance, ctx)
    task.create_migration(FLAVOR, BIG, "pre-migrating")
    task.hold_source_claim("migrating", "pre-migrating")
    assert wf.allocation_hosts(task.migration.uuid) == [wf.HOST]
    assert wf.allocation_hosts(instance.uuid) == []
    # A second attempt of the same step loses the guard and writes nothing.
    with pytest.raises(exception.UnexpectedMigrationStatus):
        task.hold_source_claim("migrating", "pre-migrating")
    wf.claim(instance.uuid, wf.OTHER_HOST)   # the scheduler's target claim
    task.target_claimed = True
    task.release_source("confirmed", "migrating")
    with pytest.raises(exception.UnexpectedMigrationStatus):
        task.release_source("confirmed", "migrating")
    assert _usage(wf.HOST) == (0, 0, 0)
    assert _usage(wf.OTHER_HOST) == (1, 512, 1)
    assert wf.allocation_hosts(instance.uuid) == [wf.OTHER_HOST]


class _Failing(base.MoveTask):
    event = "conductor_migrate_server"
    hosts_undone = True

    def _execute(self):
        self.create_migration(FLAVOR, BIG, "pre-migrating")
        self.set_task_state(ts.RESIZE_PREP, None)
        self.hold_source_claim("migrating", "pre-migrating")
        wf.claim(self.instance.uuid, wf.OTHER_HOST)
        self.target_claimed = True
        raise exception.HypervisorError(reason="disk copy failed")

    def rollback_hosts(self, err):
        if not self.hosts_undone:
            raise exception.HypervisorError(reason="source gone")


@pytest.mark.parametrize("undone", [True, False])
def test_failed_task_restores_the_source_claim_once(db_api, nimbus_conf,
                                                   undone):
    ctx = wf.user_context()
    instance = _active(ctx)
    task = _task(db_api, nimbus_conf, instance, ctx, _Failing)
    task.hosts_undone = undone
    assert task.execute() is False
    row = wf.load(instance.uuid)
    assert row["task_state"] is None
    assert row["vm_state"] == (vs.ACTIVE if undone else vs.ERROR)
    assert "disk copy failed" in wf.fault(instance.uuid)["message"]
    assert task.migration.status == "error"
    assert wf.allocation_hosts(instance.uuid) == [wf.HOST]
    assert wf.allocation_hosts(task.migration.uuid) == []
    assert _usage(wf.HOST) == (1, 512, 1)
    assert _usage(wf.OTHER_HOST) == (0, 0, 0)
    assert wf.events(instance.uuid) == [
        ("resize", "conductor_migrate_server", "Error")]
